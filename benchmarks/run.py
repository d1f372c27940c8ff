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
SCRIPTS = ("bench_store.py", "bench_store_scaling.py", "bench_ingest.py", "bench_collect.py",
           "bench_gapfill.py",
           "bench_dataloader.py", "bench_fill_memory.py")
QUICK = {"bench_store.py": ["--n", "10", "--skip-large"],
         "bench_store_scaling.py": ["--sizes", "1000,10000", "--repeat", "3"],
         "bench_ingest.py": ["--n", "6"],
         "bench_collect.py": ["--n", "6", "--rss-n", "3", "--lost-n", "6"],
         "bench_gapfill.py": ["--quick"],
         "bench_dataloader.py": ["--quick"],
         "bench_fill_memory.py": ["--days", "30"]}


def main() -> int:
    quick = "--quick" in sys.argv
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else ""
    failed = 0
    for script in (s for s in SCRIPTS if only in s):
        args = [sys.executable, str(HERE / script)]
        if quick:
            args += QUICK[script]
        print(f"\n=== {script} ===", flush=True)
        failed |= subprocess.run(args, cwd=HERE, check=False).returncode
    return failed


if __name__ == "__main__":
    sys.exit(main())
