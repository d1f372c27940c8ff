"""The single writer of a swath store: idempotent upserts, one atomic commit per batch.

A commit (every step an ordinary store put, so it maps onto any fsspec store):

1. ``_index/intent.json`` names the bucket documents the commit will touch
   (one small put);
2. new rows are written: one new chunk per granule per data array, and the
   metadata arrays' chunks that hold the rows (arrays grown beyond the committed
   shape, invisible to readers, who take shapes from the root);
3. the touched bucket documents get the new entries (readers ignore an entry
   whose row the committed state does not call live);
4. **the root ``zarr.json`` is replaced** — the commit point, a constant-size
   document (manifest + array metadata, no index), one atomic put (a local
   store writes a temporary file and renames it; an S3 PUT is atomic). On S3
   this PUT is conditional on the ETag the writer last read or wrote
   (``If-Match``), so a writer whose lock was taken over fails instead of
   overwriting, and it checks its lock before step 1
   (:mod:`swathkit.stores.objectstore`); every other key is invisible until the
   root names it;
5. the per-row ``state`` array is brought up to date (the root lists the rows it
   changed, so readers never depend on this step) and the intent is deleted.
   When the writer closes, the root is written once more without that list.

A writer killed anywhere leaves the old root in place; the next writer drops the
dead one's bucket entries (named by the intent), rewrites array metadata from
the root, and re-applies step 5.

Rows: a batch of new granules takes the next rows in start-time order, unless
the caller reserved rows for them (:meth:`SwathWriter.reserve`, as collect does
at search time), so the store's bytes do not depend on completion order. A
granule whose content changed gets a new row; its old row is marked retired.
Committed chunks are never overwritten.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import zarr
import zarr.api.asynchronous
from zarr.abc.store import Store
from zarr.core.buffer.cpu import Buffer
from zarr.core.common import JSON
from zarr.core.sync import sync

from swathkit._version import __version__
from swathkit.errors import StoreError
from swathkit.stores import buckets as bk
from swathkit.stores.commit import ROOT_KEY, check_writer, read_jsons, read_root, write_root
from swathkit.stores.legacy import UPGRADE_HINT
from swathkit.stores.location import StoreLocation, as_location, quiet_zarr, writer_lock
from swathkit.stores.manifest import (
    LEGACY_SCHEMA,
    Manifest,
    live_rows_among,
    row_states,
    separator,
    store_info,
)
from swathkit.stores.objectstore import Lock
from swathkit.stores.records import SwathRecord, rows_digest
from swathkit.stores.schema import (
    EMPTY,
    LIVE,
    RETIRED,
    TIME_FILL,
    ArraySpec,
    Layout,
    data_codecs,
)

log = logging.getLogger(__name__)
Rows = dict[str, npt.NDArray[Any]]


@dataclass(frozen=True)
class WriteSummary:
    """What one committed batch did."""

    added: tuple[str, ...]
    replaced: tuple[str, ...]
    unchanged: tuple[str, ...]


@dataclass(frozen=True)
class _Planned:
    record: SwathRecord
    rows: Rows
    digest: str
    old: bk.Entry | None
    row: int = -1


def create_arrays(store: Store, layout: Layout, epoch: int) -> None:
    """Every array of the layout, empty, with the chunk keys of ``epoch``."""
    group = zarr.open_group(store, mode="a", zarr_format=3)  # "w" would drop the lock
    keys: dict[str, JSON] = {"name": "default", "separator": separator(epoch)}
    for spec in layout.specs():
        row = layout.row_shape(spec)
        chunks = layout.chunk_shape(spec)
        codecs = data_codecs() if spec.per_granule_chunk else {}
        with quiet_zarr():
            group.create_array(spec.name, shape=(0, *row), chunks=chunks, dtype=spec.dtype,
                               fill_value=spec.fill, dimension_names=spec.dims,
                               attributes=spec.cf_attrs, chunk_key_encoding=keys,
                               overwrite=True, **codecs)


class SwathWriter:
    """The single writer of a store; use :func:`swath_writer` to get one."""

    def __init__(self, location: StoreLocation, layout: Layout, lock: Lock | None = None) -> None:
        self.location, self.layout = location, layout
        self._store = location.zarr_store(read_only=False, lock=lock)
        root = read_root(self._store, location)
        if root is None:
            self.manifest = self._create()
        else:
            self.manifest = self._reopen(root)
        self._buckets = bk.Buckets(self._store, self.manifest.epoch, self.manifest.buckets)

    def _create(self) -> Manifest:
        create_arrays(self._store, self.layout, 0)
        manifest = Manifest(self.layout)
        write_root(self._store, manifest.to_attrs(), self._names())
        log.info("created swath store %s", self.location)
        return manifest

    def _reopen(self, root: dict[str, Any]) -> Manifest:
        try:
            schema, info = store_info(root.get("attributes", {}))
            if schema == LEGACY_SCHEMA:
                raise StoreError(UPGRADE_HINT.format(store=self.location))
            manifest = Manifest.from_info(info)
            members = root["consolidated_metadata"]["metadata"]
        except (KeyError, TypeError, ValueError) as exc:
            raise StoreError(f"{self.location}: root document is damaged ({exc})") from exc
        if replace(self.layout, scan_flags=manifest.layout.scan_flags) == manifest.layout:
            self.layout = manifest.layout  # a store made before scan flags keeps its layout
        if manifest.layout != self.layout:
            raise StoreError(
                f"{self.location} keeps {_describe(manifest.layout)}; this job asks for "
                f"{_describe(self.layout)}. Use another store, or the same options")
        recover(self._store, manifest, members)
        return manifest

    def _names(self) -> list[str]:
        return [spec.name for spec in self.layout.specs()]

    def _array(self, name: str) -> zarr.Array[Any]:
        with quiet_zarr():
            return zarr.open_array(self._store, path=name, mode="r+")

    @property
    def next_row(self) -> int:
        """The first row neither written nor reserved."""
        return self.manifest.next_row

    def lookup(self, granule_ids: list[str]) -> dict[str, bk.Entry]:
        """The committed entries of those ids that are stored."""
        if not granule_ids or self.manifest.rows == 0:
            return {}
        return bk.resolve(self._buckets, granule_ids, lambda rows: live_rows_among(
            self.manifest, self._array("state"), rows))

    def reserve(self, count: int) -> range:
        """Reserve ``count`` rows after :attr:`next_row` (a root-only commit)."""
        first = self.manifest.next_row
        if count > 0:
            self._flip(self.manifest.advanced(next_row=first + count, changed_live=(),
                                              changed_retired=()))
        return range(first, first + count)

    def write(self, records: list[SwathRecord],
              rows: Mapping[str, int] | None = None) -> WriteSummary:
        """Upsert a batch of granules and commit them together.

        Args:
            records: The granules (the last of one id wins).
            rows: Rows reserved for some of them; a row already used is not taken again.
        """
        latest_of = {rec.granule_id: rec for rec in records}
        entries = self.lookup(list(latest_of))
        plan, unchanged = [], []
        for gid, rec in latest_of.items():
            data = rec.rows(self.layout)
            digest = rows_digest(data)
            old = entries.get(gid)
            if old is not None and old.digest == digest:
                unchanged.append(gid)
            else:
                plan.append(_Planned(rec, data, digest, old))
        if plan:
            self._commit(self._place(plan, dict(rows or {})))
        replaced = tuple(p.record.granule_id for p in plan if p.old is not None)
        added = tuple(p.record.granule_id for p in plan if p.old is None)
        return WriteSummary(added, replaced, tuple(unchanged))

    def _place(self, plan: list[_Planned], reserved: dict[str, int]) -> list[_Planned]:
        """Rows for the plan: free reserved rows as asked, then the next rows in time order."""
        asked = {p.record.granule_id: reserved[p.record.granule_id] for p in plan
                 if reserved.get(p.record.granule_id, -1) in range(self.manifest.next_row)}
        free = self._free(sorted(set(asked.values())))
        placed, taken, rest = [], set(), []
        for p in plan:
            row = asked.get(p.record.granule_id, -1)
            if row in free and row not in taken:
                taken.add(row)
                placed.append(_with_row(p, row))
            else:
                rest.append(p)
        rest.sort(key=lambda p: (_micros(p.record.meta.get("start_time")), p.record.granule_id))
        first = self.manifest.next_row
        placed += [_with_row(p, first + i) for i, p in enumerate(rest)]
        return sorted(placed, key=lambda p: p.row)

    def _free(self, rows: list[int]) -> set[int]:
        """Those rows that hold nothing committed."""
        states = row_states(self.manifest, self._array("state"), rows)
        return {r for r, s in states.items() if s == EMPTY}

    def _commit(self, plan: list[_Planned]) -> None:
        m = self.manifest
        check_writer(self._store)
        touched = {self._buckets.of(p.record.granule_id) for p in plan}
        bk.write_intent(self._store, epoch=m.epoch, buckets=touched)
        rows = np.array([p.row for p in plan], dtype=np.int64)
        length = max(m.rows, int(rows.max()) + 1)
        async def write_all() -> None:
            await asyncio.gather(*(self._write_column(spec, plan, length)
                                   for spec in self.layout.specs()))

        with quiet_zarr():
            sync(write_all())
        self._stage_entries(plan)
        replaced = sorted(p.old.row for p in plan if p.old is not None)
        self._flip(m.advanced(
            rows=length, next_row=max(m.next_row, length), live=m.live + len(plan) - len(replaced),
            retired=m.retired + len(replaced), commits=m.commits + 1,
            changed_live=tuple(int(r) for r in rows), changed_retired=tuple(replaced)))
        bk.clear_intent(self._store)

    async def _write_column(self, spec: ArraySpec, plan: list[_Planned], length: int) -> None:
        """One array: grown to ``length`` rows, the plan's rows written (runs of rows at once)."""
        array = await zarr.api.asynchronous.open_array(store=self._store, path=spec.name,
                                                       mode="r+")
        if array.shape[0] < length:
            await array.resize((length, *self.layout.row_shape(spec)))
        if spec.name == "state":  # the state follows the root (step 5)
            return
        column = _column(spec, plan)
        for first, stop in _runs([p.row for p in plan]):
            start = plan[first].row
            await array.setitem(slice(start, start + stop - first), column[first:stop])

    def _stage_entries(self, plan: list[_Planned]) -> None:
        by_bucket: dict[int, list[bk.Entry]] = {}
        for p in plan:
            entry = bk.Entry(p.record.granule_id, p.row, p.digest)
            by_bucket.setdefault(self._buckets.of(entry.granule_id), []).append(entry)
        current = self._buckets.read(by_bucket)
        new_rows = {p.row for p in plan}
        self._buckets.write({b: [e for e in current[b] if e.row not in new_rows] + new
                             for b, new in by_bucket.items()})

    def settle(self) -> None:
        """Clear the root's list of changed rows once ``state`` holds them (same generation).

        Done when a writer closes, so the root's bytes do not depend on which
        granules happened to share the last batch.
        """
        m = self.manifest
        if m.changed_live or m.changed_retired:
            apply_state(self._store, m)
            settled = Manifest(**{**m.__dict__, "changed_live": (), "changed_retired": ()})
            write_root(self._store, settled.to_attrs(), self._names())
            self.manifest = settled

    def _flip(self, manifest: Manifest) -> None:
        write_root(self._store, manifest.to_attrs(), self._names())
        self.manifest = manifest
        apply_state(self._store, manifest)


