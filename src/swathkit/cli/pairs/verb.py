"""``swathkit pairs``: ALOS PALSAR RTC scenes × USGS DSWE water maps of the same days."""

from __future__ import annotations

import argparse

from swathkit.cli.pairs import download, export, run, score, score_files, search, show, status


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "pairs", help="ALOS PALSAR RTC × USGS DSWE pairs: search, score, download, export, show",
        description="Pair ALOS PALSAR RTC scenes with USGS Landsat DSWE (INWAM) tiles of "
        "the same days, score how much valid data and open water each pair holds, and "
        "keep the good ones.",
        epilog="example: swathkit pairs score-files LT05_CU_*_INWAM.TIF "
        "--footprint 'POLYGON((-90.6 30.1, -89.9 30.0, -89.8 30.6, -90.5 30.7, -90.6 30.1))'",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = p.add_subparsers(title="pairs verbs", metavar="<pairs verb>", required=True)
    for module in (score_files, search, score, download, run, status, export, show):
        module.add(verbs)
