"""``swathkit smap``: find and download SMAP products, put daily L3 into a grid cube."""

from __future__ import annotations

import argparse

VERB_MODULES: tuple[str, ...] = ("download", "consolidate")
"""Modules under ``swathkit.cli.smap`` with an ``add(subparsers)``, in ``--help`` order."""


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    import importlib

    p = sub.add_parser(
        "smap", help="SMAP products: download from NSIDC, consolidate daily L3 into a grid cube",
        description="Find and download SMAP products (CMR search, Earthdata Login, the "
        "highest counter of each CRID kept) and put daily L3 soil moisture into a grid cube "
        "that open_cube, the gap filler and the PyTorch dataset read as they read sea ice.",
        epilog="example: swathkit smap download --product SPL3SMP --start 2015-04-01 "
        "--end 2015-04-08 --out smap/",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = p.add_subparsers(title="smap verbs", metavar="<smap verb>", required=True)
    for name in VERB_MODULES:
        importlib.import_module(f"swathkit.cli.smap.{name}").add(verbs)
