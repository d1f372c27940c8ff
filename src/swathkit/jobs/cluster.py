"""Where the CPU-heavy stages run: this process, local processes, or a dask.distributed cluster.

Jobs hand their per-item work (extract one file, grid one day, fill one piece) to an
:class:`Executor` and consume the results **in input order**, whatever order they
finish in, so the store or cube they commit has the same bytes whatever runs the
work. :func:`open_executor` turns the job's options into one:

- ``scheduler=None``: this process (``workers`` ≤ 1) or a pool of ``workers`` spawned
  processes, as the jobs always did;
- ``scheduler="local:N"``: a dask ``LocalCluster`` of N worker processes (one thread
  each, no dashboard), started for the job and stopped after it;
- ``scheduler="tcp://host:port"``: a running dask scheduler. Its workers must import
  swathkit and see the files the job names (a shared file system), as a LocalCluster does.

The work shipped is a top-level function of plain arguments (paths, numpy arrays,
dataclasses); dask moves them with its own serialisation. A worker that dies is
dask's to handle: its tasks run again elsewhere (``distributed.scheduler.allowed-failures``
times), and since the client commits each result once, in order, nothing is lost or
written twice. Inside a task, dask code runs on the synchronous scheduler: a task
never submits tasks of its own to the cluster.

The client stays in charge of what must be global: the transfer engine (per-host
download caps), the ledger, the store writer and its commits.
"""

from __future__ import annotations

import logging
import multiprocessing
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Protocol, TypeVar

from swathkit.errors import InputError

log = logging.getLogger(__name__)
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

_ADDRESS = re.compile(r"^(tcp|tls)://[^\s/:]+:\d{1,5}$")
_LOCAL = re.compile(r"^local:(\d+)$")
WORKER_WAIT_S = 60.0
"""How long a job waits for a first worker to join a scheduler it was given."""


class TaskFuture(Protocol[T_co]):
    """A submitted item: both ``concurrent.futures.Future`` and ``distributed.Future`` are."""

    def done(self) -> bool: ...

    def result(self) -> T_co: ...


def check_scheduler(scheduler: str | None) -> str | None:
    """``scheduler`` if it reads as an address or ``local:N`` (None stays None).

    Raises:
        InputError: anything else.
    """
    if scheduler is None:
        return None
    text = scheduler.strip()
    local = _LOCAL.match(text)
    if local and int(local.group(1)) >= 1:
        return text
    if _ADDRESS.match(text):
        return text
    raise InputError(f"--scheduler {scheduler!r}: give tcp://HOST:PORT of a running dask "
                     "scheduler (dask scheduler prints it) or local:N, e.g. local:2")


class Executor:
    """Runs ``fn(*args)`` somewhere; :meth:`ordered` gives results back in input order."""

    workers = 1
    """How many items run at once (sizes the in-flight windows)."""

    def submit(self, fn: Callable[..., T], *args: Any) -> TaskFuture[T]:
        raise NotImplementedError

    def close(self) -> None:
        """Stop what this executor started (nothing for the in-process one)."""

    def ordered(self, fn: Callable[..., T], items: Iterable[tuple[Any, ...]], *,
                window: int | None = None) -> Iterator[T]:
        """``fn(*item)`` of each item, yielded in input order, at most ``window`` in flight.

        The window (default ``2 × workers``) bounds memory: results wait on the
        client only until the earlier ones are taken. An item's exception is raised
        when its turn comes.
        """
        limit = max(1, window or 2 * self.workers)
        pending: deque[TaskFuture[T]] = deque()
        for item in items:
            pending.append(self.submit(fn, *item))
            if len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class InProcess(Executor):
    """This process, one item at a time, at submission (what a job did without workers)."""

    def submit(self, fn: Callable[..., T], *args: Any) -> TaskFuture[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args))
        except Exception as exc:  # raised by result(), at the item's turn, as a pool would
            future.set_exception(exc)
        return future

    def ordered(self, fn: Callable[..., T], items: Iterable[tuple[Any, ...]], *,
                window: int | None = None) -> Iterator[T]:
        """Each result as soon as it is made: one item in memory at a time."""
        for item in items:
            yield fn(*item)


class ProcessPool(Executor):
    """A pool of ``workers`` spawned processes on this machine, started now."""

    def __init__(self, workers: int, initializer: Callable[[], None] | None = None) -> None:
        self.workers = workers
        self.pool = ProcessPoolExecutor(max_workers=workers, initializer=initializer,
                                        mp_context=multiprocessing.get_context("spawn"))
        for _ in range(workers):  # start the processes and their imports before item 1
            self.pool.submit(int)

    def submit(self, fn: Callable[..., T], *args: Any) -> TaskFuture[T]:
        return self.pool.submit(fn, *args)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor(Executor):
    """A dask.distributed client: of a running scheduler, or of a LocalCluster it owns."""

    def __init__(self, client: Any, cluster: Any = None) -> None:
        self.client, self.cluster = client, cluster
        info = client.scheduler_info()
        self.workers = max(1, sum(w.get("nthreads", 1) for w in info["workers"].values()))

    def submit(self, fn: Callable[..., T], *args: Any) -> TaskFuture[T]:
        future: TaskFuture[T] = self.client.submit(run_synchronously, fn, *args, pure=False)
        return future

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def run_synchronously(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` on a worker, its own dask code on the synchronous scheduler."""
    import dask

    with dask.config.set(scheduler="synchronous"):
        return fn(*args)


def local_cluster(workers: int) -> Any:
    """A dask LocalCluster on loopback: ``workers`` processes of one thread, no dashboard.

    (Its scheduler's HTTP endpoints take a free port, not 8787: clusters can run side by side.)
    """
    from distributed import LocalCluster

    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address=None,
                           scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
    log.info("started a LocalCluster of %d workers at %s", workers, cluster.scheduler_address)
    return cluster


def open_executor(scheduler: str | None = None, *, workers: int = 1,
                  initializer: Callable[[], None] | None = None) -> Executor:
    """The executor of a job's options (see the module docstring).

    Args:
        scheduler: None, ``local:N`` or ``tcp://host:port``.
        workers: Local processes when ``scheduler`` is None (1: this process).
        initializer: Run in each local pool process at start (not on dask workers).

    Raises:
        InputError: a malformed scheduler, one that cannot be reached (within dask's
            ``distributed.comm.timeouts.connect``), or distributed not installed.
    """
    scheduler = check_scheduler(scheduler)
    if scheduler is None:
        return InProcess() if workers <= 1 else ProcessPool(workers, initializer)
    try:
        from distributed import Client
    except ImportError:
        raise InputError("--scheduler needs dask.distributed: pip install "
                         "'swathkit[cluster]'") from None
    local = _LOCAL.match(scheduler)
    if local:
        cluster = local_cluster(int(local.group(1)))
        return DaskExecutor(Client(cluster), cluster)
    try:
        client = Client(scheduler)
    except OSError as exc:
        raise InputError(f"--scheduler {scheduler}: cannot reach it ({exc}); start one with "
                         "`dask scheduler` (and `dask worker ADDRESS`), or use local:N") from None
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT_S)
    except TimeoutError:  # distributed's TimeoutError is the builtin one
        client.close()
        raise InputError(f"--scheduler {scheduler}: no worker joined it in {WORKER_WAIT_S:g} "
                         f"s; start some with `dask worker {scheduler}`") from None
    return DaskExecutor(client)


__all__ = ["DaskExecutor", "Executor", "InProcess", "ProcessPool",
           "TaskFuture", "check_scheduler", "local_cluster", "open_executor", "run_synchronously"]
