"""Run every benchmark and print their tables: ``.venv/bin/python benchmarks/run.py``.

Options are passed to each script as documented in benchmarks/README.md; with
none, the issue's sizes are used (200/800 swaths, 30 granules).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
SCRIPTS = ("bench_store.py", "bench_ingest.py", "bench_collect.py")


def main() -> int:
    quick = "--quick" in sys.argv
    failed = 0
    for script in SCRIPTS:
        args = [sys.executable, str(HERE / script)]
        if quick:
            args += {"bench_store.py": ["--n", "10", "--skip-large"],
                     "bench_ingest.py": ["--n", "6"],
                     "bench_collect.py": ["--n", "6", "--rss-n", "3", "--lost-n", "6"]}[script]
        print(f"\n=== {script} ===", flush=True)
        failed |= subprocess.run(args, cwd=HERE, check=False).returncode
    return failed


if __name__ == "__main__":
    sys.exit(main())
