"""The swath store: AMSR2 swaths as Zarr v3 arrays (granule × scan × pixel).

Counts are kept as the archive stores them (uint16 with CF ``scale_factor`` and
``_FillValue``), one chunk per granule per variable, the scan axis padded to a
fixed length. Writes are idempotent upserts keyed by granule id and become
visible a batch at a time (see :mod:`swathkit.stores.commit`). A granule whose
content changed is written to a new row and its old row is retired from the
index, so committed chunks are never overwritten.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr
import zarr
from zarr.abc.store import Store
from zarr.core.array import AsyncArray
from zarr.core.metadata import ArrayV3Metadata
from zarr.core.sync import sync
from zarr.storage import StorePath

from swathkit._version import __version__
from swathkit.errors import StoreError
from swathkit.stores.commit import read_json, write_root
from swathkit.stores.location import StoreLocation, as_location, quiet_zarr, writer_lock
from swathkit.stores.records import SwathRecord, rows_digest
from swathkit.stores.schema import (
    META_CHUNK,
    META_SPECS,
    SCHEMA,
    TIME_FILL,
    ArraySpec,
    Layout,
    data_codecs,
)

log = logging.getLogger(__name__)
KIND = "amsr2-l1b-swaths"


@dataclass(frozen=True)
class WriteSummary:
    """What one committed batch did."""

    added: tuple[str, ...]
    replaced: tuple[str, ...]
    unchanged: tuple[str, ...]


@dataclass
class Index:
    """The committed state kept in the root attributes."""

    layout: Layout
    rows: int
    granules: dict[str, list[Any]]  # granule id -> [row, data sha256]
    retired: list[int]
    commits: int

    @classmethod
    def from_attrs(cls, attrs: dict[str, Any]) -> Index:
        info = attrs.get("swathkit")
        if not isinstance(info, dict) or info.get("kind") != KIND:
            raise StoreError("not a swathkit swath store (no 'swathkit' root attribute)")
        if info.get("schema") != SCHEMA:
            raise StoreError(f"store schema {info.get('schema')} is not {SCHEMA}; "
                             "upgrade swathkit or use a new store")
        return cls(Layout.from_json(info["layout"]), int(info["rows"]),
                   dict(info["granules"]), list(info["retired"]), int(info["commits"]))

    def to_attrs(self) -> dict[str, Any]:
        return {"swathkit": {
            "kind": KIND, "schema": SCHEMA, "layout": self.layout.to_json(),
            "rows": self.rows, "granules": self.granules, "retired": self.retired,
            "commits": self.commits,
        }}

    def live_rows(self) -> np.ndarray:
        return np.array(sorted(row for row, _ in self.granules.values()), dtype=np.int64)


def _load_index(store: Store, location: StoreLocation) -> Index | None:
    root = read_json(store, "zarr.json")
    if root is None:
        return None
    try:
        return Index.from_attrs(root.get("attributes", {}))
    except (KeyError, TypeError, ValueError) as exc:
        raise StoreError(f"{location}: root attributes are damaged ({exc})") from exc


class SwathStore:
    """Read access to the committed state of a swath store."""

    def __init__(self, location: StoreLocation, index: Index, store: Store,
                 members: dict[str, Any]) -> None:
        self.location, self.index, self._store, self._members = location, index, store, members
        self._arrays: dict[str, zarr.Array[Any]] = {}

    @classmethod
    def open(cls, store: str | StoreLocation,
             storage_options: dict[str, Any] | None = None) -> SwathStore:
        """Open a store read-only: one read of its root document, arrays built on demand.

        Raises:
            StoreError: there is no swath store at that address.
        """
        location = as_location(store, storage_options)
        try:
            zstore = location.zarr_store(read_only=True)
            root = read_json(zstore, "zarr.json")
        except FileNotFoundError:
            root = None
        if root is None:
            raise StoreError(f"{location}: no swath store here (no zarr.json); "
                             "create one with `swathkit ingest` or `swathkit collect`")
        try:
            index = Index.from_attrs(root.get("attributes", {}))
            members = root["consolidated_metadata"]["metadata"]
        except (KeyError, TypeError, ValueError) as exc:
            raise StoreError(f"{location}: root document is damaged ({exc})") from exc
        return cls(location, index, zstore, members)

    @property
    def layout(self) -> Layout:
        return self.index.layout

    @property
    def granule_ids(self) -> list[str]:
        """Committed granule ids in row order."""
        return [g for g, _ in sorted(self.index.granules.items(), key=lambda kv: kv[1][0])]

    def __len__(self) -> int:
        return len(self.index.granules)

    def __contains__(self, granule_id: object) -> bool:
        return granule_id in self.index.granules

    def array(self, name: str) -> zarr.Array[Any]:
        """One array with its committed shape (from the root document, no extra read)."""
        if name not in self._arrays:
            with quiet_zarr():
                meta = ArrayV3Metadata.from_dict(self._members[name])
                self._arrays[name] = zarr.Array[Any](AsyncArray(meta, StorePath(self._store, name)))
        return self._arrays[name]

    def row_of(self, granule_id: str) -> int:
        try:
            return int(self.index.granules[granule_id][0])
        except KeyError:
            raise KeyError(f"{granule_id} is not in {self.location}") from None

    def _read(self, selections: dict[str, Any]) -> dict[str, np.ndarray]:
        """Read several arrays at once (concurrently, in one trip through zarr's loop)."""
        names = list(selections)

        async def gather() -> list[Any]:
            return await asyncio.gather(
                *(self.array(n)._async_array.getitem(selections[n]) for n in names))

        return {n: np.asarray(v) for n, v in zip(names, sync(gather()), strict=True)}

    def n_scans(self, granule_id: str) -> int:
        return int(self._read({"n_scans": self.row_of(granule_id)})["n_scans"])

    def read_raw(self, granule_id: str) -> dict[str, np.ndarray]:
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
        meta_names = [s.name for s in META_SPECS if s.name not in ("bbox", "coverage")]
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


class SwathWriter:
    """The single writer of a store; use :func:`swath_writer` to get one."""

    def __init__(self, location: StoreLocation, layout: Layout) -> None:
        self.location, self.layout = location, layout
        self._store = location.zarr_store(read_only=False)
        index = _load_index(self._store, location)
        if index is None:
            index = self._create()
        elif dataclasses.replace(layout, scan_flags=index.layout.scan_flags) == index.layout:
            self.layout = index.layout  # a store made before scan flags keeps its layout
        elif index.layout != layout:
            raise StoreError(
                f"{location} keeps {_describe(index.layout)}; this job asks for "
                f"{_describe(layout)}. Use another store, or the same options")
        self.index = index

    def _create(self) -> Index:
        group = zarr.open_group(self._store, mode="a", zarr_format=3)  # "w" would drop the lock
        for spec in self.layout.specs():
            with quiet_zarr():
                self._create_array(group, spec)
        index = Index(self.layout, 0, {}, [], 0)
        write_root(self._store, index.to_attrs(), self._names())
        log.info("created swath store %s", self.location)
        return index

    def _create_array(self, group: zarr.Group, spec: ArraySpec) -> None:
        row = self.layout.row_shape(spec)
        chunks = (1, *row) if spec.per_granule_chunk else (META_CHUNK, *row)
        codecs = data_codecs() if spec.per_granule_chunk else {}
        group.create_array(spec.name, shape=(0, *row), chunks=chunks, dtype=spec.dtype,
                           fill_value=spec.fill, dimension_names=spec.dims,
                           attributes=spec.cf_attrs, **codecs)

    def _names(self) -> list[str]:
        return [spec.name for spec in self.layout.specs()]

    def write(self, records: list[SwathRecord]) -> WriteSummary:
        """Upsert a batch of granules and commit them together."""
        latest = {rec.granule_id: rec for rec in records}  # last one wins within a batch
        plan, unchanged, replaced = [], [], []
        for gid, rec in latest.items():
            rows = rec.rows(self.layout)
            digest = rows_digest(rows)
            old = self.index.granules.get(gid)
            if old is not None and old[1] == digest:
                unchanged.append(gid)
                continue
            if old is not None:
                replaced.append(gid)
            plan.append((rec, rows, digest))
        if plan:
            self._commit(plan)
        added = tuple(rec.granule_id for rec, _, _ in plan if rec.granule_id not in replaced)
        return WriteSummary(added, tuple(replaced), tuple(unchanged))

    def _commit(self, plan: list[tuple[SwathRecord, dict[str, np.ndarray], str]]) -> None:
        start, stop = self.index.rows, self.index.rows + len(plan)
        for spec in self.layout.specs():
            with quiet_zarr():
                array = zarr.open_array(self._store, path=spec.name, mode="r+")
            array.resize((stop, *self.layout.row_shape(spec)))
            array[start:stop] = self._column(spec, plan)
        index = Index(self.layout, stop, dict(self.index.granules), list(self.index.retired),
                      self.index.commits + 1)
        for offset, (rec, _, digest) in enumerate(plan):
            if rec.granule_id in index.granules:
                index.retired.append(int(index.granules[rec.granule_id][0]))
            index.granules[rec.granule_id] = [start + offset, digest]
        write_root(self._store, index.to_attrs(), self._names())
        self.index = index

    def _column(self, spec: ArraySpec, plan: list[Any]) -> np.ndarray:
        if spec.per_granule_chunk:
            return np.stack([rows[spec.name] for _, rows, _ in plan])
        values = [_meta_value(spec, rec, digest) for rec, _, digest in plan]
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
        StoreError: the store exists with another layout.
    """
    location = as_location(store, storage_options)
    with writer_lock(location):
        yield SwathWriter(location, layout)
