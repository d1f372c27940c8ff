import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest

import swathkit.ledger as ledger_module
from ledger_v1 import write_v1
from swathkit.errors import StoreError
from swathkit.ledger import SCHEMA_VERSION, Ledger, version_of
from swathkit.types import Failure, FailureKind, Granule


def _granule(i: int, processing: str = "2022-02-17") -> Granule:
    start = datetime(2022, 2, 16, tzinfo=UTC) + timedelta(minutes=50 * i)
    return Granule(f"G{i}", "amsr2-l1b", start, start + timedelta(minutes=49), f"x/G{i}.h5",
                   size=1000, properties={"processingDate": processing,
                                          "algorithmVersion": "220", "orbitDirection": "A"})


def _version(g: Granule) -> str | None:
    return version_of(g.properties.get("processingDate"), g.properties.get("algorithmVersion"))


def _columns(path) -> list[str]:
    with closing(sqlite3.connect(path)) as db:
        return [r[1] for r in db.execute("PRAGMA table_info(granules)")]


def test_states_flow_into_the_funnel(tmp_path):
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.record_found([_granule(i) for i in range(4)])
        ledger.record_fetched("G0", size=1000, attempts=1, seconds=0.5)
        ledger.set_state("G0", "extracted")
        ledger.set_state("G0", "committed")
        ledger.record_fetched("G1", size=500, attempts=2)
        ledger.record_failure(Failure(FailureKind.BAD_PRODUCT, "G2", "corrupt twice", 2))
        ledger.record_not_published("G3", attempts=1)
        f = ledger.funnel()
        failures = ledger.failures()
        attempts = [ledger.row(f"G{i}")["attempts"] for i in range(4)]
    assert (f.found, f.fetched, f.verified, f.extracted, f.committed, f.failed,
            f.not_published) == (4, 2, 2, 1, 1, 1, 1)
    assert f.bytes_fetched == 1500 and f.bytes_committed == 1000
    assert failures == [Failure(FailureKind.BAD_PRODUCT, "G2", "corrupt twice", 2)]
    assert attempts == [1, 2, 2, 1]


def test_resume_lists_only_unfinished_and_failed_on_request(tmp_path):
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.record_found([_granule(i) for i in range(4)])
        ledger.set_state("G0", "committed")
        ledger.record_failure(Failure(FailureKind.TRANSIENT, "G2", "timed out", 8))
        ids = [f"G{i}" for i in range(4)]
        assert [r["granule_id"] for r in ledger.pending(ids)] == ["G1", "G3"]
        assert [r["granule_id"] for r in ledger.pending(ids, retry_failed=True)] == [
            "G1", "G2", "G3"]


def test_refinding_keeps_state_and_reports_version_changes(tmp_path):
    path = tmp_path / "l.sqlite"
    with Ledger(path) as ledger:
        ledger.record_found([_granule(0)], version=_version)
        ledger.set_state("G0", "committed")
    with Ledger(path) as ledger:
        assert ledger.record_found([_granule(0)], version=_version) == []
        assert ledger.record_found([_granule(0, "2023-01-01")], version=_version) == ["G0"]
        assert ledger.row("G0")["state"] == "committed"
        ledger.record_found([_granule(0, "2023-01-01")], update=True, version=_version)
        assert ledger.row("G0")["state"] == "found"


def test_items_without_a_version_never_change(tmp_path):
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.record_found([_granule(0)])
        ledger.set_state("G0", "committed")
        assert ledger.record_found([_granule(0, "2023-01-01")]) == []


def test_the_generic_table_holds_no_product_fields(tmp_path):
    path = tmp_path / "l.sqlite"
    with Ledger(path) as ledger:
        ledger.record_found([_granule(0)])
        assert ledger.schema_version == SCHEMA_VERSION == 3
        assert ledger.properties("G0") == {"processingDate": "2022-02-17",
                                           "algorithmVersion": "220", "orbitDirection": "A"}
    columns = _columns(path)
    assert "version" in columns and "properties" in columns
    assert not {"orbit_direction", "processing_date", "algorithm_version", "error_class",
                "permanent"} & set(columns)


