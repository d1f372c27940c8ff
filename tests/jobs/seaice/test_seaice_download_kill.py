"""SIGKILL a download mid-file, run it again: every day once, byte-identical, no .part left."""

import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date

import pytest

from swathkit.jobs.seaice.download import LEDGER_NAME
from swathkit.sim.bremen.server import SimulatedBremen

PUBLISHED = [date(2013, 5, 9), date(2013, 5, 10), date(2013, 5, 14)]

RUNNER = """
import dataclasses
import sys
from datetime import date
from swathkit.jobs.seaice.download import download_asi
from swathkit.sim.bremen import simulated_bremen
from swathkit.sim.faults import fault_plan
from swathkit.transfer.retry import RetryPolicy

if __name__ == "__main__":
    out, cache, preset, bandwidth = sys.argv[1:5]
    # the preset's faults without its waits (Retry-After 1 s, slow answers), to stay quick
    faults = dataclasses.replace(fault_plan(preset), retry_after=0, slow_delay=0.05)
    retry = RetryPolicy(max_attempts=10, base_delay=0.02, max_delay=0.2, seed=1)
    with simulated_bremen(faults=faults, cache_dir=cache,
                          bandwidth=float(bandwidth) or None) as archive:
        report = download_asi("n6250", date(2013, 5, 9), date(2013, 5, 14), out,
                              archive=archive, workers=2, retry=retry)
    print("OK" if report.ok else "NOT OK", report.extras.bytes_resumed, report.failures,
          flush=True)
"""


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("bremen-cache")


@pytest.fixture(scope="module")
def truth(cache):
    with SimulatedBremen(cache_dir=cache) as s:
        return {p.name: p.read_bytes() for p in (s.files.local("n6250", d) for d in PUBLISHED)}


def _run(out, cache, faults, bandwidth=0.0):
    return subprocess.Popen([sys.executable, "-c", RUNNER, str(out), str(cache), faults,
                             str(bandwidth)], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)


def _mid_file(out):
    """True while some file is partly downloaded."""
    return any(p.stat().st_size > 0 for p in out.glob("*.part"))


def _fetched(out):
    ledger = out / LEDGER_NAME
    if not ledger.exists():
        return 0
    with sqlite3.connect(f"file:{ledger}?mode=ro", uri=True, timeout=5) as db:
        try:
            return db.execute("SELECT count(*) FROM granules WHERE state='fetched'").fetchone()[0]
        except sqlite3.OperationalError:  # the schema is being created
            return 0


def _kill_mid_file(out, cache, faults, after):
    """Run until ``after`` days are fetched and another is half-way, then SIGKILL."""
    proc = _run(out, cache, faults, bandwidth=1_000_000)
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        if _fetched(out) >= after and _mid_file(out):
            proc.send_signal(signal.SIGKILL)
            proc.communicate()  # reaps it and closes the pipe
            return True
        time.sleep(0.01)
    proc.kill()
    proc.communicate()
    return False


@pytest.mark.slow
def test_a_killed_download_is_resumed_by_the_next_run(tmp_path, cache, truth):
    out, faults = tmp_path / "out", "flaky"
    out.mkdir()
    kills = [_kill_mid_file(out, cache, faults, after) for after in (0, 1)]
    assert any(kills), "no run was killed mid-file"
    left = {p.name for p in out.glob("*.part")}
    assert left, "the kill left no partial file to resume"
    proc = _run(out, cache, faults)
    report, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0 and report.startswith("OK"), report
    assert int(report.split()[1]) > 0, "the partial file was not resumed"
    files = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    assert files == truth  # each day once, whole, no .part left
    with sqlite3.connect(out / LEDGER_NAME) as db:
        states = db.execute("SELECT state, count(*) FROM granules GROUP BY state").fetchall()
    assert dict(states) == {"fetched": 3, "not_published": 3}
