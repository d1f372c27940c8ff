"""The granule index of a schema-2 swath store: ids hashed into small bucket documents.

``granule_id → (row, data sha256)`` is found by reading one document,
``_index/e{epoch}/b{bucket}.json``, whatever the store's size: a bucket holds
about ``granules / buckets`` entries (compaction re-sizes the bucket count).
Entries are only ever added (a replaced granule keeps its old entry, whose row
is then retired); the entry of a granule is the one whose row the ``state``
array (with the manifest's last changes) calls live. An entry written by a
writer that died before its root was replaced points at a row that is still
empty, so it changes nothing; the next writer removes such entries, in the
buckets named by the intent document the dead writer left
(``_index/intent.json``), before it writes. Entries hold no commit number, so
a bucket's bytes depend only on what it indexes, not on how batches fell.

Every key is an ordinary store key (``Store.get`` / ``Store.set``), so the layout
works unchanged on any fsspec store.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass
from typing import Any

from zarr.abc.store import Store
from zarr.core.buffer import Buffer as BufferLike
from zarr.core.buffer import default_buffer_prototype
from zarr.core.buffer.cpu import Buffer
from zarr.core.sync import sync

from swathkit.errors import StoreError

INDEX_PREFIX = "_index"
INTENT_KEY = f"{INDEX_PREFIX}/intent.json"


@dataclass(frozen=True, order=True)
class Entry:
    """One version of one granule: where its rows are and their sha256."""

    granule_id: str
    row: int
    digest: str


def bucket_of(granule_id: str, buckets: int) -> int:
    """The bucket of an id: a stable hash (not Python's salted ``hash``)."""
    digest = hashlib.blake2b(granule_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % buckets


def live_entry(entries: Iterable[Entry], granule_id: str,
               live_rows: Container[int]) -> Entry | None:
    """The committed version of ``granule_id``: its entry whose row is live."""
    found = [e for e in entries if e.granule_id == granule_id and e.row in live_rows]
    return max(found, key=lambda e: e.row) if found else None


def resolve(buckets: Buckets, granule_ids: list[str],
            live_of: Callable[[set[int]], set[int]]) -> dict[str, Entry]:
    """The live entry of each stored id: one bucket read each, then one ``live_of`` call."""
    found = buckets.read(buckets.of(g) for g in granule_ids)
    wanted = set(granule_ids)
    candidates = [e for entries in found.values() for e in entries if e.granule_id in wanted]
    live = live_of({e.row for e in candidates}) if candidates else set()
    out: dict[str, Entry] = {}
    for e in candidates:
        if e.row in live and (e.granule_id not in out or e.row > out[e.granule_id].row):
            out[e.granule_id] = e
    return out


class Buckets:
    """The bucket documents of one epoch."""

    def __init__(self, store: Store, epoch: int, buckets: int) -> None:
        self._store, self.epoch, self.count = store, epoch, buckets

    def key(self, bucket: int) -> str:
        return f"{INDEX_PREFIX}/e{self.epoch}/b{bucket:05d}.json"

    def of(self, granule_id: str) -> int:
        return bucket_of(granule_id, self.count)

    def read(self, bucket_ids: Iterable[int]) -> dict[int, list[Entry]]:
        """Several buckets, read concurrently (an absent bucket is empty)."""
        wanted = sorted(set(bucket_ids))

        async def gather() -> list[BufferLike | None]:
            proto = default_buffer_prototype()
            return list(await asyncio.gather(
                *(self._store.get(self.key(b), prototype=proto) for b in wanted)))

        return {b: _decode(self.key(b), buf) for b, buf in zip(wanted, sync(gather()),
                                                                 strict=True)}

    def write(self, contents: dict[int, list[Entry]]) -> None:
        """Replace buckets (each one atomic put), entries sorted so the bytes are stable."""
        async def put_all() -> None:
            await asyncio.gather(*(self._store.set(self.key(b), _encode(entries))
                                   for b, entries in sorted(contents.items())))

        sync(put_all())

    def all_entries(self) -> list[Entry]:
        """Every entry of every bucket (compaction and migration only: O(store)).

        Only the buckets the store lists are read: on object storage a GET of each
        of thousands of absent buckets would cost more than the rest of a compaction.
        """
        out: list[Entry] = []
        stored = self._stored()
        step = 256
        for first in range(0, len(stored), step):
            for entries in self.read(stored[first:first + step]).values():
                out += entries
        return out

    def _stored(self) -> list[int]:
        """The buckets that exist (one listing of the epoch's folder)."""
        async def names() -> list[str]:
            return [n async for n in self._store.list_dir(f"{INDEX_PREFIX}/e{self.epoch}")]

        found = []
        for name in sync(names()):
            if name.startswith("b") and name.endswith(".json") and name[1:-5].isdigit():
                found.append(int(name[1:-5]))
        return sorted(b for b in found if b < self.count)


def _encode(entries: list[Entry]) -> Buffer:
    rows = [[e.granule_id, e.row, e.digest] for e in sorted(entries)]
    return Buffer.from_bytes(json.dumps({"entries": rows}, separators=(",", ":")).encode())


def _decode(key: str, buf: BufferLike | None) -> list[Entry]:
    if buf is None:
        return []
    try:
        doc = json.loads(buf.to_bytes())
        return [Entry(str(g), int(r), str(d)) for g, r, d in doc["entries"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"index document {key} is damaged ({exc}); "
                         "restore the store or rebuild it") from exc


def read_intent(store: Store) -> dict[str, Any] | None:
    """What a writer said it was about to change (present only while a commit is in flight)."""
    buf = sync(store.get(INTENT_KEY, prototype=default_buffer_prototype()))
    if buf is None:
        return None
    try:
        doc = json.loads(buf.to_bytes())
        return {"epoch": int(doc["epoch"]), "buckets": [int(b) for b in doc["buckets"]]}
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{INTENT_KEY} is damaged ({exc})") from exc


def write_intent(store: Store, *, epoch: int, buckets: Iterable[int]) -> None:
    doc = {"epoch": epoch, "buckets": sorted(set(buckets))}
    sync(store.set(INTENT_KEY, Buffer.from_bytes(json.dumps(doc).encode())))


def clear_intent(store: Store) -> None:
    sync(store.delete(INTENT_KEY))
