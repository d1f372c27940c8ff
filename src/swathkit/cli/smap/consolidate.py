"""``swathkit smap consolidate``: daily SMAP L3 (AM and PM) into a grid cube on EASE-Grid 2.0."""

from __future__ import annotations

import argparse
from pathlib import Path

from swathkit.cli import render
from swathkit.cli.options import iso_day


def add(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``consolidate`` on the ``smap`` verbs."""
    p = verbs.add_parser(
        "consolidate", help="gather daily L3 soil moisture into a grid cube",
        description="Upsert the daily SMAP L3 files of DIR (SPL3SMP on EASE-Grid 2.0 M36, "
        "SPL3SMP_E on M09) into a Zarr grid cube (time, y, x) that open_cube, the gap "
        "filler and the PyTorch dataset read. Each layer gives two variables, <layer>_am "
        "and <layer>_pm. Of several releases of a day the highest CRID and counter is "
        "kept (the others are listed). Run it again after more downloads: days stored "
        "from the same file are skipped, a newer release replaces its day. A bad file is "
        "listed with its reason and the others are stored; the exit code is 1 when any "
        "file failed.",
        epilog="examples:\n  swathkit smap consolidate smap/ --cube sm.zarr\n"
        "  swathkit smap consolidate smap/ --cube sm.zarr --layers "
        "soil_moisture,soil_moisture_error,retrieval_qual_flag --json\n"
        "  swathkit smap consolidate smap-e/ --cube sm-polar.zarr --polar",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir", type=Path, help="folder of SMAP_L3_SM_P[_E]_<YYYYMMDD>_<CRID>_<NNN>.h5")
    p.add_argument("--cube", required=True, help="cube path or fsspec URL (created if absent)")
    p.add_argument("--layers", default=None, metavar="A,B",
                   help="layers to keep (default: soil_moisture,retrieval_qual_flag)")
    p.add_argument("--product", type=str.upper, choices=("SPL3SMP", "SPL3SMP_E"),
                   help="the product to take when DIR holds both")
    p.add_argument("--polar", action="store_true",
                   help="SPL3SMP_E: take the north polar groups (EASE-Grid 2.0 N09), a cube "
                   "of their own")
    p.add_argument("--start", type=iso_day, help="first day (default: the first file's)")
    p.add_argument("--end", type=iso_day, help="last day, included (default: the last file's)")
    render.add_json_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from swathkit.jobs.smap.consolidate import consolidate

    options = {"layers": args.layers, "product": args.product, "polar": args.polar,
               "start": args.start, "end": args.end}
    if args.json:
        report = consolidate(args.dir, args.cube, **options)
    else:
        with render.progress_bar("consolidate") as progress:
            report = consolidate(args.dir, args.cube, progress=progress, **options)
    extras = report.extras
    hints = [f"variables: {', '.join(extras.variables)}"] if extras.variables else []
    hints += [extras.note] if extras.note else []
    return render.job_report(report, as_json=args.json, hints=hints, title=(
        f"smap consolidate → {args.cube} ({extras.product}, {extras.grid})"))
