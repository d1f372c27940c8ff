"""pairs download on the simulated ASF and LandsatLook: verified zips, safe extraction, tiles."""

import base64
import hashlib
import logging
import shutil
import zipfile
from pathlib import Path

import pytest

from pairs_sims import AOI, EARTHDATA_USERS, PERIOD, USERS, point_at, simulators
from swathkit.errors import AuthError
from swathkit.jobs.pairs.download import download_pairs
from swathkit.jobs.pairs.pair_files import DSWE_FOLDER, LEDGER_NAME, kept_rows
from swathkit.jobs.pairs.score import score_pairs
from swathkit.jobs.pairs.search import search_pairs
from swathkit.jobs.pairs.status import pairs_status
from swathkit.ledger import Ledger
from swathkit.process.overlap import ScoreRules
from swathkit.stores.pair_table import PairTable
from swathkit.transfer.retry import RetryPolicy

pytestmark = pytest.mark.slow  # the simulators build their catalogues and files

KEEP_ALL = ScoreRules(min_valid=0.0, min_water=0.0)  # every pair kept: more to download
FAST_RETRY = RetryPolicy(max_attempts=12, base_delay=0.01, max_delay=0.05, seed=0)
NOT_OURS = {LEDGER_NAME, f"{LEDGER_NAME}-wal", f"{LEDGER_NAME}-shm", ".swathkit-writer.lock"}


def search_and_score(table, cache):
    search_pairs(table, [AOI], *PERIOD, cache_dir=cache)
    score_pairs(table, rules=KEEP_ALL)
    return table


@pytest.fixture
def scored(env, tmp_path):
    return search_and_score(tmp_path / "pairs.parquet", tmp_path / "cache")


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (but the ledger and lock) → its SHA-256."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name not in NOT_OURS}


def debris(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*")
                  if p.name.endswith((".part", ".zip")) or p.name.startswith(".staging-"))


def zip_name(row):
    return row.file.remote.rsplit("/", 1)[-1]


@pytest.mark.timeout(120)
def test_kept_pairs_land_in_the_seed_layout_and_the_zips_are_gone(scored, env, tmp_path):
    asf = env[0]
    out = tmp_path / "out"
    report = download_pairs(scored, out, workers=2)
    rows = kept_rows(PairTable(scored).rows())
    assert report.ok and report.counts["downloaded"] == report.counts["kept"] == len(rows) > 0
    with Ledger(out / LEDGER_NAME) as ledger:
        for row in rows:
            stem = zip_name(row).removesuffix(".zip")
            with zipfile.ZipFile(asf.zips.directory / zip_name(row)) as published:
                for name in published.namelist():  # each member extracted whole
                    assert (out / name).read_bytes() == published.read(name)
            assert sorted(p.name for p in (out / stem).iterdir()) == sorted(
                [DSWE_FOLDER] + [n.split("/")[1] for n in published.namelist()])
            tiles = sorted(p.name for p in (out / stem / DSWE_FOLDER).iterdir())
            assert tiles == sorted(f"{t.removesuffix('_DSWE')}_INWAM.TIF"
                                   for t in row.candidate.dswe_ids)
            for tile in tiles:
                assert (out / stem / DSWE_FOLDER / tile).read_bytes()[:4] == b"II*\x00"
            assert ledger.row(row.candidate.sar_id)["state"] == "extracted"
    assert debris(out) == []
    funnel = pairs_status(scored)
    assert [(s.name, s.items) for s in funnel.stages][-2:] == [("kept", len(rows)),
                                                                ("downloaded", len(rows))]


@pytest.mark.timeout(120)
def test_a_rerun_fetches_and_extracts_nothing(scored, env, tmp_path):
    asf, ll, _ = env
    out = tmp_path / "out"
    download_pairs(scored, out)
    files = tree(out)
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*")
              if p.is_file() and p.name not in NOT_OURS}
    before = (asf.stats().s3_requests, asf.stats().datapool_requests, ll.stats().requests_served)
    again = download_pairs(scored, out)
    assert again.ok and again.counts["downloaded"] == 0 and again.bytes == 0
    assert again.counts["already_present"] == again.counts["kept"]
    assert again.extras.zips_fetched == again.extras.zips_extracted == 0
    assert (asf.stats().s3_requests, asf.stats().datapool_requests,
            ll.stats().requests_served) == before
    assert tree(out) == files
    assert {p: p.stat().st_mtime_ns for p in stamps} == stamps


