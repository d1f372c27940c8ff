"""Collect benchmarks against the simulated G-Portal on loopback.

1. Throughput (no faults, 4 workers, N full-size granules, server cache warm): granules/s
   and MB/s, and the ratio to the bound of a bare SFTP transfer of the same bytes (4
   parallel sessions, pipelined reads) plus the HDF5 decode of 36.5H and 89A lat/lon.
2. Against the seed-style collector (benchmarks/seed_collector.py) on the same server
   and files: wall time and peak memory.
3. Peak RSS collecting M against 4M granules.
4. Granules lost at 4 and 16 workers with the "flaky" faults, swathkit and seed-style.

``--distant``: instead, (a) the same collect against a portal far away (200 ms round
trip, 4 MB/s per SFTP session, a 4-session cap; swathkit.sim.wan), N full-size granules,
4 workers: wall time against the seed-style collector on the same server and against
the bound cap × per-session bandwidth; (b) table 1 on plain loopback.

Every collect keeps what the seed keeps: 36.5H and its lat/lon as every 2nd 89A pixel.
The simulated server runs in this process with its files generated beforehand; each
scenario runs in a child process whose tree's RSS is sampled.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psutil

from common import print_table

START = "2022-02-16T00:00"


def _hours(n: int) -> float:
    return n * 98.9 / 60 / 2  # n half orbits


def _query(n: int):
    from datetime import timedelta

    from swathkit.types import Query, utc

    start = utc(START)
    return Query("amsr2-l1b", start, start + timedelta(hours=_hours(n)) - timedelta(minutes=1))


class PeakRSS:
    """Samples the RSS of this process and its children every 50 ms."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            try:
                procs = [me, *me.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs))
            except psutil.Error:
                pass
            time.sleep(0.05)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


GEOLOCATION = "subsample"  # the seed's: every 2nd 89A pixel (JAXA co-registration costs more)
DISTANT = {"latency": 0.2, "bandwidth": 4e6, "max_sessions": 4}


def _portal(faults: str, cache: Path):
    from swathkit.sim.faults import FaultPlan
    from swathkit.sim.gportal.server import SimulatedGPortal

    if faults == "distant":  # far away and capped, otherwise no faults
        plan = FaultPlan(max_sessions=DISTANT["max_sessions"])
        return SimulatedGPortal(faults=plan, cache_dir=cache, seed=0,
                                latency=DISTANT["latency"], bandwidth=DISTANT["bandwidth"])
    return SimulatedGPortal(faults=faults, cache_dir=cache, seed=0)


def _remotes(sim, n: int) -> list[str]:
    from swathkit.archives.gportal import GPortalCatalog
    from swathkit.transfer.retry import RetryPolicy

    catalog = GPortalCatalog(sim.catalog_url, retry=RetryPolicy(), ca_bundle=sim.ca_file)
    return [g.remote_path for g in catalog.search(_query(n))]


def _warm(sim, remotes: list[str]) -> int:
    """Generate every file on the server first, so no scenario pays for it."""
    from swathkit.archives.credentials import Credentials
    from swathkit.archives.sftp import SftpFactory

    session = SftpFactory(sim.sftp_host, sim.sftp_port,
                          Credentials(sim.username, sim.password)).open()
    try:
        return sum(session.size(r) for r in remotes)
    finally:
        session.close()


@dataclass(frozen=True)
class Endpoint:
    """The running simulated portal, as the scenario process sees it."""

    catalog_url: str
    sftp_host: str
    sftp_port: int
    username: str
    password: str
    ca_file: str  # the catalogue's CA (HTTPS)


def scenario(name: str, n: int, workers: int, sim: Endpoint) -> dict:
    """One measured run, in this (child) process; the server lives in the parent."""
    remotes = _remotes(sim, n)
    work = Path(tempfile.mkdtemp(prefix="swathkit-bench-collect-"))
    with PeakRSS() as rss:
        t0 = time.perf_counter()
        result = RUNS[name](sim, remotes, work, workers, n)
        wall = time.perf_counter() - t0
    return {"n": len(remotes), "wall": wall, "peak_rss": rss.peak, **result}


