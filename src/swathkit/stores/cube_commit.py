"""The commit protocol of a grid cube's writer: root first, then the day records.

A commit is one atomic put of the root ``zarr.json`` (:func:`~swathkit.stores.commit.
write_root`): the index's constant-size header, the records this commit changed
(``last``, one time chunk's at most) and every array's metadata. Then those records
go into their day documents and ``day_state``
(:func:`~swathkit.stores.cube_days.apply_days`). A writer stopped after the root
lost nothing: readers lay ``last`` over the documents, and the next writer applies
it again when it opens the cube. A cube of an older schema (every record in the
root) is upgraded by the first writer that opens it (:mod:`swathkit.stores.cube_upgrade`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

import zarr
from zarr.core.sync import sync

from swathkit.errors import StoreError, StoreLockedError
from swathkit.stores import cube_schema as cs
from swathkit.stores.commit import check_writer, write_root
from swathkit.stores.cube_days import DAY_STATE, DaySource, DayTable, apply_days
from swathkit.stores.cube_schema import CubeIndex, DayRecord
from swathkit.stores.cube_upgrade import upgrade_cube
from swathkit.stores.grid_cube import GridCube, load_index
from swathkit.stores.location import StoreLocation, quiet_zarr
from swathkit.stores.objectstore import Lock

log = logging.getLogger(__name__)
OPTIONAL_ARRAYS = ("sic_filled", "fill_flag", "land_mask", "nan_frequency")


class CubeCommitter:
    """The committed index of a cube and how a writer replaces it (base of the writer)."""

    def __init__(self, location: StoreLocation, lock: Lock | None) -> None:
        self.location = location
        self._store = location.zarr_store(read_only=False, lock=lock)
        self._unapplied = False  # the root's last records are not yet in the documents
        self._optional = {name for name in OPTIONAL_ARRAYS  # created later by this writer only
                          if sync(self._store.exists(f"{name}/zarr.json"))}
        self.index: CubeIndex | None = self._load()

    def _open_committed(self) -> None:
        """Upgrade an older cube, or finish applying the last root (a writer may have stopped)."""
        index = self._require()
        if index.stored_schema < cs.SCHEMA:
            upgrade_cube(self._store, self.location, index, self._names(index))
            self.index = self._load()
        else:
            self._apply(index)

    def _load(self) -> CubeIndex | None:
        loaded = load_index(self._store, self.location)
        return loaded[0] if loaded else None

    # --- views ---------------------------------------------------------------------------
    @property
    def cube(self) -> GridCube:
        """The committed state as a reader sees it."""
        return GridCube.open(self.location)

    def _require(self) -> CubeIndex:
        if self.index is None:
            raise StoreError(f"{self.location}: the cube is empty; write days first")
        return self.index

    def _array(self, name: str) -> zarr.Array[Any]:
        with quiet_zarr():
            return zarr.open_array(self._store, path=name, mode="r+")

    def _names(self, index: CubeIndex) -> list[str]:
        grid = index.grid
        names = [*index.variables, "time", "x", "y", grid.grid_mapping_name]
        if index.stored_schema >= cs.SCHEMA:
            names.append(DAY_STATE)
        names.extend(name for name in OPTIONAL_ARRAYS if name in self._optional)
        return names

    def _commit(self, index: CubeIndex) -> None:
        if self._unapplied and self.index is not None:  # a failed apply: before going on
            self._apply(self.index)
        check_writer(self._store)  # on S3: the lock is still ours (the put is conditional too)
        write_root(self._store, index.to_attrs(), self._names(index))
        self.index = index
        self._unapplied = True
        self._apply(index)

    def _apply(self, index: CubeIndex) -> None:
        """The root's last records into the day documents and ``day_state`` (idempotent)."""
        apply_days(self._store, self._source(index), index.last)
        self._unapplied = False

    @staticmethod
    def _source(index: CubeIndex) -> DaySource:
        if not isinstance(index.days, DayTable):
            raise StoreError("a schema-3 cube's index has no day documents")  # a bug, not data
        return index.days.source

    def _commit_days(self, updates: Mapping[date, DayRecord], *, restamp: bool) -> None:
        """Commit ``updates`` one time chunk at a time (the root carries one chunk's records).

        With ``restamp`` each record's ``rev`` is set to the commit that carries it.
        """
        by_chunk: dict[int, dict[date, DayRecord]] = {}
        for day in sorted(updates):
            chunk = self._require().index_of(day) // self._require().time_chunk
            by_chunk.setdefault(chunk, {})[day] = updates[day]
        for part in by_chunk.values():
            index = self._require()
            if restamp:
                part = {d: replace(rec, rev=index.commits + 1) for d, rec in part.items()}
            self._commit(index.with_days(part))

    def settle(self) -> None:
        """Drop the last records from the root once the documents hold them (same commit).

        Done when a writer closes, so the root's bytes do not depend on how the
        writes fell into commits.
        """
        index = self.index
        if index is not None and index.last:
            if self._unapplied:
                self._apply(index)
            settled = replace(index, last={})
            try:
                check_writer(self._store)
            except StoreLockedError:  # the root as committed is whole: leave it to the new writer
                log.warning("%s: the writer lock was taken over; the root keeps its last "
                            "records", self.location)
                return
            write_root(self._store, settled.to_attrs(), self._names(settled))
            self.index = settled
