"""TransferEngine as a job: credentials, throttling, breaker, sessions, memory, Ctrl-C, events."""

import _thread
import itertools
import logging
import threading
import time

import pytest
from fake_archive import HOST, PASSWORD, FakeFactory

from swathkit.errors import (
    ArchiveUnavailableError,
    AuthError,
    ThrottledError,
    TransientFetchError,
)
from swathkit.transfer.engine import FetchResult, FetchTask, TransferEngine
from swathkit.transfer.limits import AdaptiveLimit, CircuitBreaker
from swathkit.transfer.retry import RetryPolicy

R = [f"standard/GCOM-W/{i:03d}.h5" for i in range(12)]


def fetch_threads():
    return [t for t in threading.enumerate() if t.name.startswith("swathkit-fetch")]


def test_refused_credentials_stop_the_job_after_a_single_attempt(archive, tasks, make_engine,
                                                                sleeps):
    archive.refuse_auth = True
    seen = []
    with pytest.raises(AuthError, match=f"{HOST} refused the credentials.*without retrying"):
        for outcome in make_engine(workers=4).run(tasks):
            seen.append(outcome)
    assert archive.opens == 1
    assert seen == [] and sleeps.calls == []
    assert fetch_threads() == []


def test_a_session_cap_is_met_by_backing_off(archive, tasks, make_engine):
    archive.session_cap = 2
    events = []
    engine = make_engine(workers=4, limit=AdaptiveLimit(4, recover_after=100),
                         on_event=lambda kind, task, info: events.append((kind, info)))
    outcomes = list(engine.run(tasks))
    assert all(isinstance(o, FetchResult) for o in outcomes) and len(outcomes) == len(tasks)
    assert archive.max_open <= 2
    throttles = [info for kind, info in events if kind == "throttled"]
    assert throttles and throttles[0]["limit"] == 2
    assert engine.limit.limit <= 2
    assert len(throttles) <= 4  # it backed off instead of knocking again and again


def test_the_cap_halves_on_throttling_and_creeps_back_after_successes(archive, tasks,
                                                                      make_engine):
    archive.read_faults[R[0]].append(ThrottledError("429", retry_after=0.01))
    limits = []
    engine = make_engine(workers=1, limit=AdaptiveLimit(4, recover_after=2),
                         on_event=lambda kind, task, info: limits.append(engine.limit.limit)
                         if kind == "done" else None)
    list(engine.run(tasks))
    assert limits[:6] == [2, 3, 3, 4, 4, 4]  # AIMD: halved, then +1 every 2nd success
    assert engine.limit.limit == 4


def test_a_throttling_host_sees_fewer_connections_and_transfers(archive, tasks, make_engine):
    archive.read_faults[R[0]].append(ThrottledError("503", retry_after=0.01))
    engine = make_engine(workers=4, limit=AdaptiveLimit(4, recover_after=1000), force=True)
    list(engine.run(tasks))
    assert engine.limit.limit == 2
    for remote in R:
        archive.block_delay[remote] = 0.003
    archive.max_active = 0
    archive.max_open = archive.open_now
    list(engine.run(tasks))
    assert archive.max_active <= 2
    assert archive.max_open <= 2 and archive.open_now <= 2


def test_the_breaker_pauses_then_stops_a_job_whose_archive_is_down(archive, tasks, factory,
                                                                   sleeps, make_engine):
    archive.fail_everything = TransientFetchError("connection refused")
    events = []
    breaker = CircuitBreaker(threshold=3, cooldown=0.5, max_pauses=2, sleep=sleeps, host=HOST)
    engine = make_engine(workers=4, breaker=breaker, retry=RetryPolicy(max_attempts=100,
                                                                       base_delay=0.001,
                                                                       max_delay=0.001),
                         on_event=lambda kind, task, info: events.append(kind))
    with pytest.raises(ArchiveUnavailableError,
                       match=f"{HOST} looks down: 9 consecutive failures, last: "
                             "TransientFetchError: connection refused; try again later"):
        list(engine.run(tasks))
    assert sleeps.calls.count(0.5) == 2
    assert events.count("paused") == 2
    assert archive.opens <= 9 + 4  # it did not keep knocking
    assert fetch_threads() == []


