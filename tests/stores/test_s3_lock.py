"""The writer lock on S3 is exclusive (conditional PUTs), a stale one is taken over, and a
writer whose lock was taken over commits nothing."""

import json
import logging
import threading
import time
from contextlib import ExitStack

import pytest

from swathkit.errors import StoreLockedError
from swathkit.stores.location import LOCK_NAME, REMOTE_LOCK_TTL_S, as_location, writer_lock
from swathkit.stores.schema import Layout
from swathkit.stores.swath_store import SwathStore, SwathWriter, swath_writer

LAYOUT = Layout.of("36.5H", coords=True)


def _lock_doc(s3, url):
    key = url.removeprefix(f"s3://{s3.bucket}/") + f"/{LOCK_NAME}"
    return json.loads(s3.client().get_object(Bucket=s3.bucket, Key=key)["Body"].read())


@pytest.mark.timeout(60)
@pytest.mark.parametrize("round_", range(5))
def test_two_writers_racing_for_the_lock_one_wins(s3, s3_url, round_):
    location = as_location(s3_url)
    start, loser_done = threading.Barrier(2), threading.Event()
    won, lost = [], []

    def contend(name):
        start.wait()
        try:
            with writer_lock(location):
                won.append(name)
                loser_done.wait(30)  # hold the lock until the other has tried
        except StoreLockedError as exc:
            lost.append((name, str(exc)))
            loser_done.set()

    threads = [threading.Thread(target=contend, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(40)
    assert len(won) == 1 and len(lost) == 1, (won, lost)
    assert "another writer" in lost[0][1]
    with writer_lock(location):  # released by the winner: free again
        pass


@pytest.mark.timeout(60)
def test_a_stale_lock_is_taken_over_and_its_old_holder_deletes_nothing(s3, s3_url, caplog):
    location = as_location(s3_url)
    t0 = 1_000_000.0
    with ExitStack() as dead:  # a writer that took the lock and stopped answering
        dead.enter_context(writer_lock(location, clock=lambda: t0))
        with pytest.raises(StoreLockedError, match="expires"), \
                writer_lock(location, clock=lambda: t0 + REMOTE_LOCK_TTL_S - 60):
            pass
        takeover = ExitStack()
        with caplog.at_level(logging.WARNING):
            takeover.enter_context(writer_lock(location, clock=lambda: t0 + REMOTE_LOCK_TTL_S + 1))
        assert "took over the stale lock" in caplog.text
        assert _lock_doc(s3, s3_url)["time"] == t0 + REMOTE_LOCK_TTL_S + 1
    # the old holder left: its release must not remove the new holder's lock
    assert _lock_doc(s3, s3_url)["time"] == t0 + REMOTE_LOCK_TTL_S + 1
    with pytest.raises(StoreLockedError, match="another writer holds"), \
            writer_lock(location, clock=lambda: t0 + REMOTE_LOCK_TTL_S + 2):
        pass
    takeover.close()
    with writer_lock(location):
        pass


@pytest.mark.timeout(60)
def test_a_writer_whose_lock_was_taken_over_commits_nothing(s3, s3_url, record):
    location = as_location(s3_url)
    with swath_writer(s3_url, LAYOUT) as first:
        first.write([record(0)])
        later = time.time() + REMOTE_LOCK_TTL_S + 1  # as if the first had hung for an hour
        with writer_lock(location, clock=lambda: later) as lock:
            second = SwathWriter(location, LAYOUT, lock)
            second.write([record(1)])
            second.settle()
        root = s3.client().get_object(Bucket=s3.bucket, Key=s3_url.removeprefix(
            f"s3://{s3.bucket}/") + "/zarr.json")["Body"].read()
        with pytest.raises(StoreLockedError, match="lock was taken over"):
            first.write([record(2)])
        with pytest.raises(StoreLockedError, match="another writer committed"):
            first.settle()  # the root put itself is conditional too
        assert s3.client().get_object(Bucket=s3.bucket, Key=s3_url.removeprefix(
            f"s3://{s3.bucket}/") + "/zarr.json")["Body"].read() == root
        first.settle = lambda: None  # nothing to settle: leave the context quietly
    store = SwathStore.open(s3_url)
    assert store.granule_ids == ["G0000", "G0001"]
    with swath_writer(s3_url, LAYOUT) as w:
        assert w.write([record(2)]).added == ("G0002",)
    assert SwathStore.open(s3_url).granule_ids == ["G0000", "G0001", "G0002"]
