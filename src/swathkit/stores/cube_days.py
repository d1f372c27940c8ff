"""The grid cube's per-day records outside its root (schema 3): small documents, a state array.

A cube's root stays the same size however many days it holds: it carries the
header and only the records its last commit changed (``last``). Every record
lives in the document of its time chunk, ``_days/c{chunk:06d}.json`` (at most
``time_chunk`` records; ``chunk`` counts time chunks from the cube's origin), and
its state in ``day_state`` (time,) uint8, a CF flag variable (0 absent, 1
present, 2 not published, 3 pending) in chunks of :data:`STATE_CHUNK` days, so
listing the days in a state reads a few small chunks, not every document.

Both are brought up to date after the root is written (:func:`apply_days`) and
again by the next writer when it opens the cube, so they lag the root by at most
its ``last``; a reader lays ``last`` over what it reads (:class:`DayTable`) and
never depends on them having caught up. Documents are JSON with sorted keys and
no timestamps, so a cube's bytes depend only on what it holds. Every key is an
ordinary store key (``Store.get`` / ``Store.set``): the layout works unchanged on
any fsspec store, S3 included.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import ItemsView, Iterable, Iterator, Mapping
from datetime import date, timedelta
from typing import Any

import numpy as np
import zarr
from zarr.abc.store import Store
from zarr.core.array import AsyncArray
from zarr.core.buffer import Buffer as BufferLike
from zarr.core.buffer import default_buffer_prototype
from zarr.core.buffer.cpu import Buffer
from zarr.core.metadata import ArrayV3Metadata
from zarr.core.sync import sync
from zarr.storage import StorePath

from swathkit.errors import StoreError
from swathkit.stores.cube_schema import NOT_PUBLISHED, PENDING, PRESENT, DayRecord, DayView
from swathkit.stores.location import quiet_zarr

DAYS_PREFIX = "_days"
DAY_STATE = "day_state"
STATE_CHUNK = 1024  # days per day_state chunk: a commit rewrites one 1 kB chunk
ABSENT = "absent"
STATE_CODES = {ABSENT: 0, PRESENT: 1, NOT_PUBLISHED: 2, PENDING: 3}
STATE_ATTRS: dict[str, Any] = {
    "long_name": "state of the day in the cube's index",
    "flag_values": list(STATE_CODES.values()), "flag_meanings": " ".join(STATE_CODES),
    "comment": "present: the day's variables are stored; not_published: the archive does not "
               "publish it; pending: a stopped writer left it to be checked. May lag the root "
               "by its last commit: swathkit's GridCube applies the root's 'last' records"}
READ_BATCH = 256  # documents read at once (concurrently) by a bulk read


def doc_key(chunk: int) -> str:
    """The key of time chunk ``chunk``'s document."""
    return f"{DAYS_PREFIX}/c{chunk:06d}.json"


def encode_doc(records: Mapping[date, DayRecord]) -> bytes:
    doc = {"days": {d.isoformat(): rec.to_json() for d, rec in sorted(records.items())}}
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


def decode_doc(key: str, raw: bytes) -> dict[date, DayRecord]:
    try:
        doc = json.loads(raw)
        return {date.fromisoformat(k): DayRecord.from_json(v) for k, v in doc["days"].items()}
    except (ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"day document {key} is damaged ({exc}); restore the cube or "
                         "rebuild it") from exc


class DaySource:
    """The documents and ``day_state`` of one cube as first read (cached per document).

    ``state_meta`` is the committed metadata of ``day_state`` (from the root), so
    days beyond the committed time axis stay invisible; None: no day yet.
    """

    def __init__(self, store: Store, origin: date, time_chunk: int,
                 state_meta: dict[str, Any] | None) -> None:
        self._store, self.origin, self.time_chunk = store, origin, time_chunk
        self._meta = state_meta
        self.length = int(state_meta["shape"][0]) if state_meta else 0
        self._docs: dict[int, dict[date, DayRecord]] = {}
        self._codes: np.ndarray | None = None

    def chunk_of(self, day: date) -> int:
        return (day - self.origin).days // self.time_chunk

    def inside(self, day: date) -> bool:
        return 0 <= (day - self.origin).days < self.length

    def records(self, chunks: Iterable[int]) -> dict[int, dict[date, DayRecord]]:
        """The records of those time chunks (read concurrently, once each)."""
        missing = sorted({c for c in chunks if c not in self._docs})
        for first in range(0, len(missing), READ_BATCH):
            batch = missing[first:first + READ_BATCH]
            for chunk, found in zip(batch, _get_all(self._store, [doc_key(c) for c in batch]),
                                    strict=True):
                self._docs[chunk] = ({} if found is None else
                                     decode_doc(doc_key(chunk), found.to_bytes()))
        return {c: self._docs[c] for c in chunks}

    def remember(self, chunk: int, records: dict[date, DayRecord]) -> None:
        """What a document now holds (after this process wrote it)."""
        self._docs[chunk] = records

    def codes(self) -> np.ndarray:
        """``day_state`` over the committed time axis (read once; read-only)."""
        if self._codes is None:
            codes = np.zeros(self.length, np.uint8)
            if self._meta is not None and self.length:
                with quiet_zarr():
                    meta = ArrayV3Metadata.from_dict(self._meta)
                    arr = zarr.Array[Any](AsyncArray(meta, StorePath(self._store, DAY_STATE)))
                    codes = np.asarray(arr[...], dtype=np.uint8)
            codes.flags.writeable = False
            self._codes = codes
        return self._codes


