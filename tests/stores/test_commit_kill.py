"""A writer or a compaction killed at a chosen step (not after a sleep) leaves a sound store."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from swathkit.stores.compact import compact_store
from swathkit.stores.schema import Layout
from swathkit.stores.swath_store import SwathStore, swath_writer
from swathkit.stores.swaths_dataset import open_swaths
from swathkit.stores.verify import verify

HERE = Path(__file__).parent
LAYOUT = Layout.of("36.5H", coords=True, scan_length=16)

# The child stops at one step and says so; the parent kills it there.
CHILD = textwrap.dedent("""
    import sys
    sys.path.insert(0, {here!r})
    from conftest import make_record
    import {module} as target
    from swathkit.stores.schema import Layout
    from swathkit.stores.swath_store import swath_writer
    from swathkit.stores.compact import compact_store

    real = getattr(target, {hook!r})

    def stop_here(*args, **kwargs):
        if {before!r}:
            print("stopped", flush=True)
            sys.stdin.readline()
        real(*args, **kwargs)
        print("stopped", flush=True)
        sys.stdin.readline()

    setattr(target, {hook!r}, stop_here)
    if {job!r} == "write":
        with swath_writer({store!r}, Layout.of("36.5H", coords=True, scan_length=16)) as w:
            w.write([make_record(i, 12) for i in (9, 8, 7, 6)])
    else:
        compact_store({store!r})
""")


def _kill_at(store, *, job, module, hook, before):
    code = CHILD.format(here=str(HERE), store=str(store), job=job, module=module, hook=hook,
                        before=before)
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "stopped"  # the event: the child is at the step
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL


def _view(store):
    sw = SwathStore.open(store)
    return sw.granule_ids, {g: sw.digest_of(g) for g in sw.granule_ids}


@pytest.fixture
def store(tmp_path, record):
    path = tmp_path / "s.zarr"
    with swath_writer(path, LAYOUT) as w:
        w.write([record(i, 12) for i in range(3)])
        w.write([record(1, 12, offset=3)])  # one retired row for compact to drop
    return path


@pytest.mark.slow
def test_killed_before_its_root_a_commit_leaves_the_store_as_it_was(store, record):
    root, view = (store / "zarr.json").read_bytes(), _view(store)
    _kill_at(store, job="write", module="swathkit.stores.swath_writer", hook="write_root",
             before=True)
    assert (store / "intent.json").exists() is False and (store / "_index/intent.json").exists()
    assert (store / "zarr.json").read_bytes() == root and _view(store) == view
    assert list(open_swaths(store).granule.values) == ["G0000", "G0001", "G0002"]
    assert verify(store).ok
    with swath_writer(store, LAYOUT) as w:  # drops the dead writer's index entries first
        assert w.write([record(8, 12)]).added == ("G0008",)
    assert SwathStore.open(store).granule_ids == ["G0000", "G0002", "G0001", "G0008"]
    assert "G0009" not in SwathStore.open(store) and verify(store).ok


@pytest.mark.slow
def test_killed_after_its_root_a_commit_is_whole(store):
    _kill_at(store, job="write", module="swathkit.stores.swath_writer", hook="write_root",
             before=False)  # the root is written, the state array not yet brought up to date
    expected = ["G0000", "G0001", "G0002", "G0006", "G0007", "G0008", "G0009"]
    assert sorted(SwathStore.open(store).granule_ids) == expected
    assert list(open_swaths(store).granule.values) == expected
    with swath_writer(store, LAYOUT):
        pass  # the next writer finishes step 5
    assert SwathStore.open(store).manifest.changed_live == ()
    assert sorted(SwathStore.open(store).granule_ids) == expected and verify(store).ok


@pytest.mark.slow
def test_killed_before_its_flip_a_compaction_leaves_the_old_store(store):
    root, view = (store / "zarr.json").read_bytes(), _view(store)
    _kill_at(store, job="compact", module="swathkit.stores.compact", hook="write_root",
             before=True)
    assert (store / "zarr.json").read_bytes() == root and _view(store) == view
    assert verify(store).ok
    result = compact_store(store)  # clears the dead compaction's debris, then compacts
    assert (result.live, result.retired_dropped) == (3, 1)
    assert SwathStore.open(store).granule_ids == ["G0000", "G0001", "G0002"]
    assert verify(store).ok
