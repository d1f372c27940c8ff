"""The ledger: the persistent state of every granule of a job, in SQLite next to the store.

States run ``found → fetched → extracted → committed``; a granule may end
``failed`` (with reason, attempt count and last error class) or
``not_published`` (the archive has no file). Re-running the same job reads the
ledger and does only what is left. Credentials are never written here.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from swathkit.types import Granule

STATES = ("found", "fetched", "extracted", "committed", "failed", "not_published")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS granules (
    granule_id TEXT PRIMARY KEY,
    product TEXT NOT NULL,
    start_time TEXT NOT NULL,
    end_time TEXT NOT NULL,
    remote_path TEXT NOT NULL,
    catalog_size INTEGER,
    orbit_direction TEXT,
    processing_date TEXT,
    algorithm_version TEXT,
    state TEXT NOT NULL DEFAULT 'found',
    reason TEXT,
    error_class TEXT,
    permanent INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER,
    stored_processing_date TEXT,
    stored_algorithm_version TEXT,
    found_at REAL, fetched_at REAL, verified_at REAL, extracted_at REAL, committed_at REAL,
    seconds_fetch REAL, seconds_extract REAL
);
CREATE INDEX IF NOT EXISTS granules_state ON granules(state);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    command TEXT, started REAL, ended REAL, outcome TEXT
);
"""


_COLUMNS = {"reason", "error_class", "permanent", "attempts", "bytes", "fetched_at",
            "verified_at", "extracted_at", "committed_at", "seconds_fetch", "seconds_extract"}


@dataclass(frozen=True)
class Funnel:
    """Counts (and bytes) of granules that reached each stage."""

    found: int
    fetched: int
    verified: int
    extracted: int
    committed: int
    failed: int
    not_published: int
    bytes_fetched: int
    bytes_committed: int


class Ledger:
    """A job's granule states in one SQLite file (WAL mode; one writer: the job's main thread)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def record_found(self, granules: Iterable[Granule], *, update: bool = False) -> list[str]:
        """Add newly found granules; return ids whose catalogue version changed since stored.

        With ``update=True`` those are set back to ``found`` so they are fetched again.
        """
        changed = []
        now = time.time()
        with self._tx() as db:
            for g in granules:
                props = g.properties
                row = db.execute("SELECT state, stored_processing_date, stored_algorithm_version "
                                 "FROM granules WHERE granule_id=?", (g.id,)).fetchone()
                version = (str(props.get("processingDate", "")),
                           str(props.get("algorithmVersion", "")))
                if row is None:
                    db.execute(
                        "INSERT INTO granules (granule_id, product, start_time, end_time, "
                        "remote_path, catalog_size, orbit_direction, processing_date, "
                        "algorithm_version, found_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                        (g.id, g.product, g.start.isoformat(), g.end.isoformat(), g.remote_path,
                         g.size, props.get("orbitDirection"), *version, now))
                    continue
                db.execute("UPDATE granules SET processing_date=?, algorithm_version=?, "
                           "remote_path=? WHERE granule_id=?", (*version, g.remote_path, g.id))
                stored = (row["stored_processing_date"], row["stored_algorithm_version"])
                if row["state"] == "committed" and stored != version:
                    changed.append(g.id)
                    if update:
                        db.execute("UPDATE granules SET state='found' WHERE granule_id=?",
                                   (g.id,))
        return changed

    def set_state(self, granule_id: str, state: str, **fields: Any) -> None:
        """Move a granule to ``state``, stamping the stage time and any extra columns."""
        if state not in STATES:
            raise ValueError(f"unknown state {state!r}")
        stamp = {"fetched": "fetched_at", "extracted": "extracted_at",
                 "committed": "committed_at"}.get(state)
        values = dict(fields)
        if stamp:
            values[stamp] = time.time()
        if state == "fetched":
            values.setdefault("verified_at", values[stamp] if stamp else time.time())
        if state == "committed":
            values.update(reason=None, error_class=None, permanent=0)
            self._db.execute("UPDATE granules SET stored_processing_date=processing_date, "
                             "stored_algorithm_version=algorithm_version WHERE granule_id=?",
                             (granule_id,))
        unknown = set(values) - _COLUMNS
        if unknown:
            raise ValueError(f"unknown ledger columns {sorted(unknown)}")
        columns = "".join(f", {k}=?" for k in values)  # names checked against the schema
        sql = f"UPDATE granules SET state=?{columns} WHERE granule_id=?"  # noqa: S608
        self._db.execute(sql, (state, *values.values(), granule_id))

    def fail(self, granule_id: str, *, reason: str, error_class: str, attempts: int,
             permanent: bool) -> None:
        state = "not_published" if error_class == "NotPublishedError" else "failed"
        self._db.execute(
            "UPDATE granules SET state=?, reason=?, error_class=?, attempts=attempts+?, "
            "permanent=? WHERE granule_id=?",
            (state, reason, error_class, attempts, int(permanent), granule_id))

    def add_attempts(self, granule_id: str, attempts: int) -> None:
        self._db.execute("UPDATE granules SET attempts=attempts+? WHERE granule_id=?",
                         (attempts, granule_id))

    def pending(self, ids: Iterable[str], *, retry_failed: bool = False) -> list[sqlite3.Row]:
        """Rows among ``ids`` that still need work, in start-time order.

        Failed granules are retried only with ``retry_failed``; ``not_published`` never.
        """
        wanted = set(ids)
        states = ("found", "fetched", "extracted", "failed") if retry_failed else (
            "found", "fetched", "extracted")
        marks = ",".join("?" * len(states))
        rows = self._db.execute(
            f"SELECT * FROM granules WHERE state IN ({marks}) ORDER BY start_time",  # noqa: S608
            states).fetchall()
        return [r for r in rows if r["granule_id"] in wanted]

    def row(self, granule_id: str) -> sqlite3.Row | None:
        return self._db.execute("SELECT * FROM granules WHERE granule_id=?",
                                (granule_id,)).fetchone()

    def funnel(self) -> Funnel:
        q = self._db.execute(
            "SELECT count(*) AS found, count(fetched_at) AS fetched, "
            "count(verified_at) AS verified, count(extracted_at) AS extracted, "
            "sum(state='committed') AS committed, sum(state='failed') AS failed, "
            "sum(state='not_published') AS not_published, "
            "coalesce(sum(CASE WHEN fetched_at IS NOT NULL THEN bytes END), 0) AS bf, "
            "coalesce(sum(CASE WHEN state='committed' THEN bytes END), 0) AS bc "
            "FROM granules").fetchone()
        return Funnel(q["found"], q["fetched"], q["verified"], q["extracted"],
                      q["committed"] or 0, q["failed"] or 0, q["not_published"] or 0,
                      q["bf"], q["bc"])

    def failures(self) -> list[sqlite3.Row]:
        return self._db.execute(
            "SELECT granule_id, reason, error_class, attempts, permanent FROM granules "
            "WHERE state='failed' ORDER BY error_class, start_time").fetchall()

    def start_run(self, command: str) -> int:
        cur = self._db.execute("INSERT INTO runs (command, started) VALUES (?, ?)",
                               (command, time.time()))
        return int(cur.lastrowid or 0)

    def end_run(self, run_id: int, outcome: str) -> None:
        self._db.execute("UPDATE runs SET ended=?, outcome=? WHERE id=?",
                         (time.time(), outcome, run_id))