def test_results_finished_before_the_job_stopped_are_still_yielded(archive, tasks, sleeps,
                                                                    make_engine):
    breaker = CircuitBreaker(threshold=1, max_pauses=0, sleep=sleeps, host=HOST)
    archive.read_faults[R[11]].append(TransientFetchError("reset"))
    got = []
    with pytest.raises(ArchiveUnavailableError):
        for outcome in make_engine(workers=1, breaker=breaker).run(tasks):
            got.append(outcome.task.key)
    assert got == [f"{i:03d}" for i in range(11)]


def test_sessions_are_reused_across_files(archive, tasks, make_engine):
    engine = make_engine(workers=4)
    list(engine.run(tasks))
    assert archive.opens <= 4
    assert engine.sessions_opened == archive.opens


def test_a_transient_failure_reopens_only_that_workers_session(archive, tasks, make_engine):
    for remote in R[:3]:
        archive.drops[remote].append(100)
    list(make_engine(workers=4).run(tasks))
    assert archive.opens <= 4 + 3
    assert archive.open_now <= 4


def test_sessions_outlive_a_run_and_close_with_the_engine(archive, tasks, factory):
    with TransferEngine(factory, workers=3, force=True) as engine:
        list(engine.run(tasks))
        list(engine.run(tasks))
        assert archive.opens <= 3
    assert archive.open_now == 0


def test_tasks_are_pulled_lazily_from_a_huge_iterable(archive, out, make_engine):
    archive.generate_missing = True
    pulled = itertools.count()
    next(pulled)

    def endless():
        for i in itertools.count():
            next(pulled)
            yield FetchTask(f"g{i}", f"gen/{i}", out / f"{i}.bin")

    engine = make_engine(workers=3)
    run = engine.run(endless())
    first = [next(run) for _ in range(40)]
    taken = next(pulled) - 1
    run.close()
    assert all(isinstance(o, FetchResult) for o in first)
    assert taken <= 40 + 2 * 3
    assert fetch_threads() == []


def test_an_error_of_the_task_iterable_reaches_the_caller(archive, tasks, make_engine):
    def broken():
        yield from tasks[:3]
        raise OSError("catalogue page failed")

    with pytest.raises(OSError, match="catalogue page"):
        list(make_engine().run(broken()))
    assert fetch_threads() == []


def test_an_unexpected_error_in_a_worker_is_raised_not_swallowed(archive, tasks, make_engine):
    archive.read_faults[R[5]].append(RuntimeError("protocol bug"))
    with pytest.raises(RuntimeError, match="protocol bug"):
        list(make_engine().run(tasks))


def test_ctrl_c_in_the_consumer_stops_workers_and_keeps_part_files(archive, tasks, out,
                                                                   make_engine):
    for remote in R[1:]:
        archive.block_delay[remote] = 0.05  # a file takes 0.8 s or more: the stop comes first
    engine = make_engine(workers=4)
    with pytest.raises(KeyboardInterrupt), engine:
        for _ in engine.run(tasks):
            while not any(archive.served[remote] for remote in R[1:]):  # mid-file
                time.sleep(0.005)
            raise KeyboardInterrupt
    assert fetch_threads() == [] and archive.open_now == 0
    parts = {p.name.removesuffix(".part"): p.stat().st_size for p in out.glob("*.part")}
    sizes = {t.dest.name: len(archive.files[t.remote]) for t in tasks}
    assert any(0 < size < sizes[name] for name, size in parts.items()), parts
    resume_and_check(archive, tasks, parts, make_engine)


