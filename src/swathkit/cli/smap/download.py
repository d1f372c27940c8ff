"""``swathkit smap download``: the newest file of every SMAP granule of a period, verified."""

from __future__ import annotations

import argparse
from pathlib import Path

from swathkit.cli import render
from swathkit.cli.options import iso_day
from swathkit.errors import InputError


def add(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``download`` on the ``smap`` verbs."""
    p = verbs.add_parser(
        "download", help="download SMAP granules of a period (newest release of each)",
        description="Search NASA CMR for the SMAP product's granules with data on the days "
        "--start to --end (both included), NSIDC's collections for the radiometer and L2–L4, "
        "ASF's for radar, keep of each granule the highest counter of its CRID (and of "
        "several CRIDs the newest), and download them over HTTPS with Earthdata Login "
        "(EARTHDATA_USERNAME/EARTHDATA_PASSWORD, EARTHDATA_TOKEN or 'machine "
        "urs.earthdata.nasa.gov' in ~/.netrc) into --out under their real names, resuming "
        "partial files and checking size and MD5 against the CMR record. A ledger in --out "
        "keeps every file's state: run the same command again to resume; nothing complete is "
        "fetched twice. Exit 0 when every file is downloaded, 1 when some failed (reasons "
        "listed), 2 for bad input or refused credentials.",
        epilog="examples:\n  swathkit smap download --product SPL3SMP --start 2015-04-01 "
        "--end 2015-04-08 --out smap/\n  swathkit smap download --product SPL2SMP --start "
        "2015-04-01 --end 2015-04-01 --bbox -10,35,30,60 --out smap-l2/ --json\n"
        "  (against the simulator: swathkit sim serve --archive nsidc, then set the "
        "variables it prints)",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--product", required=True, type=str.upper,
                   help="SMAP short name: SPL3SMP, SPL3SMP_E, SPL2SMP, SPL2SMP_E, SPL1CTB, "
                   "SPL1BTB (NSIDC) or SPL1CS0 (ASF)")
    p.add_argument("--start", type=iso_day, required=True, help="first day (YYYY-MM-DD)")
    p.add_argument("--end", type=iso_day, required=True, help="last day, included (YYYY-MM-DD)")
    p.add_argument("--bbox", type=bbox_option, default=None, metavar="W,S,E,N",
                   help="only granules meeting this box (degrees; default: the globe)")
    p.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="folder receiving the files and the ledger")
    p.add_argument("--workers", type=int, default=4, help="parallel transfers (default 4)")
    render.add_json_option(p)
    p.set_defaults(run=run)


def bbox_option(text: str) -> tuple[float, float, float, float]:
    """``W,S,E,N`` as four floats (bad text: an ``argparse`` error, exit 2)."""
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: write west,south,east,north in degrees, "
                                         "e.g. -10,35,30,60") from None
    return west, south, east, north


def run(args: argparse.Namespace) -> int:
    from swathkit.jobs.smap.download import download_smap

    if args.workers < 1:
        raise InputError(f"--workers must be at least 1, not {args.workers}")
    options = {"bbox": args.bbox, "workers": args.workers}
    if args.json:
        report = download_smap(args.product, args.start, args.end, args.out, **options)
    else:
        with render.progress_bar("files") as progress:
            report = download_smap(args.product, args.start, args.end, args.out,
                                   progress=progress, **options)
    return render.job_report(report, as_json=args.json,
                             title=f"smap download {report.extras.product} into {args.out}")
