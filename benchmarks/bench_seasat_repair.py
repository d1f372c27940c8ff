"""Seasat MSEC repair: share restored exactly per corruption, throughput and peak memory.

Accuracy: ``--takes`` synthetic takes of ``--take-lines`` lines (``swathkit.sim.seasat``:
bit flips, glitches, bursts of random values, stairs, bad starts, discontinuities)
repaired with the expected slope 1/PRF, against the truth of every line. Baseline: one
robust line through the whole take (median slope and intercept), values more than 2 ms
off it replaced by the line: one global fit instead of ASF's staged, windowed filter.

Throughput and memory: one take of ``--lines`` lines (default 10 M: about 100 minutes of
Seasat, more than any real take) built from repeated synthetic takes, repaired in a
child process; best of three runs after a warm-up, then one more run watched for the
child's peak RSS above what it held before (sampled every 2 ms).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from common import cpu_count, print_table
from swathkit.process.timeseries import estimate_slope, repair_series
from swathkit.products.seasat.hdr import column
from swathkit.products.seasat.layout import MS_PER_LINE
from swathkit.sim.seasat.headers import Corruption, synthetic_take

MSEC = column("msec")
TARGET = 10.0  # M samples/s

CHILD = """
import json, os, sys, threading, time
import numpy as np
from swathkit.process.timeseries import estimate_slope, repair_series
PAGE = os.sysconf("SC_PAGE_SIZE")
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE
v = np.load(sys.argv[1])
repair_series(v[:200_000], expected_slope={slope})  # compile or load the numba cache
times = []
for _ in range(3):  # timed without the memory watcher
    t0 = time.perf_counter()
    r = repair_series(v, expected_slope={slope})
    times.append(time.perf_counter() - t0)
    del r
before, peak, done = rss(), [0], threading.Event()
def watch():
    while not done.wait(0.002):
        peak[0] = max(peak[0], rss())
watcher = threading.Thread(target=watch)
watcher.start()
r = repair_series(v, expected_slope={slope})
done.set()
watcher.join()
print(json.dumps({{"seconds": min(times), "peak_bytes": max(peak[0], rss()) - before}}))
"""


def naive(values: np.ndarray) -> np.ndarray:
    """One robust line through the whole take (median slope and intercept); values more
    than 2 ms off it take the line's value."""
    i = np.arange(values.size, dtype=np.float64)
    slope = estimate_slope(values)
    line = np.floor(np.median(values - slope * i) + 0.5 + slope * i).astype(np.int64)
    return np.where(np.abs(values - line) > 2, line, values)


def accuracy(takes: int, lines: int) -> None:
    exact = {c: [0, 0, 0] for c in Corruption}  # ours, baseline, total
    for seed in range(takes):
        take = synthetic_take(lines, seed=seed)
        observed, truth = take.observed[:, MSEC], take.true[:, MSEC]
        ours = repair_series(observed, expected_slope=MS_PER_LINE).values
        base = naive(observed)
        for c in Corruption:
            hit = take.reason == c
            exact[c][0] += int(np.count_nonzero(ours[hit] == truth[hit]))
            exact[c][1] += int(np.count_nonzero(base[hit] == truth[hit]))
            exact[c][2] += int(np.count_nonzero(hit))
    rows = []
    for c, (ours_n, base_n, total) in exact.items():
        if total:
            rows.append((c.name.lower(), f"{total:,}", f"{100 * ours_n / total:.2f} %",
                         f"{100 * base_n / total:.2f} %",
                         f"{ours_n / base_n:.2f}" if base_n else "∞"))
    print_table(f"restored exactly: {takes} takes of {lines:,} lines (expected slope 1/PRF)",
                ("line's truth", "lines", "swathkit", "baseline: one global line", "ratio"),
                rows)


def continuous_take(lines: int) -> np.ndarray:
    """``lines`` MSEC values: synthetic takes of 1 M lines laid end to end on one line."""
    piece = synthetic_take(min(lines, 1_000_000), seed=99, discontinuities=0, bad_start=False)
    v = piece.observed[:, MSEC]
    span = int(piece.true[-1, MSEC] - piece.true[0, MSEC]) + 1
    reps = -(-lines // v.size)
    return np.concatenate([v + k * span for k in range(reps)])[:lines]


def throughput(lines: int) -> None:
    values = continuous_take(lines)
    with tempfile.TemporaryDirectory(prefix="swathkit-bench-seasat-") as work:
        path = Path(work) / "msec.npy"
        np.save(path, values)
        out = subprocess.run([sys.executable, "-c", CHILD.format(slope=MS_PER_LINE), str(path)],
                             check=True, capture_output=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    rate = lines / result["seconds"] / 1e6
    peak_mb = result["peak_bytes"] / 2**20
    print_table(f"throughput: one take of {lines:,} lines (child process, best of 3)", (
        "figure", "value", "baseline", "ratio"), [
        ("repair time", f"{result['seconds']:.2f} s", "", ""),
        ("samples/s", f"{rate:.1f} M", f"target {TARGET:.0f} M", f"{rate / TARGET:.2f}"),
        ("peak RSS above the input", f"{peak_mb:,.0f} MB",
         f"input {values.nbytes / 2**20:,.0f} MB", f"{peak_mb * 2**20 / values.nbytes:.1f}"),
        ("bytes per sample", f"{result['peak_bytes'] / lines:.1f}", "8 (the input)",
         f"{result['peak_bytes'] / lines / 8:.1f}"),
        ("load average (1 min) / CPUs", f"{os.getloadavg()[0]:.1f} / {cpu_count()}", "", "")])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--lines", type=int, default=10_000_000, help="lines of the large take")
    ap.add_argument("--takes", type=int, default=20, help="takes for the accuracy table")
    ap.add_argument("--take-lines", type=int, default=50_000, help="lines of each such take")
    args = ap.parse_args()
    accuracy(args.takes, args.take_lines)
    throughput(args.lines)


if __name__ == "__main__":
    main()
