"""A downloaded SAR × DSWE pair as a picture: the HH scene with the DSWE water over it.

Drawn in the SAR scene's own UTM grid (axes in km): the HH γ⁰ in dB as a grey image
(a 2–98 % stretch of the scene's pixels, no data transparent), the DSWE INWAM classes
warped onto that grid with ``rasterio.warp.reproject`` (nearest neighbour, each tile in
its own CRS) and laid over it where the SAR has data — water in two blues, the wetland
classes lighter, cloud white, and what DSWE did not see (fill, SLC-off stripes, no tile)
hatched — the SAR footprint outline (projected with pyproj), a legend and a title with
the pair's facts; optionally the HV beside it. The rasters are read decimated
(``out_shape``, at most ``max_side`` pixels a side), so a full 6000 × 6000 scene costs a
few tens of MB (GDAL's block cache is held to 64 MB while reading). The same inputs
give the same PNG bytes.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import rasterio
from affine import Affine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.errors import RasterioIOError
from rasterio.warp import reproject
from shapely.geometry.base import BaseGeometry

from swathkit.errors import InputError
from swathkit.plot.maps import save_png
from swathkit.plot.polar import new_figure
from swathkit.process.overlap import footprint_in
from swathkit.products.alos_rtc.scene import open_scene
from swathkit.products.dswe.classes import (
    CLOUD,
    FILL,
    LOW_CONFIDENCE_WATER,
    POTENTIAL_WETLAND,
    WATER_HIGH,
    WATER_MODERATE,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.image import AxesImage

__all__ = ["CLASS_STYLE", "PairFacts", "SarImage", "pair_figure", "plot_pair", "read_db",
           "warp_classes"]

DPI = 110.0
MAX_SIDE = 1000
GDAL_CACHE_MB = 64  # GDAL keeps every decompressed block it read otherwise: ~150 MB a band
CLASS_STYLE: tuple[tuple[int, str, str], ...] = (
    (WATER_HIGH, "#0a3fd1", "water, high confidence"),
    (WATER_MODERATE, "#3d9bff", "water, moderate confidence"),
    (POTENTIAL_WETLAND, "#20b2a0", "potential wetland"),
    (LOW_CONFIDENCE_WATER, "#9ee8dc", "low-confidence water or wetland"),
)
"""(INWAM class, colour, legend label) of the water classes painted over the SAR."""
OVERLAY_ALPHA = 0.7
INVALID_STYLE: tuple[tuple[int, str, str, str], ...] = (
    (CLOUD, "#ffffff", "...", "cloud, cloud shadow or snow"),
    (FILL, "#a8a8a8", "////", "no DSWE data (fill, SLC-off, no tile)"),
)
"""(INWAM class, tint, hatch, legend label) of what DSWE did not see: hatched regions."""
FOOTPRINT_COLOUR = "#ff7f00"
F32 = npt.NDArray[np.float32]
U8 = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class PairFacts:
    """What the title says about the pair (a pair-table row, or measured on the files).

    Attributes:
        scene: The scene's product name (``AP_13130_FBD_F0670_RT1``).
        sar_time: SAR acquisition start (UTC).
        dswe_date: Acquisition day of the DSWE tiles.
        dt_seconds: Δt DSWE − SAR of the nearest tile, when known.
        valid_fraction: Valid share of the DSWE pixels inside ``within``.
        water_fraction: Water share.
        within: ``"footprint"`` or ``"bbox"``: where the fractions were counted.
        decision: ``"keep"``/``"reject"`` (empty if not scored).
    """

    scene: str
    sar_time: datetime | None = None
    dswe_date: date | None = None
    dt_seconds: float | None = None
    valid_fraction: float | None = None
    water_fraction: float | None = None
    within: str = "footprint"
    decision: str = ""


@dataclass(frozen=True)
class SarImage:
    """A γ⁰ raster read decimated, in dB (NaN where no data), on its own grid."""

    db: F32
    transform: Affine
    crs: CRS

    @property
    def shape(self) -> tuple[int, int]:
        return int(self.db.shape[0]), int(self.db.shape[1])

    @property
    def extent_km(self) -> tuple[float, float, float, float]:
        """``(left, right, bottom, top)`` in km, for ``imshow``."""
        rows, cols = self.shape
        left, top = self.transform @ (0, 0)
        right, bottom = self.transform @ (cols, rows)
        return (left / 1e3, right / 1e3, bottom / 1e3, top / 1e3)


def read_db(path: Path, *, max_side: int = MAX_SIDE) -> SarImage:
    """A γ⁰ power GeoTIFF (0 = no data) as dB, averaged down to ``max_side`` pixels a side.

    Raises:
        InputError: not a readable single-band raster in a projected CRS.
    """
    try:
        with rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB), rasterio.open(path) as src:
            if src.count != 1 or src.crs is None or not src.crs.is_projected:
                raise InputError(f"{path}: not a γ⁰ raster (one band, projected CRS); is "
                                 "this an extracted RTC scene?")
            k = max(1, math.ceil(max(src.width, src.height) / max_side))
            shape = (math.ceil(src.height / k), math.ceil(src.width / k))
            power = src.read(1, out_shape=shape, resampling=Resampling.average, masked=True)
            transform = src.transform @ Affine.scale(src.width / shape[1],
                                                     src.height / shape[0])
            crs = src.crs
    except RasterioIOError as exc:
        raise InputError(f"{path}: not a readable GeoTIFF ({exc})") from None
    values = np.ma.filled(power.astype(np.float32), np.nan)
    values[~(values > 0)] = np.nan
    return SarImage(np.log10(values) * np.float32(10.0), transform, crs)


def warp_classes(dswe_paths: Sequence[Path], grid: SarImage) -> U8:
    """The INWAM classes of the tiles on ``grid`` (nearest); 255 where no tile has data.

    Tiles are warped in name order, each from its own CRS; fill pixels never cover a
    class another tile gave.

    Raises:
        InputError: a file is not a readable single-band uint8 GeoTIFF.
    """
    out = np.full(grid.shape, FILL, np.uint8)
    for path in sorted(dswe_paths, key=str):
        try:
            with rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB), rasterio.open(path) as src:
                if src.count != 1 or src.dtypes[0] != "uint8" or src.crs is None:
                    raise InputError(f"{path}: not a DSWE INWAM tile (one uint8 band with a "
                                     "CRS); give the pair's *_INWAM.TIF files")
                reproject(rasterio.band(src, 1), out, src_nodata=FILL,
                          dst_transform=grid.transform, dst_crs=grid.crs, dst_nodata=FILL,
                          resampling=Resampling.nearest, init_dest_nodata=False)
        except RasterioIOError as exc:
            raise InputError(f"{path}: not a readable GeoTIFF ({exc})") from None
    return out


def plot_pair(scene_dir: str | os.PathLike[str], dswe_paths: Sequence[Path],
              footprint: BaseGeometry, out_png: str | os.PathLike[str], *,
              facts: PairFacts | None = None, hv: bool = True, max_side: int = MAX_SIDE,
              dpi: float = DPI) -> Path:
    """Write the picture of a downloaded pair as a PNG (see the module).

    Args:
        scene_dir: The extracted RTC scene (``<stem>/`` with ``<stem>_HH.tif``).
        dswe_paths: The pair's INWAM tiles (any CRS; usually all of one date).
        footprint: The SAR footprint, lon/lat.
        out_png: PNG to write (replaced atomically).
        facts: What the title says; the scene name only if None.
        hv: Draw the HV beside the HH when the scene has one.
        max_side: Pixels a side the rasters are read at, at most.
        dpi: Resolution.

    Returns:
        ``out_png`` as a ``Path``.

    Raises:
        InputError: ``scene_dir`` is not an extracted RTC scene, or a file is unreadable.
    """
    fig = pair_figure(scene_dir, dswe_paths, footprint, facts=facts, hv=hv,
                      max_side=max_side, dpi=dpi)
    return save_png(fig, out_png, dpi=dpi)


def pair_figure(scene_dir: str | os.PathLike[str], dswe_paths: Sequence[Path],
                footprint: BaseGeometry, *, facts: PairFacts | None = None, hv: bool = True,
                max_side: int = MAX_SIDE, dpi: float = DPI) -> Figure:
    """The figure :func:`plot_pair` saves; its first axes is the HH panel (km, UTM)."""
    scene = open_scene(scene_dir)
    hh_path = scene.raster("HH")
    assert hh_path is not None  # open_scene checked it
    hh = read_db(hh_path, max_side=max_side)
    classes = warp_classes(dswe_paths, hh)
    hv_path = scene.raster("HV") if hv else None
    fig = new_figure(13.6 if hv_path else 7.6, 7.8 if hv_path else 8.4, dpi=dpi)
    fig.set_layout_engine("constrained")
    outline = _outline_km(footprint, hh.crs)
    ax = fig.add_subplot(1, 2 if hv_path else 1, 1)
    image = _draw_hh(ax, hh, classes, outline)
    _colorbar(fig, ax, image, "HH")
    if hv_path is not None:
        ax_hv = fig.add_subplot(1, 2, 2, sharex=ax, sharey=ax)
        hv_image = _draw_sar(ax_hv, read_db(hv_path, max_side=max_side), outline)
        ax_hv.set_title("HV γ⁰", loc="left", fontsize=10)
        _colorbar(fig, ax_hv, hv_image, "HV")
    fig.suptitle(_title(facts or PairFacts(scene.name.stem), len(dswe_paths)), fontsize=11)
    fig.legend(handles=_legend(), loc="outside lower center", ncols=4 if hv_path else 2,
               fontsize=8,
               frameon=False)
    return fig


def _draw_hh(ax: Axes, hh: SarImage, classes: U8,
             outline: list[npt.NDArray[np.float64]]) -> AxesImage:
    image = _draw_sar(ax, hh, outline)
    valid = np.isfinite(hh.db)
    ax.imshow(_overlay(classes, valid), extent=hh.extent_km, interpolation="nearest",
              zorder=2)
    for code, tint, hatch, _ in INVALID_STYLE:
        region = valid & (classes == code)
        if region.any():
            _hatch(ax, hh, region, tint, hatch)
    ax.set_title("HH γ⁰ with the DSWE classes", loc="left", fontsize=10)
    return image


def _draw_sar(ax: Axes, sar: SarImage, outline: list[npt.NDArray[np.float64]]) -> AxesImage:
    finite = sar.db[np.isfinite(sar.db)]
    lo, hi = (np.percentile(finite, [2, 98]) if finite.size else (-25.0, 0.0))
    import matplotlib as mpl

    grey = mpl.colormaps["gray"].with_extremes(bad=(0.0, 0.0, 0.0, 0.0))
    image = ax.imshow(np.ma.masked_invalid(sar.db), cmap=grey, vmin=float(lo),
                      vmax=float(hi), extent=sar.extent_km, interpolation="antialiased",
                      zorder=1)
    for ring in outline:
        ax.plot(ring[:, 0], ring[:, 1], color=FOOTPRINT_COLOUR, linewidth=1.6, zorder=4)
    left, right, bottom, top = sar.extent_km
    pad = 0.015 * max(right - left, top - bottom)  # the outline clear of the frame
    ax.set_xlim(left - pad, right + pad)
    ax.set_ylim(bottom - pad, top + pad)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel(f"easting (km), {sar.crs.to_string()} ({_crs_name(sar.crs)})", fontsize=8)
    ax.set_ylabel("northing (km)", fontsize=8)
    ax.tick_params(labelsize=8)
    return image


def _overlay(classes: U8, valid: npt.NDArray[np.bool_]) -> U8:
    """RGBA of the painted classes; transparent elsewhere and where the SAR has no data."""
    lut = np.zeros((256, 4), np.uint8)
    for code, colour, _ in CLASS_STYLE:
        rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
        lut[code] = (*rgb, round(255 * OVERLAY_ALPHA))
    rgba = lut[classes]
    rgba[~valid, 3] = 0
    return rgba


def _hatch(ax: Axes, sar: SarImage, region: npt.NDArray[np.bool_], tint: str,
           hatch: str) -> None:
    rows, cols = sar.shape
    t = sar.transform  # north-up: no rotation terms
    x = (t.c + (np.arange(cols) + 0.5) * t.a) / 1e3
    y = (t.f + (np.arange(rows) + 0.5) * t.e) / 1e3
    shade = ax.contourf(x, y, region.astype(np.uint8), levels=[0.5, 1.5], colors=[tint],
                        hatches=[hatch], alpha=0.75, zorder=3)
    shade.set_hatchcolor("0.3")
    shade.set_hatch_linewidth(0.6)


def _outline_km(footprint: BaseGeometry, crs: CRS) -> list[npt.NDArray[np.float64]]:
    projected = footprint_in(footprint, crs.to_wkt())
    parts = getattr(projected, "geoms", [projected])
    return [np.asarray(p.exterior.coords, np.float64) / 1e3 for p in parts
            if p.geom_type == "Polygon"]


def _colorbar(fig: Figure, ax: Axes, image: AxesImage, pol: str) -> None:
    bar = fig.colorbar(image, ax=ax, orientation="horizontal", shrink=0.7, pad=0.01,
                       aspect=40)
    bar.set_label(f"{pol} γ⁰ (dB), 2–98 % stretch", fontsize=8)
    bar.ax.tick_params(labelsize=8)


def _legend() -> list[Patch | Line2D]:
    handles: list[Patch | Line2D] = [
        Patch(facecolor=colour, edgecolor="0.4", linewidth=0.5, label=label)
        for _, colour, label in CLASS_STYLE]
    handles.insert(0, Patch(facecolor="0.5", edgecolor="0.4", linewidth=0.5,
                            label="not water (SAR shows through)"))
    handles += [Patch(facecolor=tint, edgecolor="0.3", hatch=hatch, linewidth=0.5, label=label)
                for _, tint, hatch, label in INVALID_STYLE]
    handles.append(Line2D([], [], color=FOOTPRINT_COLOUR, linewidth=1.6,
                          label="SAR footprint"))
    return handles


def _title(facts: PairFacts, tiles: int) -> str:
    first = facts.scene
    if facts.dswe_date is not None:
        when = _when(facts)
        first += f"  ×  DSWE {facts.dswe_date:%Y-%m-%d}" + (f" ({when})" if when else "")
    second = [f"SAR {facts.sar_time:%Y-%m-%d %H:%M} UTC"] if facts.sar_time else []
    second.append(f"{tiles} DSWE tile{'s' if tiles != 1 else ''}")
    if facts.valid_fraction is not None and facts.water_fraction is not None:
        second.append(f"valid {facts.valid_fraction:.1%}, water {facts.water_fraction:.1%} "
                      f"inside the {facts.within}")
    if facts.decision:
        second.append(facts.decision)
    return f"{first}\n{' · '.join(second)}"


def _when(facts: PairFacts) -> str:
    """Δt when known, else the days between the DSWE and SAR dates."""
    if facts.dt_seconds is not None:
        hours = facts.dt_seconds / 3600.0
        text = f"{hours:+.1f} h" if abs(hours) < 48 else f"{hours / 24:+.1f} d"
        return "Δt " + text.replace("-", "−")
    if facts.sar_time is None or facts.dswe_date is None:
        return ""
    days = (facts.dswe_date - facts.sar_time.date()).days
    if days == 0:
        return "the SAR's day"
    return f"{abs(days)} day{'s' if abs(days) > 1 else ''} {'after' if days > 0 else 'before'} " \
        "the SAR"


def _crs_name(crs: CRS) -> str:
    from pyproj import CRS as ProjCRS

    return str(ProjCRS.from_user_input(crs.to_wkt()).name)
