"""download_asi against the simulated Bremen archive: skip, force, re-fetch, faults, 404 days."""

import dataclasses
import shutil
from datetime import date

import pytest

from swathkit.errors import InputError, VerificationError
from swathkit.jobs.seaice.download import LEDGER_NAME, day_states, download_asi, verify_asi_file
from swathkit.sim.bremen.asi import write_asi_day
from swathkit.sim.bremen.server import SimulatedBremen
from swathkit.sim.faults import FaultPlan, fault_plan
from swathkit.transfer.retry import RetryPolicy
from swathkit.types import FailureKind

START, END = date(2013, 5, 9), date(2013, 5, 14)  # 11..13 are missing upstream
PUBLISHED = [date(2013, 5, 9), date(2013, 5, 10), date(2013, 5, 14)]
MISSING = (date(2013, 5, 11), date(2013, 5, 12), date(2013, 5, 13))
SEED_ALL_KINDS = 5  # its first GETs of the three files drop, truncate and corrupt
FAST = RetryPolicy(max_attempts=8, base_delay=0.02, max_delay=0.2, seed=1)


def _name(day):
    return f"asi-AMSR2-n6250-{day:%Y%m%d}-v5.4.nc"


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    """Generated files, shared by the module's servers (the same seed gives the same bytes)."""
    return tmp_path_factory.mktemp("bremen-cache")


@pytest.fixture(scope="module")
def truth(cache):
    """The archive's bytes of each published day."""
    with SimulatedBremen(cache_dir=cache) as s:
        return {_name(d): s.files.local("n6250", d).read_bytes() for d in PUBLISHED}


@pytest.fixture
def sim(cache, truth):
    with SimulatedBremen(cache_dir=cache) as s:
        yield s


def _download(sim, out, **kw):
    kw.setdefault("retry", FAST)
    return download_asi("n6250", START, END, out, base_url=sim.base_url, ca_bundle=sim.ca_file,
                        **kw)


def _content(out):
    """The folder's files (the ledger aside), by name."""
    return {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}


def test_every_published_day_is_downloaded_and_the_others_are_not_published(sim, truth,
                                                                              tmp_path):
    seen = []
    report = _download(sim, tmp_path, progress=lambda done, total, item: seen.append(done))
    assert report.ok and report.failures == () and report.counts["asked"] == 6
    assert sorted(report.extras.downloaded) == sorted(truth) and report.extras.skipped == ()
    assert report.extras.not_published == MISSING and report.counts["not_published"] == 3
    assert report.bytes == sum(map(len, truth.values()))
    assert _content(tmp_path) == truth  # flat, real names, no .part left, nothing else
    assert seen == [1, 2, 3, 4, 5, 6]
    states = day_states(tmp_path, "n6250")
    assert states == {**{d: "fetched" for d in PUBLISHED}, **{d: "not_published" for d in MISSING}}
    assert day_states(tmp_path, "s3125") == {} and day_states(tmp_path / "no", "n6250") == {}


def test_a_rerun_keeps_verified_files_without_fetching_them(sim, truth, tmp_path):
    _download(sim, tmp_path)
    sent = sim.stats().bytes_sent
    again = _download(sim, tmp_path)
    assert again.ok and sorted(again.extras.skipped) == sorted(truth)
    assert again.extras.downloaded == ()
    assert again.extras.not_published == MISSING  # asked again: a late day may have appeared
    assert sim.stats().bytes_sent == sent and _content(tmp_path) == truth


def test_force_fetches_every_day_again(sim, truth, tmp_path):
    _download(sim, tmp_path)
    sent = sim.stats().bytes_sent
    forced = _download(sim, tmp_path, force=True)
    assert forced.ok and sorted(forced.extras.downloaded) == sorted(truth)
    assert sim.stats().bytes_sent - sent == sum(map(len, truth.values()))


