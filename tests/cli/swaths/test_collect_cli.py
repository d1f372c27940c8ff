"""``swathkit collect`` and ``status`` through the CLI, against a running simulated portal."""

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
