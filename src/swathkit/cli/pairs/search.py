"""``swathkit pairs search``: ALOS RTC scenes × DSWE tiles of the same days → the pair table."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from swathkit.cli import render
from swathkit.cli.options import utc_time

if TYPE_CHECKING:
    from swathkit.jobs.pairs.search import SearchExtras
    from swathkit.jobs.report import JobReport


def add(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = verbs.add_parser(
        "search", help="find SAR × DSWE candidates and add them to the pair table",
        description="Search CMR for ALOS PALSAR RTC FBD scenes over the area, harvest the "
        "DSWE footprints of the area and period from LandsatLook once (time windows under "
        "the 10,000-result paging cap, cached and reused on re-run), join them locally "
        "(footprint, ± the window, cloud limit, nearest date, one grid region) and add the "
        "new candidates to the pair table. Reports the requests made and what one STAC "
        "search per scene would have needed.",
        epilog="example:\n  swathkit pairs search --aoi usa --start 2008-06-01 --end "
        "2008-07-01 --table pairs.parquet\n  swathkit pairs search --aoi "
        "'POLYGON((-91 34, -89 34, -89 36, -91 36, -91 34))' --start 2008-06-01 "
        "--end 2008-08-01 --max-cloud 20 --table pairs.parquet --json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    options(p)
    p.add_argument("--table", required=True, help="the pair table (GeoParquet; made if absent)")
    render.add_json_option(p)
    p.set_defaults(run=run)


def options(p: argparse._ActionsContainer) -> None:
    """The search's options (also those of ``pairs run``)."""
    p.add_argument("--aoi", required=True, metavar="FILE|WKT|usa",
                   help="the area: a GeoJSON/WKT file, WKT or GeoJSON text, or 'usa' "
                   "(CONUS, Alaska, Hawaii searched apart)")
    p.add_argument("--start", required=True, type=utc_time, help="first SAR time (UTC)")
    p.add_argument("--end", required=True, type=utc_time, help="end of the period (exclusive)")
    p.add_argument("--window-days", type=int, default=1,
                   help="largest |DSWE − SAR| time difference in days (default 1)")
    p.add_argument("--max-cloud", type=float, default=30.0,
                   help="DSWE tiles with at least this cloud cover (%%) are left out "
                   "(default 30)")


def run(args: argparse.Namespace) -> int:
    return show(execute(args), args)


def execute(args: argparse.Namespace) -> JobReport[SearchExtras]:
    """Run the search of ``args`` (a progress bar unless ``--json``)."""
    from swathkit.jobs.pairs.aoi import parse_aoi
    from swathkit.jobs.pairs.search import search_pairs

    parts = parse_aoi(args.aoi)
    given = {"window_days": args.window_days, "max_cloud": args.max_cloud}
    if args.json:
        return search_pairs(args.table, parts, args.start, args.end, **given)
    with render.progress_bar("DSWE harvest") as progress:
        return search_pairs(args.table, parts, args.start, args.end, progress=progress,
                            **given)


def show(report: JobReport[SearchExtras], args: argparse.Namespace) -> int:
    """Print the search's report (or its JSON); the exit code."""
    e = report.extras
    code = render.job_report(report, as_json=args.json, title=f"pairs search → {args.table}")
    if not args.json:
        render.facts("catalogue requests", [
            ("CMR (ALOS scenes)", f"{e.cmr_requests:,}"),
            ("STAC (DSWE harvest)", f"{e.stac_requests:,}"),
            ("STAC, one search per scene (the seed)", f"{e.per_scene_stac_requests:,}"),
            ("harvest windows (splits for the cap)",
             f"{e.harvest_windows:,} ({e.harvest_splits:,})"),
            ("harvest chunks from the cache", f"{e.cached_chunks:,} of {e.harvest_chunks:,}"),
            ("candidates by grid region",
             ", ".join(f"{k} {v:,}" for k, v in e.candidates_by_region.items()) or "-")])
    return code