def run_swathkit(sim, remotes, work, workers, n) -> dict:
    from swathkit.jobs.swaths.collect import collect
    from swathkit.sim.gportal import gportal_client

    archive = gportal_client(sim, name="sim")
    report = collect(_query(n), work / "s.zarr", archive, channels="36.5H",
                     coords=True, geolocation=GEOLOCATION, workers=workers)
    return {"committed": report.counts["committed"], "lost": report.counts["found"] -
            report.counts["committed"]}


def run_seed(sim, remotes, work, workers, n) -> dict:
    from seed_collector import collect_seed_style

    archived, lost = collect_seed_style(sim.sftp_host, sim.sftp_port, sim.username,
                                        sim.password, remotes, work / "seed.npz",
                                        workers=workers)
    return {"committed": archived, "lost": lost}


def run_bound(sim, remotes, work, workers, n) -> dict:
    """Bare SFTP transfer with the same sessions and reads, then the HDF5 decode alone."""
    import h5py

    from swathkit.archives.credentials import Credentials
    from swathkit.archives.sftp import SftpFactory

    factory = SftpFactory(sim.sftp_host, sim.sftp_port, Credentials(sim.username, sim.password))
    local = threading.local()

    def fetch(remote: str) -> Path:
        if not hasattr(local, "s"):
            local.s = factory.open()
        path = work / remote.rsplit("/", 1)[-1]
        with path.open("wb") as f:
            for block in local.s.read(remote):
                f.write(block)
        return path

    t0 = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        paths = list(pool.map(fetch, remotes))
    t_sftp = time.perf_counter() - t0
    t0 = time.perf_counter()
    for path in paths:
        with h5py.File(path, "r") as h5:
            h5["Brightness Temperature (36.5GHz,H)"][()]
            h5["Latitude of Observation Point for 89A"][()]
            h5["Longitude of Observation Point for 89A"][()]
    return {"t_sftp": t_sftp, "t_decode": time.perf_counter() - t0, "committed": len(paths),
            "lost": 0}


RUNS = {"swathkit": run_swathkit, "seed": run_seed, "bound": run_bound}


def _sub(name: str, n: int, workers: int, faults: str, cache: Path) -> dict:
    """Start the portal here, warm its files, run the scenario in a child process."""
    if faults == "distant":  # generate the files over loopback: the link would only slow it
        with _portal("none", cache) as sim:
            _warm(sim, _remotes(sim, n))
    with _portal(faults, cache) as sim:
        total = _warm(sim, _remotes(sim, n))
        endpoint = Endpoint(sim.catalog_url, sim.sftp_host, sim.sftp_port, sim.username,
                            sim.password, str(sim.ca_file))
        out = subprocess.run([sys.executable, __file__, "--scenario", name, "--n", str(n),
                              "--workers", str(workers), "--endpoint",
                              json.dumps(dataclasses.asdict(endpoint))],
                             capture_output=True, text=True, check=True,
                             cwd=Path(__file__).parent)
    return {**json.loads(out.stdout.strip().splitlines()[-1]), "bytes": total}


def main() -> None:
    logging.getLogger("paramiko").setLevel(logging.CRITICAL)  # dropped links are expected here
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=60, help="granules for throughput")
    ap.add_argument("--rss-n", type=int, default=40, help="M for the RSS ratio (M vs 4M)")
    ap.add_argument("--lost-n", type=int, default=30, help="granules for the loss figures")
    ap.add_argument("--scenario", choices=sorted(RUNS))
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--endpoint", help=argparse.SUPPRESS)
    ap.add_argument("--distant", action="store_true",
                    help="collect from a portal far away (200 ms, 4 MB/s a session, 4 sessions), "
                    "then the loopback throughput table")
    args = ap.parse_args()
    if args.scenario:
        endpoint = Endpoint(**json.loads(args.endpoint))
        print(json.dumps(scenario(args.scenario, args.n, args.workers, endpoint)))
        return
    cache = Path(tempfile.mkdtemp(prefix="swathkit-bench-cache-"))
    if args.distant:
        _report_distant(args, cache)
        _throughput(args, cache)
        return
    _report(args, cache)


