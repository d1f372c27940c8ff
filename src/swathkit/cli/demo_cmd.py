"""``swathkit demo``: the main job end to end against the built-in simulated archive."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from swathkit.cli import render


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="run the whole pipeline on simulated data",
                       description="Generate a day of synthetic AMSR2 L1B granules, ingest "
                       "36.5H with coordinates into a swath store, verify it, and draw a "
                       "quicklook. Outputs stay in the folder given by --out.")
    p.add_argument("--out", type=Path, default=Path("demo-data"), help="output folder")
    p.add_argument("--granules", type=int, default=30, help="granules to simulate (~30 a day)")
    p.add_argument("--scans", type=int, default=None, help="scans per granule (default full)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from swathkit.jobs.ingest import ingest
    from swathkit.jobs.quicklook import store_quicklook
    from swathkit.sim.amsr2_l1b import write_granules
    from swathkit.stores.verify import verify

    granules_dir, store = args.out / "granules", args.out / "amsr2_36.5H.zarr"
    start = datetime(2022, 2, 16, tzinfo=UTC)
    with render.progress_bar("simulate") as progress:
        files = write_granules(granules_dir, start, args.granules, scans=args.scans,
                               progress=progress)
    with render.progress_bar("ingest") as progress:
        report = ingest(files, store, channels="36.5H", coords=True, progress=progress)
    with render.progress_bar("verify") as progress:
        checked = verify(store, progress=progress)
    png = store_quicklook(str(store), args.out / "quicklook_36.5H.png")
    render.facts("swathkit demo", [
        ("granules simulated", len(files)), ("committed", report.committed),
        ("failed", len(report.failed)),
        ("verified", f"{checked.checked} ({100 * checked.success_rate:.1f} % sound)"),
        ("source files", granules_dir.resolve()), ("swath store", store.resolve()),
        ("quicklook", png.resolve())])
    render.console.print(f"\nOutputs are in [bold]{args.out.resolve()}[/]. Try:\n"
                         f"  swathkit inspect {store}\n"
                         f"  python -c \"import swathkit; print(swathkit.open_swaths('{store}'))\"")
    return 0 if report.ok and checked.ok else 1
