"""SIGKILL ``pairs score`` mid-run, run it again: the table ends as an uninterrupted run's.

The simulators run in this process, LandsatLook capped to a slow link so that scoring
takes a while; the scoring runs in a child process (one pair per table write) that says
on its standard output when a pair is recorded, and is killed at the first one.
"""

import shutil
import signal
import subprocess
import sys

import pytest

from pairs_sims import AOI, point_at, simulators
from swathkit.jobs.pairs.score import score_pairs
from swathkit.jobs.pairs.search import search_pairs
from swathkit.stores.pair_table import PairTable

pytestmark = pytest.mark.slow  # the simulators build their catalogues and files

RUNNER = """
import sys
from swathkit.jobs.pairs.score import score_pairs

def scored(done, total, item):  # called once the pair's row is recorded (batch 1)
    print(done, flush=True)

score_pairs(sys.argv[1], batch=1, progress=scored)
"""
SLOW_LINK = 20_000.0  # bytes per second per connection: ~0.4 s for each new tile file
# six months: 5 pairs on more than one tile file, so a file is still to fetch after the first pair
# is recorded (a pair whose tile is cached is scored in milliseconds)
SIX_MONTHS = ("2008-06-01", "2008-12-01")


def _states(table):
    return [r.state for r in PairTable(table).rows()]  # written by rename: never half a file


def _kill_after_first_scored(table):
    """Score in a child until it says one pair is recorded, then SIGKILL it; the states then."""
    proc = subprocess.Popen([sys.executable, "-c", RUNNER, str(table)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        first = proc.stdout.readline()  # blocks until the child reports the event
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.communicate(timeout=30)
    assert first.strip() == "1" and proc.returncode == -signal.SIGKILL, \
        "the run ended before it could be killed"
    return _states(table)


@pytest.mark.timeout(300)
def test_a_killed_scoring_run_is_finished_by_the_next_one(tmp_path, monkeypatch):
    with simulators(tmp_path / "sims", ll_options={"bandwidth": SLOW_LINK}) as sims:
        point_at(monkeypatch, *sims)
        monkeypatch.setenv("SWATHKIT_CACHE", str(tmp_path / "cache"))
        table, clean = tmp_path / "pairs.parquet", tmp_path / "clean.parquet"
        search_pairs(table, [AOI], *SIX_MONTHS, cache_dir=tmp_path / "harvest")
        shutil.copy(table, clean)
        score_pairs(clean)

        states = _kill_after_first_scored(table)
        assert "scored" in states and "candidate" in states  # killed mid-run
        again = score_pairs(table)

    assert again.counts["to_score"] == states.count("candidate") and not again.failures
    assert table.read_bytes() == clean.read_bytes()  # same rows, same bytes
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
