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
                       "missing days, mask and fill state. Any HDF5 / NetCDF-4 file shows its "
                       "groups, "
                       "datasets, chunks, compression and attributes, and the product and grids "
                       "when swathkit knows it (SMAP). --json prints the same summary "
                       "as JSON for scripts: kind, title, facts and tables, keyed by their "
                       "labels in snake case.",
                       epilog="examples: swathkit inspect swaths.zarr; swathkit inspect "
                       "data/asi-AMSR2-n3125-20240417-v5.4.nc; swathkit inspect sic.zarr "
                       "--json; swathkit inspect SMAP_L3_SM_P_20150401_R19240_001.h5 --stats")
    p.add_argument("target", help="an .h5 or ASI .nc file, a folder of ASI files, or a "
                   "store/cube path or URL")
    p.add_argument("--stats", action="store_true",
                   help="HDF5 files: fill-aware statistics per dataset (min, max, mean, std, "
                   "valid share; fills and values outside valid_min..valid_max excluded) and "
                   "the share of each flag bit set; read chunk by chunk, memory bounded")
    p.add_argument("--json", action="store_true",
                   help="print the summary as JSON (stable keys) instead of tables")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from swathkit.stores.inspect import inspect

    summary = inspect(args.target, stats=args.stats)
    if args.json:
        json.dump(summary.as_dict(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    render.facts(summary.title, summary.facts)
    for name, (header, rows) in summary.tables.items():
        render.table(name, header, rows)
    return 0
