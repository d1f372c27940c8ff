"""``swathkit inspect``: what is in a product file or a store."""

from __future__ import annotations

import argparse

from swathkit.cli import render
from swathkit.stores.inspect import inspect


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("inspect", help="summarise a product file or a store",
                       description="Print variables, shapes, dtypes and attributes of an HDF5 "
                       "product file, or of a swath store with its time range and counts by "
                       "orbit direction; for Bremen ASI sea-ice files, a folder of them or a "
                       "grid cube, the grid: shape, x/y extents, resolution, CRS, time range, "
                       "missing days, mask and fill state.",
                       epilog="examples: swathkit inspect swaths.zarr; swathkit inspect "
                       "data/asi-AMSR2-n3125-20240417-v5.4.nc; swathkit inspect sic.zarr")
    p.add_argument("target", help="an .h5 or ASI .nc file, a folder of ASI files, or a "
                   "store/cube path or URL")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    summary = inspect(args.target)
    render.facts(summary.title, summary.facts)
    for name, (header, rows) in summary.tables.items():
        render.table(name, header, rows)
    return 0
