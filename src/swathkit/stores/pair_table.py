"""The pair table: one GeoParquet row per SAR scene × DSWE date, upserted by that key.

Columns (``COLUMNS``):

* ``sar_id``, ``sar_name`` (the scene's product name), ``sar_time`` (UTC), ``geometry``
  (the SAR footprint, lon/lat, EPSG:4326);
* ``dswe_date`` (date), ``dswe_times`` (list, UTC), ``dt_seconds`` (Δt DSWE − SAR of the
  nearest tile), ``dswe_ids`` (list), ``dswe_hv`` (list of ``hhhvvv``), ``grid_region``;
* ``n_0`` … ``n_255`` and ``n_other`` (pixels per class), ``n``, ``valid_fraction`` and
  ``water_fraction`` (NaN until scored), ``within`` (footprint/bbox), ``decision``
  (keep/reject, empty until scored), ``reasons`` (``"; "``-joined);
* ``state`` (candidate/scored/failed) and ``failure`` (its reason);
* ``sar_zip``, ``sar_bytes``, ``sar_md5``: the scene's zip as its CMR record gives it
  (path under the datapool, exact size, MD5; empty, -1 and empty when unknown), so
  ``pairs download`` verifies without asking CMR again. A table written before these
  columns existed reads with them empty.

The table is written sorted by (``sar_id``, ``dswe_date``) into a sibling temp file renamed
into place, without a pandas index: the same rows give the same bytes, and a re-run that
records the same scores leaves the file as it was. Recording a batch of scores does not
rewrite it: the batch goes to a numbered segment of the journal beside it
(``.<name>.journal/000001.parquet``, written by rename), so a batch costs the same whatever
the size of the table; reads apply the segments in order, and :meth:`PairTable.compact`
(at the end of a job) folds them into the table and removes them. A crash between the two
leaves segments that repeat rows already in the table: applying them again changes nothing.
"""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from swathkit.errors import StoreError
from swathkit.process.coincidence import Candidate
from swathkit.process.overlap import CLASS_CODES, OverlapScore
from swathkit.products.dswe.names import TileId
from swathkit.stores.geoparquet import read_lonlat, write_lonlat

__all__ = ["COLUMNS", "PairRow", "PairTable", "SceneFile", "State"]

State = Literal["candidate", "scored", "failed"]
_COUNTS = [f"n_{c}" for c in CLASS_CODES]
COLUMNS: tuple[str, ...] = (
    "sar_id", "sar_name", "dswe_date", "sar_time", "dswe_times", "dt_seconds", "geometry",
    "dswe_ids", "dswe_hv", "grid_region", *_COUNTS, "n_other", "n", "valid_fraction",
    "water_fraction", "within", "decision", "reasons", "state", "failure", "sar_zip",
    "sar_bytes", "sar_md5")
_KEY = ["sar_id", "dswe_date"]
_ADDED = {"sar_zip": "", "sar_bytes": -1, "sar_md5": ""}  # columns newer than the first tables


@dataclass(frozen=True)
class SceneFile:
    """The SAR scene's zip as the catalogue publishes it.

    Attributes:
        remote: Its path under the datapool (``RTC_HI_RES/A3/AP_….zip``).
        size: Its exact size in bytes (CMR ``BYTES``).
        md5: Its MD5 in hex (CMR ``MD5SUM``).
    """

    remote: str
    size: int
    md5: str


@dataclass(frozen=True)
class PairRow:
    """One row of the pair table (see the module's columns)."""

    candidate: Candidate
    state: State = "candidate"
    score: OverlapScore | None = None
    failure: str = ""
    file: SceneFile | None = None

    @property
    def key(self) -> tuple[str, date]:
        return self.candidate.sar_id, self.candidate.dswe_date

    def scored(self, score: OverlapScore) -> PairRow:
        return replace(self, state="scored", score=score, failure="")

    def failed(self, reason: str) -> PairRow:
        return replace(self, state="failed", score=None, failure=reason)


