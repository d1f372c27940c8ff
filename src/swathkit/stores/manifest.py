"""The swath store's manifest: the small, constant-size root attributes a commit flips.

Schema 2 keeps no per-granule data in the root: the granule index lives in
bucket documents (:mod:`swathkit.stores.buckets`) and in the ``state`` array.
The manifest holds counters, the layout, the generation every committed
bucket entry is checked against, and the rows whose ``state`` the last commit
changed (at most one batch), so a reader never depends on the state array
having caught up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import zarr

from swathkit.errors import StoreError
from swathkit.stores.schema import EMPTY, LIVE, RETIRED, Layout

KIND = "amsr2-l1b-swaths"
SCHEMA = 2
LEGACY_SCHEMA = 1  # swathkit ≤ 63fcde9: the whole index in the root attributes
DEFAULT_BUCKETS = 4096
BUCKET_LOAD = 32  # compact sizes the bucket count so a bucket holds about this many ids


@dataclass(frozen=True)
class Manifest:
    """The committed state of a schema-2 swath store.

    Attributes:
        rows: Length of the granule axis (committed array shapes).
        next_row: First row not reserved (reservations may run ahead of ``rows``).
        live, retired: Granules stored, and rows that hold a replaced version.
        generation: Number of root writes.
        commits: Batches committed.
        epoch: Compactions so far; names the bucket folder and the chunk-key separator.
        buckets: Number of bucket documents ids hash into.
        changed_live, changed_retired: Rows the last commit made live or retired,
            applied to ``state`` after the root is written (and again by the next writer).
    """

    layout: Layout
    rows: int = 0
    next_row: int = 0
    live: int = 0
    retired: int = 0
    generation: int = 0
    commits: int = 0
    epoch: int = 0
    buckets: int = DEFAULT_BUCKETS
    changed_live: tuple[int, ...] = field(default=())
    changed_retired: tuple[int, ...] = field(default=())

    def advanced(self, **changes: Any) -> Manifest:
        """The next generation with ``changes``."""
        return replace(self, generation=self.generation + 1, **changes)

    def to_attrs(self) -> dict[str, Any]:
        return {"swathkit": {
            "kind": KIND, "schema": SCHEMA, "layout": self.layout.to_json(),
            "rows": self.rows, "next_row": self.next_row, "live": self.live,
            "retired": self.retired, "generation": self.generation, "commits": self.commits,
            "epoch": self.epoch, "buckets": self.buckets,
            "changed": {"live": list(self.changed_live),
                        "retired": list(self.changed_retired)}}}

    @classmethod
    def from_info(cls, info: dict[str, Any]) -> Manifest:
        changed = info["changed"]
        return cls(Layout.from_json(info["layout"]), int(info["rows"]), int(info["next_row"]),
                   int(info["live"]), int(info["retired"]), int(info["generation"]),
                   int(info["commits"]), int(info["epoch"]), int(info["buckets"]),
                   tuple(int(r) for r in changed["live"]),
                   tuple(int(r) for r in changed["retired"]))


def store_info(attrs: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The schema number and ``swathkit`` attribute of a swath store's root.

    Raises:
        StoreError: not a swath store, or a schema this swathkit does not read.
    """
    info = attrs.get("swathkit")
    if not isinstance(info, dict) or info.get("kind") != KIND:
        raise StoreError("not a swathkit swath store (no 'swathkit' root attribute)")
    schema = info.get("schema")
    if schema not in (LEGACY_SCHEMA, SCHEMA):
        raise StoreError(f"store schema {schema} is not {LEGACY_SCHEMA} or {SCHEMA}; "
                         "upgrade swathkit or use a new store")
    return int(schema), info


def separator(epoch: int) -> str:
    """The chunk-key separator of an epoch: compaction writes the other one (see compact)."""
    return "/" if epoch % 2 == 0 else "."


def row_states(manifest: Manifest, state: zarr.Array[Any], rows: Iterable[int]) -> dict[int, int]:
    """The state of each of ``rows``: the ``state`` array with the last commit's changes.

    Reads the state chunks of those rows only (one chunk for a batch's rows, as a rule).
    """
    wanted = sorted(set(rows))
    inside = [r for r in wanted if r < manifest.rows]
    out = dict.fromkeys(wanted, EMPTY)
    if inside:
        stored = np.asarray(state.get_orthogonal_selection((np.array(inside, np.int64),)))
        out.update(zip(inside, (int(s) for s in stored), strict=True))
    for changed, value in ((manifest.changed_live, LIVE), (manifest.changed_retired, RETIRED)):
        out.update((r, value) for r in changed if r in out)
    return out


def live_rows_among(manifest: Manifest, state: zarr.Array[Any], rows: Iterable[int]) -> set[int]:
    """Those of ``rows`` that hold a live granule."""
    return {r for r, s in row_states(manifest, state, rows).items() if s == LIVE}
