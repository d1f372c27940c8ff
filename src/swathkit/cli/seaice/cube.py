"""``swathkit seaice consolidate | mask | fill``: build the grid cube, its land mask, its fill."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from swathkit.cli import render
from swathkit.cli.options import ASI_GRIDS, add_scheduler_option, iso_day

if TYPE_CHECKING:
    from swathkit.jobs.seaice.fill import FillExtras


def _unfilled(text: str) -> str | float:
    if text in ("nan", "repeat"):
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--unfilled takes nan, repeat or a number (percent), not {text!r}") from None


def add(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``consolidate``, ``mask`` and ``fill`` on the ``seaice`` verbs."""
    _add_consolidate(verbs)
    _add_mask(verbs)
    _add_fill(verbs)


def _add_consolidate(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = verbs.add_parser(
        "consolidate", help="gather downloaded ASI days into a grid cube",
        description="Upsert the ASI daily files of DIR into a Zarr grid cube (time, y, x), "
        "losslessly. Run it again after more downloads: days already stored from the same "
        "file are skipped, changed files replace their day. Days missing in the range are "
        "recorded as not published when the download ledger in DIR says the archive has "
        "none, else listed as absent. A bad file is listed with its reason and the others "
        "are stored; the exit code is 1 when any file failed.",
        epilog="example: swathkit seaice consolidate data/ --cube sic.zarr")
    p.add_argument("dir", type=Path, help="folder of asi-AMSR2-<grid>-YYYYMMDD-v5.4.nc files")
    p.add_argument("--cube", required=True, help="cube path or fsspec URL (created if absent)")
    p.add_argument("--grid", choices=ASI_GRIDS, help="the grid to take when DIR holds several")
    p.add_argument("--start", type=iso_day, help="first day (default: the first file's)")
    p.add_argument("--end", type=iso_day, help="last day, included (default: the last file's)")
    render.add_json_option(p)
    p.set_defaults(run=run_consolidate)


def _add_mask(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = verbs.add_parser(
        "mask", help="land mask from the frequency of missing values",
        description="Count, per pixel, the days of --start..--end on which the cube has no "
        "value; pixels missing more often than --threshold are land (the pole hole stays "
        "ocean). Stores the mask and the frequency map in the cube and prints how the mask "
        "agrees with the coastline of the land-mask package.",
        epilog="example: swathkit seaice mask sic.zarr --start 2024-01-01 --end 2024-12-31")
    p.add_argument("cube", help="cube path or fsspec URL")
    p.add_argument("--start", type=iso_day, required=True, help="first day of the period")
    p.add_argument("--end", type=iso_day, required=True, help="last day, included")
    p.add_argument("--threshold", type=float, default=0.85,
                   help="share of missing days above which a pixel is land (default 0.85)")
    p.set_defaults(run=run_mask)


def _add_fill(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = verbs.add_parser(
        "fill", help="fill gaps in time, then in space-time",
        description="Fill the cube's gaps: (1) linear interpolation in time over gaps of at "
        "most --max-gap days, (2) a Gaussian-weighted average of the values valid after (1) "
        "within ±--time-window days and ±--space-window pixels. Land (from `seaice mask`) "
        "stays missing. Writes sic_filled and fill_flag in the cube, block by block in "
        "bounded memory; run it again to resume, or after new days to refill what changed. "
        "The result is the same whatever the block size or thread count.",
        epilog="example: swathkit seaice fill sic.zarr --unfilled repeat")
    p.add_argument("cube", help="cube path or fsspec URL")
    p.add_argument("--max-gap", type=int, default=5, help="longest gap filled in time (days)")
    p.add_argument("--time-window", type=int, default=3, help="stage-2 half window (days)")
    p.add_argument("--space-window", type=int, default=10, help="stage-2 half window (pixels)")
    p.add_argument("--alpha", type=float, default=25.0, help="weight of time against space")
    p.add_argument("--sigma", type=float, default=5.0, help="Gaussian bandwidth (pixels)")
    p.add_argument("--unfilled", type=_unfilled, default="nan",
                   help="pixels without neighbours: nan (left missing, default), repeat "
                   "(stage 2 again until filled), or a constant in percent")
    p.add_argument("--block-days", type=int, default=32,
                   help="days filled per block (memory; the result does not depend on it)")
    add_scheduler_option(p, "the pieces of each block")
    render.add_json_option(p)
    p.set_defaults(run=run_fill)


def run_consolidate(args: argparse.Namespace) -> int:
    from swathkit.jobs.seaice.consolidate import consolidate

    with render.progress_bar("consolidate") as progress:
        report = consolidate(args.dir, args.cube, grid=args.grid, start=args.start,
                             end=args.end, progress=progress)
    return render.job_report(report, as_json=args.json, title=f"seaice consolidate "
                             f"{args.dir} → {args.cube} ({report.extras.grid})")


def run_mask(args: argparse.Namespace) -> int:
    from swathkit.jobs.seaice.mask import build_mask

    with render.progress_bar("mask") as progress:
        report = build_mask(args.cube, start=args.start, end=args.end,
                            threshold=args.threshold, progress=progress)
    a = report.agreement
    render.facts(f"seaice mask {args.cube}", [
        ("period", f"{report.start} .. {report.end} ({report.days} days with data)"),
        ("threshold", report.threshold),
        ("land pixels", f"{report.land_pixels:,}"),
        ("pole hole kept as ocean", f"{report.pole_excluded:,} pixels"),
        ("stored", "yes" if report.rebuilt else "unchanged (same period and threshold)")])
    render.table("agreement with the land-mask package's coastline", ("measure", "value"), [
        ("pixels agreeing", _pct(a["agreement"])),
        ("mask land that is coastline land (precision)", _pct(a["land_precision"])),
        ("coastline land found (recall)", _pct(a["land_recall"])),
        ("land intersection over union", _pct(a["iou"])),
        ("land share: mask / coastline",
         f"{_pct(a['land_fraction'])} / {_pct(a['reference_land_fraction'])}")])
    return 0


def _pct(value: Any) -> str:
    return f"{100 * float(value):.2f} %"


def run_fill(args: argparse.Namespace) -> int:
    from swathkit.jobs.seaice.fill import fill
    from swathkit.process.gapfill import FillOptions

    options = FillOptions(max_gap=args.max_gap, time_window=args.time_window,
                          space_window=args.space_window, alpha=args.alpha,
                          sigma=args.sigma, unfilled=args.unfilled)
    with render.progress_bar("fill") as progress:
        report = fill(args.cube, options=options, block_days=args.block_days,
                      scheduler=args.scheduler, progress=progress)
    code = render.job_report(report, as_json=args.json, title=f"seaice fill {args.cube}")
    if not args.json:
        _pixels(report.extras)
    return code


def _pixels(extras: FillExtras) -> None:
    c = extras.pixels
    ocean = sum(c.values()) - c["land"]
    rows = [("pixels observed", f"{c['observed']:,}", _share(c["observed"], ocean)),
            ("filled in time", f"{c['filled_time']:,}", _share(c["filled_time"], ocean)),
            ("filled in space-time", f"{c['filled_spacetime']:,}",
             _share(c["filled_spacetime"], ocean)),
            ("unfilled", f"{c['unfilled']:,}", _share(c["unfilled"], ocean))]
    if c["constant"]:
        rows.append(("set to the constant", f"{c['constant']:,}", _share(c["constant"], ocean)))
    rows.append(("land (masked)", f"{c['land']:,}", "" if extras.land_mask else "no mask"))
    render.table(f"pixels of the {extras.days:,} days", ("", "pixels", "share of ocean"), rows)


def _share(n: int, total: int) -> str:
    return f"{100 * n / total:.2f} %" if total else ""