def _report_distant(args: argparse.Namespace, cache: Path) -> None:
    ours = _sub("swathkit", args.n, 4, "distant", cache)
    seed = _sub("seed", args.n, 4, "distant", cache)
    mb = ours["bytes"] / 1e6
    cap, rate, rtt = DISTANT["max_sessions"], DISTANT["bandwidth"], DISTANT["latency"]
    t_bound = ours["bytes"] / (cap * rate)
    rows = [("bound: cap × per-session bandwidth", f"{t_bound:.1f}", f"{mb / t_bound:.1f}",
             "", "1.00", "")]
    for label, run in (("swathkit collect", ours), ("seed-style collector", seed)):
        rows.append((label, f"{run['wall']:.1f}", f"{mb / run['wall']:.1f}",
                     f"{run['committed']}/{run['n']}", f"{t_bound / run['wall']:.2f}",
                     f"{seed['wall'] / run['wall']:.2f}"))
    print_table(f"Collect {ours['n']} full-size granules ({mb:.0f} MB) from a distant simulated "
                f"G-Portal ({1e3 * rtt:.0f} ms round trip, {rate / 1e6:.0f} MB/s per session, "
                f"{cap}-session cap), 4 workers",
                ("collector", "wall s", "MB/s", "committed", "vs bound", "vs seed-style"), rows)


def _report(args: argparse.Namespace, cache: Path) -> None:
    _throughput(args, cache)
    _rest(args, cache)


def _throughput(args: argparse.Namespace, cache: Path) -> None:
    bound = _sub("bound", args.n, 4, "none", cache)
    ours = _sub("swathkit", args.n, 4, "none", cache)
    seed = _sub("seed", args.n, 4, "none", cache)
    mb = ours["bytes"] / 1e6
    t_bound = bound["t_sftp"] + bound["t_decode"]
    print_table(f"Collect {ours['n']} full-size granules ({mb:.0f} MB), simulated G-Portal, "
                "no faults, 4 workers",
                ("collector", "wall s", "granules/s", "MB/s", "peak RSS MB", "vs bound"),
                [("bound: bare SFTP + HDF5 decode", f"{t_bound:.1f}",
                  f"{ours['n'] / t_bound:.2f}", f"{mb / t_bound:.0f}", "", "1.00"),
                 ("swathkit collect", f"{ours['wall']:.1f}", f"{ours['n'] / ours['wall']:.2f}",
                  f"{mb / ours['wall']:.0f}", f"{ours['peak_rss'] / 1e6:.0f}",
                  f"{t_bound / ours['wall']:.2f}"),
                 ("seed-style collector", f"{seed['wall']:.1f}",
                  f"{seed['n'] / seed['wall']:.2f}", f"{mb / seed['wall']:.0f}",
                  f"{seed['peak_rss'] / 1e6:.0f}", f"{t_bound / seed['wall']:.2f}")])
    print(f"swathkit against seed-style: wall time {ours['wall'] / seed['wall']:.2f}×, "
          f"peak memory {ours['peak_rss'] / seed['peak_rss']:.2f}×  (bound: SFTP "
          f"{bound['t_sftp']:.1f} s + decode {bound['t_decode']:.1f} s)")


def _rest(args: argparse.Namespace, cache: Path) -> None:
    small = _sub("swathkit", args.rss_n, 4, "none", cache)
    large = _sub("swathkit", 4 * args.rss_n, 4, "none", cache)
    print_table("Peak RSS of swathkit collect against the number of granules",
                ("granules", "peak RSS MB", "ratio"),
                [(small["n"], f"{small['peak_rss'] / 1e6:.0f}", "1.00"),
                 (large["n"], f"{large['peak_rss'] / 1e6:.0f}",
                  f"{large['peak_rss'] / small['peak_rss']:.2f}")])
    rows = []
    for workers in (4, 16):
        ok = _sub("swathkit", args.lost_n, workers, "flaky", cache)
        bad = _sub("seed", args.lost_n, workers, "flaky", cache)
        rows.append((workers, ok["n"], ok["lost"], bad["lost"],
                     f"{100 * bad['lost'] / bad['n']:.0f} %"))
    print_table("Granules lost with the simulated archive's 'flaky' faults (20 % HTTP "
                "errors, dropped and truncated transfers, 2 % corrupt files, 4-session cap)",
                ("workers", "granules", "swathkit lost", "seed-style lost", "seed-style %"),
                rows)


if __name__ == "__main__":
    main()
