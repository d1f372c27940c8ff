"""The ledger: the persistent state of every item of a job, in SQLite next to its output.

States run ``found → fetched → extracted → committed``; an item may end
``failed`` (with its :class:`~swathkit.types.FailureKind`, reason and attempt
count) or ``not_published`` (the archive has no file). Re-running the same job
reads the ledger and does only what is left. Credentials are never written here.

The ledger owns all its SQL. Its schema is versioned (``PRAGMA user_version``):
opening an older ledger upgrades it in place, in one transaction, keeping every
row and state; a ledger written by a newer swathkit is refused.

- Version 1 (swathkit ≤ a810e7f, ``user_version`` 0): AMSR2 columns in the
  generic table (``orbit_direction``, ``processing_date``, ``algorithm_version``,
  ``stored_*``), failures as an error class name and a ``permanent`` flag.
- Version 2: a ``version`` text (the catalogue version of the item, compared with
  ``stored_version`` by ``--update``), the catalogue's product-specific fields as
  JSON ``properties``, failures as a ``failure_kind``.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from swathkit import errors
from swathkit.errors import StoreError
from swathkit.types import Failure, FailureKind, Granule, failure_kind, utc

__all__ = ["SCHEMA_VERSION", "STATES", "Funnel", "Ledger", "Run", "version_of"]

STATES = ("found", "fetched", "extracted", "committed", "failed", "not_published")
SCHEMA_VERSION = 3
_BASE_VERSION = 2  # what _GRANULES_V2 creates; migrations take it on from there

_GRANULES_V2 = """CREATE TABLE granules (
    granule_id TEXT PRIMARY KEY,
    product TEXT NOT NULL,
    start_time TEXT NOT NULL,
    end_time TEXT NOT NULL,
    remote_path TEXT NOT NULL,
    catalog_size INTEGER,
    version TEXT,
    stored_version TEXT,
    properties TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL DEFAULT 'found',
    reason TEXT,
    failure_kind TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER,
    found_at REAL, fetched_at REAL, verified_at REAL, extracted_at REAL, committed_at REAL,
    seconds_fetch REAL, seconds_extract REAL
)"""
_INDEX = "CREATE INDEX IF NOT EXISTS granules_state ON granules(state)"
_RUNS = """CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    command TEXT, started REAL, ended REAL, outcome TEXT
)"""
_V2_COLUMNS = ("granule_id", "product", "start_time", "end_time", "remote_path", "catalog_size",
               "version", "stored_version", "properties", "state", "reason", "failure_kind",
               "attempts", "bytes", "found_at", "fetched_at", "verified_at", "extracted_at",
               "committed_at", "seconds_fetch", "seconds_extract")

_SETTABLE = {"reason", "failure_kind", "attempts", "bytes", "fetched_at", "verified_at",
             "extracted_at", "committed_at", "seconds_fetch", "seconds_extract"}


def version_of(*parts: object) -> str | None:
    """The catalogue version of an item from its parts (e.g. processing date, algorithm).

    None when every part is empty; parts are kept in place (``"2022-02-17/"``), so
    two versions are equal only if every part is.
    """
    texts = ["" if p is None else str(p) for p in parts]
    return "/".join(texts) if any(texts) else None


@dataclass(frozen=True)
class Funnel:
    """Counts (and bytes) of items that reached each stage."""

    found: int
    fetched: int
    verified: int
    extracted: int
    committed: int
    failed: int
    not_published: int
    bytes_fetched: int
    bytes_committed: int


class Run:
    """One run of a job in the ledger's ``runs`` table; set ``outcome`` before it ends."""

    def __init__(self, run_id: int) -> None:
        self.id = run_id
        self.outcome = "finished"


Version = Callable[[Granule], str | None]


