"""``swathkit seasat clean``: repair MSEC and the constant fields of decoded .hdr tables."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from swathkit.cli import render
from swathkit.errors import InputError

if TYPE_CHECKING:
    from swathkit.jobs.seasat.clean import CleanReport

MS_PER_LINE = 0.607164541590771  # 1/PRF; the job's default (not imported for --help)


def _slope(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of ms per line: {text!r}") from None
    if not 0 < value < 100:
        raise argparse.ArgumentTypeError(f"{value} ms per line: give a slope in (0, 100), "
                                         f"e.g. {MS_PER_LINE}")
    return value


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "clean", help="repair time tags (MSEC) and constant fields of decoded .hdr tables",
        description="Repair each take's MSEC as ASF did (windowed trend: bit flips, glitches, "
        "bad values; stair steps; the start of the take; a fine fit that keeps and reports "
        "discontinuities) and its constant fields (rolling mode). Writes <stem>.clean.hdr, "
        "<stem>.clean.reasons (original, repaired, reason per line) and <stem>.clean.json; "
        "prints the funnel (read, fixed, good). Running again skips finished takes.",
        epilog="example: swathkit seasat clean takes/*.hdr --plot plots/ | "
        "swathkit seasat clean take.hdr --expected-slope 0.486 --json")
    p.add_argument("hdr", nargs="+", type=Path, help=".hdr files written by the decoder")
    p.add_argument("--expected-slope", type=_slope, default=MS_PER_LINE, metavar="MS",
                   help=f"MSEC per line expected (default 1/PRF = {MS_PER_LINE}); a take "
                   "whose estimate differs is reported and repaired at its own slope")
    p.add_argument("--min-lines", type=int, default=10_000,
                   help="reject takes shorter than this (default 10000, as ASF)")
    p.add_argument("--out", type=Path, help="write the outputs here (default: next to each)")
    p.add_argument("--plot", type=Path, metavar="DIR",
                   help="write a before/after PNG per take into DIR (needs the [plot] extra)")
    render.add_json_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from swathkit.jobs.seasat.clean import clean, hdr_inputs
    from swathkit.process.timeseries import TrendParams

    if args.min_lines < 200:
        raise InputError(f"--min-lines {args.min_lines}: a take needs at least 200 lines")
    files = hdr_inputs(args.hdr)  # before the progress bar: a bad path is one line
    if args.plot is not None:
        args.plot.mkdir(parents=True, exist_ok=True)
    with render.progress_bar("seasat clean") as progress:
        report = clean(files, expected_slope=args.expected_slope,
                       params=TrendParams(min_length=args.min_lines), out_dir=args.out,
                       plot_dir=args.plot, progress=progress)
    if args.json:
        return render.job_report(report, as_json=True)
    _takes(report)
    render.funnel(report.extras.funnel, title="seasat clean: the funnel")
    return report.exit_code


def _takes(report: CleanReport) -> None:
    rows = []
    for t in report.extras.takes:
        repaired = sum((t.counts or {}).values())
        gaps = ", ".join(f"{line}: {size:+,.0f}" for line, size in t.discontinuities)
        rows.append((Path(t.file).name, f"{t.lines:,}", t.status,
                     "" if t.slope != t.slope else f"{t.slope:.6f}" + (" ≠" if t.slope_mismatch
                                                                     else ""),
                     f"{repaired:,}", ", ".join(f"{k} {n}" for k, n in (t.counts or {}).items()),
                     gaps))
    render.table("takes", ("file", "lines", "status", "slope", "repaired", "by reason",
                           "discontinuities (line: lines lost)"), rows)
