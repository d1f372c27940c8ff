"""Read Bremen ASI daily NetCDF4 files into the grid convention, lazily.

One file holds one day: ``x``, ``y`` (metres, ascending) and ``z`` (y, x) float32
concentration in percent with NaN for land, pole hole and no retrieval. The
reader checks the structure against the grid the file name announces and gives
``sic`` (time, y, x) whose values are exactly the file's ``z``: a one-chunk dask
array per day, read from disk only when computed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path

import dask.array as da
import h5py
import numpy as np
import xarray as xr

from swathkit.errors import FormatError
from swathkit.products.asi.grids import asi_grid, asi_grid_name
from swathkit.products.asi.names import AsiName, parse_asi_name
from swathkit.products.grids import Grid
from swathkit.products.hdf5 import attr_number, lazy, open_h5

log = logging.getLogger(__name__)

PRODUCT = "asi-amsr2"
SIC_ATTRS = {
    "long_name": "sea ice concentration",
    "standard_name": "sea_ice_area_fraction",
    "units": "percent",
    "grid_mapping": "polar_stereographic",
}
_COORD_TOLERANCE_M = 1.0
_HINT = "re-download the file"


def open_asi(
    path_or_paths: str | Path | Iterable[str | Path], *, latlon: bool = False
) -> xr.Dataset:
    """Open one or more ASI daily files as a lazy ``(time, y, x)`` Dataset.

    Several files are stacked along ``time`` in date order; they must share a grid.

    Args:
        path_or_paths: An ``asi-AMSR2-<grid>-YYYYMMDD-v5.4.nc`` file or several.
        latlon: Add ``lat``/``lon`` (y, x) float32 coordinates.

    Returns:
        ``sic`` (time, y, x) float32 percent (the files' ``z``, bit for bit), coords
        ``time``, ``y``, ``x`` (and ``lat``/``lon``), a ``polar_stereographic``
        grid-mapping variable for the latest day, attrs ``product``, ``grid``,
        ``version``, ``source``.

    Raises:
        FileNameError: a name is not an ASI file name.
        FormatError: a file is not NetCDF4, is truncated, lacks ``x``/``y``/``z``, or
            its shape or coordinates do not match the grid its name announces.
        ValueError: no files, files of different grids or versions, or a day twice.
    """
    paths = _as_paths(path_or_paths)
    named = sorted(((parse_asi_name(p), p) for p in paths), key=lambda item: item[0].day)
    grid, version = _common_grid(named)
    days = [name.day for name, _ in named]
    sic = da.stack([_day_array(path, grid) for _, path in named])
    times = np.array([np.datetime64(d, "ns") for d in days])
    coords: dict[str, xr.Variable] = {
        "time": xr.Variable(("time",), times, {"standard_name": "time"}),
        "y": xr.Variable(("y",), grid.y(), _axis_attrs("y")),
        "x": xr.Variable(("x",), grid.x(), _axis_attrs("x")),
    }
    if latlon:
        lon, lat = grid.lonlat()
        coords["lat"] = xr.Variable(("y", "x"), lat, {"standard_name": "latitude",
                                                      "units": "degrees_north"})
        coords["lon"] = xr.Variable(("y", "x"), lon, {"standard_name": "longitude",
                                                      "units": "degrees_east"})
    data_vars = {
        "sic": xr.Variable(("time", "y", "x"), sic, dict(SIC_ATTRS)),
        "polar_stereographic": xr.Variable((), np.int32(0),
                                           asi_grid(grid, days[-1]).grid_mapping_attrs()),
    }
    attrs = {"product": PRODUCT, "grid": grid.name, "version": version,
             "source": ", ".join(path.name for _, path in named)}
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


def check_asi_file(path: str | Path, *, name: str | None = None) -> AsiName:
    """Check a file's name and structure (not its values) without reading ``z``.

    Args:
        path: The file.
        name: The ASI file name to check it as (default: the path's own name), e.g.
            for a partial download ``<name>.part``.

    Returns:
        The parsed file name.

    Raises:
        FileNameError: the name is not an ASI file name.
        FormatError: as :func:`open_asi`.
    """
    path = Path(path)
    parsed = parse_asi_name(path if name is None else name)
    _day_array(path, asi_grid(parsed.grid))
    return parsed


def _as_paths(path_or_paths: str | Path | Iterable[str | Path]) -> list[Path]:
    if isinstance(path_or_paths, str | Path):
        return [Path(path_or_paths)]
    paths = [Path(p) for p in path_or_paths]
    if not paths:
        raise ValueError("open_asi needs at least one file")
    return paths


def _common_grid(named: list[tuple[AsiName, Path]]) -> tuple[Grid, str]:
    grids = {name.grid for name, _ in named}
    versions = {name.version for name, _ in named}
    if len(grids) > 1 or len(versions) > 1:
        raise ValueError(f"cannot stack ASI files of different grids/versions: "
                         f"{sorted(grids)} {sorted(versions)}")
    days = [name.day for name, _ in named]
    twice = sorted({d for d in days if days.count(d) > 1})
    if twice:
        raise ValueError(f"the same day given twice: {', '.join(map(str, twice))}")
    return asi_grid(grids.pop()), versions.pop()


def _day_array(path: Path, grid: Grid) -> da.Array:
    with open_h5(path) as f:
        for var in ("x", "y", "z"):
            if var not in f or not isinstance(f[var], h5py.Dataset):
                raise FormatError(f"{path}: variable {var!r} is missing; {_HINT}")
        z = f["z"]
        if z.shape != grid.shape:
            raise FormatError(f"{path}: 'z' has shape {z.shape}, grid {asi_grid_name(grid)} needs "
                              f"{grid.shape} (y, x); {_HINT}")
        _check_axis(path, f["x"], grid.x(), "x")
        _check_axis(path, f["y"], grid.y(), "y")
        if z.dtype.kind != "f":
            raise FormatError(f"{path}: 'z' is {z.dtype}, expected float32 percent; {_HINT}")
        return lazy(path, z, _missing_to_nan(attr_number(z.attrs, "_FillValue"), z.dtype),
                    np.dtype(np.float32))


def _check_axis(path: Path, ds: h5py.Dataset, expected: np.ndarray, name: str) -> None:
    if ds.shape != expected.shape:
        raise FormatError(f"{path}: {name!r} has shape {ds.shape}, expected {expected.shape}; "
                          f"{_HINT}")
    values = ds[()].astype(np.float64)
    worst = float(np.max(np.abs(values - expected))) if values.size else 0.0
    if not worst <= _COORD_TOLERANCE_M:  # also catches NaN
        raise FormatError(f"{path}: {name!r} is off the grid's cell centres by {worst:.1f} m; "
                          f"{_HINT}")


def _missing_to_nan(
    fill: float | None, dtype: np.dtype
) -> Callable[[np.ndarray], np.ndarray] | None:
    """The transform applied on read: none when the file already uses NaN as float32."""
    if (fill is None or np.isnan(fill)) and dtype == np.float32:
        return None

    def convert(values: np.ndarray) -> np.ndarray:
        out = values.astype(np.float32)
        if fill is not None and not np.isnan(fill):
            out[values == fill] = np.nan
        return out

    return convert


def _axis_attrs(axis: str) -> dict[str, str]:
    return {"standard_name": f"projection_{axis}_coordinate", "units": "m", "axis": axis.upper()}