class PairTable:
    """A GeoParquet pair table at ``path`` (made on first write)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def rows(self, state: State | None = None) -> list[PairRow]:
        """The rows in table order, optionally only those in ``state``."""
        frame = self._read()
        if state is not None:
            frame = frame[frame["state"] == state]
        return [_row(rec) for rec in frame.to_dict("records")]

    def add_candidates(self, candidates: Iterable[Candidate],
                       files: Mapping[str, SceneFile] | None = None) -> int:
        """Add the candidates whose key is new (scored and failed rows stay as they are).

        Args:
            candidates: The pairs found.
            files: The zip of each SAR scene, by SAR id; rows already in the table that
                lack their scene's zip get it too.

        Returns:
            How many rows were added.
        """
        files = files or {}
        frame = self._read()
        have = set(zip(frame["sar_id"], frame["dswe_date"], strict=True))
        new = {(c.sar_id, c.dswe_date): PairRow(c, file=files.get(c.sar_id))
               for c in candidates}
        rows = [r for k, r in sorted(new.items()) if k not in have]
        filled = _fill_files(frame, files)
        if rows or filled:
            self._write(pd.concat([frame, _frame(rows)], ignore_index=True))
            if self.journal.is_dir():  # folded in by the write above
                shutil.rmtree(self.journal)
        return len(rows)

    def record(self, rows: Sequence[PairRow]) -> None:
        """Upsert ``rows`` by (SAR id, DSWE date): a row given replaces the stored one.

        The rows go to a new journal segment (the table itself is not rewritten until
        :meth:`compact`), so the cost is that of the batch, not of the table.
        """
        if not rows:
            return
        if not self.path.exists():  # a new table: nothing to rewrite yet
            self._write(self._read_with(_frame(rows)))
            shutil.rmtree(self.journal, ignore_errors=True)
            return
        segments = self._segments()
        number = int(segments[-1].stem) + 1 if segments else 1
        self._write(_frame(rows), self.journal / f"{number:06d}.parquet")

    def compact(self) -> None:
        """Fold the journal into the table and remove it (nothing to do without one)."""
        if not self._segments():
            return
        self._write(self._read())
        shutil.rmtree(self.journal)

    @property
    def journal(self) -> Path:
        """The folder of the segments recorded since the last :meth:`compact`."""
        return self.path.with_name(f".{self.path.name}.journal")

    def _segments(self) -> list[Path]:
        if not self.journal.is_dir():
            return []
        return sorted(p for p in self.journal.iterdir()
                      if p.suffix == ".parquet" and p.stem.isdigit())

    def export_csv(self, path: str | os.PathLike[str]) -> int:
        """Write the seed's database (``ALOS_scene,DSWE_tiles``) of the kept pairs.

        ``DSWE_tiles`` is the space-separated INWAM file names. Returns the rows written.
        """
        kept = [r for r in self.rows("scored") if r.score and r.score.decision == "keep"]
        target = Path(path)
        tmp = target.with_name(f".{target.name}.tmp")
        with tmp.open("w", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(["ALOS_scene", "DSWE_tiles"])
            for r in kept:
                tiles = " ".join(TileId.parse(t).file_name() for t in r.candidate.dswe_ids)
                writer.writerow([r.candidate.sar_name, tiles])
        tmp.replace(target)
        return len(kept)

    def _read(self) -> pd.DataFrame:
        """The table with the journal's segments applied in order (later rows win)."""
        return self._read_with()

    def _read_with(self, *later: pd.DataFrame) -> pd.DataFrame:
        """The table, the journal's segments, then ``later`` applied in order."""
        frame = _load(self.path) if self.path.exists() else _frame([])
        parts = [*(_load(p) for p in self._segments()), *later]
        if not parts:
            return frame
        merged = pd.concat([frame, *parts], ignore_index=True)
        merged = merged.drop_duplicates(_KEY, keep="last")
        return merged.sort_values(_KEY, kind="stable").reset_index(drop=True)

    def _write(self, frame: pd.DataFrame, target: Path | None = None) -> None:
        frame = _typed(frame.sort_values(_KEY, kind="stable").reset_index(drop=True))
        write_lonlat(frame, self.path if target is None else target, compression="zstd",
                     schema_version="1.0.0")


def _load(path: Path) -> pd.DataFrame:
    frame = read_lonlat(path, "pair table", "move it away to start a new one")
    for column, empty in _ADDED.items():
        if column not in frame.columns:
            frame[column] = empty
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise StoreError(f"{path}: not a pair table (no column {missing[0]})")
    frame["dswe_date"] = [_as_date(d) for d in frame["dswe_date"]]
    return pd.DataFrame(frame)


def _fill_files(frame: pd.DataFrame, files: Mapping[str, SceneFile]) -> int:
    """Give rows without a zip the one of ``files``; how many were filled (in place)."""
    if not files or frame.empty:
        return 0
    todo = (frame["sar_zip"] == "") & frame["sar_id"].isin(list(files))
    for index in frame.index[todo]:
        found = files[frame.at[index, "sar_id"]]
        frame.loc[index, ["sar_zip", "sar_bytes", "sar_md5"]] = [found.remote, found.size,
                                                                  found.md5]
    return int(todo.sum())


