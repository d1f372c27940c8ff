"""Format-faithful synthetic Bremen ASI daily files.

Each day of each grid is deterministic from ``(grid, day, seed)`` (see
:mod:`swathkit.sim.bremen.asi_earth`) and written as the real product is: NetCDF4 with
``x``, ``y`` (metres, ascending), ``z`` float32 (y, x) percent with NaN over land,
the pole hole and swath gaps, and a ``polar_stereographic`` grid mapping whose
ellipsoid follows the date (Hughes 1980 until 2018-11-01, WGS84 after). The
same inputs give the same bytes.
"""

from __future__ import annotations

import logging
import os
import uuid
from datetime import date, timedelta
from pathlib import Path

import netCDF4
import numpy as np

from swathkit.products.asi.grids import asi_grid, asi_grid_name
from swathkit.products.asi.names import VERSION, asi_file_name
from swathkit.products.grids import Grid
from swathkit.sim.bremen import asi_earth
from swathkit.sim.bremen.asi_earth import POLE_HOLE_RADIUS_M
from swathkit.types import Progress

log = logging.getLogger(__name__)


missing_upstream_default: tuple[date, ...] = (date(2013, 5, 11), date(2013, 5, 12),
                                              date(2013, 5, 13))

__all__ = [
    "POLE_HOLE_RADIUS_M",
    "asi_truth",
    "missing_upstream_default",
    "pole_hole_radius_m",
    "synthetic_asi_day",
    "write_asi_day",
    "write_asi_days",
]


def pole_hole_radius_m(grid: str | Grid) -> float:
    """Radius (m) of the simulated pole hole on ``grid``: 70 km north, none south."""
    return POLE_HOLE_RADIUS_M[asi_grid_name(grid)]


def asi_truth(grid: str | Grid, day: date, *, seed: int = 0) -> dict[str, np.ndarray]:
    """What the synthetic day is made of, for checking gap filling against the truth.

    Returns:
        ``land``, ``pole_hole``, ``gap`` (bool (rows, cols); the pole hole and land are
        static, the swath gaps change daily) and ``ice`` (float32 percent, NaN only
        over land: the concentration under the pole hole and the gaps too).
        :func:`synthetic_asi_day` is ``ice`` with NaN where any mask is set.
    """
    g = asi_grid(grid)
    st = asi_earth.static(g)
    ice = asi_earth.ice_percent(g, day, seed=seed)
    ice[st.land] = np.nan
    return {"land": st.land.copy(), "pole_hole": st.pole_hole.copy(),
            "gap": asi_earth.swath_gaps(g, day, seed=seed), "ice": ice}


def synthetic_asi_day(grid: str | Grid, day: date, *, seed: int = 0) -> np.ndarray:
    """One day's ``z``: float32 (rows, cols) percent, NaN for land, pole hole and gaps.

    Args:
        grid: ``n3125``, ``n6250``, ``s3125``, ``s6250`` or an ASI :class:`Grid`.
        day: The calendar day.
        seed: Non-negative seed of the texture and the gaps.
    """
    g = asi_grid(grid)
    st = asi_earth.static(g)
    z = asi_earth.ice_percent(g, day, seed=seed)
    missing = asi_earth.swath_gaps(g, day, seed=seed)
    missing |= st.land
    missing |= st.pole_hole
    z[missing] = np.nan
    return z


def write_asi_day(
    directory: str | os.PathLike[str], grid: str | Grid, day: date, *, seed: int = 0
) -> Path:
    """Write one synthetic day as ``directory/asi-AMSR2-<grid>-YYYYMMDD-v5.4.nc``.

    The file appears atomically (written under a hidden name, then renamed); the
    same arguments give the same bytes.

    Returns:
        The path of the file.
    """
    g = asi_grid(grid)
    target = Path(directory) / asi_file_name(g, day)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
    try:
        _write_netcdf(tmp, g, day, synthetic_asi_day(g, day, seed=seed))
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    log.debug("wrote %s", target)
    return target


def write_asi_days(
    directory: str | os.PathLike[str],
    grid: str | Grid,
    start: date,
    days: int,
    *,
    seed: int = 0,
    progress: Progress | None = None,
) -> list[Path]:
    """Write ``days`` consecutive synthetic days from ``start``.

    Args:
        directory: Where the files go (created if missing).
        grid: The grid name or :class:`Grid`.
        start: The first day.
        days: How many days.
        seed: Non-negative seed.
        progress: Called as ``progress(done, days, file_name)`` after each file.
    """
    paths = []
    for k in range(days):
        paths.append(write_asi_day(directory, grid, start + timedelta(days=k), seed=seed))
        if progress is not None:
            progress(k + 1, days, paths[-1].name)
    return paths


def _write_netcdf(path: Path, grid: Grid, day: date, z: np.ndarray) -> None:
    with netCDF4.Dataset(path, "w", format="NETCDF4") as nc:
        nc.setncatts(_global_attrs(grid, day))
        nc.createDimension("x", grid.cols)
        nc.createDimension("y", grid.rows)
        for axis, values in (("x", grid.x()), ("y", grid.y())):
            var = nc.createVariable(axis, "f8", (axis,))
            var.setncatts({"standard_name": f"projection_{axis}_coordinate",
                           "long_name": f"{axis} coordinate of projection", "units": "m",
                           "axis": axis.upper()})
            var[:] = values
        crs = nc.createVariable("polar_stereographic", "i4", ())
        crs.setncatts(asi_grid(grid, day).grid_mapping_attrs(wkt=False))
        var = nc.createVariable("z", "f4", ("y", "x"), zlib=True, complevel=4,
                                shuffle=True, fill_value=np.float32(np.nan),
                                chunksizes=grid.shape)
        var.setncatts({"long_name": "sea ice concentration", "units": "%",
                       "grid_mapping": "polar_stereographic", "valid_min": np.float32(0.0),
                       "valid_max": np.float32(100.0)})
        var.set_auto_mask(False)
        var[:] = z


def _global_attrs(grid: Grid, day: date) -> dict[str, str]:
    return {
        "Conventions": "CF-1.6",
        "title": "Sea ice concentration from AMSR2 (ASI algorithm), daily swath composite",
        "institution": "University of Bremen, Institute of Environmental Physics",
        "source": "GCOM-W1 AMSR2 L1R brightness temperatures, 89 GHz (ASI)",
        "product_version": VERSION,
        "grid": asi_grid_name(grid),
        "date": f"{day:%Y-%m-%d}",
        "comment": "SYNTHETIC: written by swathkit.sim.bremen.asi, not real data",
    }
