"""``swathkit seasat``: Seasat SAR telemetry (one module per subcommand).

Each subcommand module has ``add(verbs)``; adding one is adding its name to ``SUBCOMMANDS``.
"""

from __future__ import annotations

import argparse
import importlib

SUBCOMMANDS = ("swathkit.cli.seasat.decode", "swathkit.cli.seasat.clean")
"""Modules of the ``seasat`` subcommands, in the order ``--help`` lists them."""


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "seasat", help="Seasat telemetry: decode raw frames, repair time tags, the funnel",
        description="Seasat SAR (1978) raw telemetry as ASF rescued it: find the minor frames "
        "through bit errors, assemble range lines and split data takes into segments "
        "(decode); repair the time tags (MSEC) and constant fields of the decoded .hdr "
        "tables, with ASF's processing funnel (clean).",
        epilog="example: swathkit sim generate seasat --lines 2000 --ber 1e-3 --out take.raw "
        "&& swathkit seasat decode take.raw --out decoded/ "
        "&& swathkit seasat clean decoded/*.hdr --plot plots/")
    verbs = p.add_subparsers(title="seasat verbs", metavar="<seasat verb>", required=True)
    for module in SUBCOMMANDS:
        importlib.import_module(module).add(verbs)
