"""Sea-ice figures on the grid's polar stereographic map (PNG, offline).

Every function takes an xarray object in the grid convention (what
:func:`swathkit.products.asi.open_asi` or ``GridCube.dataset()`` return, or a
hand-made dataset with ``x``/``y`` and a CRS, or with a
:class:`~swathkit.products.grids.Grid` passed as ``crs``) and writes one PNG; any
grid centred on a pole draws (the ASI grids, EASE-Grid 2.0 N and S):

- :func:`plot_day`: one day of concentration with coastlines and graticule;
- :func:`plot_mask`: the land mask and the NaN frequency it was cut from;
- :func:`plot_fill_comparison`: raw | filled | how each pixel was filled;
- :func:`plot_roi`: a region drawn on the map, with missing pixels per day.

Colours: concentration on a dark-blue (open water) to white (100 %) scale,
land grey, no data white with grey hatching.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.colors import ListedColormap
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from swathkit.plot import seaice_panels as panels
from swathkit.plot.graticule import draw_polar_graticule
from swathkit.plot.maps import save_png
from swathkit.plot.polar import (
    CrsLike,
    MapFrame,
    draw_polar_coastlines,
    land_from_coastline,
    legend_patches,
    on_grid,
    setup_map_axes,
    show_field,
)
from swathkit.products.grids import Grid
from swathkit.types import RegionLike, as_region

if TYPE_CHECKING:
    pass

DPI = 110
FREQ_CMAP = "magma_r"
SIC_LABEL = "sea-ice concentration (%)"



def plot_day(
    data: xr.Dataset | xr.DataArray,
    out_path: str | os.PathLike[str],
    *,
    day: date | str | None = None,
    variable: str = "sic",
    land: np.ndarray | None = None,
    region: RegionLike | None = None,
    crs: CrsLike | Grid | None = None,
    title: str | None = None,
    dpi: float = DPI,
) -> Path:
    """One day of sea-ice concentration on its polar stereographic map.

    Args:
        data: A dataset holding ``variable`` (``time, y, x`` or ``y, x``), or the
            data array itself (then pass ``crs``).
        out_path: PNG to write (replaced atomically).
        day: Which day of a time axis; the first if None.
        variable: Concentration variable (``sic`` or ``sic_filled``), percent.
        land: Land cells (y, x) to paint grey; taken from a ``land_mask``
            variable of ``data`` if there is one, else from the offline
            land-mask package at the cell centres.
        region: Draw only these rows and columns.
        crs: The grid (a :class:`Grid`) or its CRS, when ``data`` carries none.
        title: Replaces the default "Sea-ice concentration, <day>".
        dpi: Resolution of the PNG.

    Returns:
        ``out_path`` as a ``Path``.
    """
    ds = _as_dataset(data, variable)
    ds, land = _crop(ds, land, region, crs)
    frame = MapFrame.from_xarray(ds, crs=crs)
    values, when = _day_values(ds, variable, day)
    land = _land(ds, frame, land)
    lay = panels.layout(frame, 1, dpi=dpi)
    ax = lay.maps[0]
    image = panels.sic_map(ax, frame, values, land)
    panels.colourbar(lay.fig, image, lay.below[0], SIC_LABEL)
    panels.title(ax, title or f"Sea-ice concentration, {_day_text(when)}", frame.label)
    panels.missing_note(ax, values, land)
    ax.legend(handles=legend_patches(), loc="lower left", fontsize=8, framealpha=0.9)
    return save_png(lay.fig, out_path, dpi=dpi)


def plot_mask(
    data: xr.Dataset,
    out_path: str | os.PathLike[str],
    *,
    threshold: float | None = None,
    region: RegionLike | None = None,
    crs: CrsLike | Grid | None = None,
    dpi: float = DPI,
) -> Path:
    """The binary land mask next to the NaN frequency map it was cut from.

    Args:
        data: Holds ``land_mask`` (y, x; 1 = land) and ``nan_frequency`` (y, x;
            share of days missing, 0–1), as the cube's ``mask`` step writes.
        out_path: PNG to write.
        threshold: The frequency cut, drawn as a contour; read from the
            attributes (``threshold``) of either variable if None.
        region: Draw only these rows and columns.
        crs: The grid (a :class:`Grid`) or its CRS, when ``data`` carries none.
        dpi: Resolution of the PNG.
    """
    ds, _ = _crop(data, None, region, crs)
    frame = MapFrame.from_xarray(ds, crs=crs)
    mask = np.asarray(ds["land_mask"].values)
    freq = np.asarray(ds["nan_frequency"].values, dtype=np.float32)
    cut = threshold if threshold is not None else _attr(ds, "threshold")
    lay = panels.layout(frame, 2, dpi=dpi)
    ax_mask, ax_freq = lay.maps
    for ax in (ax_mask, ax_freq):
        setup_map_axes(ax, frame, missing_hatch=False)
    show_field(ax_mask, frame, (mask > 0).astype(np.float32),
               cmap=ListedColormap(["#cfe3f3", "#6b6b6b"]), vmin=0, vmax=1, categorical=True)
    image = show_field(ax_freq, frame, freq, cmap=FREQ_CMAP, vmin=0.0, vmax=1.0)
    if cut is not None:
        ax_freq.contour(frame.x, frame.y, freq, levels=[float(cut)], colors="#00bcd4",
                        linewidths=0.8, zorder=3)
    for ax in (ax_mask, ax_freq):
        draw_polar_coastlines(ax, frame.crs)
        draw_polar_graticule(ax, frame.crs)
    land_share = 100.0 * float((mask > 0).mean())
    attrs = ds["nan_frequency"].attrs
    period = f", {attrs['start']} → {attrs['end']}" if "start" in attrs and "end" in attrs else ""
    panels.title(ax_mask, f"Land mask ({land_share:.1f} % of the grid{period})")
    lay.below[0].legend(handles=[Patch(fc="#6b6b6b", ec="0.3", label="land (masked)"),
                                 Patch(fc="#cfe3f3", ec="0.3", label="sea"),
                                 Line2D([], [], color="0.15", lw=0.8, label="coastline")],
                        loc="upper center", ncols=3, fontsize=8, frameon=False)
    cut_text = f", threshold {float(cut):.2f}" if cut is not None else ""
    panels.title(ax_freq, f"NaN frequency{cut_text}", frame.label)
    panels.colourbar(lay.fig, image, lay.below[1], "share of days with no value"
               + (" (cyan: threshold)" if cut is not None else ""))
    return save_png(lay.fig, out_path, dpi=dpi)


def plot_fill_comparison(
    data: xr.Dataset,
    out_path: str | os.PathLike[str],
    *,
    day: date | str | None = None,
    land: np.ndarray | None = None,
    region: RegionLike | None = None,
    crs: CrsLike | Grid | None = None,
    dpi: float = DPI,
) -> Path:
    """Raw against gap-filled concentration, and a map of how each pixel was filled.

    Args:
        data: Holds ``sic``, ``sic_filled`` and ``fill_flag`` (time, y, x) as the
            cube's ``fill`` step writes them.
        out_path: PNG to write.
        day: Which day; the first if None.
        land: As for :func:`plot_day`.
        region: Draw only these rows and columns (detail is easier to judge).
        crs: The grid (a :class:`Grid`) or its CRS, when ``data`` carries none.
        dpi: Resolution of the PNG.
    """
    ds, land = _crop(data, land, region, crs)
    frame = MapFrame.from_xarray(ds, crs=crs)
    raw, when = _day_values(ds, "sic", day)
    filled, _ = _day_values(ds, "sic_filled", when)
    flags, _ = _day_values(ds, "fill_flag", when)
    land = _land(ds, frame, land)
    lay = panels.layout(frame, 3, dpi=dpi, spans=[(0, 2), (2, 3)])
    axes = lay.maps
    image = panels.sic_map(axes[0], frame, raw, land)
    panels.sic_map(axes[1], frame, filled, land)
    panels.flag_map(axes[2], lay.below[1], frame, flags)
    panels.colourbar(lay.fig, image, lay.below[0], SIC_LABEL)
    sea = ~land
    n_missing = int((~np.isfinite(raw) & sea).sum())
    n_filled = int((np.isin(flags, (1, 2, 5)) & sea).sum())
    panels.title(axes[0], f"Raw, {_day_text(when)}")
    panels.title(axes[1], "Gap-filled")
    panels.title(axes[2], "How each pixel was filled", frame.label)
    axes[0].legend(handles=legend_patches(), loc="lower left", fontsize=8, framealpha=0.9)
    axes[1].text(0.02, 0.98, f"{n_filled:,} of {n_missing:,} missing sea pixels filled",
                 transform=axes[1].transAxes, fontsize=8, va="top",
                 bbox={"fc": "white", "ec": "none", "alpha": 0.8})
    return save_png(lay.fig, out_path, dpi=dpi)


def plot_roi(
    data: xr.Dataset | xr.DataArray,
    out_path: str | os.PathLike[str],
    *,
    region: RegionLike,
    day: date | str | None = None,
    missing: Sequence[tuple[date, float | None]] = (),
    missing_label: str = "missing pixels in region (%)",
    variable: str = "sic",
    land: np.ndarray | None = None,
    crs: CrsLike | Grid | None = None,
    dpi: float = DPI,
) -> Path:
    """A day on the map with a region of interest drawn as a red box.

    Args:
        data: As for :func:`plot_day` (the whole grid: the box is drawn on it).
        out_path: PNG to write.
        region: The region (a :class:`~swathkit.types.Region`, ``(rows, cols)`` slices or
            ``"R0:R1,C0:C1"``), in the grid's row order.
        day: The day shown; the first if None.
        missing: ``(day, percent missing in the region)`` pairs, ``None`` for a
            day without data; if given, a bar chart of them is drawn beside the map.
        missing_label: The chart's y-axis label.
        variable: Concentration variable to show.
        land: As for :func:`plot_day`.
        crs: The grid (a :class:`Grid`) or its CRS, when ``data`` carries none.
        dpi: Resolution of the PNG.
    """
    ds = _as_dataset(data, variable)
    frame = MapFrame.from_xarray(ds, crs=crs)
    values, when = _day_values(ds, variable, day)
    land = _land(ds, frame, land)
    lay = panels.layout(frame, 1, dpi=dpi, chart=bool(missing))
    ax = lay.maps[0]
    image = panels.sic_map(ax, frame, values, land)
    box = as_region(region, values.shape)
    x0, x1, y0, y1 = frame.box(*box.slices())
    ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ec="red", lw=1.8, zorder=6))
    ax.annotate(f"rows {box.rows[0]}:{box.rows[1]}, cols {box.cols[0]}:{box.cols[1]}", (x0, y1),
                xytext=(0, 3), textcoords="offset points", color="red", fontsize=8,
                fontweight="bold", zorder=6,
                bbox={"fc": "white", "ec": "none", "alpha": 0.75, "pad": 1})
    panels.colourbar(lay.fig, image, lay.below[0], SIC_LABEL)
    panels.title(ax, f"Region of interest, {_day_text(when)}", frame.label)
    ax.legend(handles=[*legend_patches(), Patch(fc="none", ec="red", lw=1.8, label="region")],
              loc="lower left", fontsize=8, framealpha=0.9)
    if lay.chart is not None:
        panels.missing_chart(lay.chart, missing, missing_label)
    return save_png(lay.fig, out_path, dpi=dpi)


# --- pieces ---------------------------------------------------------------------------------


def _as_dataset(data: xr.Dataset | xr.DataArray, variable: str) -> xr.Dataset:
    if isinstance(data, xr.DataArray):
        return data.to_dataset(name=variable)
    if variable not in data:
        have = ", ".join(sorted(map(str, data.data_vars)))
        raise ValueError(f"no variable {variable!r} in the data (has {have})")
    return data


def _crop(ds: xr.Dataset, land: np.ndarray | None, region: RegionLike | None,
          crs: CrsLike | Grid | None) -> tuple[xr.Dataset, np.ndarray | None]:
    if isinstance(crs, Grid):  # cells given by the grid: crop its coordinates too
        ds = on_grid(ds, crs)
    if region is None:
        return ds, land
    shape = (ds.sizes["y"], ds.sizes["x"])
    rows, cols = as_region(region, shape, grid=str(ds.attrs.get("grid", ""))).slices()
    return ds.isel(y=rows, x=cols), None if land is None else np.asarray(land)[rows, cols]


def _day_values(
    ds: xr.Dataset, name: str, day: date | str | None
) -> tuple[np.ndarray, date | None]:
    var = ds[name]
    if "time" not in var.dims:
        when = pd.Timestamp(ds["time"].values.ravel()[0]).date() if "time" in ds.coords else None
        return np.asarray(var.values), when
    if day is None:
        sel = var.isel(time=0)
    else:
        stamp = pd.Timestamp(day)
        try:
            sel = var.sel(time=stamp)
        except KeyError:
            have = f"{_day_text(_first(ds))} … {_day_text(_last(ds))}"
            raise ValueError(f"no day {stamp.date()} in the data ({have})") from None
    when = pd.Timestamp(sel["time"].values).date()
    return np.asarray(sel.values), when


def _first(ds: xr.Dataset) -> date:
    first: date = pd.Timestamp(ds["time"].values[0]).date()
    return first


def _last(ds: xr.Dataset) -> date:
    last: date = pd.Timestamp(ds["time"].values[-1]).date()
    return last


def _day_text(day: date | None) -> str:
    return day.isoformat() if day else "undated"


def _attr(ds: xr.Dataset, key: str) -> float | None:
    for name in ("nan_frequency", "land_mask"):
        if name in ds and key in ds[name].attrs:
            return float(ds[name].attrs[key])
    return float(ds.attrs[key]) if key in ds.attrs else None


def _land(ds: xr.Dataset, frame: MapFrame, land: np.ndarray | None) -> np.ndarray:
    if land is not None:
        return np.asarray(land, dtype=bool)
    if "land_mask" in ds:
        return np.asarray(ds["land_mask"].values) > 0
    return land_from_coastline(frame)
