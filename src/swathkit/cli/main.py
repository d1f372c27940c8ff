"""``swathkit``: the command line, a thin layer over the public API.

Verbs are loaded lazily: ``swathkit --help`` imports no verb module, and
``swathkit <verb> …`` imports only the module of that verb, so start-up stays
fast whatever the number of domains.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from swathkit._version import __version__
from swathkit.errors import SwathkitError

log = logging.getLogger("swathkit")

VERBS: dict[str, tuple[str, str]] = {
    "demo": ("swathkit.cli.demo",
             "AMSR2, sea ice, Seasat, SAR × water pairs and SMAP from simulated archives"),
    "collect": ("swathkit.cli.swaths.collect",
                "search and fetch AMSR2 L1B from G-Portal into a swath store"),
    "status": ("swathkit.cli.swaths.collect",
               "the funnel of a store's ledger, and failures by reason"),
    "ingest": ("swathkit.cli.swaths.ingest", "extract local AMSR2 files into a swath store"),
    "inspect": ("swathkit.cli.inspect", "summarise a product file or a store"),
    "convert": ("swathkit.cli.convert", "a layer of product files as GeoTIFF / COG"),
    "quicklook": ("swathkit.cli.quicklook", "a PNG of a product layer with a statistical stretch"),
    "verify": ("swathkit.cli.swaths.verify", "check a store's granules and checksums"),
    "export": ("swathkit.cli.swaths.export", "write a store as NPZ or NetCDF files"),
    "seaice": ("swathkit.cli.seaice.verb",
               "Bremen ASI sea ice: download, consolidate, mask, fill, report, plot"),
    "seasat": ("swathkit.cli.seasat.verb",
               "Seasat telemetry: decode raw frames, repair time tags, the funnel"),
    "pairs": ("swathkit.cli.pairs.verb",
              "ALOS PALSAR RTC × USGS DSWE pairs: search, score, download, export"),
    "smap": ("swathkit.cli.smap.verb",
             "SMAP products: download from NSIDC, consolidate daily L3 into a grid cube"),
    "sim": ("swathkit.sim.cli", "the built-in simulated archives: synthetic files and servers"),
    "compact": ("swathkit.cli.swaths.compact",
                "rewrite a swath store without retired rows, in time order"),
    "grid": ("swathkit.cli.swaths.grid", "daily gridded brightness temperatures from a store"),
}
"""Verb → (module with ``add(subparsers)``, one-line help for ``swathkit --help``)."""


def build_parser(verb: str | None = None) -> argparse.ArgumentParser:
    """The parser; with ``verb``, only that verb's module is imported and fully described."""
    parser = argparse.ArgumentParser(
        prog="swathkit",
        description="Turn satellite passive-microwave and SAR archives into verified, "
        "analysis-ready and ML-ready datasets. Start with `swathkit demo`, which runs "
        "everything against the built-in simulated archives.",
        epilog="Run `swathkit <verb> --help` for the options and an example of each verb.")
    parser.add_argument("--version", action="version", version=f"swathkit {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more log output (-vv for debug)")
    sub = parser.add_subparsers(title="verbs", metavar="<verb>", required=True)
    module = VERBS[verb][0] if verb in VERBS else None
    if module is not None:
        importlib.import_module(module).add(sub)
    for name, (_, help_text) in VERBS.items():
        if name not in sub.choices:  # a placeholder: listed in --help, its module not imported
            sub.add_parser(name, help=help_text, add_help=False)
    return parser


def _verb_of(argv: list[str]) -> str | None:
    """The verb named on the command line (the first word that is not an option)."""
    return next((word for word in argv if not word.startswith("-")), None)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(_verb_of(argv)).parse_args(argv)
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    # paramiko logs every dropped connection as an ERROR; swathkit reports them itself
    logging.getLogger("paramiko").setLevel(logging.DEBUG if args.verbose > 1 else logging.CRITICAL)
    from swathkit.cli.render import err_console

    try:
        return int(args.run(args))
    except SwathkitError as exc:
        # one line, however long: scripts grep it, and the message says what to do
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        return 2
    except KeyboardInterrupt:
        err_console.print("interrupted: committed work is kept; run the same command to resume")
        return 130
    except Exception:  # the one broad catch: report, keep the traceback in the log
        log.exception("unexpected failure")
        err_console.print("[bold red]unexpected error[/] (traceback above); please report it")
        return 3


if __name__ == "__main__":
    sys.exit(main())
