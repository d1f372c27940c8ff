"""A writer or a compaction SIGKILLed on S3 at a chosen step (the child says where it is)
leaves a readable, consistent store; the next writer, once the dead one's lock is stale,
recovers. The server runs in this process; the child reaches it through the AWS chain."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from swathkit.errors import StoreLockedError
from swathkit.stores.compact import compact_store
from swathkit.stores.location import LOCK_NAME, REMOTE_LOCK_TTL_S, as_location, writer_lock
from swathkit.stores.schema import Layout
from swathkit.stores.swath_store import SwathStore, SwathWriter, swath_writer
from swathkit.stores.swaths_dataset import open_swaths
from swathkit.stores.verify import verify

HERE = Path(__file__).parent
LAYOUT = Layout.of("36.5H", coords=True, scan_length=16)

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
        print("stopped", flush=True)
        sys.stdin.readline()
        real(*args, **kwargs)

    setattr(target, {hook!r}, stop_here)
    if {job!r} == "write":
        with swath_writer({store!r}, Layout.of("36.5H", coords=True, scan_length=16)) as w:
            w.write([make_record(i, 12) for i in (9, 8, 7, 6)])
    else:
        compact_store({store!r})
""")


def _kill_at(url, *, job, module, hook):
    code = CHILD.format(here=str(HERE), store=url, job=job, module=module, hook=hook)
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    assert proc.stdout.readline().strip() == "stopped"  # the event: the child is at the step
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL


def _object(s3, url, name):
    key = url.removeprefix(f"s3://{s3.bucket}/") + f"/{name}"
    return s3.client().get_object(Bucket=s3.bucket, Key=key)["Body"].read()


def _view(url):
    sw = SwathStore.open(url)
    return sw.granule_ids, {g: sw.digest_of(g) for g in sw.granule_ids}


@pytest.fixture
def store(s3_url, record):
    with swath_writer(s3_url, LAYOUT) as w:
        w.write([record(i, 12) for i in range(3)])
        w.write([record(1, 12, offset=3)])  # one retired row for compact to drop
    return s3_url


def _after_the_ttl(url):
    """The next writer, once the dead one's lock is older than its time-to-live."""
    location = as_location(url)
    later = time.time() + REMOTE_LOCK_TTL_S + 1
    return location, writer_lock(location, clock=lambda: later)


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_killed_mid_batch_before_its_root_the_s3_store_is_as_it_was(s3, store, record):
    root, view = _object(s3, store, "zarr.json"), _view(store)
    _kill_at(store, job="write", module="swathkit.stores.swath_writer", hook="write_root")
    prefix = store.removeprefix(f"s3://{s3.bucket}/")
    assert f"{prefix}/_index/intent.json" in s3.keys(prefix)  # it died mid-commit
    assert len(s3.keys(f"{prefix}/tb_36_5h/c/")) == 4 + 4  # its rows' chunks are there
    assert _object(s3, store, "zarr.json") == root and _view(store) == view
    assert list(open_swaths(store).granule.values) == ["G0000", "G0001", "G0002"]
    assert verify(store).ok
    assert "pid" in json.loads(_object(s3, store, LOCK_NAME))["holder"]  # left by the dead
    with pytest.raises(StoreLockedError, match="expires"), swath_writer(store, LAYOUT):
        pass
    location, lock = _after_the_ttl(store)
    with lock as held:
        w = SwathWriter(location, LAYOUT, held)  # drops the dead writer's entries first
        assert w.write([record(8, 12)]).added == ("G0008",)
        w.settle()
    assert f"{prefix}/_index/intent.json" not in s3.keys(prefix)
    assert SwathStore.open(store).granule_ids == ["G0000", "G0002", "G0001", "G0008"]
    assert "G0009" not in SwathStore.open(store) and verify(store).ok
    with swath_writer(store, LAYOUT):  # the lock was released
        pass


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_killed_before_its_flip_a_compaction_on_s3_leaves_the_old_store(s3, store):
    root, view = _object(s3, store, "zarr.json"), _view(store)
    _kill_at(store, job="compact", module="swathkit.stores.compact", hook="write_root")
    assert _object(s3, store, "zarr.json") == root and _view(store) == view
    assert verify(store).ok
    _, lock = _after_the_ttl(store)
    with lock:
        pass  # the stale lock taken over and released: compact can run
    result = compact_store(store)  # clears the dead compaction's debris, then compacts
    assert (result.live, result.retired_dropped) == (3, 1)
    assert SwathStore.open(store).granule_ids == ["G0000", "G0001", "G0002"]
    assert verify(store).ok
