"""Command-line options shared by the verbs that fill a swath store."""

from __future__ import annotations

import argparse


def add_swath_options(p: argparse.ArgumentParser) -> None:
    """``--store``, ``--channels``, ``--coords``, ``--geolocation``."""
    p.add_argument("--store", required=True, help="store path or fsspec URL (created if absent)")
    p.add_argument("--channels", default="36.5H",
                   help="comma-separated channels: 6.9H, 7.3V, …, 36.5H, 89.0AH, 89.0BV")
    p.add_argument("--coords", action="store_true", help="also keep lat/lon of each band")
    p.add_argument("--geolocation", choices=("auto", "coregister", "subsample"), default="auto",
                   help="low-frequency geolocation: JAXA co-registration (default when the file "
                   "has its parameters) or every 2nd 89A pixel")
