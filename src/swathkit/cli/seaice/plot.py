"""``swathkit seaice report`` and ``swathkit seaice plot``: regions and pictures."""

from __future__ import annotations

import argparse
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from swathkit.cli import render
from swathkit.cli.options import iso_day
from swathkit.errors import InputError
from swathkit.types import Region, as_region

if TYPE_CHECKING:  # the jobs and stores are imported by the run functions (fast --help)
    from swathkit.jobs.seaice.report import RoiReport
    from swathkit.stores.grid_source import CubeSource, Source

_SOURCE = ("a grid cube (path or URL), a folder of ASI files "
           "(asi-AMSR2-<grid>-YYYYMMDD-v5.4.nc) or one file")
_ROI = ("region as R0:R1,C0:C1: row and column indices of the grid, ends excluded; "
        "row 0 is the grid's first row, the southern edge on the ASI grids (`swathkit "
        "inspect` shows the grid's size)")


def _user_errors(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """A ``ValueError`` of the source (a day not in the data, a variable files lack) is the
    user's mistake: re-raised as ``InputError``, which ``swathkit`` prints as one line (exit 2).
    """

    @functools.wraps(run)
    def wrapped(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except InputError:
            raise
        except ValueError as exc:
            raise InputError(str(exc)) from exc

    return wrapped


def add(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``report`` and ``plot``."""
    _add_report(verbs)
    _add_plot(verbs)


def _add_report(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = verbs.add_parser(
        "report", help="missing pixels in a region, day by day (and a map of the region)",
        description="Count the missing (NaN) pixels of a rectangular region for every day of "
        "a period, in a grid cube or a folder of ASI files. With a land mask in the cube, "
        "missing pixels over sea are counted apart. Days without data are listed as "
        "not_published (404 upstream) or absent. --map draws the region as a red box on "
        "the day with most missing pixels, next to a chart of the days.",
        epilog="examples:\n  swathkit seaice report sic.zarr --roi 100:200,300:400 "
        "--start 2024-04-01 --end 2024-04-30 --map roi.png\n"
        "  swathkit seaice report data/ --roi 1000:1400,600:900 --only-missing",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("source", help=_SOURCE)
    p.add_argument("--roi", required=True, help=_ROI)
    p.add_argument("--start", type=iso_day, help="first day (default: the first in the source)")
    p.add_argument("--end", type=iso_day, help="last day, included (default: the last)")
    p.add_argument("--grid", help="grid to use when the folder holds several")
    p.add_argument("--map", metavar="PNG", help="also draw the region on a map to this PNG")
    p.add_argument("--map-date", type=iso_day,
                   help="day shown on the map (default: the one with most missing pixels)")
    p.add_argument("--dpi", type=float, default=110.0, help="map resolution (default 110)")
    p.add_argument("--only-missing", action="store_true",
                   help="list only days with missing pixels or without data")
    p.add_argument("--fail-if-missing", action="store_true",
                   help="exit 1 if any observed day has a missing pixel in the region")
    p.set_defaults(run=run_report)


@_user_errors
def run_report(args: argparse.Namespace) -> int:
    from swathkit.jobs.seaice.report import roi_map, roi_report
    from swathkit.stores.grid_source import open_source

    source = open_source(args.source, grid=args.grid)
    region = as_region(args.roi, source.grid.shape, grid=source.grid.name)
    with render.progress_bar("days") as progress:
        report = roi_report(source, region=region, start=args.start, end=args.end,
                            progress=progress)
    _print_report(report, only_missing=args.only_missing)
    observed = [d for d in report.days if d.has_data]
    if args.map and observed:
        path = roi_map(report, args.map, day=args.map_date, source=source, dpi=args.dpi)
        render.console.print(f"map of the region: {path}")
    if not observed:
        render.err_console.print("no observed day in the period: nothing to count")
        return 1
    return 1 if args.fail_if_missing and report.with_missing else 0


def _print_report(report: RoiReport, *, only_missing: bool) -> None:
    header = ["date", "state", "missing", "% of region"]
    if report.land_known:
        header += ["missing over sea", "% of sea"]
    rows = []
    for d in report.days:
        if only_missing and d.has_data and not report.counted(d):
            continue
        row = [d.day.isoformat(), d.state, *(_count(d.missing, d.percent, d.has_data))]
        if report.land_known:
            row += _count(d.sea_missing, d.sea_percent, d.has_data)
        rows.append(row)
    render.table(f"missing pixels in region {report.region_text()}", header, rows)
    first = report.days[0].day.isoformat() if report.days else "-"
    last = report.days[-1].day.isoformat() if report.days else "-"
    worst = report.worst_day()
    pixels = report.days[0].pixels if report.days else 0
    sea = report.days[0].sea if report.days else 0
    facts = [
        ("source", f"{report.source} ({report.kind})"),
        ("grid", report.grid.name),
        ("region (rows, cols)", f"{report.region_text()}: {pixels:,} pixels"
         + (f", {sea:,} over sea" if report.land_known else " (no land mask: land counts "
            "as missing)")),
        ("period", f"{first} → {last} ({len(report.days)} days)"),
        ("days observed", str(sum(d.has_data for d in report.days))),
        ("days with missing pixels" + (" over sea" if report.land_known else ""),
         str(len(report.with_missing))),
        ("days without data", ", ".join(f"{d.day} ({d.state})" for d in report.without_data)
         or "none"),
        ("worst day", worst.isoformat() if worst else "-"),
    ]
    render.facts("summary", facts)


def _count(n: int, share: float | None, has_data: bool) -> list[str]:
    if not has_data:
        return ["-", "-"]
    return [f"{n:,}", f"{share:.2f}" if share is not None else "-"]


def _add_plot(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = verbs.add_parser(
        "plot", help="draw a day, the land mask, or raw against gap-filled, as PNG",
        description="Maps on the grid's polar stereographic projection with coastlines and "
        "a lon/lat graticule, drawn offline. `day`: one day of concentration (a file, a "
        "folder of files or a cube). `mask`: the cube's land mask and NaN frequency. "
        "`compare`: raw against gap-filled with a map of the fill flags (a filled cube).",
        epilog="examples:\n  swathkit seaice plot day data/asi-AMSR2-n3125-20240417-v5.4.nc "
        "--out day.png\n  swathkit seaice plot day sic.zarr --date 2024-04-17 "
        "--variable sic_filled --out filled.png\n  swathkit seaice plot mask sic.zarr "
        "--out mask.png\n  swathkit seaice plot compare sic.zarr --date 2024-04-17 "
        "--roi 1200:2000,600:1400 --out compare.png",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    kinds = p.add_subparsers(title="pictures", metavar="<picture>", required=True)
    day = kinds.add_parser("day", help="one day of concentration on its map",
                           description="One day of sea-ice concentration on its map.")
    mask = kinds.add_parser("mask", help="land mask and NaN frequency (a cube after `mask`)",
                            description="The cube's land mask beside its NaN frequency.")
    compare = kinds.add_parser("compare", help="raw | gap-filled | fill flags (a filled cube)",
                               description="Raw against gap-filled concentration and how "
                               "each pixel was filled.")
    for sub, what in ((day, _SOURCE), (mask, "a grid cube with a land mask"),
                      (compare, "a grid cube after `fill`")):
        sub.add_argument("source", help=what)
        sub.add_argument("--out", required=True, metavar="PNG", help="PNG to write")
        sub.add_argument("--roi", help="draw only this region: " + _ROI)
        sub.add_argument("--dpi", type=float, default=110.0, help="resolution (default 110)")
    for sub in (day, compare):
        sub.add_argument("--date", type=iso_day, help="the day (default: the latest available)")
    day.add_argument("--variable", choices=("sic", "sic_filled"), default="sic",
                     help="raw or gap-filled concentration (sic_filled needs a filled cube)")
    day.add_argument("--grid", help="grid to use when the folder holds several")
    day.set_defaults(run=run_plot_day)
    mask.set_defaults(run=run_plot_mask)
    compare.set_defaults(run=run_plot_compare)


@_user_errors
def run_plot_day(args: argparse.Namespace) -> int:
    from swathkit.plot.seaice import plot_day
    from swathkit.stores.grid_source import latest_day, open_source

    source = open_source(args.source, grid=args.grid)
    when = args.date or latest_day(source, filled=args.variable == "sic_filled")
    if when is None:
        render.err_console.print(f"{args.source}: no day to draw")
        return 1
    data = source.day(when, (args.variable,))
    path = plot_day(data, args.out, variable=args.variable, region=_region(args, source),
                    dpi=args.dpi)
    render.console.print(f"{when}: {path}")
    return 0


@_user_errors
def run_plot_mask(args: argparse.Namespace) -> int:
    from swathkit.plot.seaice import plot_mask

    source = _cube(args.source, "mask")
    path = plot_mask(source.mask(), args.out, region=_region(args, source), dpi=args.dpi)
    render.console.print(f"land mask: {path}")
    return 0


@_user_errors
def run_plot_compare(args: argparse.Namespace) -> int:
    from swathkit.plot.seaice import plot_fill_comparison
    from swathkit.stores.grid_source import latest_day

    source = _cube(args.source, "compare")
    when = args.date or latest_day(source, filled=True)
    if when is None:
        render.err_console.print(f"{args.source}: no gap-filled day yet; run "
                                 f"`swathkit seaice fill {args.source}` first")
        return 1
    data = source.day(when, ("sic", "sic_filled", "fill_flag"))
    path = plot_fill_comparison(data, args.out, region=_region(args, source), dpi=args.dpi)
    render.console.print(f"{when}: {path}")
    return 0


def _cube(target: str, picture: str) -> CubeSource:
    from swathkit.stores.grid_source import CubeSource, open_source

    source = open_source(target)
    if not isinstance(source, CubeSource):
        raise InputError(f"`plot {picture}` needs a grid cube, not ASI files ({target}); "
                         "build one with `swathkit seaice consolidate`")
    return source


def _region(args: argparse.Namespace, source: Source) -> Region | None:
    return as_region(args.roi, source.grid.shape, grid=source.grid.name) if args.roi else None
