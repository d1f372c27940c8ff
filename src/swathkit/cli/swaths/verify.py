"""``swathkit verify``: check every granule of a store."""

from __future__ import annotations

import argparse
from pathlib import Path

from swathkit.cli import render


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("verify", help="check a store's granules and checksums",
                       description="Read every granule; check shapes, value ranges, n_scans, "
                       "chunk CRC32C and the sha256 recorded at commit. Lists damaged granules; "
                       "exit code 1 if any. Optionally draws a quicklook PNG of one swath.")
    p.add_argument("store", help="store path or URL")
    p.add_argument("--quicklook", metavar="PNG", help="write a map of one swath here")
    p.add_argument("--granule", help="granule for the quicklook (default: the first)")
    p.add_argument("--channel", help="channel for the quicklook (default: the first stored)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from swathkit.stores.verify import verify

    with render.progress_bar("verify") as progress:
        report = verify(args.store, progress=progress)
    render.facts(f"verify {args.store}", [
        ("granules checked", report.checked), ("damaged", len(report.damaged)),
        ("success rate", f"{100 * report.success_rate:.2f} %")])
    if report.damaged:
        render.table("damaged granules", ("granule", "problem"), sorted(report.damaged.items()))
    if report.scan_times:
        render.table("scan times flagged (not damage; ingest --repair-scan-times replaces "
                     "those off the line)", ("granule", "scan times"),
                     sorted(report.scan_times.items()))
    if args.quicklook:
        from swathkit.plot.store_quicklook import store_quicklook

        path = store_quicklook(args.store, Path(args.quicklook), granule=args.granule,
                               channel=args.channel)
        render.console.print(f"quicklook: {path}")
    return 0 if report.ok else 1