@pytest.mark.timeout(120)
def test_a_zip_served_once_with_a_wrong_md5_is_fetched_again(scored, env, tmp_path):
    asf = env[0]
    row = kept_rows(PairTable(scored).rows())[0]
    asf.tamper(zip_name(row), gets=1)
    try:
        report = download_pairs(scored, tmp_path / "out")
    finally:
        asf.untamper(zip_name(row))
    assert report.ok
    with Ledger(tmp_path / "out" / LEDGER_NAME) as ledger:
        assert ledger.row(row.candidate.sar_id)["attempts"] == 2


@pytest.mark.timeout(120)
def test_a_zip_whose_md5_stays_wrong_fails_with_the_reason_then_a_rerun_gets_it(
        scored, env, tmp_path):
    asf = env[0]
    rows = kept_rows(PairTable(scored).rows())
    bad = rows[0]
    out = tmp_path / "out"
    asf.tamper(zip_name(bad))
    try:
        report = download_pairs(scored, out)
    finally:
        asf.untamper(zip_name(bad))
    assert report.exit_code == 1 and report.counts["downloaded"] == len(rows) - 1
    (failure,) = report.failures
    assert failure.kind.value == "bad_product" and "checksum mismatch" in failure.reason
    assert failure.item.startswith(bad.candidate.sar_name)
    assert not (out / zip_name(bad).removesuffix(".zip")).exists() and debris(out) == []
    funnel = pairs_status(scored)
    assert funnel.stages[-1].items == len(rows) - 1 and funnel.failed_by_kind() == {
        "bad_product": 1}
    assert download_pairs(scored, out).ok


@pytest.mark.timeout(240)
@pytest.mark.parametrize("fault", ["flaky", "expired cookies"])
def test_a_faulty_datapool_gives_the_files_of_a_clean_run(scored, env, tmp_path, monkeypatch,
                                                          fault):
    download_pairs(scored, tmp_path / "clean")
    clean = tree(tmp_path / "clean")
    with simulators(tmp_path / "faulty-sims", faults=fault if fault == "flaky" else "none",
                    ) as sims:
        point_at(monkeypatch, *sims)

        def expire(done, total, item):  # every cookie issued so far ends after each file
            if fault == "expired cookies":
                sims[0].expire_cookies()

        report = download_pairs(scored, tmp_path / "faulty", retry=FAST_RETRY,
                                workers=3 if fault == "flaky" else 1, progress=expire)
        stats = sims[0].stats()
    failed = {f.item for f in report.failures}
    assert all(f.reason for f in report.failures)
    assert report.counts["downloaded"] + len(failed) == report.counts["kept"]
    got = tree(tmp_path / "faulty")
    failed_scenes = {i.split(" × ")[0] for i in failed}
    assert got == {k: v for k, v in clean.items() if k.split("/")[0] not in failed_scenes}
    assert debris(tmp_path / "faulty") == []
    if fault == "flaky":
        assert sum(stats.faults.values()) > 0
    else:
        assert stats.expired_cookies > 0 and stats.logins > 1


@pytest.mark.timeout(180)
@pytest.mark.parametrize("kinds", [("parent", "symlink", "bomb"), ("absolute",)])
def test_hostile_zips_are_refused_with_the_reason_and_write_nothing(env, tmp_path, monkeypatch,
                                                                     kinds):
    clean = search_and_score(tmp_path / "clean.parquet", tmp_path / "cache")
    names = [zip_name(r) for r in kept_rows(PairTable(clean).rows())][:len(kinds)]
    hostile = dict(zip(names, kinds, strict=True))
    with simulators(tmp_path / "hostile", hostile=hostile) as sims:
        point_at(monkeypatch, *sims)
        table = search_and_score(tmp_path / "pairs.parquet", tmp_path / "cache")
        out = tmp_path / "work" / "out"
        report = download_pairs(table, out)
    reasons = {f.item.split(" × ")[0] + ".zip": f.reason for f in report.failures}
    assert sorted(reasons) == sorted(names)
    expected = {"parent": "'..' path component", "absolute": "is an absolute path",
                "symlink": "is a symbolic link", "bomb": "compression ratio"}
    for name, kind in hostile.items():
        assert expected[kind] in reasons[name]
        assert not (out / name.removesuffix(".zip")).exists()
    assert {f.kind.value for f in report.failures} == {"permanent"}
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == ["out"]
    assert not Path("/var/swathkit-escaped.txt").exists()
    assert not any(p.name == "escaped.txt" for p in tmp_path.rglob("*"))
    assert debris(out) == [] and report.counts["downloaded"] == report.counts["kept"] - len(kinds)


