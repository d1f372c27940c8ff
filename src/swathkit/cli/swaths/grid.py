"""``swathkit grid``: daily gridded brightness temperatures from a swath store into a cube."""

from __future__ import annotations

import argparse

from swathkit.cli import render
from swathkit.cli.options import GRID_METHODS, add_scheduler_option, iso_day


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "grid", help="daily gridded brightness temperatures from a swath store",
        description="Grid the swaths of a store day by day onto a registered grid (EASE-Grid "
        "2.0: ease2-n25, ease2-n12.5, ease2-m36 …; the ASI polar grids: asi-n6250 …) through "
        "pyresample, into a grid cube with, per channel and orbit direction (asc/des), the "
        "daily composite tb_<ch>_<dir> (K), the observation count count_<ch>_<dir> and the "
        "mean observation time time_<ch>_<dir>. A scan belongs to the UTC day of its time. "
        "Days already in the cube are kept as they are: run the same command to resume or "
        "extend the period. The store needs lat/lon (collected with --coords).",
        epilog="example:\n  swathkit grid swaths.zarr --grid ease2-n25 --channels 36.5H,89.0AH "
        "--start 2022-02-16 --end 2022-02-16 --cube TB.zarr\n"
        "  swathkit grid swaths.zarr --grid ease2-n25 --start 2022-02-01 --end 2022-02-28 "
        "--cube TB.zarr --scheduler local:2",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("store", help="swath store path or URL (with lat/lon)")
    p.add_argument("--grid", required=True,
                   help="registered grid name, e.g. ease2-n25, ease2-m36, asi-n6250")
    p.add_argument("--channels", default="36.5H", help="comma-separated channels (default 36.5H)")
    p.add_argument("--start", type=iso_day, required=True, help="first day (YYYY-MM-DD)")
    p.add_argument("--end", type=iso_day, required=True, help="last day, included")
    p.add_argument("--cube", required=True, help="grid cube to create or extend")
    p.add_argument("--method", choices=GRID_METHODS, default="bucket",
                   help="bucket mean (default), nearest neighbour or EWA")
    add_scheduler_option(p, "each day's gridding")
    render.add_json_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from swathkit.swaths import grid

    with render.progress_bar("grid") as progress:
        report = grid(args.store, args.cube, grid_name=args.grid, channels=args.channels,
                      start=args.start, end=args.end, method=args.method,
                      scheduler=args.scheduler, progress=progress)
    return render.job_report(report, as_json=args.json,
                             title=f"grid {args.store} onto {args.grid} into {args.cube}")
