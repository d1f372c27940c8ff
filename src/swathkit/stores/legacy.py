"""Schema-1 swath stores (swathkit ≤ 63fcde9): the whole index in the root attributes.

They still open for reading; a writer refuses them and says to run
``swathkit compact STORE``, which rewrites them in schema 2 (see
:mod:`swathkit.stores.compact`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from swathkit.stores.buckets import Entry
from swathkit.stores.manifest import Manifest
from swathkit.stores.schema import Layout


@dataclass(frozen=True)
class LegacyIndex:
    """The index of a schema-1 store: ``granules`` maps id → [row, data sha256]."""

    manifest: Manifest
    granules: dict[str, tuple[int, str]]

    @classmethod
    def from_info(cls, info: dict[str, Any]) -> LegacyIndex:
        granules = {str(g): (int(v[0]), str(v[1])) for g, v in dict(info["granules"]).items()}
        rows, commits = int(info["rows"]), int(info["commits"])
        manifest = Manifest(Layout.from_json(info["layout"]), rows=rows, next_row=rows,
                            live=len(granules), retired=len(info["retired"]),
                            generation=commits, commits=commits, epoch=0, buckets=0)
        return cls(manifest, granules)

    def entries(self) -> list[Entry]:
        """The live granules as index entries."""
        return [Entry(g, row, digest) for g, (row, digest) in self.granules.items()]


UPGRADE_HINT = ("this store was written by an older swathkit (schema 1, its index in the "
                "root attributes); run `swathkit compact {store}` once to upgrade it, then "
                "write again")
