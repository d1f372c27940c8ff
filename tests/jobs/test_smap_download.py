"""smap download on the simulated NSIDC: newest files, verified, resumed, faults, credentials."""

import base64
import hashlib
import logging
from datetime import date

import pytest

from smap_sim import FAST_RETRY, PASSWORD, USER, nsidc
from swathkit.errors import AuthError
from swathkit.jobs.smap.download import LEDGER_NAME, download_smap
from swathkit.sim.faults import FaultPlan
from swathkit.transfer.download import part_path

START, END = date(2015, 4, 1), date(2015, 4, 4)
NEWEST = ["SMAP_L3_SM_P_20150401_R19240_002.h5", "SMAP_L3_SM_P_20150402_R19240_001.h5",
          "SMAP_L3_SM_P_20150403_R19240_001.h5", "SMAP_L3_SM_P_20150404_R19240_002.h5"]


def tree(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.is_file() and not p.name.startswith((LEDGER_NAME, ".swathkit-writer.lock"))}


@pytest.fixture
def sim(monkeypatch):
    with nsidc(monkeypatch) as s:
        yield s


def test_the_newest_file_of_each_day_is_downloaded_and_a_rerun_fetches_nothing(sim, tmp_path):
    report = download_smap("SPL3SMP", START, END, tmp_path)
    assert report.ok and report.extras.files == tuple(NEWEST)
    assert sorted(tree(tmp_path)) == NEWEST and report.counts["downloaded"] == 4
    served = sim.stats().s3_requests
    again = download_smap("SPL3SMP", START, END, tmp_path)
    assert again.counts["downloaded"] == 0 and again.counts["skipped"] == 4
    assert sim.stats().s3_requests == served


def test_a_truncated_transfer_is_resumed_to_the_same_bytes(sim, tmp_path):
    download_smap("SPL3SMP", START, START, tmp_path / "clean")
    name = NEWEST[0]
    whole = (tmp_path / "clean" / name).read_bytes()
    out = tmp_path / "out"
    out.mkdir()
    part_path(out / name).write_bytes(whole[:len(whole) // 2])
    report = download_smap("SPL3SMP", START, START, out)
    assert report.ok and report.extras.bytes_resumed == len(whole) // 2
    assert (out / name).read_bytes() == whole and not part_path(out / name).exists()


def test_a_wrong_md5_once_is_fetched_again(sim, tmp_path):
    sim.tamper(NEWEST[1], gets=1)
    report = download_smap("SPL3SMP", START, END, tmp_path)
    assert report.ok and report.counts["downloaded"] == 4


@pytest.mark.slow
def test_a_wrong_md5_that_stays_fails_with_the_reason_and_a_rerun_gets_it(sim, tmp_path):
    sim.tamper(NEWEST[2])
    report = download_smap("SPL3SMP", START, END, tmp_path)
    assert report.exit_code == 1 and report.counts["downloaded"] == 3
    (failure,) = report.failures
    assert failure.item == NEWEST[2].removesuffix(".h5") and "checksum" in failure.reason
    assert not (tmp_path / NEWEST[2]).exists()
    sim.untamper(NEWEST[2])
    again = download_smap("SPL3SMP", START, END, tmp_path)
    assert again.ok and again.counts["downloaded"] == 1 and sorted(tree(tmp_path)) == NEWEST


@pytest.mark.slow
def test_503_429_and_dropped_connections_give_the_files_of_a_clean_run(monkeypatch, tmp_path):
    with nsidc(monkeypatch) as clean_sim:
        download_smap("SPL3SMP", START, END, tmp_path / "clean")
        assert clean_sim.stats().faults == {}
    plan = FaultPlan(seed=3, http_503=0.08, http_429=0.04, retry_after=0, sftp_drop=0.15,
                     sftp_truncate=0.1, streak_limit=2)
    with nsidc(monkeypatch, faults=plan) as sim:
        report = download_smap("SPL3SMP", START, END, tmp_path / "faulty", retry=FAST_RETRY,
                               workers=3)
        faults = sim.stats().faults
    assert report.ok and sum(faults.values()) > 0
    assert tree(tmp_path / "faulty") == tree(tmp_path / "clean")


def test_a_wrong_password_is_one_clear_error_and_one_login_attempt(sim, tmp_path, monkeypatch):
    monkeypatch.setenv("EARTHDATA_PASSWORD", "not-the-password")
    with pytest.raises(AuthError, match="Earthdata Login refused user 'alice'") as info:
        download_smap("SPL3SMP", START, END, tmp_path, workers=4)
    assert "not-the-password" not in str(info.value)
    assert sim.stats().login_failures == 1 and tree(tmp_path) == {}


def test_credentials_are_not_in_the_ledger_or_the_log(sim, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    download_smap("SPL3SMP", START, END, tmp_path)
    basic = base64.b64encode(f"{USER}:{PASSWORD}".encode())
    for path in tmp_path.glob(f"{LEDGER_NAME}*"):
        data = path.read_bytes()
        assert PASSWORD.encode() not in data and basic not in data
    assert PASSWORD not in caplog.text and basic.decode() not in caplog.text


def test_the_radar_comes_from_asf_s_datapool_verified(sim, tmp_path):
    report = download_smap("SPL1CS0", date(2015, 7, 6), date(2015, 7, 6), tmp_path,
                           bbox=(-100, 30, -90, 40))
    files = tree(tmp_path)
    assert report.ok and report.counts["downloaded"] == len(files) > 0
    assert all(n.startswith("SMAP_L1C_S0_HIRES_") and "_20150706T" in n for n in files)
    assert list(files) == list(report.extras.files)
    assert download_smap("SPL1CS0", date(2015, 7, 8), date(2015, 7, 9), tmp_path).counts[
        "found"] == 0  # after the radar's failure