def _frame(rows: Sequence[PairRow]) -> pd.DataFrame:
    records = [_record(r) for r in rows]
    return _typed(pd.DataFrame.from_records(records, columns=list(COLUMNS)))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """One dtype per column whatever the frame's origin (new rows or read back), so the
    parquet schema and its pandas metadata, hence the file's bytes, depend on the rows only.
    """
    out = pd.DataFrame({c: frame[c] for c in COLUMNS})
    for c in ("sar_id", "sar_name", "grid_region", "within", "decision", "reasons", "state",
              "failure", "sar_zip", "sar_md5"):
        out[c] = out[c].astype("str")
    for c in (*_COUNTS, "n_other", "n", "sar_bytes"):
        out[c] = out[c].astype("int64")
    for c in ("dt_seconds", "valid_fraction", "water_fraction"):
        out[c] = out[c].astype("float64")
    out["sar_time"] = pd.to_datetime(out["sar_time"], utc=True).astype("datetime64[us, UTC]")
    out["dswe_date"] = pd.Series([_as_date(d) for d in out["dswe_date"]], dtype=object)
    out["dswe_times"] = pd.Series(
        [[pd.Timestamp(t, tz="UTC") if pd.Timestamp(t).tzinfo is None else pd.Timestamp(t)
          for t in ts] for ts in out["dswe_times"]], dtype=object)
    for c in ("dswe_ids", "dswe_hv"):
        out[c] = pd.Series([[str(x) for x in v] for v in out[c]], dtype=object)
    return out


def _record(row: PairRow) -> dict[str, Any]:
    c, s = row.candidate, row.score
    counts = dict(s.counts) if s else {}
    return {
        "sar_id": c.sar_id, "sar_name": c.sar_name, "dswe_date": c.dswe_date,
        "sar_time": pd.Timestamp(_utc(c.sar_time)),
        "dswe_times": [pd.Timestamp(_utc(t)) for t in c.dswe_times],
        "dt_seconds": c.dt_seconds, "geometry": c.sar_polygon, "dswe_ids": list(c.dswe_ids),
        "dswe_hv": [f"{h:03d}{v:03d}" for h, v in c.tiles], "grid_region": c.region,
        **{f"n_{k}": counts.get(k, 0) for k in CLASS_CODES},
        "n_other": s.other if s else 0, "n": s.n if s else 0,
        "valid_fraction": s.valid_fraction if s else np.nan,
        "water_fraction": s.water_fraction if s else np.nan,
        "within": s.within if s else "", "decision": s.decision if s else "",
        "reasons": "; ".join(s.reasons) if s else "", "state": row.state,
        "failure": row.failure, "sar_zip": row.file.remote if row.file else "",
        "sar_bytes": row.file.size if row.file else -1,
        "sar_md5": row.file.md5 if row.file else "",
    }


def _row(rec: dict[str, Any]) -> PairRow:
    geometry: BaseGeometry = rec["geometry"]
    times = tuple(_utc(pd.Timestamp(t).to_pydatetime()) for t in rec["dswe_times"])
    cand = Candidate(
        sar_id=rec["sar_id"], sar_name=rec["sar_name"],
        sar_time=_utc(pd.Timestamp(rec["sar_time"]).to_pydatetime()), sar_polygon=geometry,
        dswe_date=_as_date(rec["dswe_date"]), region=rec["grid_region"],
        dswe_ids=tuple(str(i) for i in rec["dswe_ids"]), dswe_times=times,
        tiles=tuple((int(hv[:3]), int(hv[3:])) for hv in rec["dswe_hv"]),
        dt_seconds=float(rec["dt_seconds"]))
    score = None
    if rec["state"] == "scored":
        score = OverlapScore(
            counts=tuple((k, int(rec[f"n_{k}"])) for k in CLASS_CODES),
            other=int(rec["n_other"]), n=int(rec["n"]),
            valid_fraction=float(rec["valid_fraction"]),
            water_fraction=float(rec["water_fraction"]), within=rec["within"],
            decision=rec["decision"], reasons=tuple(x for x in rec["reasons"].split("; ") if x))
    file = (SceneFile(str(rec["sar_zip"]), int(rec["sar_bytes"]), str(rec["sar_md5"]))
            if rec["sar_zip"] else None)
    return PairRow(cand, state=rec["state"], score=score, failure=rec["failure"], file=file)


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    day: date = pd.Timestamp(value).date()
    return day