@pytest.mark.timeout(120)
def test_a_wrong_earthdata_password_stops_after_one_attempt(scored, env, tmp_path,
                                                             monkeypatch):
    asf = env[0]
    monkeypatch.setenv("EARTHDATA_PASSWORD", "wrong")
    before = asf.stats().login_failures
    with pytest.raises(AuthError, match="Earthdata Login refused user 'bob'"):
        download_pairs(scored, tmp_path / "out", workers=3)
    assert asf.stats().login_failures == before + 1
    assert tree(tmp_path / "out") == {}


@pytest.mark.timeout(120)
def test_a_login_page_instead_of_a_tiff_is_refused_and_no_tile_is_written(
        scored, env, tmp_path, monkeypatch):
    monkeypatch.delenv("USGS_USERNAME")
    monkeypatch.delenv("USGS_PASSWORD")
    out = tmp_path / "out"
    with pytest.raises(AuthError, match="login form"):
        download_pairs(scored, out)
    assert not any(p.suffix == ".TIF" for p in out.rglob("*"))
    point_at(monkeypatch, *env)
    report = download_pairs(scored, out)
    assert report.ok and report.extras.zips_fetched == 0 and report.extras.tiles_fetched > 0


@pytest.mark.timeout(120)
def test_credentials_appear_in_no_log_ledger_or_table(scored, env, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    out = tmp_path / "out"
    download_pairs(scored, out)
    secrets = [EARTHDATA_USERS["bob"], USERS["alice"]]
    texts = [caplog.text.encode()] + [p.read_bytes() for p in out.iterdir()
                                      if p.name.startswith(LEDGER_NAME)]
    texts += [p.read_bytes() for p in scored.parent.iterdir() if p.name.startswith(scored.name)]
    secrets += [base64.b64encode(f"bob:{EARTHDATA_USERS['bob']}".encode()).decode()]
    for text in texts:
        for secret in secrets:
            assert secret.encode() not in text


@pytest.mark.timeout(60)
def test_an_old_table_without_the_zip_columns_fails_each_pair_saying_what_to_do(
        scored, tmp_path):
    import geopandas as gpd

    old = tmp_path / "old.parquet"
    frame = gpd.read_parquet(scored).drop(columns=["sar_zip", "sar_bytes", "sar_md5"])
    frame.to_parquet(old)
    shutil.copy(scored.with_name(f"{scored.name}.scenes.json"),
                old.with_name(f"{old.name}.scenes.json"))
    report = download_pairs(old, tmp_path / "out")
    assert report.exit_code == 1 and len(report.failures) == report.counts["kept"]
    assert all("run 'swathkit pairs search' again" in f.reason for f in report.failures)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("state", ["fetched", "extracted"])
def test_a_crash_around_the_extraction_loses_nothing_and_fetches_nothing(scored, env, tmp_path,
                                                                         state):
    """Killed after extracting but before recording it ('fetched'), or after recording but
    before deleting the zip ('extracted'): the zip is still there; the re-run finishes."""
    asf = env[0]
    out = tmp_path / "out"
    download_pairs(scored, out)
    files = tree(out)
    row = kept_rows(PairTable(scored).rows())[0]
    shutil.copy(asf.zips.directory / zip_name(row), out / zip_name(row))
    with Ledger(out / LEDGER_NAME) as ledger:
        ledger.set_state(row.candidate.sar_id, state)
    s3 = asf.stats().s3_requests
    report = download_pairs(scored, out)
    assert report.ok and asf.stats().s3_requests == s3
    assert tree(out) == files and debris(out) == []  # usgs_dswe/ kept, the zip deleted
    with Ledger(out / LEDGER_NAME) as ledger:
        assert ledger.row(row.candidate.sar_id)["state"] == "extracted"


@pytest.mark.timeout(120)
def test_an_incomplete_scene_folder_is_replaced_and_its_tiles_kept(scored, env, tmp_path):
    asf = env[0]
    out = tmp_path / "out"
    download_pairs(scored, out)
    files = tree(out)
    row = kept_rows(PairTable(scored).rows())[0]
    stem = zip_name(row).removesuffix(".zip")
    (out / stem / f"{stem}_HV.tif").unlink()  # as a crash mid-swap of an older version would
    with Ledger(out / LEDGER_NAME) as ledger:
        ledger.set_state(row.candidate.sar_id, "found")
    tiles = asf.stats().s3_requests
    report = download_pairs(scored, out)
    assert report.ok and report.extras.zips_fetched == 1 and report.extras.tiles_fetched == 0
    assert asf.stats().s3_requests > tiles and tree(out) == files
