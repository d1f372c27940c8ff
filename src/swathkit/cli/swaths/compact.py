"""``swathkit compact``: rewrite a swath store with only its live granules."""

from __future__ import annotations

import argparse

from swathkit.cli import render


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "compact", help="rewrite a swath store without retired rows, in time order",
        description="Rewrite a swath store with only its live granules, in start-time order, "
        "dropping rows of replaced versions and rows reserved but never filled. Atomic: a "
        "reader sees the old store or the new one, never a mix; a compaction stopped midway "
        "leaves the old store. Also upgrades a store written by an older swathkit. Readers "
        "that opened the store before must reopen it.",
        epilog="example: swathkit compact swaths.zarr --json")
    p.add_argument("store", help="swath store path or URL")
    render.add_json_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from swathkit.jobs.swaths.compact import compact

    with render.progress_bar("compact") as progress:
        report = compact(args.store, progress=progress)
    return render.job_report(report, as_json=args.json, title=f"compact {args.store}")
