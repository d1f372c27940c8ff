"""``swathkit sim``: the built-in simulated archive (synthetic files now, servers later)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from swathkit.cli import render
from swathkit.cli.options import ASI_GRIDS, positive_int, utc_time
from swathkit.errors import InputError
from swathkit.sim import cli_serve as sim_serve

if TYPE_CHECKING:
    from swathkit.sim.seasat.headers import SyntheticTake

PRODUCTS = ("amsr2-l1b", "asi", "seasat", "seasat-hdr", "smap")
SMAP_PRODUCTS = ("SPL3SMP", "SPL3SMP_E", "SPL2SMP", "SPL2SMP_E", "SPL1CTB", "SPL1BTB", "SPL1CS0",
                 "SPL1BS0")


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("sim", help="synthetic product files in the real layout",
                       description="The simulated archive: deterministic synthetic files with "
                       "real names and byte layout, for demos and tests.")
    verbs = p.add_subparsers(title="sim verbs", metavar="<sim verb>", required=True)
    g = verbs.add_parser("generate", help="write synthetic files to a folder",
                         description="Write synthetic files with their real names: AMSR2 L1B "
                         "granules (half orbits of 1978 scans, ~30 a day), Bremen ASI daily "
                         "sea-ice grids, or SMAP products (L3 days; L2, L1C_TB, L1B_TB and "
                         "radar L1C_S0_HiRes half orbits).",
                         epilog="examples: swathkit sim generate amsr2-l1b "
                         "--start 2022-02-16T00:00 --granules 30 --out granules/ | "
                         "swathkit sim generate asi --grid n3125 --start 2020-03-01 "
                         "--days 31 --out asi/ | swathkit sim generate seasat --lines 2000 "
                         "--ber 1e-3 --takes 2 --out take.raw | swathkit sim generate "
                         "seasat-hdr --lines 20000 --out take.hdr | swathkit sim generate smap "
                         "--product SPL3SMP --start 2015-04-01 --days 7 --out smap/")
    g.add_argument("product", choices=PRODUCTS)
    g.add_argument("--start", type=utc_time,
                   help="UTC ISO time inside the first granule, or the first day (asi); "
                   "required for amsr2-l1b, asi and smap (smap: a day, or an instant of the "
                   "first half orbit)")
    g.add_argument("--granules", type=int, default=1,
                   help="amsr2-l1b, smap half-orbit products: how many consecutive granules")
    g.add_argument("--scans", type=int, default=None,
                   help="amsr2-l1b: scans per granule (default: full size, 1978); fewer for "
                   "fast tests")
    g.add_argument("--product", dest="smap_product", type=str.upper, choices=SMAP_PRODUCTS,
                   help="smap: the product (SPL3SMP, SPL3SMP_E: days; SPL2SMP, SPL2SMP_E, "
                   "SPL1CTB, SPL1BTB, SPL1CS0: half orbits; SPL1BS0 is not simulated yet)")
    g.add_argument("--grid", choices=ASI_GRIDS, default="n3125",
                   help="asi: the grid (default: n3125)")
    g.add_argument("--days", type=positive_int, default=1,
                   help="asi, smap daily products: how many consecutive days")
    g.add_argument("--seed", type=int, default=0, help="noise seed (same seed, same bytes)")
    g.add_argument("--lines", type=positive_int, default=None,
                   help="seasat: range lines in the raw file (default 2000, ~18 MB); "
                   "seasat-hdr: range lines in the take (default 20000)")
    g.add_argument("--ber", type=float, default=1e-3,
                   help="seasat: bit-error rate over the whole stream (default 1e-3)")
    g.add_argument("--takes", type=positive_int, default=1, help="seasat: data takes in the file")
    g.add_argument("--slope", type=float, default=None,
                   help="seasat, seasat-hdr: the true MSEC slope in ms per line (default 1/PRF "
                   "= 0.607164541590771; some takes truly ran at 0.486)")
    g.add_argument("--kind", default="good",
                   choices=("good", "constant-2^24", "constant-2^27-1", "random"),
                   help="seasat, seasat-hdr: a repairable take, or one ASF rejected whole")
    g.add_argument("--out", type=Path, required=True,
                   help="output folder (seasat: the raw file, its truth beside it; "
                   "seasat-hdr: the .hdr file to write)")
    g.set_defaults(run=run_generate)
    sim_serve.add_serve(verbs)


def run_generate(args: argparse.Namespace) -> int:
    if args.product == "seasat":
        return _generate_seasat(args)
    if args.product == "seasat-hdr":
        return _generate_seasat_hdr(args)
    if args.start is None:
        raise InputError(f"sim generate {args.product} needs --start (a UTC ISO time, e.g. "
                         "2022-02-16T00:00)")
    args.out.mkdir(parents=True, exist_ok=True)
    if args.product == "asi":
        return _generate_asi(args)
    if args.product == "smap":
        return _generate_smap(args)
    from swathkit.sim.gportal.amsr2_l1b import write_granules

    with render.progress_bar("generate") as progress:
        paths = write_granules(args.out, args.start, args.granules, scans=args.scans,
                               seed=args.seed, progress=progress)
    render.table(f"wrote {len(paths)} granules to {args.out}", ("file", "MB"),
                 [(p.name, f"{p.stat().st_size / 1e6:.1f}") for p in paths])
    return 0


def _generate_asi(args: argparse.Namespace) -> int:
    from swathkit.sim.bremen.asi import write_asi_days

    with render.progress_bar(f"generate asi {args.grid}") as progress:
        paths = write_asi_days(args.out, args.grid, args.start.date(), args.days,
                               seed=args.seed, progress=progress)
    render.table(f"wrote {len(paths)} days of {args.grid} to {args.out}", ("file", "MB"),
                 [(p.name, f"{p.stat().st_size / 1e6:.1f}") for p in paths])
    return 0


def _generate_smap(args: argparse.Namespace) -> int:
    from swathkit.sim.smap.generate import write_smap

    if args.smap_product is None:
        raise InputError("sim generate smap needs --product (e.g. --product SPL3SMP)")
    with render.progress_bar(f"generate {args.smap_product}") as progress:
        paths = write_smap(args.out, args.smap_product, args.start, days=args.days,
                           granules=args.granules, seed=args.seed, progress=progress)
    render.table(f"wrote {len(paths)} {args.smap_product} files to {args.out}", ("file", "MB"),
                 [(p.name, f"{p.stat().st_size / 1e6:.1f}") for p in paths])
    return 0


def _synthetic_take(args: argparse.Namespace, default_lines: int) -> SyntheticTake:
    from swathkit.products.seasat.layout import MS_PER_LINE
    from swathkit.sim.seasat.headers import MIN_TAKE_LINES, synthetic_take

    lines = args.lines or default_lines
    if lines < MIN_TAKE_LINES:
        raise InputError(f"--lines {lines}: a take with time-tag damage needs at least "
                         f"{MIN_TAKE_LINES} lines")
    return synthetic_take(lines, seed=args.seed, kind=args.kind,
                          slope=MS_PER_LINE if args.slope is None else args.slope)


def _write_take_truth(path: Path, take: SyntheticTake) -> None:
    """The true MSEC and the corruption of each line, as text beside the generated file."""
    import numpy as np

    from swathkit.products.seasat.hdr import column

    lines = len(take.reason)
    np.savetxt(path, np.column_stack([np.arange(lines), take.true[:, column("msec")],
                                      take.reason]), fmt="%d",
               header="line msec_true corruption (0 none, 1 bit flip, 2 glitch, 3 random, "
               "4 stair, 5 bad start, 6 discontinuity)")


def _generate_seasat_hdr(args: argparse.Namespace) -> int:
    import numpy as np

    from swathkit.products.seasat.hdr import write_hdr

    if args.out.suffix != ".hdr":
        raise InputError(f"--out {args.out}: seasat-hdr writes one .hdr file; name it *.hdr")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    take = _synthetic_take(args, 20_000)
    write_hdr(args.out, take.observed)
    truth = args.out.with_name(args.out.name.removesuffix(".hdr") + ".truth.txt")
    _write_take_truth(truth, take)
    corrupted = int(np.count_nonzero(take.observed != take.true))
    render.table(f"wrote {args.out}", ("", ""),
                 [("lines", f"{len(take.reason):,}"), ("true slope", f"{take.slope} ms/line"),
                  ("kind", take.kind.value), ("values corrupted", f"{corrupted:,}"),
                  ("discontinuities (line, lines lost)", str(list(take.lost))),
                  ("truth", str(truth))])
    return 0


def _generate_seasat(args: argparse.Namespace) -> int:
    from swathkit.sim.seasat.headers import MIN_TAKE_LINES, header_fields
    from swathkit.sim.seasat.telemetry import TelemetryOptions, clean_headers, write_telemetry
    from swathkit.sim.seasat.truth import truth_path

    lines = args.lines or 2000
    if not 0.0 <= args.ber < 0.5:
        raise InputError(f"--ber {args.ber}: give a bit-error rate in [0, 0.5), e.g. 1e-3")
    if args.takes > lines:
        raise InputError(f"--takes {args.takes} is more than --lines {lines}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # the header fields carry the time-tag damage of the archive (clock stairs, MSEC bit
    # flips, bad start times...); a very short stream gets clean headers
    if lines >= MIN_TAKE_LINES:
        take = _synthetic_take(args, lines)
        headers = header_fields(take.observed)
        headers_truth = args.out.with_name(args.out.name + ".msec.truth.txt")
        _write_take_truth(headers_truth, take)
        truth_names = f"{truth_path(args.out).name}, {headers_truth.name}"
    else:
        headers, truth_names = clean_headers(lines), truth_path(args.out).name
    options = TelemetryOptions(ber=args.ber, takes=args.takes, seed=args.seed,
                               keep_samples=lines <= 20_000)
    with render.progress_bar("generate seasat") as progress:
        truth = write_telemetry(args.out, headers, options, progress=progress)
    render.facts(f"wrote {args.out}", [
        ("MB", f"{args.out.stat().st_size / 1e6:.1f}"), ("lines", f"{truth.lines:,}"),
        ("takes", args.takes), ("bits flipped", f"{truth.bit_errors:,}"),
        ("frames dropped / repeated", f"{int(truth.missing.sum()):,} / "
                                      f"{int(truth.repeated.sum()):,}"),
        ("cadence slips", truth.slips),
        ("truth", truth_names)])
    return 0
