"""AdaptiveLimit (AIMD concurrency cap) and CircuitBreaker (pause, then give up)."""

import threading

import pytest

from swathkit.errors import ArchiveUnavailableError, TransientFetchError
from swathkit.transfer.limits import AdaptiveLimit, CircuitBreaker


def test_limit_caps_concurrent_holders():
    limit = AdaptiveLimit(2)
    assert limit.acquire(timeout=0) and limit.acquire(timeout=0)
    assert not limit.acquire(timeout=0.01)
    limit.release()
    assert limit.acquire(timeout=0)
    assert limit.in_use == 2


def test_limit_is_a_context_manager_that_releases_on_error():
    limit = AdaptiveLimit(1)
    with pytest.raises(RuntimeError), limit:
        assert limit.in_use == 1
        raise RuntimeError("boom")
    assert limit.in_use == 0


def test_limit_holds_threads_to_the_cap():
    limit, lock = AdaptiveLimit(3), threading.Lock()
    inside, peak = [0], [0]
    three_in = threading.Barrier(3, timeout=10)  # a holder leaves once three are in together

    def work():
        with limit:
            with lock:
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
            three_in.wait()
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak[0] == 3 and not three_in.broken


def test_throttling_halves_the_cap_down_to_one():
    limit = AdaptiveLimit(8)
    assert [limit.throttled() for _ in range(4)] == [4, 2, 1, 1]


def test_one_burst_of_throttles_halves_once():
    limit = AdaptiveLimit(8)
    started = limit.generation  # four requests in flight when the 429s came
    assert [limit.throttled(started) for _ in range(4)] == [4, 4, 4, 4]
    assert limit.throttled(limit.generation) == 2  # a request started after the decrease


def test_cap_creeps_back_after_consecutive_successes_but_not_above_workers():
    limit = AdaptiveLimit(4, recover_after=3)
    limit.throttled()
    assert limit.limit == 2
    assert [limit.succeeded() for _ in range(6)] == [2, 2, 3, 3, 3, 4]
    assert [limit.succeeded() for _ in range(6)] == [4] * 6


def test_a_throttle_resets_the_success_streak():
    limit = AdaptiveLimit(4, recover_after=3)
    limit.throttled()
    limit.succeeded()
    limit.succeeded()
    limit.throttled()
    assert limit.limit == 1
    assert [limit.succeeded() for _ in range(3)] == [1, 1, 2]


def test_lowered_cap_makes_new_holders_wait_until_enough_leave():
    limit = AdaptiveLimit(4)
    for _ in range(4):
        limit.acquire()
    limit.throttled()  # cap 2, four held
    limit.release()
    limit.release()
    assert not limit.acquire(timeout=0)
    limit.release()
    assert limit.acquire(timeout=0)


def test_release_without_acquire_is_a_bug():
    with pytest.raises(RuntimeError):
        AdaptiveLimit(1).release()


class Recorder:
    def __init__(self):
        self.calls = []

    def __call__(self, seconds):
        self.calls.append(seconds)


def fail(breaker, n, error=None):
    for _ in range(n):
        breaker.record_failure(error or TransientFetchError("connection reset"))


def test_breaker_pauses_after_threshold_consecutive_failures():
    sleep, paused = Recorder(), []
    breaker = CircuitBreaker(threshold=3, cooldown=7, sleep=sleep)
    fail(breaker, 2)
    assert sleep.calls == []
    breaker.record_failure(TransientFetchError("reset"),
                           on_pause=lambda s, n: paused.append((s, n)))
    assert sleep.calls == [7]
    assert paused == [(7, 3)]
    assert not breaker.paused


def test_a_success_resets_the_count():
    sleep = Recorder()
    breaker = CircuitBreaker(threshold=3, sleep=sleep)
    for _ in range(5):
        fail(breaker, 2)
        breaker.record_success()
    assert sleep.calls == []


def test_breaker_trips_after_max_pauses_without_success():
    sleep = Recorder()
    breaker = CircuitBreaker(threshold=2, cooldown=1, max_pauses=3, sleep=sleep,
                             host="ftp.gportal.jaxa.jp")
    fail(breaker, 6)
    assert sleep.calls == [1, 1, 1]
    breaker.record_failure(TransientFetchError("timed out"))
    with pytest.raises(ArchiveUnavailableError) as info:
        breaker.record_failure(TransientFetchError("timed out"))
    message = str(info.value)
    assert message.startswith("ftp.gportal.jaxa.jp looks down: 8 consecutive failures")
    assert "last: TransientFetchError: timed out" in message
    assert message.endswith("try again later")
    assert breaker.tripped
    with pytest.raises(ArchiveUnavailableError):
        breaker.wait()


def test_a_success_between_pauses_restarts_the_pause_count():
    sleep = Recorder()
    breaker = CircuitBreaker(threshold=2, max_pauses=1, cooldown=1, sleep=sleep)
    for _ in range(4):
        fail(breaker, 2)
        breaker.record_success()
    assert sleep.calls == [1] * 4
    assert not breaker.tripped


def _pausing_breaker(**options):
    """A breaker whose pause lasts until ``release`` is set; ``pausing`` is set as it starts."""
    pausing, release = threading.Event(), threading.Event()
    breaker = CircuitBreaker(threshold=1, **options,
                             sleep=lambda s: (pausing.set(), release.wait(10)))
    return breaker, pausing, release


def test_a_pause_holds_every_other_waiting_worker():
    breaker, pausing, release = _pausing_breaker(cooldown=5)
    pauser = threading.Thread(target=fail, args=(breaker, 1))
    pauser.start()
    assert pausing.wait(10) and breaker.paused
    waited = threading.Event()
    waiter = threading.Thread(target=lambda: (breaker.wait(), waited.set()))
    waiter.start()
    assert not waited.wait(0.1)  # held while the pause lasts
    release.set()
    assert waited.wait(10)
    pauser.join()
    waiter.join()


def test_waiting_out_a_pause_ends_when_stop_is_set():
    breaker, pausing, release = _pausing_breaker()
    stop = threading.Event()
    pauser = threading.Thread(target=fail, args=(breaker, 1))
    pauser.start()
    assert pausing.wait(10)
    stop.set()
    breaker.wait(stop)  # returns although the pause goes on
    assert breaker.paused and pauser.is_alive()  # only release ends the pause
    release.set()
    pauser.join()
    assert not breaker.paused
