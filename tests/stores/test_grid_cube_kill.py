"""A writer killed while it rewrites a time chunk holding committed days loses none of them."""

import os
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from grid_cube_helpers import TINY, field, fields

from swathkit.stores.grid_cube import GridCube
from swathkit.stores.grid_cube_writer import cube_writer

HERE = Path(__file__).parent
D0 = __import__("datetime").date(2024, 3, 4)  # day 0 of a time chunk

# The writer stops for good right after it committed the chunk's days as pending,
# i.e. in the window where it rewrites the chunk; the test kills it there.
WRITER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {here!r})
    from datetime import date, timedelta
    from grid_cube_helpers import field
    from swathkit.stores import grid_cube_writer as gw
    real = gw.write_root
    def write_root(store, attrs, arrays):
        real(store, attrs, arrays)
        days = attrs["swathkit"]["days"]
        if any(rec["state"] == "pending" for rec in days.values()):
            print("pending", flush=True)
            time.sleep(600)
    gw.write_root = write_root
    day = date.fromisoformat({day!r})
    with gw.cube_writer({store!r}) as w:
        w.upsert_days({{day: field(day)}})
""")


def _kill_while_rewriting(store: Path, day) -> None:
    code = WRITER.format(here=str(HERE), store=str(store), day=day.isoformat())
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "pending"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()  # reaps it and closes the pipe


@pytest.fixture
def cube(tmp_path):
    path = tmp_path / "c.zarr"
    with cube_writer(path, grid=TINY, space_chunk=16) as w:
        w.upsert_days(fields(D0, 5))  # days 0-4 of the chunk
    return path


@pytest.mark.slow
def test_killed_writer_leaves_committed_days_pending_then_restored(cube):
    _kill_while_rewriting(cube, D0 + timedelta(days=5))
    c = GridCube.open(cube)
    assert c.pending == [D0 + timedelta(days=i) for i in range(5)]
    assert c.days == []  # not trusted until checked
    assert np.isnan(c.read_days([D0])).all()

    # the lock died with the writer; the next writer checks the pending days' digests
    with cube_writer(cube) as w:
        assert w.recover() == []
        w.upsert_days({D0 + timedelta(days=6): field(D0 + timedelta(days=6))})
    c = GridCube.open(cube)
    assert c.pending == [] and c.days == [D0 + timedelta(days=i) for i in (0, 1, 2, 3, 4, 6)]
    for day in c.days:
        assert c.read_days([day])[0].tobytes() == field(day).tobytes()


@pytest.mark.slow
def test_a_chunk_torn_by_the_kill_is_left_pending_for_the_source(cube):
    _kill_while_rewriting(cube, D0 + timedelta(days=5))
    for chunk in (cube / "sic" / "c" / str(GridCube.open(cube).index.index_of(D0) // 8)).rglob(
            "*"):
        if chunk.is_file():
            chunk.write_bytes(chunk.read_bytes()[:10])  # what a non-atomic store could leave
            break
    with cube_writer(cube) as w:
        left = w.recover()
        assert left  # digests no longer match: re-read them from source
        w.upsert_days({d: field(d) for d in left})
    c = GridCube.open(cube)
    assert c.pending == [] and len(c.days) == 5
    for day in c.days:
        assert c.read_days([day])[0].tobytes() == field(day).tobytes()