def _damage(path, how):
    data = bytearray(path.read_bytes())
    if how == "truncated":
        path.write_bytes(bytes(data[: len(data) // 2]))
    else:  # one flipped byte in the middle of the compressed concentrations, same size
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["truncated", "corrupt"])
def test_a_damaged_local_file_is_fetched_again(sim, truth, tmp_path, how):
    _download(sim, tmp_path)
    damaged = tmp_path / _name(PUBLISHED[1])
    _damage(damaged, how)
    report = _download(sim, tmp_path)
    assert report.ok and report.extras.downloaded == (damaged.name,)
    assert len(report.extras.skipped) == 2
    assert _content(tmp_path) == truth


def test_files_the_ledger_does_not_know_are_checked_against_the_archive_size(sim, truth,
                                                                             tmp_path):
    for name, data in truth.items():
        (tmp_path / name).write_bytes(data)
    other = write_asi_day(tmp_path / "other", "n6250", PUBLISHED[0], seed=7)  # a valid grid
    assert len(other.read_bytes()) != len(truth[other.name])  # ... of another size
    shutil.copy(other, tmp_path / other.name)
    shutil.rmtree(tmp_path / "other")
    report = _download(sim, tmp_path)
    assert report.ok and report.extras.downloaded == (other.name,)
    assert len(report.extras.skipped) == 2
    assert _content(tmp_path) == truth


@pytest.mark.slow
def test_a_flaky_archive_gives_the_bytes_of_a_fault_free_one(cache, truth, tmp_path):
    plan = fault_plan("flaky")
    with SimulatedBremen(faults=plan, cache_dir=cache) as s:
        report = _download(s, tmp_path)
        faults = s.stats().faults
    broken = {_name(d) for d in PUBLISHED if plan.is_permanently_corrupt(
        f"amsr2/asi_daygrid_swath/n6250/netcdf/2013/{_name(d)}")}
    assert not broken, "choose a seed without permanently corrupt days"
    assert report.ok and _content(tmp_path) == truth and report.extras.not_published == MISSING
    assert sum(faults.values()) > 0


def test_every_fault_kind_at_once_still_gives_the_same_bytes(cache, truth, tmp_path):
    plan = FaultPlan(http_503=0.05, http_429=0.05, retry_after=0, slow_share=0.2,
                     slow_delay=0.01, sftp_drop=0.2, sftp_truncate=0.2, corrupt_share=0.7,
                     corrupt_permanent_share=0.0, seed=SEED_ALL_KINDS)
    with SimulatedBremen(faults=plan, cache_dir=cache, seed=0) as s:
        report = download_asi("n6250", START, END, tmp_path, base_url=s.base_url,
                              ca_bundle=s.ca_file, retry=dataclasses.replace(FAST, max_attempts=20))
        faults = s.stats().faults
    assert report.ok and _content(tmp_path) == truth, report.failures
    assert {"drop", "truncate", "corrupt"} <= set(faults), faults


def test_a_connection_cap_below_the_workers_is_respected(cache, truth, tmp_path):
    with SimulatedBremen(faults=FaultPlan(max_sessions=2, retry_after=0), cache_dir=cache) as s:
        report = _download(s, tmp_path)
        stats = s.stats()
    assert report.ok and _content(tmp_path) == truth, report.failures
    assert stats.max_concurrent_connections <= 2


def test_a_permanently_corrupt_file_fails_and_leaves_nothing_behind(cache, truth, tmp_path):
    plan = FaultPlan(corrupt_share=1.0, corrupt_permanent_share=1.0)
    with SimulatedBremen(faults=plan, cache_dir=cache) as s:
        report = _download(s, tmp_path)
    assert not report.ok and report.extras.downloaded == () and report.exit_code == 1
    assert {f.kind for f in report.failures} == {FailureKind.BAD_PRODUCT}
    assert sorted(f.item + ".nc" for f in report.failures) == sorted(truth)
    assert _content(tmp_path) == {}  # no .part, no bad file
    assert set(day_states(tmp_path, "n6250").values()) == {"failed", "not_published"}


def test_a_day_published_late_is_fetched_by_the_next_run(cache, truth, tmp_path):
    late = PUBLISHED[1]
    with SimulatedBremen(cache_dir=cache, missing_days=[*MISSING, late]) as s:
        first = _download(s, tmp_path)
    assert first.ok and late in first.extras.not_published
    with SimulatedBremen(cache_dir=cache) as s:
        second = _download(s, tmp_path)
    assert second.extras.downloaded == (_name(late),) and _content(tmp_path) == truth
    assert day_states(tmp_path, "n6250")[late] == "fetched"


def test_the_ledger_lives_in_the_output_folder(sim, tmp_path):
    _download(sim, tmp_path)
    assert (tmp_path / LEDGER_NAME).is_file()


def test_verification_names_the_problem(tmp_path, truth):
    bad = tmp_path / _name(PUBLISHED[0])
    bad.write_bytes(truth[bad.name][:1000])
    with pytest.raises(VerificationError, match=bad.name):
        verify_asi_file(bad)
    renamed = tmp_path / "day.nc"
    renamed.write_bytes(truth[bad.name])
    with pytest.raises(VerificationError, match="not an ASI file name"):
        verify_asi_file(renamed)
    good = tmp_path / (bad.name + ".part")
    good.write_bytes(truth[bad.name])
    verify_asi_file(good)  # the engine checks the .part before the rename


def test_a_wrong_grid_shape_fails_verification(tmp_path, truth):
    wrong = tmp_path / _name(PUBLISHED[0]).replace("n6250", "s6250")
    wrong.write_bytes(truth[_name(PUBLISHED[0])])
    with pytest.raises(VerificationError, match="has shape"):
        verify_asi_file(wrong)


def test_bad_arguments_are_refused_before_any_request(sim, tmp_path):
    with pytest.raises(InputError, match="before start"):
        download_asi("n6250", END, START, tmp_path, base_url=sim.base_url, ca_bundle=sim.ca_file)
    with pytest.raises(InputError, match="unknown ASI grid"):
        download_asi("n1000", START, END, tmp_path, base_url=sim.base_url, ca_bundle=sim.ca_file)
    with pytest.raises(InputError, match="workers must be at least 1"):
        download_asi("n6250", START, END, tmp_path, base_url=sim.base_url, ca_bundle=sim.ca_file,
                     workers=0)
    assert sim.stats().requests_served == 0


def test_retry_policy_is_used(sim, tmp_path):
    slow = dataclasses.replace(FAST, max_attempts=1)
    plan = FaultPlan(http_503=1.0, retry_after=0, streak_limit=None)
    with SimulatedBremen(faults=plan, cache_dir=sim.files.directory.parent) as s:
        report = download_asi("n6250", PUBLISHED[0], PUBLISHED[0], tmp_path,
                              base_url=s.base_url, ca_bundle=s.ca_file, retry=slow)
    assert [f.kind for f in report.failures] == [FailureKind.TRANSIENT]
    assert report.failures[0].attempts == 1


def test_an_archive_brings_its_sessions_and_retry_policy(sim, tmp_path):
    from swathkit.archives.base import Archive
    from swathkit.archives.bremen import bremen_sessions

    plan = FaultPlan(http_503=1.0, retry_after=0, streak_limit=None)
    with SimulatedBremen(faults=plan, cache_dir=sim.files.directory.parent) as s:
        # download_asi reads the archive's sessions and retry policy; ASI days need no search
        archive = Archive(catalog=None, sessions=bremen_sessions(s.base_url, ca_bundle=s.ca_file),
                          name="mirror",
                          retry=dataclasses.replace(FAST, max_attempts=2))
        report = download_asi("n6250", PUBLISHED[0], PUBLISHED[0], tmp_path, archive=archive)
        served = s.stats().requests_served
    assert [(f.kind, f.attempts) for f in report.failures] == [(FailureKind.TRANSIENT, 2)]
    assert served >= 2 and sim.stats().requests_served == 0  # base_url was not used


def test_an_untouched_verified_file_is_only_opened_a_rewritten_one_decoded(sim, tmp_path,
                                                                         monkeypatch):
    import os

    import swathkit.jobs.seaice.download as job

    _download(sim, tmp_path)
    os.utime(tmp_path / _name(PUBLISHED[2]))  # written after its verification: now
    calls = {}
    real = job.verify_asi_file

    def spy(path, *, decode=True):
        calls[path.name] = decode
        return real(path, decode=decode)

    monkeypatch.setattr(job, "verify_asi_file", spy)
    report = _download(sim, tmp_path)
    assert len(report.extras.skipped) == 3
    assert calls == {_name(PUBLISHED[0]): False, _name(PUBLISHED[1]): False,
                     _name(PUBLISHED[2]): True}


def test_only_decoding_catches_a_flipped_data_byte(tmp_path, truth):
    path = tmp_path / _name(PUBLISHED[0])
    path.write_bytes(truth[path.name])
    _damage(path, "corrupt")
    verify_asi_file(path, decode=False)  # the structure is intact
    with pytest.raises(VerificationError, match="does not inflate"):
        verify_asi_file(path)
