"""The grid cube's single writer: idempotent upserts by day, atomic commits, crash safety.

Every write ends with one atomic put of the root ``zarr.json`` (the index's
constant-size header, the day records this commit changed, all array metadata), so
readers see whole commits only. Then those records are written into their day
documents and ``day_state`` (:func:`swathkit.stores.cube_days.apply_days`); the next
writer does that again when it opens the cube, so a writer stopped in between loses
nothing (readers lay the root's records over the documents). A commit changes the
records of one time chunk at most, so the root stays small
(:mod:`swathkit.stores.cube_commit`). Writing a day rewrites its time chunk (8
days); when that chunk already holds committed days, they are first committed as
``pending``, then the chunk is written, then they are committed back as ``present``.
A writer killed in between leaves them ``pending``: the next writer reads each back
and restores it if its sha256 matches the recorded one (otherwise it stays pending
and ``consolidate`` re-reads it from its source file).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np
import xarray as xr
import zarr

from swathkit.errors import StoreError
from swathkit.products.grids import Grid, grid_on
from swathkit.products.grids import grid as registered_grid
from swathkit.stores import cube_schema as cs
from swathkit.stores.cube_days import (
    DAY_STATE,
    STATE_ATTRS,
    STATE_CHUNK,
    DaySource,
    DayTable,
)
from swathkit.stores.cube_extras_writer import CubeExtrasWriter
from swathkit.stores.cube_schema import CubeIndex, CubeVariable, DayRecord, Source
from swathkit.stores.grid_cube import StoreLike
from swathkit.stores.location import StoreLocation, as_location, quiet_zarr, writer_lock
from swathkit.stores.objectstore import Lock

log = logging.getLogger(__name__)
CHUNK_ERRORS = (ValueError, RuntimeError)  # what zarr's codecs raise on a damaged chunk
DayFields = np.ndarray | Mapping[str, np.ndarray]  # sic alone, or {variable: field}


@dataclass(frozen=True)
class UpsertSummary:
    """What one upsert did, by day."""

    added: tuple[date, ...] = ()
    replaced: tuple[date, ...] = ()
    unchanged: tuple[date, ...] = ()


class GridCubeWriter(CubeExtrasWriter):
    """The single writer of a cube; get one with :func:`cube_writer`."""

    def __init__(self, location: StoreLocation, *, grid: Grid | None,
                 time_chunk: int, space_chunk: int,
                 variables: Sequence[CubeVariable] | None = None, product: str = "",
                 lock: Lock | None = None) -> None:
        super().__init__(location, lock)
        self._chunking = (time_chunk, space_chunk)
        self._declared = tuple(variables) if variables else None
        self._product = product
        self._grid = grid
        if self.index is not None:
            if grid is not None and (grid.name, grid.shape) != (self.index.grid.name,
                                                                 self.index.grid.shape):
                raise StoreError(f"{location} holds grid {self.index.grid.name}; these data "
                                 f"are on grid {grid.name}. Use another cube")
            self._grid = self.index.grid
            self._check_variables(self.index)
            self._open_committed()
            self._rewrite_time()
            self.recover()

    def _check_variables(self, index: CubeIndex) -> None:
        wanted = tuple(v.name for v in self._declared) if self._declared else None
        if wanted is not None and wanted != index.variables:
            raise StoreError(f"{self.location} holds variables {', '.join(index.variables)}; "
                             f"these data have {', '.join(wanted)}. Use another cube")

    # --- creation and the time axis ------------------------------------------------------
    def _create(self, first_day: date) -> CubeIndex:
        if self._grid is None:
            raise StoreError(f"{self.location}: a new cube needs its grid (grid=...)")
        grid = self._grid
        time_chunk, space_chunk = self._chunking
        origin = cs.aligned_origin(first_day, time_chunk)
        group = zarr.open_group(self._store, mode="a", zarr_format=3)  # "w" would drop the lock
        chunks = (time_chunk, space_chunk, space_chunk)
        with quiet_zarr():
            for var in self._declared or (_sic_variable(grid),):
                group.create_array(var.name, shape=(0, *grid.shape), chunks=chunks,
                                   dtype=var.dtype, fill_value=var.fill,
                                   dimension_names=("time", "y", "x"),
                                   attributes={**var.attrs,
                                               "grid_mapping": grid.grid_mapping_name},
                                   **cs.data_codecs())
            group.create_array("time", shape=(0,), chunks=(4096,), dtype="int32",
                               fill_value=0, dimension_names=("time",),
                               attributes=cs.TIME_ATTRS)
            for axis, values in (("x", grid.x()), ("y", grid.y())):
                arr = group.create_array(axis, shape=values.shape, dtype="float64",
                                         fill_value=np.nan, dimension_names=(axis,),
                                         attributes=cs.coord_attrs(axis, grid))
                arr[...] = values
            gm = group.create_array(grid.grid_mapping_name, shape=(), dtype="int32",
                                    fill_value=0,
                                    attributes=grid_on(grid, first_day).grid_mapping_attrs())
            gm[...] = 0
            group.create_array(DAY_STATE, shape=(0,), chunks=(STATE_CHUNK,), dtype="uint8",
                               fill_value=0, dimension_names=("time",), attributes=STATE_ATTRS)
        days = DayTable(DaySource(self._store, origin, time_chunk, None), {})
        index = CubeIndex(grid, origin, 0, time_chunk, (space_chunk, space_chunk), days)
        if self._declared:
            index = replace(index, variables=tuple(v.name for v in self._declared),
                            product=self._product or "gridded")
        self._commit(index)
        log.info("created grid cube %s (grid %s, origin %s)", self.location, grid.name, origin)
        return index

    def prepare(self, first: date) -> CubeIndex:
        """Create the cube if needed with ``first`` on its axis (origin = its time chunk).

        Raises:
            StoreError: the cube exists and ``first`` is before its origin.
        """
        return self._axis_for(first, first)

    def _axis_for(self, first: date, last: date) -> CubeIndex:
        """The index, created if needed, after checking ``first`` is not before the origin."""
        index = self.index or self._create(first)
        if first < index.origin:
            raise StoreError(
                f"{self.location}: {first} is before the cube's first day {index.origin}; "
                "a cube only grows forward. Build a new cube starting on or before "
                f"{first} (e.g. `swathkit seaice consolidate DIR --cube NEW --start {first}`)")
        return index

    def _grow(self, index: CubeIndex, length: int) -> CubeIndex:
        """Resize the time axis (invisible to readers until the next commit)."""
        if length <= index.length:
            return index
        rows, cols = index.grid.shape
        for name in (*index.variables, *cs.TIME_VARIABLES[1:]):
            if name in index.variables or name in self._optional:
                self._array(name).resize((length, rows, cols))
        self._array("time").resize((length,))
        self._array(DAY_STATE).resize((length,))
        grown = replace(index, length=length)
        self._write_time(grown)
        return grown

    def _write_time(self, index: CubeIndex) -> None:
        start = cs.day_number(index.origin)
        self._array("time")[...] = np.arange(start, start + index.length, dtype=np.int32)

    def _rewrite_time(self) -> None:
        """Idempotent: repairs a time chunk a killed writer may have left half written."""
        index = self._require()
        arr = self._array("time")
        if arr.shape[0] >= index.length and index.length:
            start = cs.day_number(index.origin)
            arr[: index.length] = np.arange(start, start + index.length, dtype=np.int32)

    # --- recovery ------------------------------------------------------------------------
    def recover(self) -> list[date]:
        """Restore pending days whose stored values match their digest; return the rest."""
        index = self._require()
        pending = index.in_state(cs.PENDING)
        if not pending:
            return []
        arrays = {name: self._array(name) for name in index.variables}
        restored, left = {}, []
        for day in pending:
            i = index.index_of(day)
            rec = index.days[day]
            if _digest_or_none(arrays, i, index.variables) == rec.digest:
                restored[day] = replace(rec, state=cs.PRESENT)
            else:
                left.append(day)
        if restored:
            self._commit_days(restored, restamp=True)
            log.info("restored %d pending day(s) after checking their digests", len(restored))
        if left:
            log.warning("%d day(s) of %s need re-reading from source: %s", len(left),
                        self.location, ", ".join(d.isoformat() for d in left[:5]))
        return left

    # --- upserts -------------------------------------------------------------------------
    def upsert_days(self, fields: Mapping[date, DayFields] | xr.Dataset, *,
                    sources: Mapping[date, Source] | None = None) -> UpsertSummary:
        """Insert or replace days by date and commit them (one commit per time chunk).

        A day whose values are identical to the stored ones is left as it is (its source
        record is refreshed); a day with other values replaces the stored one.

        Args:
            fields: ``{day: (rows, cols) float32}`` or a Dataset with ``sic`` (time, y, x)
                and a ``time`` coordinate (as :func:`swathkit.products.asi.open_asi` gives);
                on a cube with declared variables, ``{day: {variable: (rows, cols)}}``
                holding every declared variable.
            sources: Where each day came from (for change detection by ``consolidate``).

        Raises:
            StoreError: a day before the cube's origin, or a field of the wrong shape.
        """
        days = _as_fields(fields)
        if not days:
            return UpsertSummary()
        index = self._axis_for(min(days), max(days))
        days = {day: self._checked(index, day, values) for day, values in days.items()}
        added: list[date] = []
        replaced_: list[date] = []
        unchanged: list[date] = []
        by_chunk: dict[int, dict[date, tuple[dict[str, np.ndarray], str]]] = {}
        touched: dict[date, DayRecord] = {}
        for day in sorted(days):
            values = days[day]
            digest = cs.fields_digest(values, index.variables)
            old = index.days.get(day)
            source = (sources or {}).get(day, Source())
            if old is not None and old.state == cs.PRESENT and old.digest == digest:
                unchanged.append(day)
                if old.source != source and source != Source():
                    touched[day] = replace(old, source=source)
                continue
            (replaced_ if old is not None and old.state == cs.PRESENT else added).append(day)
            by_chunk.setdefault(index.index_of(day) // index.time_chunk, {})[day] = (
                values, digest)
        for chunk in sorted(by_chunk):
            self._write_chunk(chunk, by_chunk[chunk], sources or {})
        if touched:
            self._commit_days(touched, restamp=False)
        return UpsertSummary(tuple(added), tuple(replaced_), tuple(unchanged))

    def _checked(self, index: CubeIndex, day: date,
                 fields: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The day's fields in their stored dtypes, after checking names and shapes."""
        if set(fields) != set(index.variables):
            raise StoreError(f"{day}: fields {', '.join(sorted(fields))} are not the cube's "
                             f"variables {', '.join(index.variables)}")
        out = {}
        for name in index.variables:
            values = fields[name]
            if values.shape != index.grid.shape:
                raise StoreError(f"{day}: field shape {values.shape} is not the cube's "
                                 f"{index.grid.shape} (grid {index.grid.name})")
            out[name] = np.ascontiguousarray(values, dtype=self._array(name).dtype)
        return out

    def _write_chunk(self, chunk: int, new: dict[date, tuple[dict[str, np.ndarray], str]],
                     sources: Mapping[date, Source]) -> None:
        index = self._require()
        t0 = chunk * index.time_chunk
        t1 = t0 + index.time_chunk
        in_chunk = {d: index.days.get(d) for d in map(index.day_at, range(t0, t1))}
        keep = {d: rec for d, rec in in_chunk.items()  # one document read, not every day's
                if rec is not None and d not in new and rec.state in (cs.PRESENT, cs.PENDING)}
        marked = {d: replace(rec, state=cs.PENDING) for d, rec in keep.items()
                  if rec.state == cs.PRESENT}
        if marked:  # committed days share this chunk: make their rewrite crash-safe
            index = index.with_days(marked)
            self._commit(index)
        stop = max(index.length, max(index.index_of(d) for d in new) + 1)
        old_length = index.length
        index = self._grow(index, stop)
        end = min(t1, index.length)
        for name in index.variables:
            arr = self._array(name)
            block = np.full((end - t0, *index.grid.shape), arr.fill_value, arr.dtype)
            if keep:
                try:
                    existing = np.asarray(arr[t0:min(end, old_length)])
                except CHUNK_ERRORS as exc:  # a torn chunk: only pending days can be in it
                    log.warning("%s: %s time chunk %d unreadable (%s); its pending days stay "
                                "pending", self.location, name, chunk, exc)
                    existing = np.full_like(block, arr.fill_value)
                    marked = {}
                for d in keep:
                    block[index.index_of(d) - t0] = existing[index.index_of(d) - t0]
            for d, (values, _) in new.items():
                block[index.index_of(d) - t0] = values[name]
            arr[t0:end] = block
        rev = index.commits + 1
        updates = {d: replace(rec, state=cs.PRESENT) for d, rec in marked.items()}
        for d, (_, digest) in new.items():
            crs = f"EPSG:{grid_on(index.grid, d).epsg}"  # the ASI grids changed CRS in 2018
            updates[d] = DayRecord(cs.PRESENT, rev, digest, crs, sources.get(d, Source()))
        self._commit(index.with_days(updates))

    def mark_not_published(self, days: list[date]) -> list[date]:
        """Record days the archive does not publish; return those newly recorded.

        A day already present keeps its data (the archive may have published it since).
        """
        if not days:
            return []
        index = self._axis_for(min(days), max(days))
        new = [d for d in sorted(set(days)) if index.days.get(d) is None
               or index.days[d].state not in (cs.PRESENT, cs.NOT_PUBLISHED)]
        if not new:
            return []
        self.index = self._grow(index, max(index.length, index.index_of(max(new)) + 1))
        self._commit_days({d: DayRecord(cs.NOT_PUBLISHED, 0) for d in new}, restamp=True)
        return new


