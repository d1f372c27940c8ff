"""Where sea-ice days come from for reports and pictures: a grid cube or ASI files.

:func:`open_source` looks at a path once and returns a :class:`CubeSource` (a
grid cube, local or URL) or a :class:`FileSource` (one ASI file or a folder of
them). Both answer the same questions: which grid, which days and in what
state, the values of a region over some days, and one day as a dataset in the
grid convention ready for :mod:`swathkit.plot.seaice`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from swathkit.errors import FileNameError, InputError, StoreError
from swathkit.products.asi.grids import asi_grid, asi_grid_name
from swathkit.products.asi.names import AsiName
from swathkit.products.grids import Grid, grid_on
from swathkit.products.registry import find_products, identify
from swathkit.types import RegionLike, as_region

log = logging.getLogger(__name__)

PRESENT = "present"
NOT_PUBLISHED = "not_published"
ABSENT = "absent"
_BLOCK_BYTES = 256 * 2**20  # at most this much sic in memory per read


class CubeSource:
    """Days read from a grid cube (:class:`swathkit.stores.grid_cube.GridCube`)."""

    kind = "cube"

    def __init__(self, target: str) -> None:
        from swathkit.stores.grid_cube import GridCube

        self.name = target
        self.cube = GridCube.open(target)
        self.grid: Grid = self.cube.grid

    def span(self) -> tuple[date, date] | None:
        """First and last day the cube knows of, present or not published (None if none)."""
        known = self.cube.days + self.cube.not_published
        return (min(known), max(known)) if known else None

    def state(self, day: date) -> str:
        """``present``, ``not_published``, ``pending`` or ``absent``."""
        return self.cube.state(day)

    def read(self, days: Sequence[date], region: RegionLike | None = None,
             variable: str = "sic") -> np.ndarray:
        """``variable`` over ``region`` (default: the whole grid) for present ``days``."""
        return self.cube.read_days(list(days), variable=variable, region=region)

    def land(self) -> np.ndarray | None:
        """The cube's land mask (y, x) bool, if ``mask`` has run."""
        return self.cube.land_mask()

    def day(self, day: date, variables: Sequence[str] = ("sic",)) -> xr.Dataset:
        """One day as a ``(time=1, y, x)`` dataset, with the land mask if stored."""
        data = {v: (("time", "y", "x"), self.read([day], None, v)) for v in variables}
        land = self.land()
        extra = {} if land is None else {"land_mask": (("y", "x"), land.astype(np.uint8))}
        return _grid_dataset(self.grid, day, {**data, **extra})

    def mask(self) -> xr.Dataset:
        """``land_mask`` and ``nan_frequency`` (y, x) with the mask's parameters.

        Raises:
            StoreError: the cube has no land mask yet.
        """
        land, freq = self.cube.land_mask(), self.cube.nan_frequency()
        if land is None or freq is None:
            raise StoreError(f"{self.name} has no land mask yet; run "
                             f"`swathkit seaice mask {self.name} --start … --end …`")
        info = self.cube.mask_info or {}
        attrs = {k: info[k] for k in ("threshold", "start", "end", "days") if k in info}
        day = self.cube.days[-1] if self.cube.days else self.grid_day()
        ds = _grid_dataset(self.grid, day, {"land_mask": (("y", "x"), land.astype(np.uint8)),
                                            "nan_frequency": (("y", "x"), freq, attrs)})
        return ds.drop_vars("time")

    def filled_days(self) -> list[date]:
        """Days whose gap filling is computed."""
        done = self.cube.filled_days()
        return [d for d, ok in zip(self.cube.calendar, done, strict=True) if ok]

    def grid_day(self) -> date:
        """A day to take the CRS from when there is no data day."""
        span = self.span()
        return span[0] if span else date.today()


