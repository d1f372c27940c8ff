from datetime import UTC, datetime, timedelta

from swathkit.ledger import Ledger
from swathkit.types import Granule


def _granule(i: int, processing: str = "2022-02-17") -> Granule:
    start = datetime(2022, 2, 16, tzinfo=UTC) + timedelta(minutes=50 * i)
    return Granule(f"G{i}", "amsr2-l1b", start, start + timedelta(minutes=49), f"x/G{i}.h5",
                   size=1000, properties={"processingDate": processing,
                                          "algorithmVersion": "220", "orbitDirection": "A"})


def test_states_flow_into_the_funnel(tmp_path):
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.record_found([_granule(i) for i in range(4)])
        ledger.set_state("G0", "fetched", bytes=1000)
        ledger.set_state("G0", "extracted")
        ledger.set_state("G0", "committed")
        ledger.set_state("G1", "fetched", bytes=500)
        ledger.fail("G2", reason="corrupt twice", error_class="VerificationError", attempts=2,
                    permanent=True)
        ledger.fail("G3", reason="404", error_class="NotPublishedError", attempts=1,
                    permanent=True)
        f = ledger.funnel()
    assert (f.found, f.fetched, f.verified, f.extracted, f.committed, f.failed,
            f.not_published) == (4, 2, 2, 1, 1, 1, 1)
    assert f.bytes_fetched == 1500 and f.bytes_committed == 1000


def test_resume_lists_only_unfinished_and_failed_on_request(tmp_path):
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.record_found([_granule(i) for i in range(4)])
        ledger.set_state("G0", "committed")
        ledger.fail("G2", reason="x", error_class="VerificationError", attempts=2,
                    permanent=True)
        ids = [f"G{i}" for i in range(4)]
        assert [r["granule_id"] for r in ledger.pending(ids)] == ["G1", "G3"]
        assert [r["granule_id"] for r in ledger.pending(ids, retry_failed=True)] == [
            "G1", "G2", "G3"]


def test_refinding_keeps_state_and_reports_version_changes(tmp_path):
    path = tmp_path / "l.sqlite"
    with Ledger(path) as ledger:
        ledger.record_found([_granule(0)])
        ledger.set_state("G0", "committed")
    with Ledger(path) as ledger:
        assert ledger.record_found([_granule(0)]) == []
        assert ledger.record_found([_granule(0, "2023-01-01")]) == ["G0"]
        assert ledger.row("G0")["state"] == "committed"
        ledger.record_found([_granule(0, "2023-01-01")], update=True)
        assert ledger.row("G0")["state"] == "found"


def test_no_credentials_columns(tmp_path):
    with Ledger(tmp_path / "l.sqlite") as ledger:
        cols = [r[1] for r in ledger._db.execute("PRAGMA table_info(granules)")]
    assert not any("pass" in c or "user" in c for c in cols)
