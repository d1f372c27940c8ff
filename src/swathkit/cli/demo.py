"""``swathkit demo``: the main job end to end against the built-in simulated archive."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

from swathkit.cli import render
from swathkit.cli.options import ASI_GRIDS, FAULT_PRESETS, iso_day


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("demo", help="AMSR2 swaths, a month of sea ice, a Seasat take, "
                       "SAR × water-map pairs and a week of SMAP from simulated archives",
                       description="Five jobs end to end against the built-in simulated "
                       "archives on 127.0.0.1. (1) AMSR2: collect one day of L1B 36.5H with "
                       "coordinates from the simulated G-Portal into a swath store (the same "
                       "code path as a real collection), verify it, draw a quicklook, grid the day "
                       "onto EASE2 N25 (swathkit grid) and map it; grid it onto the sea-ice "
                       "grid too and serve it as extra channels of the PyTorch sea-ice dataset "
                       "beside that day's concentration. "
                       "(2) Sea ice: download a month of Bremen ASI grids from the simulated "
                       "Bremen archive, consolidate them into a grid cube, build the land "
                       "mask, fill the gaps, report on a region, draw the maps and open the "
                       "PyTorch dataset. (3) Seasat: generate a raw telemetry take with bit "
                       "errors and clock damage, decode it into range lines, repair its time "
                       "tags, print the funnel and draw the before/after plots. (4) Pairs: "
                       "find the ALOS PALSAR RTC scenes and USGS DSWE water maps of two "
                       "months over the Louisiana coast (simulated ASF and LandsatLook), score "
                       "each pair pixel by pixel, download a kept pair and picture it. (5) SMAP: "
                       "download a week of L3 soil moisture from the simulated NSIDC, inspect "
                       "a file, convert its AM soil moisture to a COG, draw a quicklook with a "
                       "2–98 % stretch, consolidate the week into a grid cube and draw its last "
                       "day. Outputs stay "
                       "in the folder given by --out; run it again and it resumes.",
                       epilog="example: swathkit demo --only seaice --seaice-grid n6250")
    p.add_argument("--out", type=Path, default=Path("demo-data"), help="output folder")
    p.add_argument("--start", default="2022-02-16T00:00", help="UTC day start (ISO)")
    p.add_argument("--hours", type=float, default=24.0, help="length of the period")
    p.add_argument("--faults", choices=FAULT_PRESETS, default="none",
                   help="let the simulated archive misbehave, to watch the retries")
    p.add_argument("--scans", type=int, default=None, help="scans per granule (default full)")
    s = p.add_argument_group("sea ice (Bremen ASI grids from the simulated Bremen archive)")
    s.add_argument("--seaice-grid", choices=ASI_GRIDS,
                   default="n3125", help="grid of the sea-ice month (default n3125)")
    s.add_argument("--seaice-start", type=iso_day, default=date(2013, 5, 1),
                   help="first day of the sea-ice month (default 2013-05-01: the archive "
                   "has no files for 2013-05-11..13, which the demo shows)")
    s.add_argument("--seaice-days", type=int, default=31, help="days of sea ice (default 31)")
    s.add_argument("--only", choices=("amsr2", "seaice", "seasat", "pairs", "smap"),
                   help="run only one part of the demo")
    p.set_defaults(run=run)


def _relative(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def run(args: argparse.Namespace) -> int:
    codes = [part(args) for name, part in (("amsr2", run_amsr2), ("seaice", run_seaice),
                                           ("seasat", run_seasat), ("pairs", run_pairs),
                                           ("smap", run_smap))
             if args.only in (None, name)]
    render.console.print(f"\nAll outputs are in [bold]{args.out.resolve()}[/].")
    return max(codes)


def run_seasat(args: argparse.Namespace) -> int:
    from swathkit.cli.seasat import demo as demo_seasat

    code, plots = demo_seasat.run(args.out)
    render.console.print(f"\nSeasat outputs (raw take, decoded segments, repaired .hdr, "
                         f"before/after plots) are in [bold]{plots.parent.resolve()}[/].")
    return code


def run_pairs(args: argparse.Namespace) -> int:
    from swathkit.cli.pairs import demo as demo_pairs

    code, folder = demo_pairs.run(args.out)
    render.console.print(f"\nPairs outputs (pair table, the seed's CSV database, the "
                         f"downloaded scenes with their DSWE tiles, the picture of a pair) are "
                         f"in [bold]{folder.resolve()}[/].")
    return code


def run_smap(args: argparse.Namespace) -> int:
    from swathkit.cli.smap import demo as demo_smap

    code, folder = demo_smap.run(args.out)
    render.console.print(f"\nSMAP outputs (the week's HDF5 files, a COG, its quicklook, the "
                         f"soil-moisture cube) are in [bold]{folder.resolve()}[/].")
    return code


def seaice_parser() -> argparse.ArgumentParser:
    """The parser of the sea-ice steps: ``swathkit`` with its ``seaice`` verb loaded."""
    from swathkit.cli.main import build_parser

    return build_parser("seaice")  # verbs load lazily: a bare parser knows none of them


def run_seaice(args: argparse.Namespace) -> int:
    from swathkit.cli.seaice import demo as demo_seaice

    code, cube = demo_seaice.run(args.out, seaice_parser().parse_args, grid=args.seaice_grid,
                                 start=args.seaice_start, days=args.seaice_days,
                                 faults=args.faults)
    exe = _relative(Path(sys.executable).parent)
    render.console.print(f"\nSea-ice outputs (cube, figures seaice_*.png) are in "
                         f"[bold]{args.out.resolve()}[/]. Try:\n"
                         f"  {exe / 'swathkit'} inspect {cube}\n"
                         f"  {exe / 'python'} -c \"import swathkit; "
                         f"print(swathkit.open_cube('{cube}'))\"")
    return code


def run_amsr2(args: argparse.Namespace) -> int:
    from swathkit.archives.registry import open_archive
    from swathkit.jobs.swaths.collect import collect
    from swathkit.plot.store_quicklook import store_quicklook
    from swathkit.stores.verify import verify
    from swathkit.types import Query, utc

    store = args.out / "amsr2_36.5H.zarr"
    start = utc(args.start)
    query = Query("amsr2-l1b", start, start + timedelta(hours=args.hours))
    with open_archive("gportal-sim", faults=args.faults, scans=args.scans) as archive:
        render.console.print(f"{archive.name}: SFTP {archive.sessions.host}")
        with render.progress_bar("collect") as progress:
            report = collect(query, store, archive, channels="36.5H", coords=True,
                             workdir=args.out / "downloads", progress=progress)
    render.job_report(report, title=f"collect {query.start:%Y-%m-%d %H:%M} + {args.hours:g} h")
    with render.progress_bar("verify") as progress:
        checked = verify(store, progress=progress)
    png = store_quicklook(str(store), args.out / "quicklook_36.5H.png")
    gridded, cube, tb_png = run_grid(args, store, start, start + timedelta(hours=args.hours))
    ml_code, sample_png = run_tb_channels(args, store, start.date())
    render.facts("swathkit demo: outputs", [
        ("swath store", store.resolve()), ("ledger", store.with_name(store.name +
                                                                      ".ledger.sqlite").resolve()),
        ("verified", f"{checked.checked} granules, {100 * checked.success_rate:.1f} % sound"),
        ("quicklook", png.resolve()), ("daily TB cube (ease2-n25)", cube.resolve()),
        ("TB map", tb_png.resolve() if tb_png else "no day gridded"),
        ("sea-ice sample with TB channels", sample_png.resolve() if sample_png else "none")])
    exe = _relative(Path(sys.executable).parent)
    render.console.print(f"\nOutputs are in [bold]{args.out.resolve()}[/]. Try:\n"
                         f"  {exe / 'swathkit'} status {store}\n"
                         f"  {exe / 'swathkit'} inspect {store}\n"
                         f"  {exe / 'python'} -c \"import swathkit; "
                         f"print(swathkit.open_swaths('{store}'))\"")
    return max(ml_code, 0 if report.ok and checked.ok and gridded else 1)


def run_tb_channels(args: argparse.Namespace, store: Path, day: date) -> tuple[int, Path | None]:
    """The sea-ice dataset with the day's gridded TB as extra input channels."""
    from swathkit.cli.main import build_parser
    from swathkit.cli.seaice import demo_tb

    return demo_tb.run(args.out, store, day, lambda argv: build_parser(argv[0]).parse_args(argv))


def run_grid(args: argparse.Namespace, store: Path, start: datetime,
             end: datetime) -> tuple[bool, Path, Path | None]:
    """Grid the demo's swaths day by day onto EASE2 N25 and map the first day's 36.5H A."""
    import xarray as xr

    from swathkit.jobs.swaths.grid import grid
    from swathkit.plot.tb_map import plot_tb_day

    cube = args.out / "tb_ease2-n25.zarr"
    first, last = start.date(), (end - timedelta(microseconds=1)).date()
    with render.progress_bar("grid") as progress:
        report = grid(store, cube, grid_name="ease2-n25", channels="36.5H", start=first,
                      end=last, progress=progress)
    render.job_report(report, title=f"grid onto ease2-n25, {first}..{last}")
    days = report.extras.added + report.extras.present
    if not days:
        return False, cube, None
    with xr.open_zarr(cube) as ds:  # plain xarray: the cube is CF
        png = plot_tb_day(ds, "tb_36_5h_asc", min(days), args.out / "tb_36.5H_asc_ease2-n25.png")
    return report.ok, cube, png
