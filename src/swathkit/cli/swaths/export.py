"""``swathkit export``: a store to NPZ partitions or CF NetCDF."""

from __future__ import annotations

import argparse

from swathkit.cli import render
from swathkit.cli.options import EXPORT_FORMATS


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("export", help="write a store as NPZ or NetCDF files",
                       description="Export every swath of a store, N per file. NPZ files hold "
                       "plain arrays (counts, scale factor, times, ids) that load with "
                       "numpy.load(allow_pickle=False); NetCDF files are CF with packed counts.")
    p.add_argument("store", help="store path or URL")
    p.add_argument("--format", choices=EXPORT_FORMATS, default="npz")
    p.add_argument("--parts", type=int, default=500, help="swaths per file (default 500)")
    p.add_argument("--out", default=None, help="output folder (default: <store>-export)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from swathkit.stores.export import export

    out = args.out or f"{args.store.rstrip('/')}-export"
    with render.progress_bar("export") as progress:
        paths = export(args.store, out, fmt=args.format, parts=args.parts, progress=progress)
    render.table(f"exported to {out}", ("file", "MB"),
                 [(p.name, f"{p.stat().st_size / 1e6:.1f}") for p in paths])
    return 0
