"""``swathkit collect`` and ``swathkit status``: fetch from an archive into a store; the funnel."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from swathkit.cli import render
from swathkit.cli.options import FAULT_PRESETS, add_scheduler_option, add_swath_options, utc_time
from swathkit.errors import InputError


def _bbox(text: str) -> tuple[float, float, float, float]:
    """``--bbox`` as four numbers (their ranges are checked by ``Query``)."""
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        raise InputError(f"--bbox {text!r} is not west,south,east,north in degrees; write it "
                         "like -80,40,20,85") from None
    return west, south, east, north


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "collect", help="search and fetch AMSR2 L1B from G-Portal into a swath store",
        description="Search the G-Portal catalogue, fetch every granule over SFTP (persistent "
        "sessions, retries, resume), extract the channels and commit them to a swath store. "
        "Progress lives in a ledger next to the store (for an s3:// store, in the current "
        "directory, or --ledger): run the same command again to resume. "
        "Exit code 0 only when every granule found is committed.",
        epilog="examples:\n  swathkit collect amsr2-l1b --start 2022-02-16 --end 2022-02-17 "
        "--channels 36.5H --coords --store swaths.zarr\n  swathkit collect amsr2-l1b --start "
        "2022-02-16 --end 2022-02-18 --store s.zarr --archive sim --faults flaky",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("product", choices=("amsr2-l1b",))
    p.add_argument("--start", type=utc_time, required=True, help="UTC start (ISO)")
    p.add_argument("--end", type=utc_time, required=True, help="UTC end (ISO, exclusive)")
    p.add_argument("--bbox", help="west,south,east,north in degrees, e.g. -80,40,20,85")
    p.add_argument("--orbit", choices=("A", "D"), help="ascending or descending only")
    add_swath_options(p)
    p.add_argument("--workers", type=int, default=4, help="parallel transfers (default 4)")
    p.add_argument("--extract-workers", type=int, default=1,
                   help="processes decoding HDF5 (default 1: transfers are the bottleneck)")
    add_scheduler_option(p, "the HDF5 decoding (downloads and commits stay here)")
    p.add_argument("--keep-files", action="store_true", help="keep downloaded .h5 files")
    p.add_argument("--retry-failed", action="store_true", help="try failed granules again")
    p.add_argument("--update", action="store_true",
                   help="re-fetch granules whose catalogue version changed since stored")
    p.add_argument("--workdir", type=Path, help="download folder (default: next to the store)")
    p.add_argument("--ledger", type=Path, help="ledger file (default: next to the store; for "
                   "an s3:// store ./NAME-HASH.ledger.sqlite in the current directory)")
    render.add_json_option(p)
    a = p.add_argument_group("archive")
    a.add_argument("--archive", choices=("gportal", "sim"), default="gportal",
                   help="the real G-Portal (default) or the built-in simulated one")
    a.add_argument("--faults", choices=FAULT_PRESETS, default="none",
                   help="fault injection of the simulated archive")
    a.add_argument("--catalog-url", help="G-Portal-compatible CSW endpoint")
    a.add_argument("--sftp-host", help="SFTP host")
    a.add_argument("--sftp-port", type=int, help="SFTP port")
    a.add_argument("--username", help="G-Portal user (else $GPORTAL_USERNAME or ~/.netrc)")
    a.add_argument("--password", help="G-Portal password (prefer $GPORTAL_PASSWORD or ~/.netrc)")
    p.set_defaults(run=run)

    s = sub.add_parser("status", help="the funnel of a store's ledger, and failures by reason",
                       description="Show how many granules were found, fetched, verified, "
                       "extracted, committed and failed (with bytes), and list failures.")
    s.add_argument("store", help="swath store path (its ledger sits next to it)")
    s.add_argument("--ledger", type=Path, help="ledger file, if not next to the store")
    render.add_json_option(s)
    s.set_defaults(run=run_status)


def archive_choice(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """The registry name and options of the archive that ``--archive`` and its options name.

    Raises:
        InputError: an option of one archive given with the other.
    """
    real = {"catalog_url": args.catalog_url, "sftp_host": args.sftp_host,
            "sftp_port": args.sftp_port, "username": args.username, "password": args.password}
    if args.archive == "sim":
        given = [f"--{k.replace('_', '-')}" for k, v in real.items() if v is not None]
        if given:
            raise InputError(f"{', '.join(given)} apply to --archive gportal, not to the "
                             "simulated one (--archive sim)")
        return "gportal-sim", {"faults": args.faults}
    if args.faults != "none":
        raise InputError("--faults applies to --archive sim only; add --archive sim")
    return "gportal", {k: v for k, v in real.items() if v is not None}


def run(args: argparse.Namespace) -> int:
    from swathkit.archives.registry import open_archive
    from swathkit.jobs.swaths.collect import collect
    from swathkit.types import Query

    bbox = _bbox(args.bbox) if args.bbox else None
    query = Query(args.product, args.start, args.end, bbox=bbox, orbit=args.orbit)
    name, options = archive_choice(args)
    with open_archive(name, **options) as archive, render.progress_bar("collect") as progress:
        report = collect(query, args.store, archive, channels=args.channels, coords=args.coords,
                         geolocation=args.geolocation, workers=args.workers,
                         extract_workers=args.extract_workers,
                         keep_files=args.keep_files, retry_failed=args.retry_failed,
                           update=args.update, workdir=args.workdir, ledger_path=args.ledger,
                           repair_scan_times=args.repair_scan_times,
                           scheduler=args.scheduler, progress=progress)
    changed = report.extras.changed_versions
    hints = [f"{len(changed)} granules have a newer catalogue version than stored; run again "
             "with --update to re-fetch them"] if changed and not args.update else []
    return render.job_report(report, as_json=args.json, hints=hints,
                             title=f"collect {args.product} into {args.store}")


def run_status(args: argparse.Namespace) -> int:
    from swathkit.jobs.swaths.collect import default_ledger, ledger_funnel, ledger_report
    from swathkit.ledger import Ledger
    from swathkit.stores.location import as_location

    path = args.ledger or default_ledger(as_location(args.store))
    if not Path(path).is_file():
        raise InputError(f"no ledger at {path}: nothing was collected into {args.store}; "
                         "check the store path, or pass --ledger")
    with Ledger(path) as ledger:
        if not args.json:
            funnel = ledger_funnel(ledger)
            render.funnel(funnel, title=f"status of {args.store}")
            left = ledger.funnel()
            if left.not_published:
                render.console.print(f"{left.not_published} granules not published upstream")
            return 0
        report = ledger_report(ledger, job="status", target=args.store)
    render.job_report(report, as_json=True)
    return 0
