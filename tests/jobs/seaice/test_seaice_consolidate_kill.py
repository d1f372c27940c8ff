"""A consolidation killed mid-run keeps what it committed; running it again completes it."""

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta

import pytest

from swathkit.errors import StoreError
from swathkit.jobs.seaice.consolidate import consolidate
from swathkit.products.asi.names import asi_file_name
from swathkit.products.asi.reader import open_asi
from swathkit.sim.bremen.asi import write_asi_days
from swathkit.stores.grid_cube import GridCube

D0 = date(2024, 3, 4)
N = 12


def _present(cube) -> int:
    """Days committed present (the root and day_state are each written in one atomic put)."""
    if not (cube / "zarr.json").exists():
        return 0
    try:
        return len(GridCube.open(cube).days)
    except StoreError:  # the root of a cube being created: no index yet
        return 0


@pytest.mark.slow
def test_sigkill_mid_consolidation_then_resume(tmp_path):
    src, cube = tmp_path / "src", tmp_path / "c.zarr"
    write_asi_days(src, "n6250", D0, N)
    code = (f"from swathkit.jobs.seaice.consolidate import consolidate; "
            f"consolidate({str(src)!r}, {str(cube)!r})")
    proc = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.monotonic() + 120
    while _present(cube) == 0 and time.monotonic() < deadline:
        assert proc.poll() is None, "the consolidation finished before it could be killed"
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    committed = _present(cube)
    assert 0 < committed < N
    kept = GridCube.open(cube)
    assert len(kept.days) == committed and kept.pending == []

    report = consolidate(src, cube)
    assert len(report.extras.skipped) == committed
    assert len(report.extras.added) == N - committed
    final = GridCube.open(cube)
    assert final.days == [D0 + timedelta(days=i) for i in range(N)]
    for day in (final.days[0], final.days[-1]):
        with open_asi(src / asi_file_name("n6250", day)) as ds:
            assert final.read_days([day])[0].tobytes() == ds["sic"].values[0].tobytes()
