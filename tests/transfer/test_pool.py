"""SessionPool: one probe open until the credentials are proven, then opens in parallel."""

import sys
import threading
import time

from swathkit.transfer.pool import SessionPool


class _Session:
    def size(self, remote):
        return 0

    def read(self, remote, offset=0):
        yield b""

    def close(self):
        pass


class _SlowLogin:
    """A factory whose first login waits for a signal and whose next three log in together."""

    host = "archive.example:22"

    def __init__(self):
        self.first_may_finish = threading.Event()
        self.together = threading.Barrier(3, timeout=10)
        self.calls = 0
        self._lock = threading.Lock()

    def open(self):
        with self._lock:
            self.calls += 1
            first = self.calls == 1
        if first:
            assert self.first_may_finish.wait(10)
        else:
            self.together.wait()  # breaks (BrokenBarrierError) if these opens run one by one
        return _Session()


def test_opens_waiting_behind_the_probe_run_in_parallel_once_it_succeeds():
    factory = _SlowLogin()
    pool = SessionPool(factory)
    started = threading.Barrier(5, timeout=10)
    got, errors = [], []

    def worker():
        started.wait()
        try:
            got.append(pool.get())
        except threading.BrokenBarrierError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    started.wait()
    _wait_for(lambda: _waiting_in_get(threads) == 3)  # three queue behind the probe open
    factory.first_may_finish.set()
    for thread in threads:
        thread.join(20)
    assert not errors and len(got) == 4 and pool.opened == 4


def _waiting_in_get(threads):
    """How many of ``threads`` are blocked inside ``SessionPool.get`` itself (on its lock)."""
    frames = sys._current_frames()
    return sum(1 for t in threads if t.ident in frames
               and frames[t.ident].f_code is SessionPool.get.__code__)


def _wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.001)
