"""Run every benchmark and print their tables: ``.venv/bin/python benchmarks/run.py``.

Options are passed to each script as documented in benchmarks/README.md; with
none, the issues' sizes are used (200/800 swaths, 30 granules; 7-day n3125 gap
filling, a 365-day n6250 cube, n3125 DataLoader sequences). ``--only NAME``
runs the scripts whose name contains NAME (e.g. ``--only gapfill``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
SCRIPTS = ("bench_store.py", "bench_store_scaling.py", "bench_cube_scaling.py", "bench_ingest.py",
           "bench_collect.py",
           "bench_gapfill.py", "bench_dataloader.py", "bench_fill_memory.py",
           "bench_seasat_repair.py", "bench_pairs_join.py", "bench_seasat_framing.py",
           "bench_grid.py", "bench_landsatlook.py", "bench_cmr.py", "bench_collect.py --distant",
           "bench_pairs_seed.py", "bench_smap_read.py", "bench_cluster.py", "bench_s3_store.py",
           "bench_smap_convert.py", "bench_inspect_stats.py", "bench_smap_consolidate.py")
QUICK = {"bench_store.py": ["--n", "10", "--skip-large"],
         "bench_smap_read.py": ["--quick"],
         "bench_store_scaling.py": ["--sizes", "1000,10000", "--repeat", "3"],
         "bench_cube_scaling.py": ["--sizes", "1,100", "--repeat", "2"],
         "bench_ingest.py": ["--n", "6"],
         "bench_collect.py": ["--n", "6", "--rss-n", "3", "--lost-n", "6"],
         "bench_gapfill.py": ["--quick"],
         "bench_dataloader.py": ["--quick"],
         "bench_fill_memory.py": ["--days", "30"],
         "bench_seasat_repair.py": ["--lines", "1000000", "--takes", "4", "--take-lines", "20000"],
         "bench_pairs_join.py": ["--sar", "3000", "--dswe", "10000", "--tile-size", "1000",
                                 "--pairs", "10"],
         "bench_seasat_framing.py": ["--lines", "300", "--size", "20"],
         "bench_grid.py": ["--quick"],
         "bench_landsatlook.py": ["--quick"],
         "bench_cmr.py": ["--windows", "6"],
         "bench_collect.py --distant": ["--n", "4"],
         "bench_pairs_seed.py": ["--quick"],
         "bench_cluster.py": ["--granules", "4"],
         "bench_s3_store.py": ["--n", "32", "--repeat", "3"],
         "bench_smap_convert.py": ["--quick"],
         "bench_inspect_stats.py": ["--mb", "50", "--repeat", "1"],
         "bench_smap_consolidate.py": ["--days", "16"]}


def main() -> int:
    quick = "--quick" in sys.argv
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else ""
    failed = 0
    for script in (s for s in SCRIPTS if only in s):
        name, *options = script.split()
        args = [sys.executable, str(HERE / name), *options]
        if quick:
            args += QUICK[script]
        print(f"\n=== {script} ===", flush=True)
        failed |= subprocess.run(args, cwd=HERE, check=False).returncode
    return failed


if __name__ == "__main__":
    sys.exit(main())
