"""--scheduler: the jobs on dask.distributed give the bytes of the single-process run.

A LocalCluster of 2 worker processes (one thread each) serves the module; the jobs
reach it by its tcp:// address, as they would a scheduler started elsewhere, and
one test lets a job start its own with ``local:2``.
"""

import hashlib
import os
import signal
import socket
from datetime import date, datetime, timedelta

import dask
import numpy as np
import pytest
from distributed import Client, Event, LocalCluster, WorkerPlugin
from swaths.collect_helpers import FAST_RETRY, SCANS

from swath_grid_helpers import SMALL, day_records, make_store
from swathkit.cli.main import main
from swathkit.errors import InputError
from swathkit.jobs import cluster as cluster_module
from swathkit.jobs.cluster import check_scheduler, local_cluster, open_executor
from swathkit.jobs.seaice.fill import fill
from swathkit.jobs.swaths.collect import collect
from swathkit.jobs.swaths.grid import grid
from swathkit.jobs.swaths.ingest import ingest
from swathkit.process.gapfill import FillOptions
from swathkit.products.grids import Grid
from swathkit.sim.gportal import simulated_gportal
from swathkit.stores.grid_cube_writer import cube_writer
from swathkit.stores.location import LOCK_NAME
from swathkit.types import Query

DAY = datetime(2022, 2, 16)
DAYS = 4
CHANNELS = "36.5H,89.0AH"
TINY = Grid("t40", 3413, (40, 30), (-93_750.0, 6250.0, 0.0, -125_000.0, 0.0, 6250.0))


@pytest.fixture(scope="module")
def cluster():
    with local_cluster(2) as running, Client(running) as client:
        yield running, client


@pytest.fixture(scope="module")
def swaths(tmp_path_factory):
    """Four days of polar swaths (four granules a day)."""
    records = [r for d in range(DAYS) for r in day_records(DAY + timedelta(days=d))]
    return make_store(tmp_path_factory.mktemp("swaths") / "s.zarr", records)


@pytest.fixture(scope="module")
def reference_cube(swaths, tmp_path_factory):
    """The in-process grid of the four days."""
    cube = tmp_path_factory.mktemp("ref") / "tb.zarr"
    report = _grid(swaths, cube)
    assert report.ok and len(report.extras.added) == DAYS
    return _hashes(cube)


def _grid(store, cube, scheduler=None):
    return grid(store, cube, grid_name=SMALL, channels=CHANNELS, start=DAY.date(),
                end=(DAY + timedelta(days=DAYS - 1)).date(), scheduler=scheduler)


def _hashes(store):
    """sha256 of every file of a store but its writer lock (which names the writing process)."""
    return {str(p.relative_to(store)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(store.rglob("*")) if p.is_file() and p.name != LOCK_NAME}


# -- the executor -----------------------------------------------------------------------------

def wait_for_then(event_name, value):
    """A task that finishes only after ``event_name`` is set (by a later task)."""
    Event(event_name).wait(timeout=60)
    return value


def set_then(event_name, value):
    Event(event_name).set()
    return value


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_results_come_back_in_input_order_whatever_order_they_finish_in(cluster):
    running, _ = cluster
    with open_executor(running.scheduler_address) as executor:
        assert executor.workers == 2
        items = [(wait_for_then, "first-waits", 0), (set_then, "first-waits", 1)]
        results = list(executor.ordered(lambda fn, *args: fn(*args), items, window=2))
    assert results == [0, 1]  # item 0 could only finish after item 1


@pytest.mark.parametrize("text", ["localhost:8786", "local:0", "local:two",
                                  "http://127.0.0.1:8786", "tcp://127.0.0.1"])
def test_a_malformed_scheduler_is_an_input_error_before_any_work(text):
    with pytest.raises(InputError, match="tcp://HOST:PORT"):
        check_scheduler(text)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.timeout(60)
def test_an_unreachable_scheduler_exits_2_with_one_line_saying_what_to_do(swaths, tmp_path,
                                                                          capsys):
    address = f"tcp://127.0.0.1:{_free_port()}"
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code = main(["grid", str(swaths), "--grid", "ease2-n25", "--start", "2022-02-16",
                     "--end", "2022-02-16", "--cube", str(tmp_path / "tb.zarr"),
                     "--scheduler", address])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert address in err and "dask scheduler" in err and "local:N" in err
    assert not (tmp_path / "tb.zarr").exists()  # found before the cube was made


@pytest.mark.timeout(60)
def test_a_scheduler_without_workers_is_an_input_error_naming_dask_worker(monkeypatch):
    monkeypatch.setattr(cluster_module, "WORKER_WAIT_S", 0.5)
    with LocalCluster(n_workers=0, host="127.0.0.1", dashboard_address=None,
                      scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}) as empty, \
            pytest.raises(InputError, match="no worker joined") as caught:
        open_executor(empty.scheduler_address)
    assert f"dask worker {empty.scheduler_address}" in str(caught.value)


