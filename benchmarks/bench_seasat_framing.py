"""Seasat telemetry framing: accuracy against a strict 0-error sync search, and throughput.

    .venv/bin/python benchmarks/bench_seasat_framing.py [--lines 2000] [--size 1024]

1. For bit-error rates 1e-4, 1e-3, 1e-2, a synthetic stream of ``--lines`` range lines in
   3 takes (0.2 % frames dropped, 0.2 % repeated, 0.2 % cadence slips) is decoded by
   swathkit (strict acquisition, 7-bit tracking, frame-number repair) and by the
   baseline: frames only where the 24 bits are exactly the sync code, searched at every
   bit, then the same line assembly. Table: lines recovered exactly, frames found,
   frames wrongly accepted, segments (3 expected), and the ratio of lines recovered.
2. ``--size`` MB of telemetry (BER 1e-3, 8 takes) is written to ``benchmarks/out/`` and
   decoded by ``swathkit.seasat.decode`` in a child process: MB/s of raw input and the
   child's peak RSS; the framing alone (``TelemetryDecoder.feed``, no writing) in MB/s
   on one core; and the baseline search alone on the first 64 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from common import cpu_count, print_table
from swathkit.process.telemetry import TelemetryDecoder, decode
from swathkit.sim.seasat.score import score
from swathkit.sim.seasat.telemetry import TelemetryOptions, clean_headers, write_telemetry

OUT = Path(__file__).parent / "out" / "seasat"
BERS = (1e-4, 1e-3, 1e-2)
CHILD = """
import json, resource, sys, time
from swathkit.seasat import decode
t = time.perf_counter()
report = decode(sys.argv[1], sys.argv[2])
print(json.dumps({"seconds": time.perf_counter() - t, "lines": report.counts["lines"],
                  "segments": report.counts["segments"],
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def accuracy(lines: int) -> None:
    from swathkit.sim.seasat.telemetry import generate_telemetry

    rows = []
    for ber in BERS:
        options = TelemetryOptions(ber=ber, takes=3, seed=1, drop_rate=2e-3, repeat_rate=2e-3,
                                   slip_rate=2e-3)
        raw, truth = generate_telemetry(clean_headers(lines), options)
        found = {}
        for name, strict in (("swathkit", False), ("strict 0-error", True)):
            got, counts = decode(raw, strict=strict)
            s = score(got.samples, got.rows, got.positions, truth)
            found[name] = s
            rows.append((f"{ber:g}", name, f"{100 * s.exact_share:.1f} %",
                         f"{100 * s.found_share:.2f} %", s.wrongly_accepted, counts.segments,
                         counts.frames_repaired, ""))
        base = found["strict 0-error"].exact
        ratio = found["swathkit"].exact / base if base else float("inf")
        rows[-2] = (*rows[-2][:-1], f"{ratio:.1f}x" if base else "inf (baseline 0)")
    print_table(f"lines recovered exactly ({lines} lines, 3 takes, drops/repeats/slips 0.2 %)",
                ("BER", "framer", "lines exact", "frames found", "wrongly accepted",
                 "segments", "numbers repaired", "exact vs baseline"), rows)


def throughput(size_mb: int) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    raw = OUT / f"telemetry_{size_mb}MB.raw"
    lines = int(size_mb * 1e6 / (59.5 * 147.5))
    gen = 0.0
    if not raw.is_file():
        t = time.perf_counter()
        write_telemetry(raw, clean_headers(lines),
                        TelemetryOptions(ber=1e-3, takes=8, seed=2, keep_samples=False))
        gen = time.perf_counter() - t
    size = raw.stat().st_size / 1e6
    decoded = OUT / f"decoded_{size_mb}MB"
    (decoded / f"{raw.stem}.decode.json").unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    child = subprocess.run([sys.executable, "-c", CHILD, str(raw), str(decoded)], env=env,
                           check=True, capture_output=True, text=True)
    job = json.loads(child.stdout)
    framing = _framing_only(raw)
    strict = _strict_only(raw)
    rows = [("generate (sim)", f"{gen:.1f} s" if gen else "(kept from a run before)",
             f"{size / gen:.1f}" if gen else "", "", ""),
            ("seasat decode job (read, frame, write)", f"{job['seconds']:.1f} s",
             f"{size / job['seconds']:.1f}", f"{job['rss_mb']:.0f}",
             f"{job['lines']:,} lines, {job['segments']} segments"),
            ("framing only (TelemetryDecoder.feed)", f"{framing:.1f} s", f"{size / framing:.1f}",
             "", "one core"),
            ("baseline: exact sync at every bit, 64 MB", f"{strict[0]:.1f} s",
             f"{strict[1] / strict[0]:.1f}", "", "")]
    print_table(f"throughput on {size:,.0f} MB of telemetry (BER 1e-3; {cpu_count()} CPUs, "
                f"load {os.getloadavg()[0]:.1f})", ("step", "time", "MB/s", "peak RSS MB", ""),
                rows)


def _framing_only(raw: Path) -> float:
    decoder = TelemetryDecoder()
    t = time.perf_counter()
    with raw.open("rb") as f:
        while chunk := f.read(8 << 20):
            decoder.feed(chunk)
    decoder.feed(b"", final=True)
    return time.perf_counter() - t


def _strict_only(raw: Path) -> tuple[float, float]:
    data = np.fromfile(raw, dtype=np.uint8, count=64 << 20)
    decode(data[:1 << 20], strict=True)  # compiled before timing
    t = time.perf_counter()
    decode(data, strict=True)
    return time.perf_counter() - t, data.size / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2000, help="lines per accuracy stream")
    parser.add_argument("--size", type=int, default=1024, help="MB of telemetry for throughput")
    args = parser.parse_args()
    decode(b"\0" * 4096)  # numba kernels loaded (or compiled) before anything is timed
    accuracy(args.lines)
    throughput(args.size)


if __name__ == "__main__":
    main()
