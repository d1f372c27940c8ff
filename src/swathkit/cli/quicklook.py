"""``swathkit quicklook``: a PNG of one product layer in its grid's projection."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from swathkit.cli import render
from swathkit.errors import InputError

_STRETCHES = ("percentile", "stddev", "minmax", "histeq", "gamma", "log")


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("quicklook", help="a PNG of a product layer with a statistical stretch",
                       description="Draw one layer (an HDF5 dataset path) of a product file "
                       "on its grid, in the grid's own projection (x/y metres), with offline "
                       "coastlines and a colour bar naming units and stretch. Stretches: "
                       "percentile (2–98 %% cut, as QGIS; --percentiles 0.5,99.5 for satpy's "
                       "linear), stddev (mean ± 2σ, as QGIS), minmax, histeq, gamma, log. "
                       "Statistics skip fill, NaN and values outside valid_min/valid_max. "
                       "Flag layers are drawn as categories with a legend, never stretched.",
                       epilog="examples:\n  swathkit quicklook SMAP_L3_SM_P_20170307_R18290_001.h5 "
                       "--layer Soil_Moisture_Retrieval_Data_AM/soil_moisture\n"
                       "  swathkit quicklook F.h5 --layer Soil_Moisture_Retrieval_Data_AM/"
                       "soil_moisture --stretch stddev --json\n"
                       "  swathkit quicklook F.h5 --layer Soil_Moisture_Retrieval_Data_AM/"
                       "retrieval_qual_flag --out flags.png\n"
                       "  swathkit quicklook sic.zarr --layer sic --day 2024-03-05 "
                       "--stretch minmax",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", help="a product file (SMAP grid products and cell lists), or a "
                   "grid cube store with --day")
    p.add_argument("--day", type=date.fromisoformat,
                   help="YYYY-MM-DD: the day of a grid cube to draw (--layer names the variable)")
    p.add_argument("--layer", required=True, help="HDF5 dataset path of the layer")
    p.add_argument("--stretch", choices=_STRETCHES, default="percentile",
                   help="contrast stretch (default percentile 2–98 %%)")
    p.add_argument("--limits", help="LO,HI in data units: override the statistic")
    p.add_argument("--percentiles", default="2,98", help="LO,HI percent for percentile")
    p.add_argument("--k", type=float, default=2.0, help="σ multiple for stddev (default 2)")
    p.add_argument("--gamma", type=float, default=1.0, help="γ for the gamma stretch")
    p.add_argument("--band", type=int, default=0, help="band of a 3-D layer (default 0)")
    p.add_argument("--out", help="output PNG (default: beside the input)")
    p.add_argument("--json", action="store_true",
                   help="print the output path and stretch limits as JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from swathkit.jobs.quicklook import quicklook_layer

    path = Path(args.file)
    if not path.exists():
        raise InputError(f"{path}: no such file or store; check the path")
    if path.is_dir() and args.day is None:
        raise InputError(f"{path}: a store: pass --day YYYY-MM-DD (and --layer VARIABLE)")
    leaf = args.layer.strip("/").rsplit("/", 1)[-1]
    out = Path(args.out) if args.out else path.with_name(f"{path.stem}_{leaf}.png")
    result = quicklook_layer(path, args.layer, out, stretch=args.stretch,
                             limits=_pair(args.limits, "--limits"),
                             percentiles=_pair(args.percentiles, "--percentiles") or (2.0, 98.0),
                             k=args.k, gamma=args.gamma, band=args.band, day=args.day)
    if args.json:
        print(json.dumps(result, sort_keys=True))
        return 0
    lims = result.get("limits")
    render.table("quicklook", ["input", "output", "grid", "drawn as", "limits"],
                 [[path.name, result["out"], result["grid"], result["drawn_as"],
                   "" if lims is None else f"{lims[0]:.4g}, {lims[1]:.4g}"]])
    return 0


def _pair(text: str | None, flag: str) -> tuple[float, float] | None:
    if text is None:
        return None
    try:
        lo, hi = (float(t) for t in text.split(","))
    except ValueError:
        raise InputError(f"{flag} {text!r}: give two numbers LO,HI, e.g. 0.05,0.45") from None
    if not hi > lo:
        raise InputError(f"{flag} {text!r}: HI must be above LO")
    return lo, hi
