"""``swathkit collect`` and ``status`` through the CLI, against a running simulated portal."""

import json

import pytest

from swathkit.cli.main import main
from swathkit.sim.gportal.server import SimulatedGPortal


@pytest.fixture(scope="module")
def portal():
    with SimulatedGPortal(scans=30) as sim:
        yield sim


def _args(portal, store, *extra):
    return ["collect", "amsr2-l1b", "--start", "2022-02-16T00:00", "--end", "2022-02-16T04:00",
            "--store", str(store), "--catalog-url", portal.catalog_url,
            "--sftp-host", portal.sftp_host, "--sftp-port", str(portal.sftp_port),
            "--username", portal.username, *extra]


@pytest.fixture(autouse=True)
def trust_the_portal(portal, monkeypatch):
    """The catalogue is HTTPS with the simulator's own CA, trusted as `sim serve` says."""
    monkeypatch.setenv("SWATHKIT_CA_BUNDLE", str(portal.ca_file))


@pytest.mark.slow
def test_collect_then_status_then_rerun(portal, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GPORTAL_PASSWORD", portal.password)
    store = tmp_path / "s.zarr"
    assert main(_args(portal, store, "--coords", "--workers", "2")) == 0
    out = capsys.readouterr().out
    assert "committed" in out and portal.password not in out
    assert main(["status", str(store)]) == 0
    status = capsys.readouterr().out
    assert "found" in status and "failed" in status
    assert main(_args(portal, store, "--coords")) == 0  # resumes: nothing left to do
    ledger = (tmp_path / "s.zarr.ledger.sqlite").read_bytes()
    assert portal.password.encode() not in ledger


@pytest.mark.slow
def test_wrong_password_exits_2_with_a_clear_message(portal, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GPORTAL_PASSWORD", "not-the-password")
    assert main(_args(portal, tmp_path / "s.zarr")) == 2
    err = capsys.readouterr().err
    assert "refused the password" in err and "not-the-password" not in err


def test_status_without_a_ledger_says_so(tmp_path, capsys):
    assert main(["status", str(tmp_path / "nothing.zarr")]) == 2
    assert "no ledger" in capsys.readouterr().err


def test_archive_sim_is_the_simulated_portal_of_the_registry():
    from swathkit.cli.main import build_parser
    from swathkit.cli.swaths.collect import archive_choice

    args = build_parser("collect").parse_args(
        ["collect", "amsr2-l1b", "--start", "2022-02-16", "--end", "2022-02-17",
         "--store", "s.zarr", "--archive", "sim", "--faults", "flaky"])
    assert archive_choice(args) == ("gportal-sim", {"faults": "flaky"})


@pytest.mark.parametrize(("extra", "message"), [
    (["--archive", "sim", "--sftp-port", "2222"], "--sftp-port apply to --archive gportal"),
    (["--faults", "flaky"], "--faults applies to --archive sim only"),
])
def test_an_option_of_the_other_archive_exits_2(tmp_path, capsys, extra, message):
    argv = ["collect", "amsr2-l1b", "--start", "2022-02-16", "--end", "2022-02-17",
            "--store", str(tmp_path / "s.zarr"), *extra]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "s.zarr.ledger.sqlite").exists()
def test_json_reports_of_collect_and_status(portal, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GPORTAL_PASSWORD", portal.password)
    store = tmp_path / "s.zarr"
    assert main(_args(portal, store, "--json")) == 0
    report = json.loads(capsys.readouterr().out)
    counts = report["counts"]
    assert report["job"] == "collect" and report["ok"] and report["exit_code"] == 0
    assert counts["found"] == counts["committed"] > 0 and report["failures"] == []
    assert report["extras"]["changed_versions"] == [] and report["bytes"] > 0
    assert main(["status", str(store), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["job"] == "status" and status["counts"] == counts


def test_a_ledger_of_the_previous_release_is_upgraded_and_resumed(portal, tmp_path, capsys,
                                                                  monkeypatch):
    from ledger_v1 import v1_rows_of, write_v1
    from swathkit.ledger import SCHEMA_VERSION, Ledger

    monkeypatch.setenv("GPORTAL_PASSWORD", portal.password)
    store, ledger = tmp_path / "s.zarr", tmp_path / "s.zarr.ledger.sqlite"
    assert main(_args(portal, store)) == 0
    rows = v1_rows_of(ledger)
    for row in rows[-2:]:  # as if the old release was stopped before these two were fetched
        row.update(state="found", bytes=None, fetched_at=None, verified_at=None,
                   extracted_at=None, committed_at=None, stored_processing_date=None,
                   stored_algorithm_version=None)
    ledger.unlink()
    write_v1(ledger, rows)
    capsys.readouterr()
    assert main(_args(portal, store, "--json")) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["committed"] == report["counts"]["found"] == len(rows)
    assert report["extras"]["changed_versions"] == []  # the upgrade kept the versions
    with Ledger(ledger) as upgraded:
        assert upgraded.schema_version == SCHEMA_VERSION
        assert all(upgraded.row(r["granule_id"])["fetched_at"] == r["fetched_at"]
                   for r in rows[:-2])  # not fetched again
