"""``swathkit sim``: the built-in simulated archive (synthetic files now, servers later)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from swathkit.cli import render, sim_serve

PRODUCTS = ("amsr2-l1b",)


def utc_time(text: str) -> datetime:
    """argparse type: an ISO time, UTC unless it says otherwise."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO time such as 2022-02-16T00:00") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def add(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sim", help="synthetic product files in the real layout",
                       description="The simulated archive: deterministic synthetic files with "
                       "real names and byte layout, for demos and tests.")
    verbs = p.add_subparsers(title="sim verbs", metavar="<sim verb>", required=True)
    g = verbs.add_parser("generate", help="write synthetic granules to a folder",
                         description="Write consecutive synthetic granules (half orbits of "
                         "1978 scans, ~30 a day) with their real file names.",
                         epilog="example: swathkit sim generate amsr2-l1b "
                         "--start 2022-02-16T00:00 --granules 30 --out granules/")
    g.add_argument("product", choices=PRODUCTS)
    g.add_argument("--start", type=utc_time, required=True,
                   help="UTC ISO time inside the first granule")
    g.add_argument("--granules", type=int, default=1, help="how many consecutive granules")
    g.add_argument("--scans", type=int, default=None,
                   help="scans per granule (default: full size, 1978); fewer for fast tests")
    g.add_argument("--seed", type=int, default=0, help="noise seed (same seed, same bytes)")
    g.add_argument("--out", type=Path, required=True, help="output folder")
    g.set_defaults(run=run_generate)
    sim_serve.add_serve(verbs)


def run_generate(args: argparse.Namespace) -> int:
    from swathkit.sim.amsr2_l1b import write_granules

    args.out.mkdir(parents=True, exist_ok=True)
    with render.progress_bar("generate") as progress:
        paths = write_granules(args.out, args.start, args.granules, scans=args.scans,
                               seed=args.seed, progress=progress)
    render.table(f"wrote {len(paths)} granules to {args.out}", ("file", "MB"),
                 [(p.name, f"{p.stat().st_size / 1e6:.1f}") for p in paths])
    return 0