class Ledger:
    """A job's item states in one SQLite file (WAL mode; one writer: the job's main thread).

    Args:
        path: The ledger file (created, with its folder, if absent).

    Raises:
        StoreError: The ledger was written by a newer swathkit (its schema is unknown here),
            or the file is not a ledger.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=30)
        self._db.row_factory = sqlite3.Row
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._upgrade()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise StoreError(f"{self.path} cannot be read as a swathkit ledger ({exc}); "
                             "move it away or pass another ledger path") from exc
        except BaseException:
            self._db.close()
            raise

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

    # --- schema --------------------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        """The schema version of the file (1 for a ledger of swathkit ≤ a810e7f)."""
        return _version(self._db)

    def _upgrade(self) -> None:
        if self._check_version(_version(self._db)) == SCHEMA_VERSION:
            return
        with self._tx() as db:
            version = self._check_version(_version(db))  # another process may have upgraded
            if version == 0:  # a new ledger
                for ddl in (_GRANULES_V2, _INDEX, _RUNS):
                    db.execute(ddl)
            for step in range(version or _BASE_VERSION, SCHEMA_VERSION):
                _MIGRATIONS[step](db)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _check_version(self, version: int) -> int:
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path} has ledger schema version {version}, newer than "
                             f"this swathkit reads ({SCHEMA_VERSION}); upgrade swathkit "
                             "(pip install -U swathkit) to use it")
        return version

    # --- writing -------------------------------------------------------------------------

    def record_found(self, granules: Iterable[Granule], *, update: bool = False,
                     version: Version | None = None) -> list[str]:
        """Add newly found items; return ids whose catalogue version changed since stored.

        Args:
            granules: Items as the catalogue describes them.
            update: Set the changed ones back to ``found``, so they are fetched again.
            version: The catalogue version of an item (None: items have no version).
        """
        changed = []
        now = time.time()
        with self._tx() as db:
            for g in granules:
                new = version(g) if version else None
                props = json.dumps(g.properties, sort_keys=True, default=str)
                row = db.execute("SELECT state, stored_version FROM granules "
                                 "WHERE granule_id=?", (g.id,)).fetchone()
                if row is None:
                    db.execute(
                        "INSERT INTO granules (granule_id, product, start_time, end_time, "
                        "remote_path, catalog_size, version, properties, found_at) "
                        "VALUES (?,?,?,?,?,?,?,?,?)",
                        (g.id, g.product, g.start.isoformat(), g.end.isoformat(),
                         g.remote_path, g.size, new, props, now))
                    continue
                db.execute("UPDATE granules SET version=?, properties=?, remote_path=? "
                           "WHERE granule_id=?", (new, props, g.remote_path, g.id))
                if row["state"] == "committed" and row["stored_version"] != new:
                    changed.append(g.id)
                    if update:  # a new version takes a new store row
                        db.execute("UPDATE granules SET state='found', store_row=NULL "
                                   "WHERE granule_id=?", (g.id,))
        return changed

    def set_state(self, granule_id: str, state: str, **fields: Any) -> None:
        """Move an item to ``state``, stamping the stage time and any extra columns."""
        if state not in STATES:
            raise ValueError(f"unknown state {state!r}")
        stamp = {"fetched": "fetched_at", "extracted": "extracted_at",
                 "committed": "committed_at"}.get(state)
        values = dict(fields)
        if stamp:
            values[stamp] = time.time()
        if state == "fetched":
            values.setdefault("verified_at", values["fetched_at"])
        if state in ("fetched", "committed"):
            values.update(reason=None, failure_kind=None)
        if state == "committed":
            self._db.execute("UPDATE granules SET stored_version=version WHERE granule_id=?",
                             (granule_id,))
        unknown = set(values) - _SETTABLE
        if unknown:
            raise ValueError(f"unknown ledger columns {sorted(unknown)}")
        columns = "".join(f", {k}=?" for k in values)  # names checked against the schema
        sql = f"UPDATE granules SET state=?{columns} WHERE granule_id=?"  # noqa: S608
        self._db.execute(sql, (state, *values.values(), granule_id))

    def record_fetched(self, granule_id: str, *, size: int, attempts: int,
                       seconds: float | None = None) -> None:
        """The item's file is on disk and verified (``seconds``: None if it was present)."""
        fields: dict[str, Any] = {"bytes": size}
        if seconds is not None:
            fields["seconds_fetch"] = seconds
        self.set_state(granule_id, "fetched", **fields)
        self.add_attempts(granule_id, attempts)

    def record_failure(self, failure: Failure) -> None:
        """The item ``failure.item`` failed (``not_published`` if the archive has no file)."""
        state = "not_published" if failure.kind is FailureKind.NOT_PUBLISHED else "failed"
        self._db.execute(
            "UPDATE granules SET state=?, reason=?, failure_kind=?, attempts=attempts+? "
            "WHERE granule_id=?",
            (state, failure.reason, failure.kind.value, failure.attempts, failure.item))

    def record_not_published(self, granule_id: str, *, attempts: int,
                             reason: str = "the archive has no such file") -> None:
        """The archive answered that it has no such file (an answer, not a failure)."""
        self.record_failure(Failure(FailureKind.NOT_PUBLISHED, granule_id, reason, attempts))

    def add_attempts(self, granule_id: str, attempts: int) -> None:
        self._db.execute("UPDATE granules SET attempts=attempts+? WHERE granule_id=?",
                         (attempts, granule_id))

    @contextmanager
    def run(self, command: str) -> Iterator[Run]:
        """Record one run of a job: ``stopped`` if an error ends it, else its ``outcome``."""
        cur = self._db.execute("INSERT INTO runs (command, started) VALUES (?, ?)",
                               (command, time.time()))
        run = Run(int(cur.lastrowid or 0))
        try:
            yield run
        except BaseException as exc:
            run.outcome = "interrupted" if isinstance(exc, KeyboardInterrupt) else "stopped"
            raise
        finally:
            self._db.execute("UPDATE runs SET ended=?, outcome=? WHERE id=?",
                             (time.time(), run.outcome, run.id))

    # --- reading -------------------------------------------------------------------------

    def pending(self, ids: Iterable[str], *, retry_failed: bool = False) -> list[sqlite3.Row]:
        """Rows among ``ids`` that still need work, in start-time order.

        Failed items are retried only with ``retry_failed``; ``not_published`` never.
        """
        wanted = set(ids)
        states = ("found", "fetched", "extracted", "failed") if retry_failed else (
            "found", "fetched", "extracted")
        marks = ",".join("?" * len(states))
        rows = self._db.execute(
            f"SELECT * FROM granules WHERE state IN ({marks}) ORDER BY start_time",  # noqa: S608
            states).fetchall()
        return [r for r in rows if r["granule_id"] in wanted]

    def reserve_rows(self, ids: Iterable[str], first: int) -> int:
        """Give store rows from ``first`` on, in start-time order, to the unfinished ``ids``
        that have none; return the row after the last one given.

        Rows are reserved when granules are found, so where a granule lands in the
        store does not depend on when its download finishes.
        """
        wanted = set(ids)
        rows = self._db.execute(
            "SELECT granule_id FROM granules WHERE store_row IS NULL AND state NOT IN "
            "('committed', 'not_published') ORDER BY start_time, granule_id").fetchall()
        todo = [r["granule_id"] for r in rows if r["granule_id"] in wanted]
        with self._tx() as db:
            db.executemany("UPDATE granules SET store_row=? WHERE granule_id=?",
                           [(first + i, gid) for i, gid in enumerate(todo)])
        return first + len(todo)

    def store_rows(self, ids: Iterable[str]) -> dict[str, int]:
        """The reserved store row of each of ``ids`` that has one."""
        wanted = list(ids)
        out: dict[str, int] = {}
        for start in range(0, len(wanted), 500):
            part = wanted[start:start + 500]
            marks = ",".join("?" * len(part))
            sql = ("SELECT granule_id, store_row FROM granules "  # noqa: S608 - placeholders
                   f"WHERE store_row IS NOT NULL AND granule_id IN ({marks})")
            out |= {r["granule_id"]: int(r["store_row"])
                    for r in self._db.execute(sql, part).fetchall()}
        return out

    def row(self, granule_id: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._db.execute(
            "SELECT * FROM granules WHERE granule_id=?", (granule_id,)).fetchone()
        return row

    def properties(self, granule_id: str) -> dict[str, Any]:
        """The catalogue's product-specific fields of an item (empty if unknown)."""
        row = self.row(granule_id)
        return dict(json.loads(row["properties"])) if row is not None else {}

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

    def failures(self) -> list[Failure]:
        """Every failed item, by kind then start time."""
        rows = self._db.execute(
            "SELECT granule_id, reason, failure_kind, attempts FROM granules "
            "WHERE state='failed' ORDER BY failure_kind, start_time").fetchall()
        return [Failure(FailureKind(r["failure_kind"] or FailureKind.PERMANENT),
                        r["granule_id"], r["reason"] or "", r["attempts"]) for r in rows]

    def states_by_start(self, *, id_prefix: str = "") -> dict[datetime, str]:
        """Each item's state by its start time, for the items whose id starts with a prefix."""
        pattern = id_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self._db.execute("SELECT start_time, state FROM granules "
                                "WHERE granule_id LIKE ? ESCAPE '\\'", (pattern,)).fetchall()
        return {utc(r["start_time"]): r["state"] for r in rows}


def _version(db: sqlite3.Connection) -> int:
    """The schema version: ``user_version``, or 1 for an unversioned ledger with a table."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version == 0 and db.execute("SELECT 1 FROM sqlite_master WHERE type='table' "
                                   "AND name='granules'").fetchone():
        return 1
    return version


def _migrate_1_to_2(db: sqlite3.Connection) -> None:
    """Version 1 → 2: AMSR2 columns become ``version`` and JSON ``properties``.

    The version pair (processing date, algorithm version) becomes
    :func:`version_of` of the two, as the collect job computes it from the
    catalogue, so an upgraded store is not taken for a reprocessed one.
    """
    db.execute(_GRANULES_V2.replace("CREATE TABLE granules", "CREATE TABLE granules_v2"))
    marks = ",".join("?" * len(_V2_COLUMNS))
    insert = f"INSERT INTO granules_v2 ({','.join(_V2_COLUMNS)}) VALUES ({marks})"  # noqa: S608
    for row in db.execute("SELECT * FROM granules").fetchall():
        db.execute(insert, _row_1_to_2(row))
    db.execute("DROP TABLE granules")
    db.execute("ALTER TABLE granules_v2 RENAME TO granules")
    db.execute(_INDEX)
    db.execute(_RUNS)


def _row_1_to_2(row: sqlite3.Row) -> tuple[Any, ...]:
    props = {k: row[c] for k, c in (("orbitDirection", "orbit_direction"),
                                    ("processingDate", "processing_date"),
                                    ("algorithmVersion", "algorithm_version")) if row[c]}
    stored = version_of(row["stored_processing_date"], row["stored_algorithm_version"])
    kind = _kind_of_v1(row["error_class"], bool(row["permanent"])) if row["error_class"] else None
    return (row["granule_id"], row["product"], row["start_time"], row["end_time"],
            row["remote_path"], row["catalog_size"],
            version_of(row["processing_date"], row["algorithm_version"]), stored,
            json.dumps(props, sort_keys=True), row["state"], row["reason"], kind,
            row["attempts"], row["bytes"], row["found_at"], row["fetched_at"],
            row["verified_at"], row["extracted_at"], row["committed_at"],
            row["seconds_fetch"], row["seconds_extract"])


def _kind_of_v1(error_class: str, permanent: bool) -> str:
    """A version-1 error class name as a failure kind (through the one mapping of the tree).

    Names outside the tree (``ValueError``, ``OSError``) came from extraction: bad products.
    """
    cls = getattr(errors, error_class, None)
    if isinstance(cls, type) and issubclass(cls, BaseException):
        fallback = FailureKind.PERMANENT if permanent else FailureKind.TRANSIENT
        return failure_kind(cls, default=fallback).value
    return (FailureKind.BAD_PRODUCT if permanent else FailureKind.TRANSIENT).value


def _migrate_2_to_3(db: sqlite3.Connection) -> None:
    """Version 2 → 3: ``store_row``, the swath-store row reserved when an item is found."""
    db.execute("ALTER TABLE granules ADD COLUMN store_row INTEGER")


_MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _migrate_1_to_2,
                                                                2: _migrate_2_to_3}
"""Step from version N to N+1; each runs inside the upgrade's one transaction."""
