"""``swathkit pairs score-files``: score a SAR footprint on local DSWE tiles."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from swathkit.cli import render
from swathkit.errors import InputError

if TYPE_CHECKING:  # imported by run() (fast --help)
    from swathkit.jobs.pairs.score_files import FileScore

_CLASSES = "comma-separated INWAM class codes"


def add(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = verbs.add_parser(
        "score-files", help="valid and water fractions of a footprint on DSWE tiles",
        description="Read the window of each DSWE INWAM tile (all of one date and grid "
        "region) under a SAR footprint, merge them in the tiles' own CRS and count the "
        "classes inside the footprint (or, as the seed did, inside its lon/lat bounding "
        "box). valid = 1 - n(invalid)/N (or n(valid classes)/N), water = n(water)/N; the "
        "pair is kept when both reach their minimum. Exit 0 keep, 1 reject, 2 bad input.",
        epilog="examples:\n  swathkit pairs score-files a_INWAM.TIF b_INWAM.TIF "
        "--footprint 'POLYGON((-90.6 30.1, -89.9 30.0, -89.8 30.6, -90.5 30.7, -90.6 30.1))'"
        "\n  swathkit pairs score-files a_INWAM.TIF --footprint scene.geojson --within bbox "
        "--json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("tiles", nargs="+", metavar="DSWE.tif", help="INWAM GeoTIFFs of one date")
    p.add_argument("--footprint", required=True, metavar="WKT|GeoJSON|FILE",
                   help="the SAR scene's footprint in lon/lat: WKT, GeoJSON, or a file")
    p.add_argument("--within", choices=("footprint", "bbox"), default="footprint",
                   help="count inside the footprint (default) or its lon/lat bounding box "
                   "(the seed's measure)")
    p.add_argument("--invalid-classes", type=_codes, default=None,
                   help=f"{_CLASSES} that are not valid data (default 9,255: cloud, fill)")
    p.add_argument("--valid-classes", type=_codes, default=None,
                   help=f"{_CLASSES} counted as valid instead (valid = n(these)/N)")
    p.add_argument("--water-classes", type=_codes, default=None,
                   help=f"{_CLASSES} counted as water (default 1,2)")
    p.add_argument("--min-valid", type=float, default=None,
                   help="smallest valid fraction kept (default 0.5)")
    p.add_argument("--min-water", type=float, default=None,
                   help="smallest water fraction kept (default 0.05)")
    render.add_json_option(p)
    p.set_defaults(run=run)


def _codes(text: str) -> tuple[int, ...]:
    try:
        codes = tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give {_CLASSES}, like 1,2") from None
    if not codes or any(not 0 <= c <= 255 for c in codes):
        raise argparse.ArgumentTypeError(f"{text!r}: give {_CLASSES} between 0 and 255")
    return codes


def run(args: argparse.Namespace) -> int:
    from swathkit.jobs.pairs.score_files import score_files
    from swathkit.process.overlap import ScoreRules

    given = {"invalid_classes": args.invalid_classes, "valid_classes": args.valid_classes,
             "water_classes": args.water_classes, "min_valid": args.min_valid,
             "min_water": args.min_water}
    if args.valid_classes is not None and args.invalid_classes is not None:
        raise InputError("--valid-classes and --invalid-classes both given; give one of them")
    rules = ScoreRules(within=args.within, **{k: v for k, v in given.items() if v is not None})
    if args.json:
        result = score_files(args.tiles, args.footprint, rules=rules)
        sys.stdout.write(json.dumps(result.to_dict(), sort_keys=True) + "\n")
    else:
        with render.progress_bar("tiles") as progress:
            result = score_files(args.tiles, args.footprint, rules=rules, progress=progress)
        _show(result)
    return 0 if result.score.decision == "keep" else 1


def _show(result: FileScore) -> None:
    s = result.score
    rows = [(str(code), f"{n:,}", f"{n / s.n:.4f}") for code, n in s.counts]
    rows.append(("other", f"{s.other:,}", f"{s.other / s.n:.4f}"))
    render.table(f"classes inside the {s.within}", ("class", "pixels", "share"), rows)
    read = (f"{result.bytes_read:,} of {result.file_bytes:,} bytes"
            if result.bytes_read is not None and result.file_bytes else "-")
    render.facts("score", [
        ("tiles", ", ".join(result.tiles)), ("box read (rows × cols)",
                                             f"{result.shape[0]} × {result.shape[1]}"),
        ("pixels counted (N)", f"{s.n:,}"), ("valid fraction", f"{s.valid_fraction:.4f}"),
        ("water fraction", f"{s.water_fraction:.4f}"), ("read", read),
        ("decision", s.decision), ("reasons", "; ".join(s.reasons) or "-")])
