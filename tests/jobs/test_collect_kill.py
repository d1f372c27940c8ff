"""SIGKILL the collector at random points, re-run: the store ends as an uninterrupted run's."""

import random
import signal
import subprocess
import sys
import time

import pytest

from .collect_helpers import RUNNER, store_content

START, END = "2022-02-16T00:00", "2022-02-16T12:00"


def _run(store, faults="none", timeout=240):
    return subprocess.Popen([sys.executable, "-c", RUNNER, str(store), START, END, faults],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    store = tmp_path_factory.mktemp("kill-ref") / "ref.zarr"
    proc = _run(store)
    out, _ = proc.communicate(timeout=240)
    assert proc.returncode == 0 and out.startswith("OK"), out
    return store_content(store)


@pytest.mark.slow
@pytest.mark.parametrize("trial", range(3))
def test_sigkill_then_rerun_gives_the_same_store(tmp_path, uninterrupted, trial):
    rng = random.Random(trial)
    store = tmp_path / "s.zarr"
    kills = 0
    for _ in range(8):
        proc = _run(store, faults="flaky" if trial == 2 else "none")
        try:
            out, _ = proc.communicate(timeout=rng.uniform(1.5, 6.0))
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            kills += 1
            continue
        assert proc.returncode == 0 and out.startswith("OK"), out
        break
    else:
        pytest.fail("the collection never finished")
    assert kills >= 1, "no run was killed: lengthen the job or shorten the waits"
    assert store_content(store) == uninterrupted


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_the_next_run_resumes(tmp_path, uninterrupted):
    store = tmp_path / "s.zarr"
    proc = _run(store)
    ledger = tmp_path / "s.zarr.ledger.sqlite"
    deadline = time.monotonic() + 60
    while not ledger.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)  # into the transfers
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0 and out.startswith("NOT OK"), out  # stopped, reported
    proc = _run(store)
    out, _ = proc.communicate(timeout=240)
    assert out.startswith("OK"), out
    assert store_content(store) == uninterrupted
