"""Compaction: rewrite a swath store with only its live granules, in time order, atomically.

The new rows go into the same arrays under the *other* chunk-key separator
(``c/0/0/0`` ↔ ``c.0.0.0``, both standard Zarr v3 default encodings), the new
index into a new bucket folder (``_index/e{epoch}``). None of that is visible
until the root ``zarr.json`` is replaced, in one put (never a rename, which S3
has not; there a PUT conditional on the root read under the lock), by one that
names the new shapes, encoding and epoch; then the old chunks and buckets are deleted. A
reader sees the old store or the new one, never a mix; a compaction killed
before the flip leaves the old store, and its debris is cleared by the next
one. Schema-1 stores (index in the root attributes) come out in schema 2.

A reader that opened the store before the flip must reopen it afterwards:
the chunks it would read are gone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import zarr
from zarr.abc.store import Store
from zarr.core.array import AsyncArray
from zarr.core.buffer import default_buffer_prototype
from zarr.core.metadata import ArrayV3Metadata
from zarr.core.sync import sync
from zarr.storage import MemoryStore, StorePath

from swathkit.stores import buckets as bk
from swathkit.stores.commit import ROOT_KEY, check_writer, read_root, write_root
from swathkit.stores.location import StoreLocation, as_location, quiet_zarr, writer_lock
from swathkit.stores.manifest import BUCKET_LOAD, DEFAULT_BUCKETS, Manifest, separator
from swathkit.stores.schema import LIVE, META_CHUNK, ArraySpec, Layout
from swathkit.stores.swath_store import SwathStore
from swathkit.stores.swath_writer import create_arrays, recover
from swathkit.types import Progress

log = logging.getLogger(__name__)
_COPY_STEP = 64  # data chunks copied concurrently


@dataclass(frozen=True)
class CompactResult:
    """What a compaction did: rows before and after, and what it dropped."""

    rows_before: int
    live: int
    retired_dropped: int
    empty_dropped: int
    schema_before: int
    bytes_copied: int


def compact_store(store: str | StoreLocation, *, storage_options: dict[str, Any] | None = None,
                  progress: Progress | None = None) -> CompactResult:
    """Rewrite a store without retired or empty rows, granules in start-time order.

    Holds the writer lock for the whole rewrite; readers keep reading the old
    store until the single commit.

    Raises:
        StoreLockedError: a writer holds the store.
        StoreError: there is no swath store there.
    """
    location = as_location(store, storage_options)
    SwathStore.open(location)  # no store there: say so before the lock makes a folder
    with writer_lock(location) as lock, quiet_zarr():
        zstore = location.zarr_store(read_only=False, lock=lock)
        old = _settled(location, zstore)
        read_root(zstore, location)  # on S3 the flip is conditional on the root read here
        entries = _live_entries(old)
        order = _time_order(old, entries)
        new = Manifest(old.layout, rows=len(order), next_row=len(order), live=len(order),
                       generation=old.manifest.generation + 1, commits=old.manifest.commits,
                       epoch=old.manifest.epoch + 1, buckets=_bucket_count(len(order)))
        _clear_epoch(zstore, old.layout, new.epoch)
        copied = _write_rows(old, zstore, new, order, progress)
        _write_buckets(zstore, new, order)
        check_writer(zstore)
        write_root(zstore, new.to_attrs(), [s.name for s in old.layout.specs()])  # the flip
        log.info("compacted %s: %d rows → %d", location, old.manifest.rows, len(order))
        _clear_epoch(zstore, old.layout, old.manifest.epoch)
        schema = 1 if old.legacy is not None else 2
        return CompactResult(old.manifest.rows, len(order), old.manifest.retired,
                             old.manifest.rows - old.manifest.retired - len(order), schema,
                             copied)


def _settled(location: StoreLocation, zstore: Store) -> SwathStore:
    """The store as committed, after finishing or undoing what a dead writer left."""
    old = SwathStore.open(location)
    if old.legacy is None:
        recover(zstore, old.manifest, old._members)
    return SwathStore.open(location)


def _live_entries(sw: SwathStore) -> list[bk.Entry]:
    if sw.legacy is not None:
        return sw.legacy.entries()
    every = bk.Buckets(sw._store, sw.manifest.epoch, sw.manifest.buckets).all_entries()
    live = set(sw.live_rows().tolist())
    return sorted(e for e in every if e.row in live)


def _time_order(sw: SwathStore, entries: list[bk.Entry]) -> list[bk.Entry]:
    if not entries:
        return []
    rows = np.array([e.row for e in entries], dtype=np.int64)
    starts = np.asarray(sw.array("start_time").get_orthogonal_selection((rows,)))
    keys = sorted(zip(starts.tolist(), (e.granule_id for e in entries), range(len(entries)),
                      strict=True))
    return [entries[i] for _, _, i in keys]


def _bucket_count(live: int) -> int:
    count = DEFAULT_BUCKETS
    while count * BUCKET_LOAD < live:
        count *= 2
    return count


def _new_metadata(layout: Layout, epoch: int, rows: int) -> dict[str, ArrayV3Metadata]:
    """The arrays' metadata for the new epoch, made as a new store would make them."""
    scratch = MemoryStore()
    create_arrays(scratch, layout, epoch)
    out = {}
    for spec in layout.specs():
        with quiet_zarr():
            meta = zarr.open_array(scratch, path=spec.name, mode="r").metadata
        assert isinstance(meta, ArrayV3Metadata)
        out[spec.name] = meta.update_shape((rows, *layout.row_shape(spec)))
    return out


