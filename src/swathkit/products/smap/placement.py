"""Putting SMAP arrays on their grid: x/y, lat/lon, the grid mapping, 1-D cell lists placed.

A grid product's (rows, cols) arrays are already on the grid. A cell list (L1C_TB, L2)
holds values for the cells with data only; :func:`place` puts them at their
``(row, column)`` on the full grid, the rest NaN (floats) or the fill (integers). All
lazy: nothing is read until computed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import dask.array as da
import h5py
import numpy as np
import xarray as xr
from dask.delayed import delayed

from swathkit.errors import FormatError
from swathkit.products.grids import Grid

__all__ = ["cell_indices", "grid_coords", "place"]

_LATLON_ROWS = 512  # rows of the lazy lat/lon blocks


def grid_coords(g: Grid) -> dict[str, xr.Variable]:
    """``x``, ``y`` (cell centres, m), ``lat``, ``lon`` (lazy, float64, pyproj) and the CF
    grid-mapping variable (named :attr:`Grid.grid_mapping_name`, with the EPSG WKT)."""
    x_attrs = {"standard_name": "projection_x_coordinate", "units": "m", "axis": "X"}
    y_attrs = {"standard_name": "projection_y_coordinate", "units": "m", "axis": "Y"}
    lon, lat = _lazy_lonlat(g)
    return {
        "x": xr.Variable(("x",), g.x(), x_attrs),
        "y": xr.Variable(("y",), g.y(), y_attrs),
        "lat": xr.Variable(("y", "x"), lat, {"standard_name": "latitude",
                                             "units": "degrees_north"}),
        "lon": xr.Variable(("y", "x"), lon, {"standard_name": "longitude",
                                             "units": "degrees_east"}),
        g.grid_mapping_name: xr.Variable((), np.int32(0), g.grid_mapping_attrs()),
    }


def _lazy_lonlat(g: Grid) -> tuple[da.Array, da.Array]:
    def block(r0: int, which: int) -> np.ndarray:
        return g.lonlat(rows=slice(r0, min(r0 + _LATLON_ROWS, g.rows)), dtype=np.float64)[which]

    pieces: list[list[da.Array]] = [[], []]
    for r0 in range(0, g.rows, _LATLON_ROWS):
        n = min(_LATLON_ROWS, g.rows - r0)
        for which in (0, 1):
            task = delayed(block, pure=True)(r0, which, dask_key_name=(
                f"lonlat-{g.name}-{which}-{r0}"))
            pieces[which].append(da.from_delayed(task, (n, g.cols), np.float64))
    return da.concatenate(pieces[0]), da.concatenate(pieces[1])


def cell_indices(path: Path, group: h5py.Group, names: tuple[str, str],
                 g: Grid) -> tuple[np.ndarray, np.ndarray]:
    """The (row, column) of each listed cell, checked against the grid.

    Raises:
        FormatError: an index variable is missing, has fills, lies outside the grid,
            or names a cell twice.
    """
    found = []
    for name, limit in zip(names, g.shape, strict=True):
        if name not in group:
            raise FormatError(f"{path}: {group.name}: index variable {name!r} is missing")
        values = group[name][()].astype(np.int64)
        if values.size and (values.min() < 0 or values.max() >= limit):
            raise FormatError(f"{path}: {group.name}/{name} holds {values.max()}, outside "
                              f"grid {g.name} ({limit} {'rows' if name == names[0] else 'cols'})")
        found.append(values)
    rows, cols = found
    if rows.shape != cols.shape:
        raise FormatError(f"{path}: {group.name}: {names[0]} and {names[1]} differ in length")
    flat = rows * g.cols + cols
    if np.unique(flat).size != flat.size:
        raise FormatError(f"{path}: {group.name}: a grid cell is listed twice")
    return rows, cols


def place(path: Path, ds: h5py.Dataset, rows: np.ndarray, cols: np.ndarray, g: Grid,
          decode: Any) -> da.Array:
    """The 1-D (N,) or (N, k) dataset ``ds`` put on grid ``g`` (lazily), decoded first."""
    if ds.shape[0] != rows.size:
        raise FormatError(f"{path}: {ds.name} lists {ds.shape[0]} cells, the indices "
                          f"{rows.size}")
    shape = (*g.shape, *ds.shape[1:])
    dtype = ds.dtype
    fill: Any = np.nan
    if dtype.kind in "iu":
        fill = np.asarray(ds.attrs.get("_FillValue", 0)).ravel()[0]
    name, stat = ds.name, path.stat()
    token = hashlib.sha1(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}:{name}".encode(),
                         usedforsecurity=False).hexdigest()

    def read() -> np.ndarray:
        try:
            with h5py.File(path, "r") as f:
                values = f[name][()]
        except (OSError, KeyError) as exc:
            raise FormatError(f"{path}: cannot read {name!r} ({exc})") from exc
        out = np.full(shape, fill, dtype)
        out[rows, cols] = decode(values) if decode is not None else values
        return out

    task = delayed(read, pure=True)(dask_key_name=f"smap-place-{token}")
    placed: da.Array = da.from_delayed(task, shape, dtype)
    return placed
