"""``swathkit ingest``: local product files into a swath store."""

from __future__ import annotations

import argparse

from swathkit.cli import render
from swathkit.cli.options import DEFAULT_BATCH, add_scheduler_option, add_swath_options


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "ingest", help="store AMSR2 L1B files in a swath store",
        description="Extract channels (and optionally lat/lon) from AMSR2 L1B HDF5 files into "
        "a Zarr swath store. Re-running is safe: granules already stored are left as they are. "
        "A bad file is listed with its reason and the others are stored; the exit code is 1 "
        "when any file failed.",
        epilog="example: swathkit ingest data/*.h5 --store swaths.zarr --channels 36.5H,89.0AH "
        "--coords (add --scheduler local:2 to extract on a dask cluster of 2 processes)")
    p.add_argument("files", nargs="+", help="GW1AM2_*_L1SGBTBR_*.h5 files")
    add_swath_options(p)
    p.add_argument("--workers", type=int, default=2, help="extraction processes (default 2)")
    add_scheduler_option(p, "the extraction (instead of --workers; commits stay here)")
    p.add_argument("--batch", type=int, default=DEFAULT_BATCH,
                   help="granules per atomic commit")
    render.add_json_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from swathkit.jobs.swaths.ingest import ingest

    with render.progress_bar("ingest") as progress:
        report = ingest(args.files, args.store, channels=args.channels, coords=args.coords,
                        geolocation=args.geolocation, workers=args.workers,
                        batch_size=args.batch, repair_scan_times=args.repair_scan_times,
                        scheduler=args.scheduler, progress=progress)
    return render.job_report(report, as_json=args.json, title=f"ingest into {args.store}")
