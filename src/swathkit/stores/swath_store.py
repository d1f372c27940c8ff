"""The swath store: AMSR2 swaths as Zarr v3 arrays (granule × scan × pixel).

Counts are kept as the archive stores them (uint16 with CF ``scale_factor`` and
``_FillValue``), one chunk per granule per variable, the scan axis padded to a
fixed length. Writes are idempotent upserts keyed by granule id and become
visible a batch at a time (:mod:`swathkit.stores.swath_writer`).

What an open costs does not depend on the store's size: the root document holds
the manifest (counters, layout; :mod:`swathkit.stores.manifest`) and the array
metadata, not the index. Finding a granule reads one bucket document
(:mod:`swathkit.stores.buckets`); reading it reads its chunks. Only whole-store
views (:meth:`SwathStore.live_rows`, :attr:`SwathStore.granule_ids`) read the
per-row ``state`` array.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt
import xarray as xr
import zarr
from zarr.abc.store import Store
from zarr.core.array import AsyncArray
from zarr.core.metadata import ArrayV3Metadata
from zarr.core.sync import sync
from zarr.storage import StorePath

from swathkit.errors import StoreError
from swathkit.stores.buckets import Buckets, Entry, resolve
from swathkit.stores.commit import read_root
from swathkit.stores.legacy import LegacyIndex
from swathkit.stores.location import StoreLocation, as_location, quiet_zarr
from swathkit.stores.manifest import LEGACY_SCHEMA, Manifest, live_rows_among, store_info
from swathkit.stores.schema import LIVE, META_SPECS, RETIRED, TIME_FILL, Layout, as_text
from swathkit.stores.swath_writer import SwathWriter, WriteSummary, swath_writer

__all__ = ["SwathStore", "SwathWriter", "WriteSummary", "swath_writer"]

log = logging.getLogger(__name__)
_NOT_ATTRS = ("bbox", "coverage", "state")


class SwathStore:
    """Read access to the committed state of a swath store."""

    def __init__(self, location: StoreLocation, manifest: Manifest, store: Store,
                 members: dict[str, Any], legacy: LegacyIndex | None = None) -> None:
        self.location, self.manifest, self._store = location, manifest, store
        self._members, self.legacy = members, legacy
        self._buckets = Buckets(store, manifest.epoch, manifest.buckets)
        self._arrays: dict[str, zarr.Array[Any]] = {}
        self._found: dict[str, Entry] = {}  # this snapshot's lookups (it never changes)

    @classmethod
    def open(cls, store: str | StoreLocation,
             storage_options: dict[str, Any] | None = None) -> SwathStore:
        """Open a store read-only: one read of its small root document.

        Raises:
            StoreError: there is no swath store at that address.
        """
        location = as_location(store, storage_options)
        zstore = location.zarr_store(read_only=True)
        root = read_root(zstore, location)
        if root is None:
            raise StoreError(f"{location}: no swath store here (no zarr.json); "
                             "create one with `swathkit ingest` or `swathkit collect`")
        try:
            schema, info = store_info(root.get("attributes", {}))
            members = root["consolidated_metadata"]["metadata"]
            if schema == LEGACY_SCHEMA:
                legacy = LegacyIndex.from_info(info)
                return cls(location, legacy.manifest, zstore, members, legacy)
            return cls(location, Manifest.from_info(info), zstore, members)
        except (KeyError, TypeError, ValueError) as exc:
            raise StoreError(f"{location}: root document is damaged ({exc})") from exc
        except StoreError as exc:
            raise StoreError(f"{location}: {exc}") from exc

    @property
    def layout(self) -> Layout:
        return self.manifest.layout

    @property
    def commits(self) -> int:
        return self.manifest.commits

    @property
    def retired(self) -> int:
        """Rows holding a replaced version of a granule (``swathkit compact`` drops them)."""
        return self.manifest.retired

    def __len__(self) -> int:
        return self.manifest.live

    def __contains__(self, granule_id: object) -> bool:
        return isinstance(granule_id, str) and bool(self.lookup([granule_id]))

    def lookup(self, granule_ids: Iterable[str]) -> dict[str, Entry]:
        """The committed entries of those ids that are stored (one bucket read per id)."""
        ids = list(dict.fromkeys(granule_ids))
        if self.legacy is not None:
            granules = self.legacy.granules
            return {g: Entry(g, *granules[g]) for g in ids if g in granules}
        todo = [g for g in ids if g not in self._found]
        if todo and self.manifest.rows:
            self._found |= resolve(self._buckets, todo, lambda rows: live_rows_among(
                self.manifest, self.array("state"), rows))
        return {g: self._found[g] for g in ids if g in self._found}

    def entry(self, granule_id: str) -> Entry:
        found = self.lookup([granule_id])
        if granule_id not in found:
            raise KeyError(f"{granule_id} is not in {self.location}")
        return found[granule_id]

    def row_of(self, granule_id: str) -> int:
        return self.entry(granule_id).row

    def digest_of(self, granule_id: str) -> str:
        """The sha256 of the granule's stored rows, recorded when they were committed."""
        return self.entry(granule_id).digest

    def live_rows(self) -> npt.NDArray[np.int64]:
        """Rows of the live granules, ascending (reads the whole ``state`` array)."""
        if self.legacy is not None:
            return np.array(sorted(r for r, _ in self.legacy.granules.values()), dtype=np.int64)
        if self.manifest.rows == 0:
            return np.zeros(0, np.int64)
        state = np.asarray(self.array("state")[:]).copy()
        state[list(self.manifest.changed_live)] = LIVE
        state[list(self.manifest.changed_retired)] = RETIRED
        return np.flatnonzero(state == LIVE).astype(np.int64)

    @property
    def granule_ids(self) -> list[str]:
        """Committed granule ids in row order (time order once compacted)."""
        rows = self.live_rows()
        if rows.size == 0:
            return []
        ids = np.asarray(self.array("granule_id").get_orthogonal_selection((rows,)))
        return [str(g) for g in as_text(ids)]

    def array(self, name: str) -> zarr.Array[Any]:
        """One array with its committed shape (from the root document, no extra read)."""
        if name not in self._arrays:
            with quiet_zarr():
                meta = ArrayV3Metadata.from_dict(self._members[name])
                self._arrays[name] = zarr.Array(AsyncArray(meta, StorePath(self._store, name)))
        return self._arrays[name]

    def _read(self, selections: dict[str, Any]) -> dict[str, npt.NDArray[Any]]:
        """Read several arrays at once (concurrently, in one trip through zarr's loop)."""
        names = list(selections)

        async def gather() -> list[Any]:
            return await asyncio.gather(
                *(self.array(n)._async_array.getitem(selections[n]) for n in names))

        return {n: np.asarray(v) for n, v in zip(names, sync(gather()), strict=True)}

    def n_scans(self, granule_id: str) -> int:
        return int(self._read({"n_scans": self.row_of(granule_id)})["n_scans"])

    def read_raw(self, granule_id: str) -> dict[str, npt.NDArray[Any]]:
        """The stored (padded, encoded) rows of one granule, as written."""
        row = self.row_of(granule_id)
        return self._read({spec.name: row for spec in self.layout.data_specs()})

    def read_swath(self, granule_id: str, *, decode: bool = True,
                   metadata: bool = True) -> xr.Dataset:
        """One granule as a Dataset.

        Args:
            granule_id: The granule.
            decode: Decode counts to Kelvin with NaN (CF); ``False`` keeps the counts.
            metadata: Attach the granule's metadata as attributes (13 small reads more).
        """
        row = self.row_of(granule_id)
        specs = self.layout.data_specs()
        meta_names = [s.name for s in META_SPECS if s.name not in _NOT_ATTRS]
        meta_names = meta_names if metadata else ["n_scans"]
        values = self._read({name: row for name in [s.name for s in specs] + meta_names})
        n_scans = int(values["n_scans"])
        variables = {spec.name: xr.Variable(spec.dims[1:], values[spec.name][:n_scans],
                                            spec.cf_attrs) for spec in specs}
        attrs = {name: _scalar(name, values[name]) for name in meta_names}
        attrs["granule_id"] = granule_id
        ds = xr.Dataset(variables, attrs=attrs)
        coords = [n for n in variables if n.startswith(("lat_", "lon_")) or n == "scan_time"]
        ds = ds.set_coords(coords)
        return xr.decode_cf(ds) if decode else ds


def _scalar(name: str, value: Any) -> Any:
    item = np.asarray(value).item()
    if name.endswith("_time"):
        return str(np.datetime64(item, "us")) + "Z" if item != TIME_FILL else ""
    return item
