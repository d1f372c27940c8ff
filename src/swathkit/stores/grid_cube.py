"""The grid cube: daily (time, y, x) sea-ice fields on any Grid in one Zarr v3 store, read side.

Layout (``zarr.json`` at the root holds the index and every array's metadata):

- ``sic`` (time, y, x) float32, NaN fill: the source values, bit for bit;
- ``sic_filled`` (time, y, x) float32 and ``fill_flag`` (time, y, x) uint8, written
  by ``swathkit seaice fill`` (flags 0 observed, 1 filled in time, 2 filled in
  space-time, 3 unfilled, 4 land, 5 set to the constant; 255 not reached yet);
- ``land_mask`` (y, x) uint8 and ``nan_frequency`` (y, x) float32, written by
  ``swathkit seaice mask``;
- ``time`` (days since 1970-01-01), ``y``, ``x`` (m, cell centres in row and column
  order) and the grid-mapping variable, named for the grid's CF mapping
  (``polar_stereographic`` on the ASI grids).

The grid is a :class:`swathkit.products.grids.Grid` (a registered one, such as
``asi-n3125`` or ``ease2-n25``, or an ad-hoc one), recorded in the index.

The time axis is a dense daily calendar from the cube's origin, which is aligned
to the time chunk. Chunks are (8 days, 256, 256), compressed losslessly with
blosc-zstd + byte shuffle + crc32c (see :func:`swathkit.stores.cube_schema.data_codecs`).
Measured on synthetic n6250 days (``benchmarks/bench_fill_memory.py``, 2 busy cores):
0.70 MB per day (0.88× the source NetCDF), a whole-day read in ~20-30 ms and a
365-day pixel series in ~50 ms. Against (8, 512, 512): same size, day read alike,
series 5× slower; (16, 256, 256): series 2× faster, day read 1.3× slower; (4, 256,
256): series 5× slower. Only committed state is ever visible: readers take array
shapes and the day index from the root document (from schema 3 the root holds the
index's header and the records of its last commit; every record is in a small
document per time chunk and its state in ``day_state`` (time,), a CF flag variable
plain ``xarray.open_zarr`` shows: :mod:`swathkit.stores.cube_days`). The grid-mapping attributes are
those of the cube's first day; the EPSG code of every day (on the ASI grids 3411 →
3413 on 2018-11-02 in the north) is in the index (``index.days[day].crs``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from typing import Any, cast

import numpy as np
import xarray as xr
import zarr
from zarr.abc.store import Store
from zarr.core.array import AsyncArray
from zarr.core.metadata import ArrayV3Metadata
from zarr.storage import StorePath

from swathkit.errors import StoreError
from swathkit.products.grids import Grid
from swathkit.stores.commit import read_json
from swathkit.stores.cube_days import DAY_STATE, DaySource, DayTable
from swathkit.stores.cube_schema import (
    FLAG_NOT_COMPUTED,
    NOT_PUBLISHED,
    PENDING,
    PRESENT,
    CubeIndex,
)
from swathkit.stores.location import StoreLocation, as_location, quiet_zarr
from swathkit.types import RegionLike, as_region

StoreLike = str | os.PathLike[str] | StoreLocation


def load_index(store: Store, location: StoreLocation) -> tuple[CubeIndex, dict[str, Any]] | None:
    """The committed index and array metadata, or None when there is no root document.

    One read (the root): a schema-3 cube's day records are read when asked for
    (:class:`~swathkit.stores.cube_days.DayTable`, the root's ``last`` on top).
    """
    try:
        root = read_json(store, "zarr.json")
    except FileNotFoundError:
        root = None
    if root is None:
        return None
    try:
        index = CubeIndex.from_attrs(root.get("attributes", {}))
        members = root.get("consolidated_metadata", {}).get("metadata", {})
        if index.stored_schema >= 3:
            source = DaySource(store, index.origin, index.time_chunk, members.get(DAY_STATE))
            index = replace(index, days=DayTable(source, index.last))
    except (KeyError, TypeError, ValueError) as exc:
        raise StoreError(f"{location}: root document is damaged ({exc})") from exc
    return index, members


class GridCube:
    """Read access to the committed state of a grid cube."""

    def __init__(self, location: StoreLocation, index: CubeIndex, store: Store,
                 members: dict[str, Any]) -> None:
        self.location, self.index, self._store, self._members = location, index, store, members
        self._arrays: dict[str, zarr.Array[Any]] = {}
        self._by_state: dict[str, tuple[date, ...]] = {}
        self._valid: dict[str, np.ndarray] = {}

    @classmethod
    def open(cls, store: StoreLike, storage_options: dict[str, Any] | None = None) -> GridCube:
        """Open a cube read-only (one read of its root document).

        Raises:
            StoreError: there is no grid cube at that address.
        """
        location = as_location(store, storage_options)
        zstore = location.zarr_store(read_only=True)
        loaded = load_index(zstore, location)
        if loaded is None:
            raise StoreError(f"{location}: no grid cube here (no zarr.json); build one with "
                             "`swathkit seaice consolidate DIR --cube PATH`")
        return cls(location, loaded[0], zstore, loaded[1])

    # --- the index ---------------------------------------------------------------------
    @property
    def grid(self) -> Grid:
        """The grid every day of the cube is on."""
        return self.index.grid

    @property
    def origin(self) -> date:
        """Day 0 of the time axis."""
        return self.index.origin

    @property
    def calendar(self) -> list[date]:
        """Every day of the time axis, present or not."""
        return [self.index.day_at(i) for i in range(self.index.length)]

    @property
    def variables(self) -> tuple[str, ...]:
        """The day variables upserts write (``("sic",)`` on a sea-ice cube)."""
        return self.index.variables

    @property
    def days(self) -> list[date]:
        """Days whose ``sic`` (or declared variables) are stored, in order."""
        return list(self._states(PRESENT))

    @property
    def not_published(self) -> list[date]:
        """Days the archive does not publish (404 upstream), recorded as such."""
        return list(self._states(NOT_PUBLISHED))

    @property
    def pending(self) -> list[date]:
        """Days a stopped writer left unchecked; the next write checks or re-reads them."""
        return list(self._states(PENDING))

    def _states(self, state: str) -> tuple[date, ...]:
        """Days in a state, computed once per opened cube (the snapshot never changes)."""
        if state not in self._by_state:
            self._by_state[state] = tuple(self.index.in_state(state))
        return self._by_state[state]

    def state(self, day: date) -> str:
        """``present``, ``not_published``, ``pending`` or ``absent``."""
        rec = self.index.days.get(day)
        return rec.state if rec else "absent"

    def time_index(self, day: date) -> int:
        """Position of ``day`` on the time axis (ValueError outside it)."""
        i = self.index.index_of(day)
        if not 0 <= i < self.index.length:
            raise ValueError(f"{day} is outside the cube's time axis "
                             f"({self.origin} .. {self.index.day_at(self.index.length - 1)})")
        return i

    @property
    def mask_info(self) -> dict[str, Any] | None:
        """Parameters and period of the stored land mask, or None."""
        return self.index.mask

    @property
    def fill_info(self) -> dict[str, Any] | None:
        """Options, progress and period of the stored gap filling, or None."""
        return self.index.fill

    def filled_days(self) -> np.ndarray:
        """Boolean (time,): days whose ``sic_filled``/``fill_flag`` are computed and current."""
        out = np.zeros(self.index.length, bool)
        fill = self.index.fill
        if fill and "sic_filled" in self._members:
            out[: min(int(fill.get("done", 0)), self.index.length)] = True
        return out

    # --- arrays ------------------------------------------------------------------------
    def array(self, name: str) -> zarr.Array[Any]:
        """One array with its committed shape (from the root document)."""
        if name not in self._members:
            raise KeyError(f"{self.location} has no array {name!r} "
                           f"(it has {', '.join(sorted(self._members))})")
        if name not in self._arrays:
            with quiet_zarr():
                meta = ArrayV3Metadata.from_dict(self._members[name])
                self._arrays[name] = zarr.Array[Any](AsyncArray(meta, StorePath(self._store, name)))
        return self._arrays[name]

    def read_days(self, days: Iterable[date], *, variable: str = "sic",
                  region: RegionLike | None = None) -> np.ndarray:
        """Read whole days (or a region of them) as a (t, y, x) array.

        Days not present (absent, not published, pending) read as NaN for ``sic``;
        days the fill has not reached read as NaN (``sic_filled``) or 255 (``fill_flag``).

        Args:
            days: Days on the time axis, in the order wanted.
            variable: ``sic``, ``sic_filled`` or ``fill_flag``.
            region: A :class:`~swathkit.types.Region` of the grid (or ``(rows, cols)``
                slices, ``"R0:R1,C0:C1"``); the whole grid if None.

        Raises:
            InputError: a region outside the grid.
        """
        idx = np.array([self.time_index(d) for d in days], dtype=np.int64)
        if idx.size == 0:
            return self.read_block(0, 0, variable=variable, region=region)
        lo, hi = int(idx.min()), int(idx.max()) + 1
        if hi - lo <= 2 * idx.size:  # near-contiguous: one read
            return self.read_block(lo, hi, variable=variable, region=region)[idx - lo]
        return np.concatenate([self.read_block(i, i + 1, variable=variable, region=region)
                               for i in idx])

    def read_block(self, start: int, stop: int, *, variable: str = "sic",
                   region: RegionLike | None = None) -> np.ndarray:
        """Time positions ``start:stop`` of a variable, invalid days blanked (see read_days)."""
        grid = self.index.grid
        rows, cols = (slice(None), slice(None)) if region is None else as_region(
            region, grid.shape, grid=grid.name).slices()
        start, stop = max(start, 0), min(stop, self.index.length)
        data = np.asarray(self.array(variable)[start:max(start, stop), rows, cols])
        valid = self._valid_days(variable)[start:max(start, stop)]
        if not valid.all():
            data[~valid] = FLAG_NOT_COMPUTED if variable == "fill_flag" else (
                np.nan if data.dtype.kind == "f" else self.array(variable).fill_value)
        return data

    def _valid_days(self, variable: str) -> np.ndarray:
        key = "filled" if variable in ("sic_filled", "fill_flag") else "sic"
        if key not in self._valid:
            if key == "sic":
                valid = np.zeros(self.index.length, bool)
                valid[[self.index.index_of(d) for d in self._states(PRESENT)]] = True
            else:
                valid = self.filled_days()
            valid.flags.writeable = False
            self._valid[key] = valid
        return self._valid[key]

    def land_mask(self) -> np.ndarray | None:
        """The stored land mask (y, x) bool, or None if ``mask`` has not run."""
        if self.index.mask is None or "land_mask" not in self._members:
            return None
        return np.asarray(self.array("land_mask")[...]).astype(bool)

    def nan_frequency(self) -> np.ndarray | None:
        """Share of present days that were NaN per pixel over the mask's period, or None."""
        if self.index.mask is None or "nan_frequency" not in self._members:
            return None
        return np.asarray(self.array("nan_frequency")[...])

    def dataset(self, *, variables: Iterable[str] | None = None,
                chunks: dict[str, int] | None = None) -> xr.Dataset:
        """The cube as a lazy (dask) CF-decoded Dataset with dims (time, y, x).

        Days not present read as NaN in ``sic``; days the fill has not reached read as
        NaN in ``sic_filled`` and 255 in ``fill_flag``. The coordinate ``present``
        (time,) says which days hold observations.

        Args:
            variables: Data variables to keep (default: all).
            chunks: dask chunks (default: the store's chunks).
        """
        with quiet_zarr():
            ds = xr.open_zarr(self._store, consolidated=True, chunks=chunks or {},
                              mask_and_scale=True)
        if DAY_STATE in ds:  # it may lag the root by one commit: ``present`` says it all
            ds = ds.drop_vars(DAY_STATE)
        present = xr.DataArray(self._valid_days("sic"), dims="time")
        filled = xr.DataArray(self.filled_days(), dims="time")
        for name in self.index.variables:
            if name in ds:
                blank = self._integer_fill(name)
                ds[name] = ds[name].where(present, *(() if blank is None else (blank,)))
        if "sic_filled" in ds:
            ds["sic_filled"] = ds["sic_filled"].where(filled)
            ds["fill_flag"] = ds["fill_flag"].where(filled, FLAG_NOT_COMPUTED)
        ds = ds.assign_coords(present=present)
        if variables is not None:
            keep = set(variables)
            ds = ds.drop_vars([v for v in ds.data_vars if v not in keep
                               and v != self.grid.grid_mapping_name])
        ds.attrs.pop("swathkit", None)
        ds.attrs.update(product=self.index.product, grid=self.grid.name,
                        source_store=str(self.location))
        return cast(xr.Dataset, ds)


    def _integer_fill(self, name: str) -> Any:
        """The fill an invalid day of an integer variable reads as (None: NaN or NaT)."""
        fill = self.array(name).fill_value
        return fill if np.issubdtype(np.asarray(fill).dtype, np.integer) else None


def open_cube(store: StoreLike, *, variables: Iterable[str] | None = None,
              chunks: dict[str, int] | None = None,
              storage_options: dict[str, Any] | None = None) -> xr.Dataset:
    """Open a grid cube as a lazy Dataset (see :meth:`GridCube.dataset`)."""
    return GridCube.open(store, storage_options).dataset(variables=variables, chunks=chunks)