def resume_and_check(archive, tasks, parts, make_engine):
    """Running the same tasks again continues each .part from its size."""
    archive.block_delay.clear()
    archive.reads.clear()
    outcomes = {o.task.dest.name: o for o in make_engine().run(tasks)}
    first_read = {}
    for remote, offset in archive.reads:
        first_read.setdefault(remote.rsplit("/", 1)[-1], offset)
    for name, size in parts.items():
        assert outcomes[name].resumed_from == size
        if size < len(archive.files[f"standard/GCOM-W/{name}"]):
            assert first_read[name] == size
    for task in tasks:
        assert task.dest.read_bytes() == archive.files[task.remote]


def _when(condition, action):
    """A thread that runs ``action`` once ``condition()`` holds (checked every 5 ms, for 30 s)."""
    def watch():
        deadline = time.monotonic() + 30
        while not condition():
            if time.monotonic() > deadline:
                return  # never held: the test fails on what did not happen
            time.sleep(0.005)
        action()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def test_ctrl_c_while_waiting_for_results_stops_promptly(archive, tasks, out, make_engine):
    for remote in R:
        archive.block_delay[remote] = 0.2  # a file takes 3 s or more: the stop comes first
    mid_file = _when(lambda: any(archive.served.values()), _thread.interrupt_main)
    with pytest.raises(KeyboardInterrupt):
        list(make_engine(workers=4).run(tasks))
    mid_file.join()
    assert fetch_threads() == []
    parts = {p.name: p.stat().st_size for p in out.glob("*.part")}
    assert parts and not any(t.dest.exists() for t in tasks)  # in-flight files left partial
    assert any(size for size in parts.values())


def test_close_interrupts_a_long_backoff(archive, tasks, factory):
    archive.read_faults[R[0]].append(TransientFetchError("reset"))
    retried = threading.Event()
    engine = TransferEngine(factory, workers=1,
                            retry=RetryPolicy(base_delay=3600, max_delay=3600),  # an hour
                            on_event=lambda kind, task, info: kind == "retry" and retried.set())
    closer = threading.Thread(target=lambda: retried.wait(30) and engine.close())
    closer.start()
    with pytest.raises(RuntimeError, match="closed during run"):
        list(engine.run(tasks))
    closer.join()
    assert fetch_threads() == [] and archive.open_now == 0
    with pytest.raises(RuntimeError, match="closed"):
        next(engine.run(tasks))


def test_a_second_concurrent_run_is_refused(archive, tasks, make_engine):
    engine = make_engine()
    first = engine.run(tasks)
    next(first)
    with pytest.raises(RuntimeError, match="already in progress"):
        next(engine.run(tasks))
    first.close()


def test_events_tell_the_story_of_each_file(archive, tasks, out, make_engine):
    archive.drops[R[2]].append(100)
    missing = FetchTask("gone", "standard/GCOM-W/gone.h5", out / "gone.h5")
    events = []
    engine = make_engine(on_event=lambda kind, task, info: events.append((kind, task.key,
                                                                          info)))
    list(engine.run([*tasks, missing]))
    assert [k for k, key, _ in events if key == "001"] == ["start", "done"]
    assert [k for k, key, _ in events if key == "002"] == ["start", "retry", "done"]
    assert [k for k, key, _ in events if key == "gone"] == ["start", "failed"]
    retry = next(info for k, key, info in events if k == "retry")
    assert retry["error_class"] == "TransientFetchError" and retry["attempt"] == 1
    done = next(info for k, key, info in events if k == "done" and key == "002")
    assert done["bytes"] == len(archive.files[R[2]]) and done["resumed_from"] == 100


def test_logs_name_the_host_but_never_the_password(archive, tasks, caplog, make_engine):
    archive.read_faults[R[0]].append(ThrottledError("429", retry_after=0.01))
    archive.corruptions[R[1]] = 5
    caplog.set_level(logging.DEBUG, logger="swathkit")
    list(make_engine().run(tasks))
    archive.refuse_auth = True
    with pytest.raises(AuthError):
        list(make_engine(FakeFactory(archive), force=True).run(tasks))
    assert HOST in caplog.text
    assert PASSWORD not in caplog.text
