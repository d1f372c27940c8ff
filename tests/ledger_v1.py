"""A ledger as swathkit a810e7f wrote it (schema version 1), to test the upgrade.

``V1_SCHEMA`` is a verbatim copy of that release's DDL; ``write_v1`` fills a file
with rows of that layout, as its ``record_found``/``set_state``/``fail`` did.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

V1_SCHEMA = """
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

# What a810e7f wrote for each failure it recorded (error class, permanent).
V1_FAILURE = {"bad_product": ("VerificationError", 1), "transient": ("TransientFetchError", 0),
              "permanent": ("PermanentFetchError", 1), "auth": ("AuthError", 1),
              "not_published": ("NotPublishedError", 1)}


def write_v1(path: Path, rows: list[dict]) -> None:
    """A version-1 ledger at ``path`` holding ``rows`` (dicts of version-1 columns)."""
    with closing(sqlite3.connect(path)) as db:
        db.executescript(V1_SCHEMA)
        for row in rows:
            names = ",".join(row)
            db.execute(f"INSERT INTO granules ({names}) VALUES ({','.join('?' * len(row))})",
                       tuple(row.values()))
        db.execute("INSERT INTO runs (command, started, ended, outcome) "
                   "VALUES ('collect old', 1.0, 2.0, 'finished')")
        db.commit()


def v1_rows_of(v2_path: Path) -> list[dict]:
    """The rows of a version-2 ledger as a810e7f would have written them."""
    with closing(sqlite3.connect(v2_path)) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT * FROM granules").fetchall()
    out = []
    for r in rows:
        props = json.loads(r["properties"])
        version = (props.get("processingDate", ""), props.get("algorithmVersion", ""))
        committed = r["state"] == "committed"
        error_class, permanent = V1_FAILURE.get(r["failure_kind"], (None, 0))
        out.append({
            "granule_id": r["granule_id"], "product": r["product"],
            "start_time": r["start_time"], "end_time": r["end_time"],
            "remote_path": r["remote_path"], "catalog_size": r["catalog_size"],
            "orbit_direction": props.get("orbitDirection"), "processing_date": version[0],
            "algorithm_version": version[1], "state": r["state"], "reason": r["reason"],
            "error_class": error_class, "permanent": permanent, "attempts": r["attempts"],
            "bytes": r["bytes"],
            "stored_processing_date": version[0] if committed else None,
            "stored_algorithm_version": version[1] if committed else None,
            **{k: r[k] for k in ("found_at", "fetched_at", "verified_at", "extracted_at",
                                 "committed_at", "seconds_fetch", "seconds_extract")},
        })
    return out