def _write_rows(sw: SwathStore, zstore: Store, new: Manifest, order: list[bk.Entry],
                progress: Progress | None) -> int:
    """Every array's rows in the new order, under the new chunk keys; return bytes copied."""
    metas = _new_metadata(sw.layout, new.epoch, len(order))
    rows = np.array([e.row for e in order], dtype=np.int64)
    copied = 0
    for spec in sw.layout.specs():
        target = zarr.Array(AsyncArray(metas[spec.name], StorePath(zstore, spec.name)))
        if spec.per_granule_chunk:
            copied += _copy_chunks(sw, zstore, spec, target, rows)
        else:
            _copy_meta(sw, spec, target, rows)
        if progress:
            progress(sw.layout.specs().index(spec) + 1, len(sw.layout.specs()), spec.name)
    for name, meta in metas.items():  # array documents last: readers use the root's copy
        buffers = meta.to_buffer_dict(default_buffer_prototype())
        sync(zstore.set(f"{name}/{ROOT_KEY}", buffers[ROOT_KEY]))
    return copied


def _copy_chunks(sw: SwathStore, zstore: Store, spec: ArraySpec, target: zarr.Array[Any],
                 rows: npt.NDArray[np.int64]) -> int:
    """One chunk per row, copied as stored bytes (same codecs: nothing to re-encode)."""
    source = sw.array(spec.name).metadata
    assert isinstance(source, ArrayV3Metadata)
    tail = (0,) * (len(spec.dims) - 1)
    pairs = [(f"{spec.name}/{source.encode_chunk_key((int(r), *tail))}",
              f"{spec.name}/{target.metadata.encode_chunk_key((i, *tail))}")
             for i, r in enumerate(rows)]
    total = 0
    for first in range(0, len(pairs), _COPY_STEP):
        total += sync(_copy_some(zstore, pairs[first:first + _COPY_STEP]))
    return total


async def _copy_some(zstore: Store, pairs: list[tuple[str, str]]) -> int:
    proto = default_buffer_prototype()
    values = await asyncio.gather(*(zstore.get(src, prototype=proto) for src, _ in pairs))
    # a chunk all fill value is not stored (zarr's default); then the copy stores none either
    await asyncio.gather(*(zstore.set(dst, buf) for (_, dst), buf in zip(pairs, values,
                                                                          strict=True)
                           if buf is not None))
    return sum(len(buf) for buf in values if buf is not None)


def _copy_meta(sw: SwathStore, spec: ArraySpec, target: zarr.Array[Any],
               rows: npt.NDArray[np.int64]) -> None:
    for first in range(0, len(rows), META_CHUNK):
        part = rows[first:first + META_CHUNK]
        if spec.name == "state":
            values: Any = np.full(len(part), LIVE, np.uint8)
        elif spec.name not in sw._members:  # a schema-1 store has no such array
            continue
        else:
            values = sw.array(spec.name).get_orthogonal_selection((part,))
        target[first:first + len(part)] = values


def _write_buckets(zstore: Store, new: Manifest, order: list[bk.Entry]) -> None:
    buckets = bk.Buckets(zstore, new.epoch, new.buckets)
    contents: dict[int, list[bk.Entry]] = {}
    for i, e in enumerate(order):
        entry = bk.Entry(e.granule_id, i, e.digest)
        contents.setdefault(buckets.of(e.granule_id), []).append(entry)
    buckets.write(contents)


def _clear_epoch(zstore: Store, layout: Layout, epoch: int) -> None:
    """Delete the chunks and buckets of one epoch (debris before, garbage after a flip)."""
    for spec in layout.specs():
        if separator(epoch) == "/":
            sync(zstore.delete_dir(f"{spec.name}/c"))
        else:
            names = sync(_listed(zstore.list_dir(spec.name)))
            sync(_delete(zstore, [f"{spec.name}/{n}" for n in names if n.startswith("c.")]))
    sync(zstore.delete_dir(f"{bk.INDEX_PREFIX}/e{epoch}"))


async def _listed(keys: Any) -> list[str]:
    return sorted([k async for k in keys])


async def _delete(zstore: Store, keys: Iterable[str]) -> None:
    await asyncio.gather(*(zstore.delete(k) for k in keys))