class FileSource:
    """Days read from ASI daily files: one file, or a folder of them (as
    :func:`swathkit.products.registry.find_products` finds them: sub-folders too)."""

    kind = "files"

    def __init__(self, target: str | Path, *, grid: str | None = None) -> None:
        path = Path(target)
        self.name = str(target)
        named = _asi_files(path)
        grids = sorted({name.grid for name, _ in named})
        if grid is not None:
            grids = [asi_grid_name(grid)]
        elif len(grids) > 1:
            raise InputError(f"{path} holds files of several grids ({', '.join(grids)}); "
                             "choose one with --grid")
        if not named or not grids:
            raise FileNameError(f"{path}: no ASI files (asi-AMSR2-<grid>-YYYYMMDD-v5.4.nc)")
        self.grid = asi_grid(grids[0])
        self.files: dict[date, Path] = {n.day: p for n, p in named if n.grid == grids[0]}
        if not self.files:
            raise FileNameError(f"{path}: no ASI files of grid {grids[0]}")

    def span(self) -> tuple[date, date] | None:
        """First and last day with a file."""
        return (min(self.files), max(self.files))

    def state(self, day: date) -> str:
        """``present`` if there is a file for ``day``, else ``absent``."""
        return PRESENT if day in self.files else ABSENT

    def read(self, days: Sequence[date], region: RegionLike | None = None,
             variable: str = "sic") -> np.ndarray:
        """``sic`` over ``region`` (default: all) for ``days``; NaN for days without a file."""
        from swathkit.products.asi.reader import open_asi

        if variable != "sic":
            raise InputError(f"ASI files hold only 'sic', not {variable!r}: use a cube")
        rows, cols = (slice(None), slice(None)) if region is None else as_region(
            region, self.grid.shape, grid=self.grid.name).slices()
        out = []
        for day in days:
            if day in self.files:
                with open_asi(self.files[day]) as ds:
                    out.append(np.asarray(ds["sic"][0, rows, cols].values))
            else:
                shape = np.empty(self.grid.shape, np.bool_)[rows, cols].shape
                out.append(np.full(shape, np.nan, np.float32))
        return np.stack(out) if out else np.empty((0, 0, 0), np.float32)

    def land(self) -> None:
        """Files carry no land mask (land is NaN like any missing value)."""
        return None

    def day(self, day: date, variables: Sequence[str] = ("sic",)) -> xr.Dataset:
        """One day as the reader gives it (``sic`` only), loaded."""
        from swathkit.products.asi.reader import open_asi

        if day not in self.files:
            have = f"{min(self.files)} … {max(self.files)}"
            raise InputError(f"no ASI file for {day} in {self.name} (files cover {have})")
        with open_asi(self.files[day]) as ds:
            return ds.load()


Source = CubeSource | FileSource


def open_source(target: str | os.PathLike[str], *, grid: str | None = None) -> Source:
    """A grid cube (a Zarr group or URL) or ASI files (one file or a folder).

    Args:
        target: Path or URL.
        grid: Which grid to use when a folder holds files of several.

    Raises:
        InputError: nothing at ``target``.
        StoreError: ``target`` looks like a cube but cannot be opened.
        FileNameError: a folder without ASI files, or a file not named as one.
        FormatError: a file named as an ASI file that is not NetCDF-4.
    """
    text = str(target)
    path = Path(text)
    if "://" in text or (path.is_dir() and (path / "zarr.json").exists()):
        return CubeSource(text)
    if not path.exists():
        raise InputError(f"{text}: no such file, folder or grid cube")
    return FileSource(path, grid=grid)


def latest_day(source: Source, *, filled: bool = False) -> date | None:
    """The last day with data (with gap-filled values if ``filled``), or None."""
    if isinstance(source, CubeSource):
        days = set(source.cube.days)
        if filled:
            days &= set(source.filled_days())
        return max(days) if days else None
    return None if filled else max(source.files)


def blocks(days: Sequence[date], pixels: int) -> Iterator[list[date]]:
    """``days`` in runs whose float32 values over ``pixels`` fit the memory budget."""
    step = max(1, _BLOCK_BYTES // max(4 * pixels, 1))
    for i in range(0, len(days), step):
        yield list(days[i:i + step])


def _asi_files(path: Path) -> list[tuple[AsiName, Path]]:
    if path.is_dir():
        scan = find_products(path, "asi-amsr2")
        for _, reason in scan.rejected:
            log.warning("skipping %s", reason)
        files = scan.files
    else:
        files = (identify(path, product="asi-amsr2"),)
    return [(f.name, f.path) for f in files if isinstance(f.name, AsiName)]


def _grid_dataset(grid: Grid, day: date, data: dict[str, tuple[Any, ...]]) -> xr.Dataset:
    variables = dict(data)
    variables[grid.grid_mapping_name] = ((), np.int32(0), grid_on(grid, day).grid_mapping_attrs())
    coords = {"time": [pd.Timestamp(day)], "y": grid.y(), "x": grid.x()}
    return xr.Dataset(variables, coords=coords, attrs={"product": "asi-amsr2",
                                                       "grid": grid.name})
