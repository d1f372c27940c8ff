"""``swathkit pairs score``: score the pairs of the table not scored yet (HTTP Range reads)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from swathkit.cli import render

if TYPE_CHECKING:
    from swathkit.jobs.pairs.score import ScoreExtras
    from swathkit.jobs.report import JobReport


def add(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = verbs.add_parser(
        "score", help="score the table's pairs not scored yet, reading only the windows needed",
        description="For each pair of the table not scored yet (candidates and failed ones), "
        "read the windows of its DSWE INWAM COGs under the SAR footprint by HTTP Range "
        "requests (with the ERS login when USGS_USERNAME/USGS_PASSWORD or netrc give one), "
        "merge them and count valid and water pixels inside the footprint (or its box). "
        "Each pair ends scored or failed with its reason; running it again scores only "
        "what is left. Exit 0 when every pair is scored, 1 when some failed.",
        epilog="example:\n  swathkit pairs score --table pairs.parquet\n"
        "  swathkit pairs score --table pairs.parquet --within bbox --json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--table", required=True, help="the pair table (from 'pairs search')")
    p.add_argument("--workers", type=int, default=8,
                   help="pairs scored at a time (default 8): their requests "
                   "overlap, which is what a distant archive needs")
    options(p)
    render.add_json_option(p)
    p.set_defaults(run=run)


def options(p: argparse._ActionsContainer) -> None:
    """The scoring's options (also those of ``pairs run``)."""
    p.add_argument("--within", choices=("footprint", "bbox"), default="footprint",
                   help="count inside the footprint (default) or its lon/lat bounding box "
                   "(the seed's measure)")
    p.add_argument("--min-valid", type=float, default=0.5,
                   help="smallest valid fraction kept (default 0.5)")
    p.add_argument("--min-water", type=float, default=0.05,
                   help="smallest water fraction kept (default 0.05)")
    p.add_argument("--batch", type=int, default=25, metavar="N",
                   help="pairs recorded per write of the table (default 25): a crash loses "
                   "at most one batch of scoring, which the next run redoes")


def run(args: argparse.Namespace) -> int:
    return show(execute(args), args)


def execute(args: argparse.Namespace) -> JobReport[ScoreExtras]:
    """Score the pairs of ``args.table`` (a progress bar unless ``--json``)."""
    from swathkit.jobs.pairs.score import score_pairs
    from swathkit.process.overlap import ScoreRules

    rules = ScoreRules(within=args.within, min_valid=args.min_valid, min_water=args.min_water)
    if args.json:
        return score_pairs(args.table, rules=rules, batch=args.batch, workers=args.workers)
    with render.progress_bar("pairs") as progress:
        return score_pairs(args.table, rules=rules, batch=args.batch, workers=args.workers,
                           progress=progress)


def show(report: JobReport[ScoreExtras], args: argparse.Namespace) -> int:
    """Print the scoring's report (or its JSON); the exit code."""
    code = render.job_report(report, as_json=args.json, title=f"pairs score {args.table}")
    e = report.extras
    if not args.json and e.pairs:
        share = report.bytes / e.file_bytes if e.file_bytes else 0.0
        render.facts("reads", [
            ("HTTP Range requests", f"{e.requests:,}"),
            ("bytes read of the tiles' size", f"{report.bytes:,} of {e.file_bytes:,} "
             f"({share:.1%})"),
            ("bytes per pair (mean)", f"{report.bytes / len(e.pairs):,.0f}")])
    return code
