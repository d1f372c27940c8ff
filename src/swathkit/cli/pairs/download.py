"""``swathkit pairs download``: the kept pairs' RTC zips (verified, extracted) and DSWE tiles."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from swathkit.cli import render

if TYPE_CHECKING:
    from swathkit.jobs.pairs.download import DownloadExtras
    from swathkit.jobs.report import JobReport


def add(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = verbs.add_parser(
        "download", help="download the kept pairs: RTC zips verified and extracted, DSWE tiles",
        description="For every pair of the table kept by 'pairs score', download the ALOS "
        "RTC zip from the ASF datapool with Earthdata Login (EARTHDATA_USERNAME/"
        "EARTHDATA_PASSWORD, EARTHDATA_TOKEN or 'machine urs.earthdata.nasa.gov' in "
        "~/.netrc), resuming partial files, check its size and MD5 against the CMR record, "
        "extract it safely into DIR/<scene>/ and delete it once the extraction is recorded; "
        "then download the pair's DSWE INWAM tiles whole into DIR/<scene>/usgs_dswe/ (with "
        "the ERS login when USGS_USERNAME/USGS_PASSWORD or netrc give one). The ledger "
        "DIR/pairs.ledger.sqlite keeps every file's state: run the same command again to "
        "resume; nothing complete is fetched twice. Exit 0 when every kept pair is "
        "downloaded, 1 when some failed (reasons listed), 2 for bad input or refused "
        "credentials.",
        epilog="examples:\n  swathkit pairs download --table pairs.parquet --out pairs/\n"
        "  swathkit pairs download --table pairs.parquet --out pairs/ --workers 8 --json\n"
        "  swathkit pairs status --table pairs.parquet     (the funnel, downloads included)",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--table", required=True, metavar="TABLE",
                   help="the pair table (from 'pairs search' and 'pairs score')")
    options(p)
    render.add_json_option(p)
    p.set_defaults(run=run)


def options(p: argparse._ActionsContainer) -> None:
    """The download's options (also those of ``pairs run``)."""
    p.add_argument("--out", required=True, metavar="DIR",
                   help="the download folder: one folder per scene, and the ledger")
    p.add_argument("--workers", type=int, default=4,
                   help="parallel transfers per archive (default 4; in 'pairs run' also "
                   "the groups of pairs scored at a time)")


def run(args: argparse.Namespace) -> int:
    return show(execute(args), args)


def execute(args: argparse.Namespace) -> JobReport[DownloadExtras]:
    """Download the kept pairs of ``args.table`` (a progress bar unless ``--json``)."""
    from swathkit.jobs.pairs.download import download_pairs

    if args.json:
        return download_pairs(args.table, args.out, workers=args.workers)
    with render.progress_bar("files") as progress:
        return download_pairs(args.table, args.out, workers=args.workers, progress=progress)


def show(report: JobReport[DownloadExtras], args: argparse.Namespace) -> int:
    """Print the download's report (or its JSON); the exit code."""
    e = report.extras
    code = render.job_report(report, as_json=args.json, title=f"pairs download → {args.out}")
    if not args.json:
        render.facts("files", [("zips fetched", e.zips_fetched),
                               ("zips extracted", e.zips_extracted),
                               ("DSWE tiles fetched", e.tiles_fetched)])
    return code

