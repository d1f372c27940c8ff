"""``swathkit pairs run``: search, score and download in one command, then the funnel."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from swathkit.cli import render
from swathkit.cli.pairs import download, score, search, status


def add(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = verbs.add_parser(
        "run", help="search, score and download the pairs of an area and period in one go",
        description="The whole pipeline: 'pairs search' (CMR scenes, the DSWE harvest, the "
        "join, candidates into the table), 'pairs score' (Range reads of the COG windows "
        "under each footprint), 'pairs download' (the kept pairs' zips, verified and "
        "extracted, and their DSWE tiles), then the funnel. Every stage resumes: run the "
        "same command again to finish what an interrupted or failed run left. Exit 0 when "
        "every stage is complete, 1 when some items failed (listed), 2 for bad input or "
        "refused credentials.",
        epilog="example:\n  swathkit pairs run --aoi usa --start 2008-06-01 --end 2008-07-01 "
        "--table pairs.parquet --out pairs/\n  swathkit pairs run --aoi lakes.geojson --start "
        "2008-06-01 --end 2008-08-01 --table pairs.parquet --out pairs/ --within bbox --json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--table", required=True, help="the pair table (GeoParquet; made if absent)")
    for stage in (search, score, download):
        group = p.add_argument_group(f"pairs {stage.__name__.rsplit('.', 1)[-1]}")
        stage.options(group)
    render.add_json_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from swathkit.jobs.pairs.status import pairs_status

    docs: dict[str, Any] = {}
    code = 0
    for name, stage in (("search", search), ("score", score), ("download", download)):
        report = stage.execute(args)
        if args.json:
            docs[name] = json.loads(report.to_json())
            code = max(code, report.exit_code)
        else:
            code = max(code, stage.show(report, args))
    funnel = pairs_status(args.table, args.out)
    if args.json:
        docs["status"] = status.document(funnel)
        sys.stdout.write(json.dumps(docs, indent=2, sort_keys=True) + "\n")
    else:
        render.funnel(funnel, title=f"pairs {args.table}")
    return code
