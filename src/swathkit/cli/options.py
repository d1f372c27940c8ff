"""Command-line options and argument types shared by several verbs."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime

# Literal copies of what the parsers offer, so that building a parser imports no heavy
# module; tests/cli/test_startup.py checks that each equals its source.
ASI_GRIDS = ("n3125", "n6250", "s3125", "s6250")
"""The Bremen ASI grids (``swathkit.products.asi.grids.GRIDS``)."""
FAULT_PRESETS = ("none", "flaky", "hostile")
"""The fault presets of the simulated archives (``swathkit.sim.faults.PRESETS``)."""
EXPORT_FORMATS = ("npz", "netcdf")
"""What ``export`` writes (``swathkit.stores.export.FORMATS``)."""
GRID_METHODS = ("bucket", "nearest", "ewa")
"""The resampling methods of ``grid`` (``swathkit.process.gridding.METHODS``)."""
DEFAULT_BATCH = 16
"""Granules per atomic commit of ``ingest`` (``swathkit.jobs.swaths.ingest.DEFAULT_BATCH``)."""


def iso_day(text: str) -> date:
    """argparse type: a day as ``YYYY-MM-DD`` (or ``YYYYMMDD``)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2024-04-01") from None


def add_swath_options(p: argparse.ArgumentParser) -> None:
    """``--store``, ``--channels``, ``--coords``, ``--geolocation``, ``--repair-scan-times``."""
    p.add_argument("--store", required=True, help="store path or fsspec URL (created if absent)")
    p.add_argument("--channels", default="36.5H",
                   help="comma-separated channels: 6.9H, 7.3V, …, 36.5H, 89.0AH, 89.0BV")
    p.add_argument("--coords", action="store_true", help="also keep lat/lon of each band")
    p.add_argument("--geolocation", choices=("auto", "coregister", "subsample"), default="auto",
                   help="low-frequency geolocation: JAXA co-registration (default when the file "
                   "has its parameters) or every 2nd 89A pixel")
    p.add_argument("--repair-scan-times", action="store_true",
                   help="replace scan times off the line of their neighbours (non-monotonic, "
                   "glitches); they are flagged per scan in scan_time_flag either way")


def add_scheduler_option(p: argparse.ArgumentParser, work: str) -> None:
    """``--scheduler``: run ``work`` on dask.distributed (``swathkit.jobs.cluster``)."""
    p.add_argument("--scheduler", metavar="ADDRESS|local:N",
                   help=f"run {work} on dask.distributed: tcp://HOST:PORT of a running "
                   "scheduler (its workers need swathkit and access to the same files) or "
                   "local:N for N worker processes started for this run; the output has the "
                   "same bytes as without it (default: this machine)")


def utc_time(text: str) -> datetime:
    """argparse type: an ISO time, UTC unless it says otherwise."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO time such as 2022-02-16T00:00") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def positive_int(text: str) -> int:
    """argparse type: an integer of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value