def test_no_credentials_columns(tmp_path):
    assert not any("pass" in c or "user" in c for c in _columns(_new(tmp_path)))


def _new(tmp_path):
    with Ledger(tmp_path / "l.sqlite") as ledger:
        return ledger.path


V1_ROWS = [
    {"granule_id": "G0", "product": "amsr2-l1b", "start_time": "2022-02-16T00:00:00+00:00",
     "end_time": "2022-02-16T00:49:00+00:00", "remote_path": "x/G0.h5", "catalog_size": 1000,
     "orbit_direction": "A", "processing_date": "2022-02-17", "algorithm_version": "220",
     "state": "committed", "attempts": 1, "bytes": 1000,
     "stored_processing_date": "2022-02-17", "stored_algorithm_version": "220",
     "found_at": 1.0, "fetched_at": 2.0, "verified_at": 2.0, "extracted_at": 3.0,
     "committed_at": 4.0, "seconds_fetch": 0.5, "seconds_extract": 0.25},
    {"granule_id": "G1", "product": "amsr2-l1b", "start_time": "2022-02-16T00:50:00+00:00",
     "end_time": "2022-02-16T01:39:00+00:00", "remote_path": "x/G1.h5", "catalog_size": 1000,
     "orbit_direction": "D", "processing_date": "2022-02-17", "algorithm_version": "220",
     "state": "failed", "reason": "checksum mismatch twice", "error_class": "VerificationError",
     "permanent": 0, "attempts": 2, "found_at": 1.0},
    {"granule_id": "G2", "product": "amsr2-l1b", "start_time": "2022-02-16T01:40:00+00:00",
     "end_time": "2022-02-16T02:29:00+00:00", "remote_path": "x/G2.h5", "catalog_size": 1000,
     "orbit_direction": "A", "processing_date": "2022-02-17", "algorithm_version": "220",
     "state": "failed", "reason": "not an HDF5 file", "error_class": "OSError",
     "permanent": 1, "attempts": 0, "found_at": 1.0},
    {"granule_id": "G3", "product": "amsr2-l1b", "start_time": "2022-02-16T02:30:00+00:00",
     "end_time": "2022-02-16T03:19:00+00:00", "remote_path": "x/G3.h5", "catalog_size": 1000,
     "orbit_direction": "D", "processing_date": "2022-02-17", "algorithm_version": "220",
     "state": "failed", "reason": "timed out", "error_class": "TransientFetchError",
     "permanent": 0, "attempts": 8, "found_at": 1.0},
    {"granule_id": "asi-AMSR2-n6250-20130511-v5.4", "product": "asi-amsr2",
     "start_time": "2013-05-11T00:00:00+00:00", "end_time": "2013-05-12T00:00:00+00:00",
     "remote_path": "amsr2/n6250/asi-AMSR2-n6250-20130511-v5.4.nc", "processing_date": "",
     "algorithm_version": "", "state": "not_published", "reason": "404",
     "error_class": "NotPublishedError", "permanent": 1, "attempts": 1, "found_at": 1.0},
    {"granule_id": "G4", "product": "amsr2-l1b", "start_time": "2022-02-16T03:20:00+00:00",
     "end_time": "2022-02-16T04:09:00+00:00", "remote_path": "x/G4.h5", "catalog_size": 1000,
     "orbit_direction": "A", "processing_date": "2022-02-17", "algorithm_version": "220",
     "state": "fetched", "attempts": 3, "bytes": 900, "found_at": 1.0, "fetched_at": 2.0,
     "verified_at": 2.0, "seconds_fetch": 1.5},
]


