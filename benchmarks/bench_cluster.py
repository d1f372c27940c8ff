"""Ingest and gridding on dask.distributed (``--scheduler``) against the single-process run.

Full-size synthetic AMSR2 L1B files (``--granules``, ~45 MB each; 60 half orbits are
about two and a half days) are written once. Then, each way in a fresh spawned
process (so its peak memory is its own):

- ingest of the files (36.5H with lat/lon) into a new swath store;
- ``swathkit grid`` of the days they cover, 36.5H onto EASE2 N25, into a new cube;

in this process (the baseline: ``workers=1``, no scheduler), on a running
LocalCluster of 1 and of 2 worker processes (one thread each, reached by its
address; the cluster's start-up is timed apart, as ``local:N`` would add it), and for
ingest also the local pool of 2 processes (``--workers 2``). Prints the wall times,
the ratio to the baseline, whether every file of the store/cube has the baseline's
bytes, and the peak RSS of the job's process and of each worker.

    .venv/bin/python benchmarks/bench_cluster.py                 # 60 granules
    .venv/bin/python benchmarks/bench_cluster.py --granules 4    # a smoke run
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from common import cpu_count, du, print_table
from swathkit.jobs.cluster import local_cluster
from swathkit.jobs.swaths.grid import grid
from swathkit.jobs.swaths.ingest import ingest
from swathkit.products.amsr2.names import parse_name
from swathkit.sim.gportal.amsr2_l1b import write_granules
from swathkit.stores.location import LOCK_NAME

START = "2022-02-16T00:00"


def digest(store: Path) -> str:
    """One sha256 over every file of a store (path and bytes) but its writer lock."""
    h = hashlib.sha256()
    for p in sorted(store.rglob("*")):
        if p.is_file() and p.name != LOCK_NAME:
            h.update(str(p.relative_to(store)).encode())
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def run_ingest(files: list[Path], store: Path, workers: int, scheduler: str | None) -> Any:
    return ingest(files, store, channels="36.5H", coords=True, workers=workers,
                  scheduler=scheduler)


def run_grid(swaths: Path, cube: Path, days: tuple[str, str], scheduler: str | None) -> Any:
    return grid(swaths, cube, grid_name="ease2-n25", channels="36.5H", start=days[0],
                end=days[1], scheduler=scheduler)


def in_child(job: Callable[..., Any], *args: Any) -> tuple[float, int, Any]:
    """Wall time, peak RSS (bytes) and counts of ``job(*args)`` in a fresh spawned process."""
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
        return pool.submit(_timed, job, *args).result()


def _timed(job: Callable[..., Any], *args: Any) -> tuple[float, int, Any]:
    warnings.filterwarnings("ignore", message="Numcodecs codecs are not in the Zarr")
    t0 = time.perf_counter()
    report = job(*args)
    wall = time.perf_counter() - t0
    assert report.ok, report.failures
    return wall, peak_rss(), report.counts


def peak_rss() -> int:
    """This process's peak resident set (VmHWM: its own, unlike ru_maxrss, kept over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def measure(job: Callable[..., Any], out: Callable[[str], Path], make_args: Callable[
        [Path, int, str | None], tuple[Any, ...]]) -> list[tuple[str, float, str, str, str]]:
    """Each way of running ``job``: (way, wall s, digest, job peak MB, worker peaks MB)."""
    from distributed import Client

    rows = []
    wall, peak, _ = in_child(job, *make_args(out("inproc"), 1, None))
    rows.append(("this process (baseline)", wall, digest(out("inproc")), f"{peak / 1e6:.0f}",
                 "—"))
    if job is run_ingest:
        wall, peak, _ = in_child(job, *make_args(out("pool2"), 2, None))
        rows.append(("local pool, 2 processes (--workers 2)", wall, digest(out("pool2")),
                     f"{peak / 1e6:.0f}", "—"))
    for n in (1, 2):
        t0 = time.perf_counter()
        with local_cluster(n) as cluster, Client(cluster) as client:
            started = time.perf_counter() - t0
            wall, peak, _ = in_child(job, *make_args(out(f"dask{n}"), 1,
                                                     cluster.scheduler_address))
            workers = sorted(client.run(peak_rss).values())
        rows.append((f"LocalCluster, {n} worker{'s' * (n > 1)} (start-up {started:.1f} s)",
                     wall, digest(out(f"dask{n}")), f"{peak / 1e6:.0f}",
                     " / ".join(f"{w / 1e6:.0f}" for w in workers)))
    return rows


def table(title: str, rows: list[tuple[str, float, str, str, str]]) -> None:
    base_wall, base_digest = rows[0][1], rows[0][2]
    print_table(title, ("run", "wall s", "speed-up vs this process", "identical bytes",
                        "job peak RSS MB", "worker peak RSS MB"),
                [(way, f"{wall:.1f}", f"{base_wall / wall:.2f}x",
                  "yes" if d == base_digest else "NO", peak, workers)
                 for way, wall, d, peak, workers in rows])


def main() -> None:
    warnings.filterwarnings("ignore", message="Numcodecs codecs are not in the Zarr")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--granules", type=int, default=60, help="full-size granules")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="swathkit-bench-cluster-"))
    try:
        t0 = time.perf_counter()
        files = write_granules(work / "l1b", START, args.granules)
        t_gen = time.perf_counter() - t0
        mb = du(work / "l1b") / 1e6
        table(f"Ingest of {args.granules} full-size granules ({mb / args.granules:.0f} MB "
              f"each, 36.5H + lat/lon; {cpu_count()} cores; generation "
              f"{t_gen / args.granules:.1f} s a granule)",
              measure(run_ingest, lambda way: work / f"ingest-{way}.zarr",
                      lambda store, workers, sched: (files, store, workers, sched)))
        first = parse_name(files[0]).start.date()
        last = (parse_name(files[-1]).start + timedelta(minutes=50)).date()
        days = (first.isoformat(), last.isoformat())
        swaths = work / "ingest-inproc.zarr"
        table(f"Gridding {(last - first).days + 1} days ({days[0]} .. {days[1]}) of those "
              f"swaths, 36.5H onto ease2-n25 (bucket mean, count, mean time, asc/des)",
              measure(run_grid, lambda way: work / f"grid-{way}.zarr",
                      lambda cube, _, sched: (swaths, cube, days, sched)))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
