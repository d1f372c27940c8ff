"""``swathkit demo``: the main job end to end against the built-in simulated archive."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from swathkit.cli import render


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="collect a day from the simulated G-Portal, verify, draw",
                       description="Start the simulated G-Portal on 127.0.0.1, collect one "
                       "day of AMSR2 L1B 36.5H with coordinates into a swath store (the same "
                       "code path as a real collection), verify the store and draw a "
                       "quicklook. Outputs stay in the folder given by --out; run it again and "
                       "it resumes (nothing to do).")
    p.add_argument("--out", type=Path, default=Path("demo-data"), help="output folder")
    p.add_argument("--start", default="2022-02-16T00:00", help="UTC day start (ISO)")
    p.add_argument("--hours", type=float, default=24.0, help="length of the period")
    p.add_argument("--faults", choices=("none", "flaky", "hostile"), default="none",
                   help="let the simulated archive misbehave, to watch the retries")
    p.add_argument("--scans", type=int, default=None, help="scans per granule (default full)")
    p.set_defaults(run=run)


def _relative(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def run(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from swathkit.archives.granule import Query, utc
    from swathkit.jobs.archives import simulated_gportal
    from swathkit.jobs.collect import collect
    from swathkit.jobs.quicklook import store_quicklook
    from swathkit.stores.verify import verify

    store = args.out / "amsr2_36.5H.zarr"
    start = utc(args.start)
    query = Query("amsr2-l1b", start, start + timedelta(hours=args.hours))
    with simulated_gportal(faults=args.faults, scans=args.scans) as archive:
        render.console.print(f"simulated G-Portal: catalogue {archive.catalog.url}, "
                             f"SFTP {archive.sessions.host}")
        with render.progress_bar("collect") as progress:
            report = collect(query, store, archive, channels="36.5H", coords=True,
                             workdir=args.out / "downloads", progress=progress)
    render.funnel(f"collect {query.start:%Y-%m-%d %H:%M} + {args.hours:g} h", report.funnel,
                  report.seconds)
    render.failures(report.failures)
    with render.progress_bar("verify") as progress:
        checked = verify(store, progress=progress)
    png = store_quicklook(str(store), args.out / "quicklook_36.5H.png")
    render.facts("swathkit demo: outputs", [
        ("swath store", store.resolve()), ("ledger", store.with_name(store.name +
                                                                      ".ledger.sqlite").resolve()),
        ("verified", f"{checked.checked} granules, {100 * checked.success_rate:.1f} % sound"),
        ("quicklook", png.resolve())])
    exe = _relative(Path(sys.executable).parent)
    render.console.print(f"\nOutputs are in [bold]{args.out.resolve()}[/]. Try:\n"
                         f"  {exe / 'swathkit'} status {store}\n"
                         f"  {exe / 'swathkit'} inspect {store}\n"
                         f"  {exe / 'python'} -c \"import swathkit; "
                         f"print(swathkit.open_swaths('{store}'))\"")
    return 0 if report.ok and checked.ok else 1
