"""A day of gridded brightness temperature on its grid's map (``swathkit grid`` cubes), offline.

Drawn in the grid's own projection (x/y in metres, one ``imshow`` cell per grid
cell, no resampling) with the offline coastlines and a lon/lat graticule, as the
sea-ice maps are (:mod:`swathkit.plot.polar`). Cells without an observation show
the hatched "no data" background.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import numpy as np
import xarray as xr

from swathkit.plot.graticule import draw_polar_graticule
from swathkit.plot.maps import save_png
from swathkit.plot.polar import (
    MapFrame,
    draw_polar_coastlines,
    legend_patches,
    new_figure,
    setup_map_axes,
    show_field,
)

DPI = 110.0
TB_CMAP = "turbo"


def plot_tb_day(cube: xr.Dataset, variable: str, day: date, out_path: str | os.PathLike[str],
                *, dpi: float = DPI) -> Path:
    """One day of ``variable`` (``tb_<ch>_<asc|des>``) of a TB cube Dataset, as a PNG map.

    Args:
        cube: The cube as a Dataset (``xarray.open_zarr`` or ``open_cube``), ``time, y, x``
            with its grid-mapping variable.
        variable: A ``tb_*`` variable.
        day: The day to draw.
        out_path: PNG to write (replaced atomically).
        dpi: Resolution.

    Returns:
        ``out_path`` as a ``Path``.
    """
    field = cube[variable].sel(time=np.datetime64(day, "ns"))
    values = np.asarray(field.values, np.float64)
    frame = MapFrame.from_xarray(cube)
    fig = new_figure(7.6, 7.4, dpi=dpi)
    fig.set_layout_engine("constrained")
    ax = fig.add_subplot(1, 1, 1)
    setup_map_axes(ax, frame)
    finite = values[np.isfinite(values)]
    lo, hi = (np.percentile(finite, [1, 99]) if finite.size else (150.0, 300.0))
    image = show_field(ax, frame, values, cmap=TB_CMAP, vmin=float(lo), vmax=float(hi))
    draw_polar_coastlines(ax, frame.crs)
    draw_polar_graticule(ax, frame.crs)
    bar = fig.colorbar(image, ax=ax, orientation="horizontal", shrink=0.8, pad=0.02)
    bar.set_label(f"{field.attrs.get('channel', variable)} brightness temperature (K)")
    passes = {"A": "ascending", "D": "descending"}.get(field.attrs.get("orbit_direction", ""), "")
    count = int(np.isfinite(values).sum())
    ax.set_title(f"AMSR2 {field.attrs.get('channel', '')} {passes} passes, {day:%Y-%m-%d} "
                 f"({field.attrs.get('resampling', '')}, {count:,} cells)", loc="left",
                 fontsize=10)
    ax.set_title(frame.label, loc="right", fontsize=8, color="0.35")
    ax.legend(handles=legend_patches(land=False), loc="lower left", fontsize=8, framealpha=0.9)
    return save_png(fig, out_path, dpi=dpi)
