"""``swathkit smap consolidate`` of a year of synthetic SPL3SMP days into a grid cube.

Generates ``--days`` consecutive synthetic SPL3SMP days (full size, M36 964 × 406, AM and
PM) into a temporary folder in ``--workers`` processes (not timed), then times one
consolidation with the default layers (``soil_moisture``, ``retrieval_qual_flag``, AM and
PM: four day variables) and a rerun (every day already stored: nothing read).

Baseline: the HDF5 files themselves (bytes per day of a file holding every layer of
both overpasses, zlib level 2). The cube holds only the chosen layers, so the ratio
says what a cube of those layers costs beside the archive's daily files.

Run: ``.venv/bin/python benchmarks/bench_smap_consolidate.py [--days 365] [--workers 2]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

from common import du, print_table
from swathkit.jobs.smap.consolidate import consolidate
from swathkit.sim.smap.generate import write_smap

START = datetime(2015, 4, 1)


def _generate(out: Path, first: int, count: int) -> list[Path]:
    return write_smap(out, "SPL3SMP", START + timedelta(days=first), days=count)


def generate(out: Path, days: int, workers: int) -> list[Path]:
    step = -(-days // workers)
    with ProcessPoolExecutor(workers) as pool:
        parts = [pool.submit(_generate, out, k, min(step, days - k))
                 for k in range(0, days, step)]
        return [p for part in parts for p in part.result()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365, help="synthetic days (default 365)")
    parser.add_argument("--workers", type=int, default=2, help="generating processes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-smap-consolidate-") as tmp:
        folder, cube = Path(tmp) / "l3", Path(tmp) / "sm.zarr"
        t0 = time.perf_counter()
        files = generate(folder, args.days, args.workers)
        made = time.perf_counter() - t0
        h5_bytes = sum(p.stat().st_size for p in files)
        t0 = time.perf_counter()
        report = consolidate(folder, cube)
        seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = consolidate(folder, cube)
        rerun = time.perf_counter() - t0
        cube_bytes = du(cube)
    n = report.counts["added"]
    per_h5, per_cube = h5_bytes / len(files), cube_bytes / max(n, 1)
    print_table(f"smap consolidate: {n} SPL3SMP days (generated in {made:.0f} s, not timed), "
                f"variables {', '.join(report.extras.variables)}",
                ("measure", "value", "per day", "note"), [
                    ("consolidate", f"{seconds:.1f} s", f"{1000 * seconds / n:.0f} ms",
                     f"{n / seconds:.2f} days/s; failed {report.counts['failed']}"),
                    ("rerun (all stored)", f"{rerun:.2f} s", f"{1000 * rerun / n:.1f} ms",
                     f"unchanged {again.counts['unchanged']}"),
                    ("HDF5 files (baseline)", f"{h5_bytes / 1e6:.1f} MB",
                     f"{per_h5 / 1e6:.2f} MB", "every layer, AM+PM"),
                    ("cube", f"{cube_bytes / 1e6:.1f} MB", f"{per_cube / 1e6:.3f} MB",
                     f"{per_cube / per_h5:.3f}× the HDF5 file per day"),
                ])
    if n < 365:
        print(f"\nextrapolated to 365 days: consolidate {365 * seconds / n:.0f} s, cube "
              f"{365 * per_cube / 1e6:.0f} MB, HDF5 {365 * per_h5 / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
