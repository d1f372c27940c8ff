"""``swathkit inspect``: what is in a product file or a store."""

from __future__ import annotations

import argparse
import json
import sys

from swathkit.cli import render


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("inspect", help="summarise a product file or a store",
                       description="Print variables, shapes, dtypes and attributes of an HDF5 "
                       "product file, or of a swath store with its time range and counts by "
                       "orbit direction; for Bremen ASI sea-ice files, a folder of them or a "
                       "grid cube, the grid: shape, x/y extents, resolution, CRS, time range, "
                       "missing days, mask and fill state. --json prints the same summary "
                       "as JSON for scripts: kind, title, facts and tables, keyed by their "
                       "labels in snake case.",
                       epilog="examples: swathkit inspect swaths.zarr; swathkit inspect "
                       "data/asi-AMSR2-n3125-20240417-v5.4.nc; swathkit inspect sic.zarr "
                       "--json")
    p.add_argument("target", help="an .h5 or ASI .nc file, a folder of ASI files, or a "
                   "store/cube path or URL")
    p.add_argument("--json", action="store_true",
                   help="print the summary as JSON (stable keys) instead of tables")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from swathkit.stores.inspect import inspect

    summary = inspect(args.target)
    if args.json:
        json.dump(summary.as_dict(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    render.facts(summary.title, summary.facts)
    for name, (header, rows) in summary.tables.items():
        render.table(name, header, rows)
    return 0
