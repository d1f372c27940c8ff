"""``swathkit seasat decode RAW --out DIR``: frame a raw file into segment files."""

from __future__ import annotations

import argparse
from pathlib import Path

from swathkit.cli import render


def add(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``decode`` on the ``seasat`` verbs."""
    p = verbs.add_parser(
        "decode", help="raw telemetry → <stem>_NNN.dat/.hdr/.json per segment",
        description="Find the minor frames of a raw Seasat SAR telemetry file (sync codes "
        "with up to 7 wrong bits at predicted positions, after a strict acquisition), "
        "repair frame numbers from context, assemble range lines of 13,680 bytes (missing "
        "frames zero-filled and flagged partial) and split the stream into segments at "
        "losses of lock, 127 sentinels and fill runs. Writes, per segment, <stem>_NNN.dat, "
        "<stem>_NNN.hdr (20 integers per line) and <stem>_NNN.json; each file appears only "
        "when whole. Running it again on the same raw file does nothing.",
        epilog="example: swathkit seasat decode SEASAT_tape1.018 --out decoded/ --json")
    p.add_argument("raw", type=Path, help="raw telemetry file")
    p.add_argument("--out", type=Path, required=True, help="output folder (created if missing)")
    render.add_json_option(p)
    p.set_defaults(run=run_decode)


def run_decode(args: argparse.Namespace) -> int:
    from swathkit.seasat import decode

    with render.progress_bar(f"decode {args.raw.name}") as progress:
        report = decode(args.raw, args.out, progress=progress)
    code = render.job_report(report, as_json=args.json)
    if not args.json and report.extras.segments:
        render.table("segments", ("segment", "lines", "partial", "dat"),
                     [(s.segment, s.lines, s.partial_lines, s.dat.name)
                      for s in report.extras.segments])
    return code
