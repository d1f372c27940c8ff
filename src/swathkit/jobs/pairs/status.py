"""``pairs status``: the funnel of a pair table (scenes found, candidates, scored, kept,
downloaded) and the failed pairs with their reasons.

The scenes found come from the table's sidecar ``<table>.scenes.json``, which every
``pairs search`` updates with the ids of the SAR scenes it found (a sorted union, so
re-runs and overlapping searches count each scene once). The downloads come from the
ledger of the folder ``pairs download`` last wrote into (the sidecar
``<table>.download.json``), or of the folder given.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from swathkit import errors
from swathkit.errors import StoreError
from swathkit.jobs.pairs.pair_files import download_funnel, pair_item
from swathkit.jobs.report import Funnel, FunnelStage
from swathkit.stores.pair_table import PairRow, PairTable
from swathkit.types import Failure, FailureKind, failure_kind

__all__ = ["download_dir", "pair_item", "pairs_status", "record_download_dir",
           "record_scenes", "scenes_path"]


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


def _download_path(table: str | Path) -> Path:
    path = Path(table)
    return path.with_name(f"{path.name}.download.json")


def record_download_dir(table: str | Path, out: str | Path) -> None:
    """Note ``out`` as the folder the table's pairs were last downloaded into."""
    path = _download_path(table)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps({"out": str(Path(out).resolve())}) + "\n")
    tmp.replace(path)


def download_dir(table: str | Path) -> Path | None:
    """The folder the table's pairs were last downloaded into (None if never)."""
    path = _download_path(table)
    if not path.exists():
        return None
    try:
        return Path(json.loads(path.read_text())["out"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{path}: not a download note ({exc}); delete it and give "
                         "--out") from None


def pairs_status(table: str | Path, out: str | Path | None = None) -> Funnel:
    """Scenes found → candidates → scored → kept → downloaded, and the failed pairs with
    their reasons (scoring, then download).

    Args:
        table: The pair table.
        out: The download folder (default: the one ``pairs download`` last used; no
            download stage if none).

    Raises:
        StoreError: the table, a sidecar or the ledger is unreadable.
    """
    rows = PairTable(table).rows()
    scored = [r for r in rows if r.state == "scored"]
    kept = [r for r in scored if r.score is not None and r.score.decision == "keep"]
    stages = [FunnelStage("scenes found", len(_scenes(scenes_path(table)))),
              FunnelStage("candidates", len(rows)), FunnelStage("scored", len(scored)),
              FunnelStage("kept", len(kept))]
    failed = [_failure(r) for r in rows if r.state == "failed"]
    folder = Path(out) if out is not None else download_dir(table)
    if folder is not None:
        downloaded, lost = download_funnel(kept, folder)
        stages.append(FunnelStage("downloaded", downloaded))
        failed += lost
    return Funnel(unit="pairs", stages=tuple(stages), failures=tuple(failed))


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