def _digest_or_none(arrays: Mapping[str, zarr.Array[Any]], i: int,
                    variables: Sequence[str]) -> str | None:
    if any(i >= arrays[name].shape[0] for name in variables):
        return None
    try:
        return cs.fields_digest({n: np.asarray(arrays[n][i]) for n in variables}, variables)
    except CHUNK_ERRORS:  # checksum or decompression failure: a torn chunk
        return None


def _sic_variable(grid: Grid) -> CubeVariable:
    attrs = cs.sic_attrs("sea-ice concentration (ASI AMSR2)", grid)
    return CubeVariable("sic", "float32", np.nan, attrs)


def _as_fields(fields: Mapping[date, DayFields] | xr.Dataset) -> dict[date, dict[str, np.ndarray]]:
    if isinstance(fields, xr.Dataset):
        times = fields["time"].values.astype("datetime64[D]").astype(object)
        sic = fields["sic"].values
        return {t: {"sic": sic[i]} for i, t in enumerate(times)}
    return {d: ({k: np.asarray(a) for k, a in v.items()} if isinstance(v, Mapping)
                else {"sic": np.asarray(v)}) for d, v in fields.items()}




@contextmanager
def cube_writer(store: StoreLike, *, grid: Grid | str | None = None,
                time_chunk: int = cs.TIME_CHUNK, space_chunk: int = cs.SPACE_CHUNK,
                storage_options: dict[str, Any] | None = None,
                variables: Sequence[CubeVariable] | None = None,
                product: str = "") -> Iterator[GridCubeWriter]:
    """Take the cube's writer lock, check or recover its state, and yield its writer.

    Args:
        store: Cube path or fsspec URL (created on the first write).
        grid: The grid of a new cube (checked against an existing one): a :class:`Grid`
            or a registered name (``asi-n3125``, ``n3125``, ``ease2-n25`` …).
        time_chunk: Days per chunk of a new cube.
        space_chunk: Rows and columns per chunk of a new cube.
        storage_options: fsspec options for a remote cube.
        variables: The day variables of a new cube (default: ``sic`` alone), checked
            against an existing one.
        product: What a cube with declared variables holds (its Dataset's ``product``).

    Raises:
        StoreLockedError: another writer holds the cube.
        StoreError: the cube holds another grid or other variables, or is not a grid cube.
        InputError: an unknown grid name.
    """
    location = as_location(store, storage_options)
    resolved = registered_grid(grid) if isinstance(grid, str) else grid
    with writer_lock(location) as lock:
        writer = GridCubeWriter(location, grid=resolved, time_chunk=time_chunk,
                                space_chunk=space_chunk, variables=variables, product=product,
                                lock=lock)
        yield writer
        writer.settle()
