"""The commit point of a store: its root ``zarr.json``, written in one atomic put.

The root holds the store's state in its attributes (for a swath store a
constant-size manifest, :mod:`swathkit.stores.manifest`; for the grid cube its
day index) and the metadata of every array inline (``consolidated_metadata``).
Readers take array shapes from there, so chunks a writer puts beyond the
committed shapes stay invisible until the root is replaced; a writer that dies
before that leaves the store as it was.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from zarr.abc.store import Store
from zarr.core.buffer import default_buffer_prototype
from zarr.core.buffer.cpu import Buffer
from zarr.core.sync import sync

from swathkit.errors import StoreError
from swathkit.stores.objectstore import LOCK_NAME, S3Store
from swathkit.stores.objectstore import ROOT_KEY as ROOT_KEY  # its home for the stores


def read_json(store: Store, key: str) -> dict[str, Any] | None:
    """A JSON document of the store, or None if absent."""
    buf = sync(store.get(key, prototype=default_buffer_prototype()))
    return None if buf is None else _decode(key, buf.to_bytes())


def read_jsons(store: Store, keys: list[str]) -> list[dict[str, Any] | None]:
    """Several JSON documents, read concurrently (None for an absent one)."""
    async def read_all() -> list[Any]:
        proto = default_buffer_prototype()
        return list(await asyncio.gather(*(store.get(k, prototype=proto) for k in keys)))

    return [None if buf is None else _decode(k, buf.to_bytes())
            for k, buf in zip(keys, sync(read_all()), strict=True)]


def _decode(key: str, raw: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise StoreError(f"{key} is not valid JSON ({exc})") from exc
    if not isinstance(doc, dict):
        raise StoreError(f"{key} is not a JSON object")
    return doc


def write_root(store: Store, attributes: dict[str, Any], arrays: list[str]) -> None:
    """Replace the root group document: attributes plus every array's current metadata.

    The arrays' documents are read concurrently (on object storage each read is a
    round trip; one after another they would cost more than the commit itself).
    """
    members = {}
    for name, meta in zip(arrays, read_jsons(store, [f"{n}/{ROOT_KEY}" for n in arrays]),
                          strict=True):
        if meta is None:
            raise StoreError(f"array {name!r} has no metadata; the store is damaged")
        members[name] = meta
    root = {
        "zarr_format": 3,
        "node_type": "group",
        "attributes": attributes,
        "consolidated_metadata": {"kind": "inline", "must_understand": False,
                                  "metadata": members},
    }
    payload = json.dumps(root, indent=1, sort_keys=True, allow_nan=True).encode()
    sync(store.set(ROOT_KEY, Buffer.from_bytes(payload)))


def read_root(store: Store, location: object) -> dict[str, Any] | None:
    """The root document, or None when there is no store (or no folder) at ``location``."""
    try:
        return read_json(store, ROOT_KEY)
    except FileNotFoundError:
        return None
    except StoreError as exc:
        raise StoreError(f"{location}: root document is damaged ({exc})") from exc


def check_writer(store: Store) -> None:
    """Before a commit: StoreLockedError if this writer's lock was taken over (S3 only;
    a local lock cannot be taken from a live writer)."""
    if isinstance(store, S3Store):
        sync(store.check_lock(LOCK_NAME))
