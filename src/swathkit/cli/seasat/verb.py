"""``swathkit seasat``: Seasat SAR telemetry; each subcommand module exposes ``add(subparsers)``."""

from __future__ import annotations

import argparse
import importlib

SUBCOMMANDS = ("swathkit.cli.seasat.clean",)
"""Modules of the ``seasat`` subcommands, in the order ``--help`` lists them."""


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "seasat", help="Seasat telemetry: decode raw frames, repair time tags, the funnel",
        description="Seasat SAR (1978) telemetry as ASF rescued it: repair the time tags "
        "(MSEC) and constant fields of decoded .hdr tables, with ASF's processing funnel.",
        epilog="example: swathkit seasat clean takes/*.hdr --plot plots/")
    verbs = p.add_subparsers(title="seasat verbs", metavar="<seasat verb>", required=True)
    for module in SUBCOMMANDS:
        importlib.import_module(module).add(verbs)
