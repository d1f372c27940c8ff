"""``swathkit seaice download``: Bremen ASI daily grids for a date range into a folder."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from swathkit.cli import render
from swathkit.cli.options import ASI_GRIDS, FAULT_PRESETS, iso_day
from swathkit.errors import InputError


def add(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``download`` on the ``seaice`` verbs."""
    p = verbs.add_parser(
        "download", help="download Bremen ASI daily grids for a date range",
        description="Download the University of Bremen ASI AMSR2 sea-ice concentration grid of "
        "every day from --start to --end (both included) into --out, in parallel over "
        "keep-alive HTTPS. Files keep their real names. A ledger in --out records each day: "
        "run the same command again to resume (partial files continue; present files are kept "
        "only if their size matches the archive's and they open as the grid). Days the "
        "archive does not have (HTTP 404) are reported as not published, which is not an "
        "error. Exit code 0 when every day is downloaded or not published, 1 if some failed, "
        "2 if the archive refused access or looks down.",
        epilog="examples:\n  swathkit seaice download --start 2024-04-01 --end 2024-04-30 "
        "--grid n3125 --out data/\n  swathkit seaice download --start 2013-05-09 --end "
        "2013-05-14 --grid n6250 --out sim-data/ --archive sim --faults flaky",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--start", type=iso_day, required=True, help="first day (YYYY-MM-DD)")
    p.add_argument("--end", type=iso_day, required=True, help="last day, included (YYYY-MM-DD)")
    p.add_argument("--grid", choices=ASI_GRIDS, required=True,
                   help="n3125/n6250: Arctic 3.125/6.25 km; s3125/s6250: Antarctic")
    p.add_argument("--out", type=Path, required=True, help="folder receiving the files")
    p.add_argument("--force", action="store_true",
                   help="download every day again, even files that verify")
    p.add_argument("--workers", type=int, default=4, help="parallel transfers (default 4)")
    render.add_json_option(p)
    a = p.add_argument_group("archive")
    a.add_argument("--archive", choices=("bremen", "sim"), default="bremen",
                   help="the real archive (default) or the built-in simulated one (its "
                   "synthetic files are kept in the swathkit cache folder)")
    a.add_argument("--faults", choices=FAULT_PRESETS, default="none",
                   help="fault injection of the simulated archive (default none)")
    a.add_argument("--base-url", help="another Bremen-compatible server or mirror "
                   "(default https://data.seaice.uni-bremen.de/); trust a private server's "
                   "CA with SWATHKIT_CA_BUNDLE=<PEM file>")
    p.set_defaults(run=run)


def archive_choice(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """The registry name and options of the archive that ``--archive`` and its options name.

    Raises:
        InputError: an option of one archive given with the other.
    """
    if args.archive == "sim":
        if args.base_url:
            raise InputError("--base-url names a real server; leave it out with --archive sim")
        from swathkit._version import __version__
        from swathkit.config import settings

        # the synthetic files are deterministic: keep them across runs (a re-run is instant)
        cache = settings().cache_dir / f"sim-bremen-{__version__}-seed0"
        return "bremen-sim", {"faults": args.faults, "cache_dir": cache, "grid": args.grid}
    if args.faults != "none":
        raise InputError("--faults applies to --archive sim only; add --archive sim")
    return "bremen", {"grid": args.grid} | ({"base_url": args.base_url} if args.base_url else {})


class _QuietNotPublished(logging.Filter):
    """A 404 is an answer, not a failure: the summary lists those days."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "NotPublishedError" not in record.getMessage()


def run(args: argparse.Namespace) -> int:
    from swathkit.archives.registry import open_archive
    from swathkit.jobs.seaice.download import download_asi

    if args.workers < 1:
        raise InputError(f"--workers must be at least 1, not {args.workers}")
    name, options = archive_choice(args)
    quiet = _QuietNotPublished()
    worker_log = logging.getLogger("swathkit.transfer.worker")
    worker_log.addFilter(quiet)
    try:
        with open_archive(name, **options) as archive, \
                render.progress_bar("download") as progress:
            report = download_asi(args.grid, args.start, args.end, args.out, archive=archive,
                                  workers=args.workers, force=args.force, progress=progress)
    finally:
        worker_log.removeFilter(quiet)
    return render.job_report(report, as_json=args.json,
                             title=f"seaice download {report.extras.grid} into {args.out}")
