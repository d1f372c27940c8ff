"""``swathkit seaice``: Bremen ASI sea-ice grids to a gap-filled cube and an ML dataset."""

from __future__ import annotations

import argparse

from swathkit.cli.seaice import cube as seaice_cube
from swathkit.cli.seaice import download as seaice_download
from swathkit.cli.seaice import plot as seaice_plot


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "seaice", help="sea-ice concentration: download, consolidate, mask, fill, report, plot",
        description="University of Bremen ASI daily sea-ice concentration grids: download a "
        "date range, consolidate the days into a grid cube, build a land mask, fill gaps in "
        "space and time, report on a region, draw maps. Every step can be re-run: it resumes.",
        epilog="example: swathkit seaice download --start 2024-04-01 --end 2024-04-30 "
        "--grid n3125 --out data/ && swathkit seaice consolidate data/ --cube sic.zarr")
    verbs = p.add_subparsers(title="seaice verbs", metavar="<seaice verb>", required=True)
    for module in (seaice_download, seaice_cube, seaice_plot):
        module.add(verbs)
