"""``swathkit pairs status``: the funnel of a pair table."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from swathkit.cli import render

if TYPE_CHECKING:
    from swathkit.jobs.report import Funnel


def add(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = verbs.add_parser(
        "status", help="the funnel of a pair table: scenes, candidates, scored, kept, failed",
        description="Show how many SAR scenes the searches found, how many became candidates, "
        "how many are scored and kept, and the failed pairs with their reasons.",
        epilog="example:\n  swathkit pairs status --table pairs.parquet --json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--table", required=True, help="the pair table")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="the download folder to count (default: the one 'pairs download' "
                   "last used for this table)")
    render.add_json_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from swathkit.jobs.pairs.status import pairs_status

    funnel = pairs_status(args.table, args.out)
    if args.json:
        sys.stdout.write(json.dumps(document(funnel), indent=2, sort_keys=True) + "\n")
    else:
        render.funnel(funnel, title=f"pairs {args.table}")
    return 0


def document(funnel: Funnel) -> dict[str, Any]:
    """The funnel as the JSON of ``pairs status --json``."""
    from swathkit.jobs.report import jsonable

    return {"stages": {s.name: s.items for s in funnel.stages},
            "failed": len(funnel.failures), "failed_by_kind": funnel.failed_by_kind(),
            "failures": jsonable(funnel.failures)}
