"""``pairs status``: the funnel of a pair table (scenes found, candidates, scored, kept).

The scenes found come from the table's sidecar ``<table>.scenes.json``, which every
``pairs search`` updates with the ids of the SAR scenes it found (a sorted union, so
re-runs and overlapping searches count each scene once).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from swathkit import errors
from swathkit.errors import StoreError
from swathkit.jobs.report import Funnel, FunnelStage
from swathkit.stores.pair_table import PairRow, PairTable
from swathkit.types import Failure, FailureKind, failure_kind

__all__ = ["pair_item", "pairs_status", "record_scenes", "scenes_path"]


def scenes_path(table: str | Path) -> Path:
    """The sidecar of ``table`` listing the SAR scenes its searches found."""
    path = Path(table)
    return path.with_name(f"{path.name}.scenes.json")


def record_scenes(table: str | Path, ids: Iterable[str]) -> int:
    """Add scene ids to the sidecar; how many it lists now."""
    path = scenes_path(table)
    found = sorted(set(_scenes(path)) | set(ids))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps({"scenes": found}, indent=0) + "\n")
    tmp.replace(path)
    return len(found)


def pairs_status(table: str | Path) -> Funnel:
    """Scenes found → candidates → scored → kept, and the failed pairs with their reasons.

    Raises:
        StoreError: the table or its sidecar is unreadable.
    """
    rows = PairTable(table).rows()
    scored = [r for r in rows if r.state == "scored"]
    kept = [r for r in scored if r.score is not None and r.score.decision == "keep"]
    stages = (FunnelStage("scenes found", len(_scenes(scenes_path(table)))),
              FunnelStage("candidates", len(rows)), FunnelStage("scored", len(scored)),
              FunnelStage("kept", len(kept)))
    failed = tuple(_failure(r) for r in rows if r.state == "failed")
    return Funnel(unit="pairs", stages=stages, failures=failed)


def _scenes(path: Path) -> list[str]:
    if not path.exists():
        return []
    try:
        doc = json.loads(path.read_text())
        return [str(i) for i in doc["scenes"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{path}: not a scene list ({exc}); delete it and run "
                         "'pairs search' again to rebuild it") from None


def _failure(row: PairRow) -> Failure:
    name, _, _ = row.failure.partition(":")
    error = getattr(errors, name, None)
    kind = (failure_kind(error) if isinstance(error, type) and issubclass(error, Exception)
            else FailureKind.PERMANENT)
    return Failure(kind, pair_item(row), row.failure)


def pair_item(row: PairRow) -> str:
    """A pair as a failure's item: ``<SAR product name> × <DSWE date>``."""
    return f"{row.candidate.sar_name} × {row.candidate.dswe_date.isoformat()}"
