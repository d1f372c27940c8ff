"""The files of a kept pair on disk, as ledger items: the scene's zip and its DSWE tiles.

The seed's layout, under the download folder ``out``::

    out/pairs.ledger.sqlite
    out/AP_07211_FBD_F0700_RT1/                 the zip's top folder, extracted
        AP_07211_FBD_F0700_RT1_HH.tif …
        usgs_dswe/LE07_CU_…_INWAM.TIF           the pair's DSWE tiles, whole
    out/AP_07211_FBD_F0700_RT1.zip              only until its extraction is recorded

Ledger items: the zip by the SAR id (``found → fetched → extracted``), each tile by
``<SAR id>/<tile id>`` (``found → fetched``). A pair is downloaded when its zip is
extracted and every tile fetched, and failed when one of them failed (the zip's
reason first).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from swathkit.ledger import Ledger
from swathkit.products.alos_rtc.names import RtcName, parse_zip
from swathkit.products.alos_rtc.scene import DSWE_FOLDER
from swathkit.products.dswe.names import TileId, asset_href
from swathkit.stores.pair_table import PairRow
from swathkit.transfer.tasks import FetchTask
from swathkit.types import Failure, FailureKind, Granule

__all__ = ["DSWE_FOLDER", "LEDGER_NAME", "PairFiles", "download_funnel", "granules",
           "kept_rows", "pair_files", "pair_item", "pair_outcome"]

LEDGER_NAME = "pairs.ledger.sqlite"
ZIP_PRODUCT = "alos-rtc-zip"
TILE_PRODUCT = "dswe-inwam"


@dataclass(frozen=True)
class PairFiles:
    """One kept pair's files: the zip task (None if the table lacks the zip) and tiles.

    Attributes:
        row: The pair.
        scene: The scene's product name (its folder is ``out/<stem>``).
        folder: ``out/<stem>``.
        zip_task: Fetches the zip to ``out/<stem>.zip``, checked against size and MD5.
        tiles: Fetch each INWAM tile to ``folder/usgs_dswe/<tile id>_INWAM.TIF``.
        problem: Why the pair cannot be downloaded ("" if it can).
    """

    row: PairRow
    scene: RtcName | None
    folder: Path
    zip_task: FetchTask | None
    tiles: tuple[FetchTask, ...]
    problem: str = ""

    @property
    def item(self) -> str:
        """The pair as a failure's item."""
        return pair_item(self.row)


def pair_item(row: PairRow) -> str:
    """A pair as a failure's item: ``<SAR product name> × <DSWE date>``."""
    return f"{row.candidate.sar_name} × {row.candidate.dswe_date.isoformat()}"


def kept_rows(rows: Iterable[PairRow]) -> list[PairRow]:
    """The scored rows whose decision is ``keep``, in table order."""
    return [r for r in rows if r.state == "scored" and r.score is not None
            and r.score.decision == "keep"]


def pair_files(rows: Sequence[PairRow], out: Path) -> list[PairFiles]:
    """The files of each kept pair under ``out``."""
    return [_files(row, out) for row in rows]


def _files(row: PairRow, out: Path) -> PairFiles:
    c = row.candidate
    file = row.file
    try:
        scene = parse_zip(file.remote.rsplit("/", 1)[-1] if file else c.sar_name)
    except ValueError:
        return PairFiles(row, None, out, None, (), f"{c.sar_name!r} is not an ALOS RTC "
                         "product name")
    folder = out / scene.stem
    tiles = tuple(_tile_task(c.sar_id, i, folder) for i in c.dswe_ids)
    if file is None or file.size < 0 or not file.md5:
        return PairFiles(row, scene, folder, None, tiles, "the pair table lacks the zip's "
                         "path, size and MD5: run 'swathkit pairs search' again to add them")
    if "://" in file.remote:
        return PairFiles(row, scene, folder, None, tiles, f"{file.remote} is not on the "
                         "datapool (SWATHKIT_ASF_DATAPOOL_URL) the search used")
    task = FetchTask(c.sar_id, file.remote, out / scene.zip_name, checksum=f"md5:{file.md5}",
                     expected_size=file.size)
    return PairFiles(row, scene, folder, task, tiles)


def _tile_task(sar_id: str, dswe_id: str, folder: Path) -> FetchTask:
    tile = TileId.parse(dswe_id)
    remote = asset_href("", tile)  # the path under the LandsatLook root
    return FetchTask(f"{sar_id}/{tile}", remote, folder / DSWE_FOLDER / tile.file_name())


def granules(pairs: Sequence[PairFiles]) -> list[Granule]:
    """The ledger items of ``pairs``: each zip once, each tile of each pair."""
    found: dict[str, Granule] = {}
    for p in pairs:
        c = p.row.candidate
        if p.zip_task is not None:
            t = p.zip_task
            found.setdefault(t.key, Granule(t.key, ZIP_PRODUCT, c.sar_time, c.sar_time,
                                            t.remote, size=t.expected_size,
                                            checksum=t.checksum))
        if p.problem:
            continue
        when = min(c.dswe_times) if c.dswe_times else c.sar_time
        for tile in p.tiles:
            found.setdefault(tile.key, Granule(tile.key, TILE_PRODUCT, when, when,
                                               tile.remote))
    return list(found.values())


def pair_outcome(pair: PairFiles, ledger: Ledger) -> tuple[str, Failure | None]:
    """``("downloaded" | "failed" | "pending", the failure)`` of ``pair`` from the ledger.

    Downloaded needs the files on disk too (a folder removed by hand is pending again).
    """
    if pair.problem or pair.zip_task is None:
        return "failed", Failure(FailureKind.BAD_INPUT, pair.item, pair.problem)
    keys = [pair.zip_task.key, *(t.key for t in pair.tiles)]
    rows = [ledger.row(k) for k in keys]
    for key, row in zip(keys, rows, strict=True):
        if row is not None and row["state"] == "failed":
            kind = FailureKind(row["failure_kind"] or FailureKind.PERMANENT)
            what = "zip" if key == keys[0] else key.rsplit("/", 1)[-1]
            return "failed", Failure(kind, pair.item, f"{what}: {row['reason'] or ''}",
                                     int(row["attempts"]))
    states = [row["state"] if row is not None else "" for row in rows]
    done = (states[0] == "extracted" and pair.folder.is_dir()
            and all(s == "fetched" for s in states[1:])
            and all(t.dest.is_file() for t in pair.tiles))
    return ("downloaded" if done else "pending"), None


def download_funnel(rows: Sequence[PairRow], out: Path) -> tuple[int, list[Failure]]:
    """The kept pairs of ``rows`` downloaded into ``out``, and those failed (by its ledger)."""
    path = out / LEDGER_NAME
    if not path.is_file():
        return 0, []
    downloaded, failed = 0, []
    with Ledger(path) as ledger:
        for pair in pair_files(kept_rows(rows), out):
            state, failure = pair_outcome(pair, ledger)
            downloaded += state == "downloaded"
            if failure is not None:
                failed.append(failure)
    return downloaded, failed
