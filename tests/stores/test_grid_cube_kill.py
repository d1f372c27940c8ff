"""A writer killed while it rewrites a time chunk holding committed days loses none of them."""

import json
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
    from swathkit.stores import cube_commit as cc, grid_cube_writer as gw
    real = cc.write_root
    def write_root(store, attrs, arrays):
        real(store, attrs, arrays)
        last = attrs["swathkit"]["last"]  # the records this commit changed
        if any(rec["state"] == "pending" for rec in last.values()):
            print("pending", flush=True)
            time.sleep(600)
    cc.write_root = write_root
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


# The child stops once its commit's root is written, before (or half way through) bringing
# the day documents and day_state up to it; the test kills it there.
APPLY_CHILD = textwrap.dedent("""
    import sys
    sys.path.insert(0, {here!r})
    from datetime import date
    from grid_cube_helpers import field
    from swathkit.stores import {module} as target
    from swathkit.stores.grid_cube_writer import cube_writer
    real = getattr(target, {hook!r})
    def stop_here(store, *args):
        if args[-1]:  # records to apply: a commit's root was just written
            print("stopped", flush=True)
            sys.stdin.readline()
        real(store, *args)
    setattr(target, {hook!r}, stop_here)
    day = date.fromisoformat({day!r})
    with cube_writer({store!r}) as w:
        w.upsert_days({{day: field(day)}})
""")


def _doc_days(cube: Path, chunk: int) -> set[str]:
    doc = cube / "_days" / f"c{chunk:06d}.json"
    return set(json.loads(doc.read_text())["days"]) if doc.exists() else set()


def _stored_state(cube: Path, i: int) -> int:
    import zarr

    return int(zarr.open_array(cube / "day_state", mode="r")[i])


@pytest.mark.slow
@pytest.mark.parametrize(("module", "hook", "docs_written"), [
    ("cube_commit", "apply_days", False), ("cube_days", "write_states", True)])
def test_a_writer_killed_after_its_root_loses_nothing(cube, module, hook, docs_written):
    day = D0 + timedelta(days=8)  # a time chunk of its own
    code = APPLY_CHILD.format(here=str(HERE), store=str(cube), module=module, hook=hook,
                              day=day.isoformat())
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "stopped"  # the event: the root is written
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL

    c = GridCube.open(cube)
    i, chunk = c.time_index(day), c.time_index(day) // 8
    root = json.loads((cube / "zarr.json").read_text())["attributes"]["swathkit"]
    assert list(root["last"]) == [day.isoformat()]  # the commit is whole in the root alone
    assert (day.isoformat() in _doc_days(cube, chunk)) is docs_written
    assert _stored_state(cube, i) == 0  # day_state not brought up to it
    assert c.days == [*fields(D0, 5), day] and c.state(day) == "present"
    assert c.read_days([day])[0].tobytes() == field(day).tobytes()

    with cube_writer(cube):
        pass  # the next writer applies the root's records, then drops them from the root
    assert day.isoformat() in _doc_days(cube, chunk) and _stored_state(cube, i) == 1
    assert json.loads((cube / "zarr.json").read_text())["attributes"]["swathkit"]["last"] == {}
    assert GridCube.open(cube).days == [*fields(D0, 5), day]