def test_a_malformed_scheduler_exits_2_from_ingest(l1b_files, tmp_path, capsys):
    code = main(["ingest", *map(str, l1b_files), "--store", str(tmp_path / "s.zarr"),
                 "--scheduler", "local:none"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "local:none" in err
    assert not (tmp_path / "s.zarr").exists()


# -- grid ---------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.timeout(120)
def test_grid_on_a_local_cluster_of_two_gives_the_cube_bytes_of_the_single_process_run(
        swaths, reference_cube, tmp_path):
    report = _grid(swaths, tmp_path / "tb.zarr", scheduler="local:2")
    assert report.ok and report.counts["added"] == DAYS
    assert _hashes(tmp_path / "tb.zarr") == reference_cube


class KillOnFirstGridTask(WorkerPlugin):
    """Kills its worker process (SIGKILL) as the job's first gridding task starts executing.

    Once for the whole cluster: the first worker to create ``marker`` dies; the
    restarted worker gets the plugin again and finds the marker.
    """

    def __init__(self, marker):
        self.marker = marker

    def transition(self, key, start, finish, **kwargs):
        if finish != "executing" or "run_synchronously" not in str(key):
            return
        try:
            fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return
        os.write(fd, f"{os.getpid()} {key}".encode())
        os.close(fd)
        os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_a_worker_killed_mid_job_loses_nothing_and_writes_nothing_twice(
        cluster, swaths, reference_cube, tmp_path):
    running, client = cluster
    marker = tmp_path / "killed"
    client.register_plugin(KillOnFirstGridTask(str(marker)), name="kill-once")
    try:
        report = _grid(swaths, tmp_path / "tb.zarr", scheduler=running.scheduler_address)
    finally:
        client.unregister_worker_plugin("kill-once")
    assert marker.exists(), "no worker was killed: the test did not test anything"
    pid = int(marker.read_text().split()[0])
    assert pid not in client.run(os.getpid).values()  # that worker is gone (restarted)
    assert report.ok and report.extras.added == [(DAY + timedelta(days=d)).date()
                                                 for d in range(DAYS)]
    assert _hashes(tmp_path / "tb.zarr") == reference_cube


# -- ingest -------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.timeout(120)
def test_ingest_on_the_cluster_gives_the_store_bytes_of_the_single_process_run(
        cluster, l1b_files, tmp_path):
    running, _ = cluster
    one = ingest(l1b_files, tmp_path / "one.zarr", channels=CHANNELS, coords=True, workers=1,
                 batch_size=3, scan_length=128)
    two = ingest(list(reversed(l1b_files)), tmp_path / "two.zarr", channels=CHANNELS,
                 coords=True, batch_size=3, scan_length=128,
                 scheduler=running.scheduler_address)
    assert one.ok and two.ok and len(two.extras.added) == len(l1b_files)
    assert _hashes(tmp_path / "two.zarr") == _hashes(tmp_path / "one.zarr")


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_a_bad_file_on_a_worker_is_listed_with_its_reason_and_the_rest_stored(
        cluster, l1b_files, tmp_path):
    running, _ = cluster
    l1b_files[1].write_bytes(b"not an HDF5 file")
    report = ingest(l1b_files, tmp_path / "s.zarr", scan_length=128,
                    scheduler=running.scheduler_address)
    assert [f.item for f in report.failures] == [str(l1b_files[1])]
    assert len(report.extras.added) == len(l1b_files) - 1


# -- collect ------------------------------------------------------------------------------

def _collect(store, scheduler=None):
    query = Query("amsr2-l1b", "2022-02-16T00:00", "2022-02-16T06:00")
    with simulated_gportal(scans=SCANS, retry=FAST_RETRY, seed=2) as archive:
        return collect(query, store, archive, channels="36.5H", coords=True, workers=3,
                       batch_size=2, scheduler=scheduler)


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_collect_extracting_on_the_cluster_gives_the_store_bytes_of_the_local_run(cluster,
                                                                                  tmp_path):
    running, _ = cluster
    local = _collect(tmp_path / "local.zarr")
    remote = _collect(tmp_path / "dask.zarr", scheduler=running.scheduler_address)
    assert local.ok and remote.ok and remote.counts == local.counts
    assert remote.counts["committed"] == remote.counts["found"] > 4
    assert _hashes(tmp_path / "dask.zarr") == _hashes(tmp_path / "local.zarr")


# -- seaice fill ----------------------------------------------------------------------------

def _sea_ice_cube(path):
    """43 days of smooth ice on 40 × 30 cells with random gaps, a permanent hole, land."""
    land = np.zeros(TINY.shape, bool)
    land[:6, :9] = True
    yy, xx = np.mgrid[0:40, 0:30]
    days = {}
    for i in (i for i in range(43) if i not in (9, 10, 11, 30)):
        values = (50 + 40 * np.sin(yy / 7 + i / 9) * np.cos(xx / 5)).astype(np.float32)
        values[np.random.default_rng(i).random(values.shape) < 0.3] = np.nan
        values[((yy - 25) ** 2 + (xx - 15) ** 2 < 30) | land] = np.nan
        days[date(2024, 3, 5) + timedelta(days=i)] = values
    with cube_writer(path, grid=TINY, space_chunk=8) as writer:
        writer.upsert_days(days)
        writer.write_mask(land, np.zeros(TINY.shape, np.float32), info={"threshold": 0.85})
    return path


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_fill_on_the_cluster_gives_the_cube_bytes_of_the_single_process_fill(cluster,
                                                                             tmp_path):
    running, _ = cluster
    one = _sea_ice_cube(tmp_path / "one.zarr")
    two = _sea_ice_cube(tmp_path / "two.zarr")
    assert _hashes(one) == _hashes(two)  # the same cube before the fill
    options = FillOptions(unfilled="repeat", space_window=2, time_window=1)
    # bands of 8 rows and blocks of 16 days: 4 × 5 pieces, two workers
    a = fill(one, options=options, block_days=16, memory_bytes=30_000)
    b = fill(two, options=options, block_days=16, memory_bytes=30_000,
             scheduler=running.scheduler_address)
    assert a.extras == b.extras and b.extras.days_filled_now == b.extras.days >= 43
    assert _hashes(two) == _hashes(one)


@pytest.mark.timeout(60)
def test_a_malformed_scheduler_exits_2_from_seaice_fill_leaving_the_cube_as_it_was(tmp_path,
                                                                                   capsys):
    cube = _sea_ice_cube(tmp_path / "c.zarr")
    before = _hashes(cube)
    code = main(["seaice", "fill", str(cube), "--scheduler", "tcp://127.0.0.1"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "local:N" in err
    assert _hashes(cube) == before
