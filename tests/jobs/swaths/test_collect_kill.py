"""SIGKILL the collector at random points, re-run: the store ends as an uninterrupted run's."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from .collect_helpers import RUNNER, store_content

START, END = "2022-02-16T00:00", "2022-02-16T12:00"

# Up to five collector runs per test (each with a spawned extraction pool), and the
# module's uninterrupted reference run in the first one's setup.
pytestmark = pytest.mark.timeout(400)


def _run(store, faults="none"):
    # a session of its own: a kill takes the extraction workers too, not the collector alone
    return subprocess.Popen([sys.executable, "-c", RUNNER, str(store), START, END, faults],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    store = tmp_path_factory.mktemp("kill-ref") / "ref.zarr"
    proc = _run(store)
    out, _ = proc.communicate(timeout=240)
    assert proc.returncode == 0 and out.startswith("OK"), out
    return store_content(store)


def _fetched(ledger) -> int:
    """Granules fetched so far, read from the ledger while the collector runs (WAL)."""
    if not ledger.exists():
        return 0
    with sqlite3.connect(f"file:{ledger}?mode=ro", uri=True, timeout=5) as db:
        try:
            return db.execute("SELECT count(fetched_at) FROM granules").fetchone()[0]
        except sqlite3.OperationalError:  # the schema is being created
            return 0


def _kill_after_progress(store, rng, faults):
    """Run the collector until it has fetched a few more granules, then SIGKILL it."""
    ledger = store.with_name(store.name + ".ledger.sqlite")
    target = _fetched(ledger) + rng.randint(1, 4)
    proc = _run(store, faults)
    deadline = time.monotonic() + 180
    while proc.poll() is None and _fetched(ledger) < target and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(rng.uniform(0.0, 0.5))  # land anywhere: mid-transfer, extraction or commit
    killed = proc.poll() is None
    if killed:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()  # reaps it and closes the pipe
    return killed


@pytest.mark.slow
@pytest.mark.parametrize("trial", range(3))
def test_sigkill_then_rerun_gives_the_same_store(tmp_path, uninterrupted, trial):
    rng = random.Random(trial)
    store = tmp_path / "s.zarr"
    faults = "flaky" if trial == 2 else "none"
    kills = sum(_kill_after_progress(store, rng, faults) for _ in range(3))
    proc = _run(store, faults)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0 and out.startswith("OK"), out
    assert kills >= 1, "no run was killed mid-job"
    assert store_content(store) == uninterrupted


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_the_next_run_resumes(tmp_path, uninterrupted):
    store = tmp_path / "s.zarr"
    proc = _run(store)
    ledger = tmp_path / "s.zarr.ledger.sqlite"
    deadline = time.monotonic() + 180
    while proc.poll() is None and _fetched(ledger) == 0 and time.monotonic() < deadline:
        time.sleep(0.02)  # until the ledger shows the transfers under way
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0 and out.startswith("NOT OK"), out  # stopped, reported
    proc = _run(store)
    out, _ = proc.communicate(timeout=240)
    assert out.startswith("OK"), out
    assert store_content(store) == uninterrupted
