"""Ingest throughput on this machine: granules/s, MB/s and the share spent decoding HDF5.

Full-size synthetic AMSR2 L1B files (all 16 channels, ~45 MB each) are written
once, then ingested (36.5H with lat/lon, JAXA co-registration) with 1 and 2
worker processes into fresh stores.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
import warnings
from pathlib import Path

from common import cpu_count, du, print_table
from swathkit.jobs.swaths.ingest import ingest
from swathkit.sim.gportal.amsr2_l1b import write_granules


def main() -> None:
    warnings.filterwarnings("ignore", message="Numcodecs codecs are not in the Zarr")
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=30, help="full-size granules")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="swathkit-bench-ingest-"))
    try:
        t0 = time.perf_counter()
        files = write_granules(work / "l1b", "2022-02-16T00:00", args.n)
        t_gen = time.perf_counter() - t0
        mb = du(work / "l1b") / 1e6
        rows = []
        for workers in (1, 2):
            store = work / f"s{workers}.zarr"
            t0 = time.perf_counter()
            report = ingest(files, store, channels="36.5H", coords=True, workers=workers)
            wall = time.perf_counter() - t0
            assert report.ok and len(report.extras.added) == args.n
            share = report.extras.seconds_decode / report.extras.seconds_extract
            rows.append((workers, f"{wall:.1f}", f"{args.n / wall:.2f}", f"{mb / wall:.0f}",
                         f"{100 * share:.0f} %", f"{du(store) / args.n / 1e6:.2f}"))
        print_table(f"Ingest of {args.n} full-size granules ({mb / args.n:.0f} MB each; "
                    f"36.5H + lat/lon, coregister; {cpu_count()} cores; generation took "
                    f"{t_gen / args.n:.2f} s a granule)",
                    ("workers", "wall s", "granules/s", "source MB/s", "HDF5 decode share",
                     "store MB/granule"), rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
