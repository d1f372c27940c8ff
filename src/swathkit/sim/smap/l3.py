"""Synthetic SMAP L3 daily files (L3_SM_P on 36 km, L3_SM_P_E on 9 km and north polar 9 km).

One group per overpass and grid (``…_AM``, ``…_PM``, ``…_Polar_AM``, ``…_Polar_PM``),
(rows, cols) arrays, row 0 north, landcover (rows, cols, 3); every PM name ends ``_pm``
and its ``coordinates`` attributes name the AM variables, as in the real files. The
values are the synthetic Earth's at noon of the day, seen at each cell's pass time.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import h5py
import numpy as np

from swathkit.products.grids import grid
from swathkit.products.smap.names import SmapName
from swathkit.products.smap.table import SmapGroup, SmapProduct
from swathkit.sim.smap.coverage import daily_coverage
from swathkit.sim.smap.h5out import Extent, Var, new_file, write_metadata, write_var
from swathkit.sim.smap.retrieval import Cells, retrieval_values, sm_vars

__all__ = ["GLOBAL_BOUNDS", "write_l3_day"]

GLOBAL_BOUNDS = (-180.0, -85.0445664, 180.0, 85.0445664)


def write_l3_day(out: Path, product: SmapProduct, day: date, *, seed: int = 0,
                 crid: str = "R19240", counter: int = 1) -> Path:
    """Write one day of an L3 product into ``out``; returns the file (renamed into place)."""
    name = SmapName(product.level, crid, counter, day=day)
    path = out / name.file_name
    begin = np.datetime64(day.isoformat(), "ns")
    with new_file(path) as f:
        for index, group in enumerate(product.groups):
            rng = np.random.default_rng([seed, day.toordinal(), index])
            _write_group(f, product, group, day, rng)
        write_metadata(f, product, name.file_name, crid, Extent(
            begin, begin + np.timedelta64(86_400_000 - 1, "ms"), GLOBAL_BOUNDS))
    return path


def _write_group(f: h5py.File, product: SmapProduct, group: SmapGroup, day: date,
                 rng: np.random.Generator) -> None:
    g = grid(group.grid)
    seen, seconds = daily_coverage(g, day, group.overpass)
    rows, cols = np.nonzero(seen)
    lon, lat = g.lonlat(rows=slice(None), cols=slice(None), dtype=np.float64)
    cells = Cells(lat[rows, cols], lon[rows, cols], rows, cols,
                  np.ones(rows.size, bool), seconds[rows, cols])
    noon = np.datetime64(day.isoformat(), "ns") + np.timedelta64(12, "h")
    values = retrieval_values(cells, noon, group.overpass, rng=rng)
    am = next(s for s in product.groups if s.grid == group.grid and s.overpass == "am")
    coordinates = f"/{am.name}/latitude /{am.name}/longitude"  # in PM too: the real trap
    h5 = f.create_group(group.name, track_order=True)
    for var in sm_vars(g.shape):
        full = _scatter(var, values[var.name], rows, cols, g.shape)
        own = "" if var.name in ("latitude", "longitude") else coordinates
        write_var(h5, replace(var, name=var.name + group.suffix), full, coordinates=own)


def _scatter(var: Var, values: np.ndarray, rows: np.ndarray, cols: np.ndarray,
             shape: tuple[int, int]) -> np.ndarray:
    full = np.full((*shape, *values.shape[1:]), var.fill if var.fill is not None else (
        b"" if var.dtype.startswith("S") else -9999.0), dtype=var.dtype)
    full[rows, cols] = values
    return full


def days(start: date, n: int) -> list[date]:
    """``n`` consecutive days from ``start``."""
    return [start + timedelta(days=i) for i in range(n)]
