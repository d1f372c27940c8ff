"""A store location whose zarr store logs every key read and written, with its bytes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zarr.abc.store import Store
from zarr.storage import WrapperStore

from swathkit.stores.location import StoreLocation


class CountingStore(WrapperStore[Store]):
    def __init__(self, store: Store, log: list[tuple[str, str, int]]) -> None:
        super().__init__(store)
        self.log = log

    def _with_store(self, store: Store) -> CountingStore:
        return CountingStore(store, self.log)

    async def get(self, key: str, prototype: Any, byte_range: Any = None) -> Any:
        buf = await self._store.get(key, prototype, byte_range)
        self.log.append(("get", key, len(buf) if buf is not None else 0))
        return buf

    async def set(self, key: str, value: Any) -> None:
        self.log.append(("set", key, len(value)))
        await self._store.set(key, value)


@dataclass(frozen=True)
class CountingLocation(StoreLocation):
    log: list[tuple[str, str, int]] = field(default_factory=list, compare=False, hash=False)

    def zarr_store(self, *, read_only: bool, lock: Any = None) -> Store:
        return CountingStore(super().zarr_store(read_only=read_only, lock=lock), self.log)

    def taken(self) -> list[tuple[str, str, int]]:
        """The log so far, emptied."""
        out = list(self.log)
        self.log.clear()
        return out


def is_chunk(key: str) -> bool:
    return "/c/" in key or "/c." in key or key.endswith("/c")
