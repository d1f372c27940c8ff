"""Stores on S3: the root commit and the writer lock as conditional writes.

S3 has no rename and no file locks, but a PUT can be made conditional, and the
check and the store are one atomic step on the server:

- **the writer lock** is an object, ``.swathkit-writer.lock`` (holder and time),
  created with ``If-None-Match: *``: of two writers only one creates it, the
  other gets :class:`~swathkit.errors.StoreLockedError`. A lock older than its
  time-to-live (its writer died) is taken over with ``If-Match: <its ETag>``, so
  of two writers taking over one stale lock only one succeeds. It is released
  with a DELETE ``If-Match`` the ETag its holder wrote: a writer whose lock was
  taken over deletes nothing.
- **the commit**: :class:`S3Store` writes the root ``zarr.json`` with
  ``If-Match: <the ETag this store last read or wrote>`` (``If-None-Match: *``
  when there was none). A writer that lost its lock cannot overwrite the
  commit of the one that took it: its commit fails with ``StoreLockedError``
  and the store keeps the other's root. Every other key is invisible until the
  root names it (:mod:`swathkit.stores.commit`), so nothing else is conditional;
  but a writer checks that its lock is still its own before each commit
  (:meth:`S3Store.check_lock`, one HEAD), so one whose lock was taken over does
  not even write chunks into rows the new holder may be using.

Credentials come from fsspec's ``storage_options`` or, without them, from the
usual AWS chain (environment, ``~/.aws``, instance roles), through botocore; no
message of this module carries them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from zarr.abc.store import ByteRequest
from zarr.core.buffer import Buffer, BufferPrototype
from zarr.storage import FsspecStore

from swathkit.errors import StoreError, StoreLockedError

log = logging.getLogger(__name__)
LOCK_NAME = ".swathkit-writer.lock"
ROOT_KEY = "zarr.json"  # the commit point (swathkit.stores.commit)
_LOST = ("PreconditionFailed", "ConditionalRequestConflict", "412", "409")
Clock = Callable[[], float]


def is_s3(url: str) -> bool:
    return url.startswith(("s3://", "s3a://"))


class ConditionFailed(Exception):
    """A conditional write found the object not as expected (S3 412/409)."""


@dataclass(frozen=True)
class Lock:
    """A held lock object: what was written, and the ETag S3 gave it."""

    holder: str
    etag: str


class S3Store(FsspecStore):
    """An fsspec store on S3 whose root ``zarr.json`` is only ever written conditionally."""

    _root_seen = False
    _root_etag: str | None = None
    held: Lock | None = None  # the writer lock of the writer using this store, if any

    async def get(self, key: str, prototype: BufferPrototype,
                  byte_range: ByteRequest | None = None) -> Buffer | None:
        if key != ROOT_KEY or byte_range is not None:
            return await super().get(key, prototype, byte_range)
        found = await self.get_object(key)
        self._root_seen = True
        self._root_etag = found[1] if found else None
        return prototype.buffer.from_bytes(found[0]) if found else None

    async def set(self, key: str, value: Buffer,
                  byte_range: tuple[int, int] | None = None) -> None:
        if key != ROOT_KEY or byte_range is not None:
            await super().set(key, value, byte_range)
            return
        self._check_writable()
        if not self._root_seen:
            raise StoreError(f"{self._url()}: the root was written before it was read; "
                             "a writer must open the store first")
        try:
            self._root_etag = await self.put_object(key, value.to_bytes(), self._root_etag)
        except ConditionFailed:
            raise StoreLockedError(
                f"{self._url()}: another writer committed since this one opened the store "
                "(its lock was taken over); this batch is not committed, run again") from None

    def _url(self) -> str:
        return f"s3://{self.path}"

    def _split(self, key: str) -> tuple[str, str]:
        bucket, _, prefix = self.path.partition("/")
        return bucket, f"{prefix.rstrip('/')}/{key}" if prefix else key

    async def _client(self) -> Any:
        await self.fs.set_session()
        return await self.fs.get_s3(self._split("")[0])

    async def get_object(self, key: str) -> tuple[bytes, str] | None:
        """An object's bytes and ETag, or None if absent."""
        bucket, name = self._split(key)
        s3 = await self._client()
        try:
            out = await s3.get_object(Bucket=bucket, Key=name)
            async with out["Body"] as body:
                return await body.read(), str(out["ETag"])
        except Exception as exc:
            if _code(exc) in ("NoSuchKey", "404"):
                return None
            raise _store_error(self._url(), key, exc) from None

    async def put_object(self, key: str, data: bytes, match: str | None) -> str:
        """PUT if the object has ETag ``match`` (or, with None, if it is absent); its new ETag.

        Raises:
            ConditionFailed: it has not.
        """
        bucket, name = self._split(key)
        condition = {"IfMatch": match} if match else {"IfNoneMatch": "*"}
        s3 = await self._client()
        try:
            out = await s3.put_object(Bucket=bucket, Key=name, Body=data, **condition)
        except Exception as exc:
            if _code(exc) in _LOST:
                raise ConditionFailed(key) from None
            raise _store_error(self._url(), key, exc) from None
        self.fs.invalidate_cache(f"{bucket}/{name}")
        return str(out["ETag"])

    async def delete_object(self, key: str, match: str) -> bool:
        """DELETE if the object still has ETag ``match``; whether it was deleted."""
        bucket, name = self._split(key)
        s3 = await self._client()
        try:
            await s3.delete_object(Bucket=bucket, Key=name, IfMatch=match)
        except Exception as exc:
            if _code(exc) in (*_LOST, "NoSuchKey", "404"):
                return False
            raise _store_error(self._url(), key, exc) from None
        self.fs.invalidate_cache(f"{bucket}/{name}")
        return True

    async def check_lock(self, key: str) -> None:
        """StoreLockedError unless :attr:`held` is still the lock object on the server."""
        if self.held is None:
            return  # a writer used without its lock (tests of the lock itself)
        bucket, name = self._split(key)
        s3 = await self._client()
        try:
            etag = str((await s3.head_object(Bucket=bucket, Key=name))["ETag"])
        except Exception as exc:
            if _code(exc) not in ("NoSuchKey", "404"):
                raise _store_error(self._url(), key, exc) from None
            etag = ""
        if etag != self.held.etag:
            raise StoreLockedError(f"{self._url()}: this writer's lock was taken over by "
                                   "another writer (it was older than its time-to-live); "
                                   "nothing more is committed, run again")

    async def take_lock(self, key: str, holder: str, *, clock: Clock, ttl: float) -> Lock:
        """Create the lock object, or take over a stale one; StoreLockedError if held."""
        doc = json.dumps({"holder": holder, "time": clock()}).encode()
        for _ in range(3):  # absent → create; present and stale → take over; gone meanwhile → again
            try:
                return Lock(holder, await self.put_object(key, doc, None))
            except ConditionFailed:
                pass
            found = await self.get_object(key)
            if found is None:
                continue
            held_by, taken = _lock_info(found[0])
            age = clock() - taken
            if age < ttl:
                raise StoreLockedError(
                    f"{self._url()}: another writer holds this store ({held_by}); wait for "
                    f"it to finish, or, if it died, its lock expires {ttl - age:.0f} s from now")
            try:
                etag = await self.put_object(key, doc, found[1])
            except ConditionFailed:
                raise StoreLockedError(f"{self._url()}: another writer took over the stale "
                                       "lock at the same time") from None
            log.warning("%s: took over the stale lock of %s (%.0f s old)",
                        self._url(), held_by, age)
            return Lock(holder, etag)
        raise StoreLockedError(f"{self._url()}: the lock keeps changing hands; run again")


def _lock_info(raw: bytes) -> tuple[str, float]:
    try:
        doc = json.loads(raw)
        return str(doc.get("holder", "unknown")), float(doc.get("time", 0.0))
    except (ValueError, TypeError, AttributeError):
        return "unreadable lock", 0.0  # a damaged lock counts as stale


def _code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return ""
    error = response.get("Error", {})
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = str(error.get("Code", "")) if isinstance(error, dict) else ""
    return code if code and not code.isdigit() else str(status or code)


def _store_error(url: str, key: str, exc: BaseException) -> StoreError:
    """One line naming the object and the server's answer (never the request's credentials)."""
    response = getattr(exc, "response", None)
    error = response.get("Error", {}) if isinstance(response, dict) else {}
    what = f"{error.get('Code', '')} {error.get('Message', '')}".strip() or type(exc).__name__
    return StoreError(f"{url}/{key}: S3 refused the request ({what}); check the bucket name, "
                      "the endpoint and the credentials of the AWS chain")
