"""SIGKILL ``pairs score`` mid-run, run it again: the table ends as an uninterrupted run's.

The simulators run in this process, LandsatLook capped to a slow link so that scoring
takes a while; ``swathkit pairs score --batch 1`` runs as a child process and is killed
as soon as the table holds its first scored pair (and the rest are still to score).
"""

import shutil
import signal
import subprocess
import sys
import time

import pytest

from pairs_sims import AOI, point_at, simulators
from swathkit.jobs.pairs.score import score_pairs
from swathkit.jobs.pairs.search import search_pairs
from swathkit.stores.pair_table import PairTable

pytestmark = pytest.mark.slow  # the simulators build their catalogues and files

CLI = "import sys; from swathkit.cli.main import main; sys.exit(main(sys.argv[1:]))"
SLOW_LINK = 20_000.0  # bytes per second per connection: ~0.4 s for each new tile file
# six months: 5 pairs on more than one tile file, so a file is still to fetch after the first pair
# is recorded (a pair whose tile is cached is scored in milliseconds)
SIX_MONTHS = ("2008-06-01", "2008-12-01")


def _states(table):
    return [r.state for r in PairTable(table).rows()]  # written by rename: never half a file


def _kill_after_first_scored(table):
    """Run the CLI until one pair is recorded as scored, then SIGKILL it; the states then."""
    proc = subprocess.Popen([sys.executable, "-c", CLI, "pairs", "score", "--table",
                             str(table), "--batch", "1", "--json"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            if "scored" in _states(table):
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.01)
    finally:
        if proc.poll() is None and time.monotonic() >= deadline:
            proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed"
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