def test_a_version_1_ledger_is_upgraded_in_place_keeping_every_row(tmp_path):
    path = tmp_path / "old.sqlite"
    write_v1(path, V1_ROWS)
    with Ledger(path) as ledger:
        assert ledger.schema_version == 3
        rows = {r["granule_id"]: dict(r) for r in ledger._db.execute("SELECT * FROM granules")}
        failures = ledger.failures()
        runs = ledger._db.execute("SELECT command, outcome FROM runs").fetchall()
        funnel = ledger.funnel()
    assert set(rows) == {r["granule_id"] for r in V1_ROWS}
    assert {k: r["state"] for k, r in rows.items()} == {r["granule_id"]: r["state"]
                                                        for r in V1_ROWS}
    g0 = rows["G0"]
    assert (g0["version"], g0["stored_version"]) == ("2022-02-17/220", "2022-02-17/220")
    assert json.loads(g0["properties"]) == {"orbitDirection": "A", "processingDate":
                                            "2022-02-17", "algorithmVersion": "220"}
    assert {k: g0[k] for k in ("bytes", "attempts", "committed_at", "seconds_extract")} == {
        "bytes": 1000, "attempts": 1, "committed_at": 4.0, "seconds_extract": 0.25}
    assert {(f.item, f.kind, f.attempts) for f in failures} == {
        ("G1", FailureKind.BAD_PRODUCT, 2), ("G2", FailureKind.BAD_PRODUCT, 0),
        ("G3", FailureKind.TRANSIENT, 8)}
    asi = rows["asi-AMSR2-n6250-20130511-v5.4"]
    assert (asi["version"], asi["failure_kind"], asi["properties"]) == (
        None, "not_published", "{}")
    assert [tuple(r) for r in runs] == [("collect old", "finished")]
    assert (funnel.found, funnel.committed, funnel.failed, funnel.not_published,
            funnel.bytes_fetched) == (6, 1, 3, 1, 1900)


def test_an_upgraded_ledger_sees_the_same_catalogue_version_as_unchanged(tmp_path):
    path = tmp_path / "old.sqlite"
    write_v1(path, V1_ROWS[:1])
    with Ledger(path) as ledger:
        assert ledger.record_found([_granule(0)], version=_version) == []
        assert ledger.record_found([_granule(0, "2023-01-01")], version=_version) == ["G0"]


def test_the_upgrade_is_one_transaction(tmp_path, monkeypatch):
    path = tmp_path / "old.sqlite"
    write_v1(path, V1_ROWS)
    real = ledger_module._MIGRATIONS[1]

    def fails_at_the_end(db):  # fault injection: the whole step ran, then something broke
        real(db)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setitem(ledger_module._MIGRATIONS, 1, fails_at_the_end)
    with pytest.raises(StoreError, match="disk I/O error"):
        Ledger(path)
    assert "processing_date" in _columns(path)  # still version 1, as written
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM granules").fetchone()[0] == len(V1_ROWS)
        assert db.execute("SELECT name FROM sqlite_master WHERE name='granules_v2'"
                          ).fetchone() is None


def test_a_ledger_newer_than_the_code_is_refused(tmp_path):
    path = _new(tmp_path)
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA user_version = 4")
    with pytest.raises(StoreError, match="schema version 4, newer than this swathkit"):
        Ledger(path)


def test_a_file_that_is_not_a_ledger_is_refused(tmp_path):
    path = tmp_path / "l.sqlite"
    path.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(StoreError, match="cannot be read as a swathkit ledger"):
        Ledger(path)


def test_states_by_start_takes_a_literal_prefix(tmp_path):
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.record_found([_granule(0), _granule(1)])
        ledger.record_found([Granule("G_x", "p", datetime(2020, 1, 1, tzinfo=UTC),
                                     datetime(2020, 1, 2, tzinfo=UTC), "x/G_x")])
        ledger.set_state("G1", "committed")
        assert ledger.states_by_start(id_prefix="G_") == {
            datetime(2020, 1, 1, tzinfo=UTC): "found"}
        assert sorted(ledger.states_by_start(id_prefix="G").values()) == [
            "committed", "found", "found"]


def test_runs_record_how_they_ended(tmp_path):
    with Ledger(tmp_path / "l.sqlite") as ledger:
        with ledger.run("a") as run:
            run.outcome = "finished"
        with pytest.raises(KeyboardInterrupt), ledger.run("b"):
            raise KeyboardInterrupt
        with pytest.raises(StoreError), ledger.run("c"):
            raise StoreError("down")
        outcomes = ledger._db.execute("SELECT command, outcome FROM runs").fetchall()
    assert [tuple(r) for r in outcomes] == [("a", "finished"), ("b", "interrupted"),
                                            ("c", "stopped")]
