"""Where a store lives: a local directory or any fsspec URL, and its writer lock.

Local files that belong with a store (the job ledger, always SQLite on local
disk) sit next to a local store; for a remote store they go in the current
directory, named after the store's last path part and a short hash of its URL
(:meth:`StoreLocation.companion`), so two stores of one name in different
buckets never share a ledger.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import socket
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fsspec
import zarr.storage
from zarr.abc.store import Store
from zarr.core.sync import sync

from swathkit.errors import StoreError, StoreLockedError
from swathkit.stores.objectstore import LOCK_NAME, Clock, Lock, S3Store, is_s3

log = logging.getLogger(__name__)
REMOTE_LOCK_TTL_S = 3600.0


@dataclass(frozen=True)
class StoreLocation:
    """A normalised store address: a local path or a URL with fsspec options."""

    url: str
    storage_options: dict[str, Any] | None = field(default=None, repr=False)  # may hold keys

    @property
    def is_local(self) -> bool:
        return "://" not in self.url or self.url.startswith("file://")

    @property
    def local_path(self) -> Path:
        return Path(self.url.removeprefix("file://")).expanduser()

    def zarr_store(self, *, read_only: bool, lock: Lock | None = None) -> Store:
        """A zarr v3 store for this location (on S3, checking ``lock`` before commits)."""
        if self.is_local:
            return zarr.storage.LocalStore(self.local_path, read_only=read_only)
        if is_s3(self.url):  # listings never cached: another process may have written
            options = {"use_listings_cache": False, **(self.storage_options or {})}
            store = S3Store.from_url(self.url, storage_options=options, read_only=read_only)
            assert isinstance(store, S3Store)
            store.held = lock
            return store
        return zarr.storage.FsspecStore.from_url(
            self.url, storage_options=self.storage_options, read_only=read_only)

    def filesystem(self) -> tuple[fsspec.AbstractFileSystem, str]:
        fs, path = fsspec.core.url_to_fs(self.url, **(self.storage_options or {}))
        return fs, path

    def sibling(self, suffix: str) -> Path:
        """A local file next to a local store (ledgers, quicklooks).

        Raises:
            StoreError: the store is remote (use :meth:`companion`).
        """
        if not self.is_local:
            raise StoreError(f"{self.url} is remote: it has no local folder to put "
                             f"{suffix!r} next to")
        return self.local_path.with_name(self.local_path.name + suffix)

    def companion(self, suffix: str) -> Path:
        """The local file that goes with this store: next to it, or, for a remote store,
        ``./<name>-<8 hex of the URL's hash><suffix>`` in the current directory."""
        if self.is_local:
            return self.sibling(suffix)
        name = self.url.rstrip("/").rsplit("/", 1)[-1] or "store"
        tag = hashlib.blake2b(self.url.rstrip("/").encode(), digest_size=4).hexdigest()
        return Path.cwd() / f"{name}-{tag}{suffix}"

    def __str__(self) -> str:
        return self.url


def as_location(store: str | os.PathLike[str] | StoreLocation,
                storage_options: dict[str, Any] | None = None) -> StoreLocation:
    """Normalise a path, URL or StoreLocation once at the boundary."""
    if isinstance(store, StoreLocation):
        return store
    return StoreLocation(os.fspath(store), storage_options)


@contextmanager
def writer_lock(location: StoreLocation, *,
                clock: Clock = time.time) -> Iterator[Lock | None]:
    """Hold the single-writer lock of a store, or raise StoreLockedError at once.

    Yields the S3 lock object's identity (give it to :meth:`StoreLocation.zarr_store`
    so the writer checks it before each commit), None for other stores.

    Local stores use ``flock`` (released by the kernel if the writer dies). S3
    stores use a lock object created by a conditional PUT, really exclusive, taken
    over once older than :data:`REMOTE_LOCK_TTL_S` by ``clock``
    (:mod:`swathkit.stores.objectstore`). Other fsspec stores use a lock object
    written and read back: enough against a writer started later, not against
    two that start at the same instant.
    """
    if location.is_local:
        with _local_lock(location.local_path):
            yield None
    elif is_s3(location.url):
        with _s3_lock(location, clock) as lock:
            yield lock
    else:
        with _remote_lock(location):
            yield None


@contextmanager
def _s3_lock(location: StoreLocation, clock: Clock) -> Iterator[Lock]:
    store = location.zarr_store(read_only=False)
    assert isinstance(store, S3Store)
    lock = sync(store.take_lock(LOCK_NAME, _holder(), clock=clock, ttl=REMOTE_LOCK_TTL_S))
    try:
        yield lock
    finally:
        if not sync(store.delete_object(LOCK_NAME, lock.etag)):
            log.warning("%s: the writer lock was taken over while held; left to its "
                        "new holder", location)


@contextmanager
def _local_lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    path = root / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = path.read_text(errors="replace").strip() or "unknown process"
            raise StoreLockedError(
                f"{root}: another writer holds this store ({holder}); wait for it to finish "
                "or stop it, then run again") from None
        os.ftruncate(fd, 0)
        os.write(fd, _holder().encode())
        yield
    finally:
        os.close(fd)


@contextmanager
def _remote_lock(location: StoreLocation) -> Iterator[None]:
    fs, root = location.filesystem()
    key = f"{root.rstrip('/')}/{LOCK_NAME}"
    if fs.exists(key):
        info = json.loads(fs.cat_file(key))
        if time.time() - float(info.get("time", 0)) < REMOTE_LOCK_TTL_S:
            raise StoreLockedError(
                f"{location}: another writer holds this store ({info.get('holder')}); "
                f"its lock expires {REMOTE_LOCK_TTL_S:.0f} s after it was taken")
    token = _holder()
    fs.pipe_file(key, json.dumps({"holder": token, "time": time.time()}).encode())
    if json.loads(fs.cat_file(key)).get("holder") != token:
        raise StoreLockedError(f"{location}: another writer took the lock at the same time")
    try:
        yield
    finally:
        try:
            fs.rm_file(key)
        except FileNotFoundError as exc:
            raise StoreError(f"{location}: writer lock vanished while held") from exc


@contextmanager
def quiet_zarr() -> Iterator[None]:
    """Silence zarr's notices about consolidated metadata and numcodecs codecs in v3.

    Both are choices made on purpose (see :mod:`swathkit.stores.commit` and
    :func:`swathkit.stores.schema.data_codecs`), so users need not see them on every open.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Consolidated metadata is currently not part")
        warnings.filterwarnings("ignore", message="Numcodecs codecs are not in the Zarr")
        yield


def _holder() -> str:
    return f"pid {os.getpid()} on {socket.gethostname()} since {time.strftime('%Y-%m-%dT%H:%M:%S')}"
