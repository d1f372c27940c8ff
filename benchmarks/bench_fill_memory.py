"""Grid cube: peak memory of the streamed gap filling, and read times of the cube.

Builds (or reuses, under ``--cache``) a cube of ``--days`` synthetic Bremen ASI days
of ``--grid`` from format-faithful files (``swathkit.sim.bremen.asi``) with ``consolidate``,
then:

- fills it from scratch in a fresh subprocess (default options, land mask built
  first) and reports that process's peak RSS (``getrusage``; target < 4 GB for a
  365-day n6250 cube) and its time per day;
- times a whole-day read and a pixel time series over every day (fresh opens);
- reports stored bytes per day against the source NetCDF files.

Usage: ``python benchmarks/bench_fill_memory.py [--days 365] [--grid n6250]``
(``--days 30`` for a quick run).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from common import du, median_time, print_table
from swathkit.geodata import cache_dir
from swathkit.stores.grid_cube import GridCube

START = date(2023, 1, 1)
TARGET_GB = 4.0


def build(cache: Path, grid: str, days: int) -> tuple[Path, Path]:
    """Synthetic files and their cube (both reused when already complete)."""
    from swathkit.jobs.seaice.consolidate import consolidate
    from swathkit.jobs.seaice.mask import build_mask
    from swathkit.sim.bremen.asi import write_asi_days

    files = cache / f"asi-{grid}"
    cube = cache / f"cube-{grid}-{days}.zarr"
    have = len(list(files.glob("*.nc"))) if files.exists() else 0
    if have < days:
        t0 = time.perf_counter()
        write_asi_days(files, grid, START, days)  # deterministic: rewriting is harmless
        print(f"wrote {days} synthetic files in {time.perf_counter() - t0:.0f} s")
    end = START + timedelta(days=days - 1)
    t0 = time.perf_counter()
    report = consolidate(files, cube, grid=grid, start=START, end=end)
    if report.extras.added:
        print(f"consolidated {len(report.extras.added)} days in {time.perf_counter() - t0:.0f} s")
    build_mask(cube, start=START, end=end)
    return files, cube


def child_fill(cube: str, block_days: int) -> None:
    """Runs in the measured subprocess: forget the previous fill, fill, report peak RSS."""
    from swathkit.jobs.seaice.fill import fill
    from swathkit.stores.grid_cube_writer import cube_writer

    with cube_writer(cube) as w:
        w.commit_fill({})  # an empty state: the next fill starts from day 0
    t0 = time.perf_counter()
    report = fill(cube, block_days=block_days)
    seconds = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"peak_bytes": peak_kb * 1024, "seconds": seconds,
                      "days": report.extras.days, "counts": report.extras.pixels}))


def measure_fill(cube: Path, block_days: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child-fill", str(cube),
                          "--block-days", str(block_days)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def read_times(cube_path: Path) -> tuple[float, float]:
    """Median seconds for a whole-day read and a full-length pixel series (fresh opens)."""
    cube = GridCube.open(cube_path)
    days, (rows, cols) = cube.days, cube.grid.shape
    rng = np.random.default_rng(0)
    picks = iter(rng.integers(0, len(days), 50))
    pixels = iter(zip(rng.integers(0, rows, 50), rng.integers(0, cols, 50), strict=True))

    def one_day() -> None:
        GridCube.open(cube_path).read_days([days[int(next(picks))]])

    def series() -> None:
        r, c = next(pixels)
        GridCube.open(cube_path).read_block(0, cube.index.length,
                                            region=(slice(r, r + 1), slice(c, c + 1)))

    return median_time(one_day, 7), median_time(series, 7)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--grid", default="n6250")
    p.add_argument("--block-days", type=int, default=32)
    p.add_argument("--cache", type=Path, default=cache_dir() / "bench-seaice",
                   help="where the synthetic files and the cube are kept between runs")
    p.add_argument("--child-fill", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child_fill:
        child_fill(args.child_fill, args.block_days)
        return
    files, cube = build(args.cache, args.grid, args.days)
    filled = measure_fill(cube, args.block_days)
    day_s, series_s = read_times(cube)
    n = filled["days"]  # the time axis (starts on a time-chunk boundary)
    present = len(GridCube.open(cube).days)
    sic_bytes = du(cube / "sic") / present
    source_bytes = sum(f.stat().st_size for f in sorted(files.glob("*.nc"))[:present]) / present
    peak_gb = filled["peak_bytes"] / 1e9
    c = filled["counts"]
    ocean = sum(c.values()) - c["land"]
    print_table(f"grid cube: {n} days of {args.grid}, fill blocks of {args.block_days} days",
                ("figure", "value", "target / baseline"), [
        ("fill peak RSS (subprocess)", f"{peak_gb:.2f} GB",
         f"< {TARGET_GB:.0f} GB: {'ok' if peak_gb < TARGET_GB else 'MISSED'}"),
        ("fill time", f"{filled['seconds']:.1f} s ({1e3 * filled['seconds'] / n:.0f} ms/day)", ""),
        ("filled in time / space-time / unfilled",
         f"{100 * c['filled_time'] / ocean:.2f} / {100 * c['filled_spacetime'] / ocean:.2f} / "
         f"{100 * c['unfilled'] / ocean:.2f} % of ocean pixels", ""),
        ("sic stored per day", f"{sic_bytes / 1e6:.3f} MB",
         f"source NetCDF {source_bytes / 1e6:.3f} MB ({sic_bytes / source_bytes:.2f}×)"),
        ("whole-day read", f"{1e3 * day_s:.1f} ms", ""),
        (f"{n}-day pixel time series read", f"{1e3 * series_s:.1f} ms", ""),
    ])


if __name__ == "__main__":
    main()
