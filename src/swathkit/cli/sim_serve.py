"""``swathkit sim serve``: run the simulated G-Portal (catalogue + SFTP) until Ctrl-C."""

from __future__ import annotations

import argparse
from pathlib import Path

from swathkit.cli import render

FAULT_PRESETS = ("none", "flaky", "hostile")


def add_serve(verbs: argparse._SubParsersAction) -> None:
    """Register ``serve`` on the ``sim`` verbs."""
    s = verbs.add_parser("serve", help="run the simulated G-Portal on 127.0.0.1",
                         description="Serve the simulated JAXA G-Portal on loopback: the CSW "
                         "catalogue over HTTP and the AMSR2 L1B files over SFTP (password "
                         "login), with optional injected faults. Stop with Ctrl-C.",
                         epilog="example: swathkit sim serve --faults flaky --seed 1 --scans 40")
    s.add_argument("--faults", choices=FAULT_PRESETS, default="none",
                   help="fault preset (default: none)")
    s.add_argument("--seed", type=int, default=0, help="seed of the files and the faults")
    s.add_argument("--scans", type=int, default=None,
                   help="scans per granule (default: full size); fewer for fast tests")
    s.add_argument("--username", default="sim", help="SFTP user name (default: sim)")
    s.add_argument("--password", default=None, help="SFTP password (default: random)")
    s.add_argument("--cache", type=Path, default=None,
                   help="folder keeping generated files (default: a temporary folder)")
    s.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    from swathkit.sim.gportal import Endpoints, serve_forever

    def ready(e: Endpoints) -> None:
        render.facts("simulated G-Portal (Ctrl-C to stop)", [
            ("catalogue", e.catalog_url), ("SFTP", f"{e.sftp_host}:{e.sftp_port}"),
            ("username", e.username), ("password", e.password), ("faults", args.faults)])

    try:
        stats = serve_forever(on_ready=ready, faults=args.faults, seed=args.seed,
                              username=args.username, password=args.password, scans=args.scans,
                              cache_dir=args.cache)
    except KeyboardInterrupt:
        render.console.print("stopped")
        return 0
    render.console.print(f"served {stats.requests_served} catalogue requests")
    return 0