class DayTable(DayView):
    """The records of a schema-3 cube: read on demand from its documents, ``overlay`` on top.

    ``overlay`` holds the root's ``last`` (and, in a writer, every record it
    committed since it opened the cube), which the documents may not hold yet.
    """

    def __init__(self, source: DaySource, overlay: Mapping[date, DayRecord]) -> None:
        super().__init__()
        self._source, self._overlay = source, dict(overlay)

    @property
    def source(self) -> DaySource:
        return self._source

    def __getitem__(self, day: date) -> DayRecord:
        if day in self._overlay:
            return self._overlay[day]
        if not self._source.inside(day):
            raise KeyError(day)
        chunk = self._source.chunk_of(day)
        return self._source.records([chunk])[chunk][day]

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.get(day) is not None

    def __iter__(self) -> Iterator[date]:
        return iter(self._known())

    def __len__(self) -> int:
        return len(self._known())

    def items(self) -> ItemsView[date, DayRecord]:
        """Every record (all documents read, concurrently: the whole-cube jobs' path)."""
        self._source.records({self._source.chunk_of(d) for d in self._known()
                              if d not in self._overlay})
        return super().items()

    def in_state(self, state: str) -> list[date]:
        """Days in ``state``, from ``day_state`` and the overlay (no document read)."""
        codes = self._state_codes()
        code = STATE_CODES[state]
        origin = self._source.origin
        return [origin + timedelta(days=int(i)) for i in np.flatnonzero(codes == code)]

    def updated(self, updates: Mapping[date, DayRecord]) -> DayTable:
        return DayTable(self._source, {**self._overlay, **updates})

    def _known(self) -> list[date]:
        codes = self._state_codes()
        origin = self._source.origin
        return [origin + timedelta(days=int(i)) for i in np.flatnonzero(codes)]

    def _state_codes(self) -> np.ndarray:
        codes = self._source.codes()
        if not self._overlay:
            return codes
        origin = self._source.origin
        positions = {(d - origin).days: STATE_CODES[rec.state] for d, rec in self._overlay.items()}
        out = np.zeros(max(len(codes), max(positions) + 1), np.uint8)
        out[: len(codes)] = codes
        for i, code in positions.items():
            out[i] = code
        return out


def apply_days(store: Store, source: DaySource, changed: Mapping[date, DayRecord]) -> None:
    """Write ``changed`` into the documents and ``day_state`` (idempotent; after the root)."""
    if not changed:
        return
    by_chunk: dict[int, dict[date, DayRecord]] = {}
    for day, rec in changed.items():
        by_chunk.setdefault(source.chunk_of(day), {})[day] = rec
    current = source.records(by_chunk)
    merged = {c: {**current[c], **recs} for c, recs in by_chunk.items()}
    _set_all(store, {doc_key(c): encode_doc(recs) for c, recs in merged.items()})
    for chunk, recs in merged.items():
        source.remember(chunk, recs)
    write_states(store, source.origin, {d: rec.state for d, rec in changed.items()})


def write_states(store: Store, origin: date, states: Mapping[date, str]) -> None:
    """Set the ``day_state`` of those days (the array already covers them)."""
    with quiet_zarr():
        arr = zarr.open_array(store, path=DAY_STATE, mode="r+")
    days = sorted(states)
    idx = np.array([(d - origin).days for d in days], np.int64)
    arr.set_orthogonal_selection((idx,), np.array([STATE_CODES[states[d]] for d in days],
                                                  np.uint8))


def create_day_state(store: Store, length: int) -> None:
    """``day_state`` of ``length`` days, all absent (replacing any a stopped upgrade left)."""
    group = zarr.open_group(store, mode="a", zarr_format=3, use_consolidated=False)
    with quiet_zarr():
        group.create_array(DAY_STATE, shape=(length,), chunks=(STATE_CHUNK,), dtype="uint8",
                           fill_value=0, dimension_names=("time",), attributes=STATE_ATTRS,
                           overwrite=True)


def write_all_docs(store: Store, origin: date, time_chunk: int,
                   records: Mapping[date, DayRecord]) -> None:
    """Every document of a cube at once (the schema-2 upgrade)."""
    by_chunk: dict[int, dict[date, DayRecord]] = {}
    for day, rec in records.items():
        by_chunk.setdefault((day - origin).days // time_chunk, {})[day] = rec
    chunks = sorted(by_chunk)
    for first in range(0, len(chunks), READ_BATCH):
        _set_all(store, {doc_key(c): encode_doc(by_chunk[c])
                         for c in chunks[first:first + READ_BATCH]})


def _get_all(store: Store, keys: list[str]) -> list[BufferLike | None]:
    async def gather() -> list[BufferLike | None]:
        proto = default_buffer_prototype()
        return list(await asyncio.gather(*(store.get(k, prototype=proto) for k in keys)))

    return sync(gather())


def _set_all(store: Store, docs: Mapping[str, bytes]) -> None:
    async def put_all() -> None:
        await asyncio.gather(*(store.set(k, Buffer.from_bytes(v))
                               for k, v in sorted(docs.items())))

    sync(put_all())