def apply_state(store: Store, manifest: Manifest) -> None:
    """Bring the ``state`` array up to the rows the last commit changed (idempotent)."""
    changes = [(r, LIVE) for r in manifest.changed_live] + [
        (r, RETIRED) for r in manifest.changed_retired]
    if not changes:
        return
    with quiet_zarr():
        state = zarr.open_array(store, path="state", mode="r+")
    rows = np.array([r for r, _ in changes], dtype=np.int64)
    state.set_orthogonal_selection((rows,), np.array([s for _, s in changes], np.uint8))


def recover(store: Store, manifest: Manifest, members: dict[str, Any]) -> None:
    """Undo what a writer that died mid-commit left, and finish what the root says is done."""
    names = sorted(members)
    current = read_jsons(store, [f"{name}/{ROOT_KEY}" for name in names])
    for name, found in zip(names, current, strict=True):  # array metadata as committed
        if found != members[name]:
            sync(store.set(f"{name}/{ROOT_KEY}", _json_buffer(members[name])))
    intent = bk.read_intent(store)
    if intent is not None:
        if intent["epoch"] == manifest.epoch:
            _drop_uncommitted(store, manifest, intent["buckets"])
        bk.clear_intent(store)
    apply_state(store, manifest)


def _drop_uncommitted(store: Store, manifest: Manifest, bucket_ids: list[int]) -> None:
    """Remove the entries a dead writer added: those whose rows are still empty."""
    buckets = bk.Buckets(store, manifest.epoch, manifest.buckets)
    found = buckets.read(bucket_ids)
    rows = {e.row for entries in found.values() for e in entries}
    with quiet_zarr():
        state = zarr.open_array(store, path="state", mode="r")
    states = row_states(manifest, state, rows)
    buckets.write({b: [e for e in entries if states[e.row] != EMPTY]
                   for b, entries in found.items()})
    log.info("dropped the index entries of an unfinished commit")


