"""``swathkit pairs download``: JSON, tables, exit codes, and SIGKILL mid-download then re-run."""

import hashlib
import json
import os
import signal
import subprocess
import sys

import pytest

from pairs_sims import AOI, PERIOD, USERS, point_at, simulators
from swathkit.cli.main import main
from swathkit.jobs.pairs.download import download_pairs
from swathkit.jobs.pairs.score import score_pairs
from swathkit.jobs.pairs.search import search_pairs
from swathkit.process.overlap import ScoreRules
from swathkit.sim.stac.server import SimulatedLandsatLook

pytestmark = pytest.mark.slow  # the simulators build their catalogues and files

KEEP_ALL = ScoreRules(min_valid=0.0, min_water=0.0)
NOT_OURS = ("pairs.ledger.sqlite", ".swathkit-writer.lock")


@pytest.fixture(scope="module")
def sims(tmp_path_factory):
    with simulators(tmp_path_factory.mktemp("pairs-dl-cli")) as running:
        yield running


@pytest.fixture
def table(sims, monkeypatch, tmp_path):
    point_at(monkeypatch, *sims)
    monkeypatch.setenv("SWATHKIT_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "pairs.parquet"
    search_pairs(path, [AOI], *PERIOD, cache_dir=tmp_path / "cache")
    score_pairs(path, rules=KEEP_ALL)
    return path


def tree(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(NOT_OURS)}


def debris(folder):
    return sorted(p.name for p in folder.rglob("*")
                  if p.name.endswith((".part", ".zip")) or p.name.startswith(".staging-"))


@pytest.mark.timeout(120)
def test_download_json_then_status_counts_the_downloads(table, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["pairs", "download", "--table", str(table), "--out", str(out),
                 "--workers", "6", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["ok"] and report["exit_code"] == 0
    assert report["counts"]["downloaded"] == report["counts"]["kept"] > 0
    assert main(["pairs", "status", "--table", str(table), "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["stages"]["downloaded"] == status["stages"]["kept"]
    assert status["failed_by_kind"] == {}
    assert main(["pairs", "status", "--table", str(table), "--out", str(tmp_path / "elsewhere"),
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["stages"]["downloaded"] == 0
    assert main(["pairs", "download", "--table", str(table), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "already present" in printed and "zips fetched" in printed


@pytest.mark.timeout(120)
def test_bad_input_and_refused_credentials_exit_2_with_one_line(table, tmp_path, capsys,
                                                                monkeypatch):
    out = str(tmp_path / "out")
    assert main(["pairs", "download", "--table", str(tmp_path / "none.parquet"), "--out", out]) == 2
    assert "no such pair table" in capsys.readouterr().err
    with pytest.raises(SystemExit) as no_table:
        main(["pairs", "download", "--out", out])
    assert no_table.value.code == 2 and "--table" in capsys.readouterr().err
    assert main(["pairs", "download", "--table", str(table), "--out", out,
                 "--workers", "0"]) == 2
    capsys.readouterr()
    monkeypatch.setenv("EARTHDATA_PASSWORD", "not the password")
    assert main(["pairs", "download", "--table", str(table), "--out", out]) == 2
    err = capsys.readouterr().err
    assert "Earthdata Login refused user 'bob'" in err and "not the password" not in err


def test_help_teaches_the_credentials_layout_and_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["pairs", "download", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for words in ("EARTHDATA_USERNAME", "usgs_dswe", "MD5", "Exit 0", "run the same command",
                  "swathkit pairs download --table pairs.parquet --out pairs/"):
        assert words in text


RUNNER = """
import sys
from swathkit.jobs.pairs.download import download_pairs

def done(n, total, item):  # called once a file is in place and recorded
    if item.endswith("_INWAM.TIF"):  # a DSWE tile: the zips are extracted by now
        print(item, flush=True)

download_pairs(sys.argv[1], sys.argv[2], workers=1, progress=done)
"""


@pytest.mark.timeout(180)
def test_sigkill_mid_download_then_rerun_gives_the_clean_files(table, sims, tmp_path,
                                                               monkeypatch):
    clean = tmp_path / "clean"
    assert download_pairs(table, clean, workers=6).ok
    # the same LandsatLook at 4 kB/s per connection: a tile is caught half-way
    with SimulatedLandsatLook(users=USERS, pixels=500, cache_dir=tmp_path / "slow",
                              bandwidth=4_000.0) as slow:
        ca = tmp_path / "ca.pem"
        ca.write_text(sims[2].read_text() + slow.ca_file.read_text())
        monkeypatch.setenv("SWATHKIT_CA_BUNDLE", str(ca))
        for name in ("LANDSATLOOK", "ERS"):
            monkeypatch.setenv(f"SWATHKIT_{name}_URL", slow.base_url)
        _kill_then_rerun(table, tmp_path / "out", clean)


def _kill_then_rerun(table, out, clean):
    argv = [sys.executable, "-m", "swathkit.cli.main", "pairs", "download", "--table",
            str(table), "--out", str(out), "--workers", "1", "--json"]
    proc = subprocess.Popen([sys.executable, "-c", RUNNER, str(table), str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=os.environ.copy())
    try:
        first_tile = proc.stdout.readline()  # blocks until the child reports the event
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.communicate(timeout=30)
    assert first_tile and proc.returncode == -signal.SIGKILL, \
        "the download ended before it was caught half-way"
    assert tree(out) != tree(clean)  # killed with tiles left to fetch
    again = subprocess.run(argv, capture_output=True, text=True, env=os.environ.copy(),
                           timeout=120)
    report = json.loads(again.stdout)
    assert again.returncode == 0 and report["ok"], again.stderr
    assert report["counts"]["downloaded"] > 0 and report["extras"]["zips_fetched"] == 0
    assert tree(out) == tree(clean) and debris(out) == []
