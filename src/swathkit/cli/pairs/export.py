"""``swathkit pairs export``: the kept pairs as the seed's CSV database."""

from __future__ import annotations

import argparse
import json
import sys

from swathkit.cli import render


def add(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = verbs.add_parser(
        "export", help="write the kept pairs as the seed's CSV (ALOS_scene,DSWE_tiles)",
        description="Write one CSV line per kept pair: the ALOS scene's product name and "
        "the space-separated INWAM file names of its DSWE tiles, as the seed's database.",
        epilog="example:\n  swathkit pairs export --table pairs.parquet --csv pairs.csv",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--table", required=True, help="the pair table")
    p.add_argument("--csv", required=True, metavar="FILE", help="the CSV to write (replaced)")
    render.add_json_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from swathkit.errors import InputError
    from swathkit.stores.pair_table import PairTable

    if not Path(args.table).is_file():
        raise InputError(f"{args.table}: no such pair table; run 'swathkit pairs search' "
                         "first or give the right --table")
    rows = PairTable(args.table).export_csv(args.csv)
    if args.json:
        sys.stdout.write(json.dumps({"csv": args.csv, "rows": rows}, sort_keys=True) + "\n")
    else:
        render.facts(f"pairs export {args.table}", [("CSV", args.csv), ("kept pairs", rows)])
    return 0
