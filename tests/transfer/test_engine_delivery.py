"""TransferEngine delivers every file once, byte-identical, whatever the transient faults."""

from datetime import UTC, datetime

import pytest
from fake_archive import sha256

from swathkit.errors import FormatError, ThrottledError, TransientFetchError
from swathkit.transfer.engine import FetchFailure, FetchResult, FetchTask
from swathkit.transfer.retry import RetryPolicy
from swathkit.types import Failure, FailureKind, Granule

R = [f"standard/GCOM-W/{i:03d}.h5" for i in range(12)]


def run_all(engine, tasks):
    """Outcomes by key, checking that each task got exactly one."""
    outcomes = list(engine.run(tasks))
    keys = [o.task.key for o in outcomes]
    assert sorted(keys) == sorted(t.key for t in tasks)
    return {o.task.key: o for o in outcomes}


def reads_of(archive, remote):
    return [offset for r, offset in archive.reads if r == remote]


def test_every_file_arrives_once_and_identical_under_mixed_faults(archive, tasks, out,
                                                                    make_engine):
    archive.open_faults += [TransientFetchError("banner timeout")] * 2
    archive.size_faults[R[0]].append(TransientFetchError("stat timed out"))
    archive.read_faults[R[1]].append(ThrottledError("429", retry_after=0.01))
    archive.drops[R[2]] += [100, 300]
    archive.truncations[R[3]].append(500)
    archive.corruptions[R[4]] = 1
    archive.drops[R[5]].append(64)
    archive.truncations[R[5]].append(1)
    outcomes = run_all(make_engine(workers=4), tasks)
    assert all(isinstance(o, FetchResult) and not o.skipped for o in outcomes.values())
    for task in tasks:
        assert task.dest.read_bytes() == archive.files[task.remote]
    assert list(out.glob("*.part")) == []
    for remote, data in archive.files.items():  # resumed, not fetched again from zero
        assert archive.served[remote] == len(data) * (2 if remote == R[4] else 1)


def test_a_dropped_connection_resumes_from_the_bytes_already_written(archive, tasks,
                                                                     make_engine):
    archive.drops[R[2]] += [100, 300]
    outcomes = run_all(make_engine(workers=2), tasks)
    assert reads_of(archive, R[2]) == [0, 100, 400]
    result = outcomes["002"]
    assert (result.attempts, result.resumed_from, result.bytes) == (3, 400, len(
        archive.files[R[2]]))


def test_a_stream_that_ends_early_is_resumed(archive, tasks, make_engine):
    archive.truncations[R[3]].append(500)
    outcomes = run_all(make_engine(), tasks)
    assert reads_of(archive, R[3]) == [0, 500]
    assert outcomes["003"].resumed_from == 500


def test_a_corrupted_delivery_is_fetched_again_from_zero(archive, tasks, make_engine):
    archive.corruptions[R[4]] = 1
    outcomes = run_all(make_engine(), tasks)
    assert reads_of(archive, R[4]) == [0, 0]
    assert outcomes["004"].attempts == 2
    assert tasks[4].dest.read_bytes() == archive.files[R[4]]


def test_persistent_corruption_fails_with_its_reason_after_one_refetch(archive, tasks, out,
                                                                       make_engine):
    archive.corruptions[R[4]] = 99
    failure = run_all(make_engine(), tasks)["004"]
    assert isinstance(failure, FetchFailure)
    assert failure.failure == Failure(FailureKind.BAD_PRODUCT, "004", failure.failure.reason, 2)
    assert "checksum mismatch" in failure.failure.reason
    assert not tasks[4].dest.exists() and not (out / "004.h5.part").exists()


def test_a_file_the_product_check_rejects_once_is_fetched_again(archive, tasks, make_engine):
    rejected = []

    def verify(path):
        if path.name.startswith("007") and not rejected:
            rejected.append(path)
            raise FormatError("truncated HDF5")

    outcomes = run_all(make_engine(verify=verify), tasks)
    assert outcomes["007"].attempts == 2 and isinstance(outcomes["007"], FetchResult)
    assert reads_of(archive, R[7]) == [0, 0]


def test_a_missing_file_fails_permanently_without_retries(archive, tasks, out, make_engine,
                                                          sleeps):
    missing = FetchTask("gone", "standard/GCOM-W/gone.h5", out / "gone.h5")
    failure = run_all(make_engine(), [*tasks, missing])["gone"]
    assert isinstance(failure, FetchFailure)
    assert (failure.kind, failure.attempts, failure.failure.item) == (
        FailureKind.NOT_PUBLISHED, 1, "gone")
    assert sleeps.calls == []


def test_transient_failures_give_up_after_max_attempts(archive, tasks, make_engine):
    archive.read_faults[R[0]] += [TransientFetchError("reset")] * 10
    engine = make_engine(retry=RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=0.001))
    failure = run_all(engine, tasks)["000"]
    assert (failure.kind, failure.attempts, failure.failure.reason) == (
        FailureKind.TRANSIENT, 3, "reset")
    assert len(reads_of(archive, R[0])) == 3


def test_retry_after_of_a_throttled_read_is_waited(archive, tasks, make_engine, sleeps):
    archive.read_faults[R[1]].append(ThrottledError("429 Too Many Requests", retry_after=2.5))
    run_all(make_engine(), tasks)
    assert 2.5 in sleeps.calls


def test_outcomes_are_yielded_as_they_complete(archive, tasks, make_engine):
    archive.block_delay[R[0]] = 0.02
    outcomes = list(make_engine(workers=2).run(tasks))
    assert outcomes[-1].task.key == "000"


def test_an_existing_verified_file_is_skipped_and_force_fetches_it_again(archive, tasks,
                                                                          make_engine):
    run_all(make_engine(), tasks)
    archive.reads.clear()
    outcomes = run_all(make_engine(), tasks)
    assert all(o.skipped and o.attempts == 0 for o in outcomes.values())
    assert archive.reads == []
    outcomes = run_all(make_engine(force=True), tasks)
    assert not any(o.skipped for o in outcomes.values())
    assert len(archive.reads) == len(tasks)


def test_an_existing_file_that_fails_its_checksum_is_replaced(archive, tasks, make_engine):
    tasks[0].dest.parent.mkdir(parents=True)
    tasks[0].dest.write_bytes(b"left over from a broken tool")
    result = run_all(make_engine(), tasks)["000"]
    assert not result.skipped
    assert tasks[0].dest.read_bytes() == archive.files[R[0]]


def test_transfers_never_exceed_the_worker_count(archive, tasks, make_engine):
    for remote in R:
        archive.block_delay[remote] = 0.002
    run_all(make_engine(workers=3), tasks)
    assert archive.max_active <= 3


def test_task_from_a_granule_takes_its_id_path_and_checksum(tmp_path):
    granule = Granule("GW1AM2_x", "amsr2-l1b", datetime(2022, 2, 16, tzinfo=UTC),
                      datetime(2022, 2, 16, 1, tzinfo=UTC), "standard/x/GW1AM2_x.h5",
                      size=10_000_000, checksum=sha256(b"x"))
    task = FetchTask.for_granule(granule, tmp_path)
    assert (task.key, task.remote, task.dest) == ("GW1AM2_x", granule.remote_path,
                                                  tmp_path / "GW1AM2_x.h5")
    assert task.checksum == granule.checksum
    assert task.expected_size is None  # catalogue sizes may be rounded


def test_a_task_with_a_malformed_checksum_is_refused(tmp_path):
    with pytest.raises(ValueError):
        FetchTask("k", "r", tmp_path / "f", checksum="md5-abc")
