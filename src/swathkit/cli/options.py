"""Command-line options and argument types shared by several verbs."""

from __future__ import annotations

import argparse
from datetime import date

ASI_GRIDS = ("n3125", "n6250", "s3125", "s6250")
"""The Bremen ASI grids (``swathkit.products.asi.grids.GRIDS``, without importing it)."""


def iso_day(text: str) -> date:
    """argparse type: a day as ``YYYY-MM-DD`` (or ``YYYYMMDD``)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2024-04-01") from None


def add_swath_options(p: argparse.ArgumentParser) -> None:
    """``--store``, ``--channels``, ``--coords``, ``--geolocation``."""
    p.add_argument("--store", required=True, help="store path or fsspec URL (created if absent)")
    p.add_argument("--channels", default="36.5H",
                   help="comma-separated channels: 6.9H, 7.3V, …, 36.5H, 89.0AH, 89.0BV")
    p.add_argument("--coords", action="store_true", help="also keep lat/lon of each band")
    p.add_argument("--geolocation", choices=("auto", "coregister", "subsample"), default="auto",
                   help="low-frequency geolocation: JAXA co-registration (default when the file "
                   "has its parameters) or every 2nd 89A pixel")
