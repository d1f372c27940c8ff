"""``swathkit``: the command line, a thin layer over the public API."""

from __future__ import annotations

import argparse
import logging
import sys

from swathkit._version import __version__
from swathkit.cli import (
    collect_cmd,
    demo_cmd,
    export_cmd,
    ingest_cmd,
    inspect_cmd,
    seaice_cmd,
    sim_cmd,
    verify_cmd,
)
from swathkit.cli.render import err_console
from swathkit.errors import SwathkitError

log = logging.getLogger("swathkit")

VERBS = (demo_cmd, collect_cmd, ingest_cmd, inspect_cmd, verify_cmd, export_cmd,
         seaice_cmd, sim_cmd)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="swathkit",
        description="Turn satellite passive-microwave archives into verified, analysis-ready "
        "and ML-ready datasets. Start with `swathkit demo`, which runs everything against the "
        "built-in simulated archive.",
        epilog="Run `swathkit <verb> --help` for the options and an example of each verb.")
    parser.add_argument("--version", action="version", version=f"swathkit {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more log output (-vv for debug)")
    sub = parser.add_subparsers(title="verbs", metavar="<verb>", required=True)
    for verb in VERBS:
        verb.add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    # paramiko logs every dropped connection as an ERROR; swathkit reports them itself
    logging.getLogger("paramiko").setLevel(logging.DEBUG if args.verbose > 1 else logging.CRITICAL)
    try:
        return int(args.run(args))
    except SwathkitError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
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
