"""``swathkit seasat``: Seasat SAR raw telemetry to range lines (one module per subcommand).

Each subcommand module has ``add(verbs)``; adding one is adding its name to ``SUBCOMMANDS``.
"""

from __future__ import annotations

import argparse
import importlib

SUBCOMMANDS = ("swathkit.cli.seasat.decode",)


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "seasat", help="Seasat SAR raw telemetry: decode into range lines",
        description="Seasat SAR (1978) raw telemetry, as rescued by ASF: find the minor "
        "frames through bit errors, assemble range lines, split data takes into segments.",
        epilog="example: swathkit sim generate seasat --lines 2000 --ber 1e-3 --out take.raw "
        "&& swathkit seasat decode take.raw --out decoded/")
    verbs = p.add_subparsers(title="seasat verbs", metavar="<seasat verb>", required=True)
    for name in SUBCOMMANDS:
        importlib.import_module(name).add(verbs)