def _json_buffer(doc: dict[str, Any]) -> Buffer:
    return Buffer.from_bytes(json.dumps(doc, indent=2).encode())


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Positions ``[first, stop)`` of the runs of consecutive values in ascending ``rows``."""
    runs, first = [], 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i] != rows[i - 1] + 1:
            runs.append((first, i))
            first = i
    return runs


def _with_row(p: _Planned, row: int) -> _Planned:
    return _Planned(p.record, p.rows, p.digest, p.old, row)


def _column(spec: ArraySpec, plan: list[_Planned]) -> npt.NDArray[Any]:
    if spec.per_granule_chunk:
        return np.stack([p.rows[spec.name] for p in plan])
    values = [_meta_value(spec, p.record, p.digest) for p in plan]
    if spec.dtype is str:
        return np.array(values, dtype=object)
    return np.array(values, dtype=spec.dtype)


def _meta_value(spec: ArraySpec, rec: SwathRecord, digest: str) -> Any:
    derived = {"granule_id": rec.granule_id, "n_scans": rec.n_scans, "data_sha256": digest,
               "swathkit_version": __version__}
    if spec.name in derived:
        return derived[spec.name]
    value = rec.meta.get(spec.name, spec.fill)
    if spec.name.endswith("_time"):
        return _micros(value)
    return value


def _micros(value: Any) -> int:
    if value is None or (isinstance(value, str) and not value):
        return int(TIME_FILL)
    t = np.datetime64(str(value).replace("Z", "") if isinstance(value, str) else value, "us")
    return int(t.astype(np.int64))


def _describe(layout: Layout) -> str:
    coords = "with lat/lon" if layout.coords else "without lat/lon"
    return f"channels {','.join(layout.channels)} {coords}, {layout.scan_length} scans"


@contextmanager
def swath_writer(store: str | StoreLocation, layout: Layout,
                 storage_options: dict[str, Any] | None = None) -> Iterator[SwathWriter]:
    """Take the store's writer lock, create the store if needed, and yield its writer.

    Raises:
        StoreLockedError: another writer holds the store.
        StoreError: the store exists with another layout, or in the old schema 1.
    """
    location = as_location(store, storage_options)
    with writer_lock(location) as lock:
        writer = SwathWriter(location, layout, lock)
        yield writer
        writer.settle()
