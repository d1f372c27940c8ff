"""``swathkit convert``: layers of product files, ASI days, grid cubes and swath stores as
georeferenced GeoTIFF or COG files."""

from __future__ import annotations

import argparse
import glob
from pathlib import Path

from swathkit.cli import render
from swathkit.errors import InputError

_EPILOG = """\
examples:
  swathkit convert SMAP_L3_SM_P_20150401_R19240_001.h5 \\
      --layer Soil_Moisture_Retrieval_Data_AM/soil_moisture --to cog
  swathkit convert SMAP_L1B_TB_00873_A_20150401T053725_R19240_001.h5 \\
      --layer Brightness_Temperature/tb_h --grid ease2-m36
  swathkit convert 'smap/*.h5' --layer Soil_Moisture_Retrieval_Data_AM/soil_moisture --out cogs/
  swathkit convert asi-AMSR2-n6250-20181015-v5.4.nc          (EPSG:3411 before 2018-11-02)
  swathkit convert seaice.zarr --day 2024-03-05              (one day; default: a band per day)
  swathkit convert amsr2.zarr --layer 89.0AH --grid ease2-n25 --granule GW1AM2_..._01D_L1SGBTBR

Layers are HDF5 dataset paths (`swathkit inspect FILE` lists them); a grid cube's
default layer is sic, a swath store's layer is a channel (89.0AH or tb_89_0ah).
Swaths (SMAP L1B_TB, L1C_S0_HiRes, AMSR2 stores) need --grid: they are resampled
from their own lat/lon (--method nearest by default; flags always nearest).
An output already there is kept (outputs are written under a temporary name and
renamed, so one that exists is complete); --overwrite writes it again. With several
inputs a failing one is listed with its reason and the rest go on (exit 1 if any
failed); a single bad input is an error (exit 2)."""


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("convert", help="layers, ASI days, cubes and swaths as GeoTIFF / COG",
                       description="Write one layer of each input as a GeoTIFF or "
                       "Cloud-Optimised GeoTIFF with the exact CRS and geotransform of its "
                       "grid (SMAP: EASE-Grid 2.0; ASI: polar stereographic with the EPSG "
                       "code of its date), nodata from the fill, units, scale/offset and "
                       "attributes as tags, the dataset path (or date) as band description. "
                       "1-D cell lists (L1C_TB, L2) are placed on their grid, (…, 3) arrays "
                       "and cube days become bands; COG overviews are nearest for flags.",
                       epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+", help="files, folders (their .h5/.nc files), globs, "
                   "grid cubes or swath stores")
    p.add_argument("--layer", help="HDF5 dataset path, cube variable or AMSR2 channel")
    p.add_argument("--to", choices=("geotiff", "cog"), default="cog", help="output format")
    p.add_argument("--grid", help="target grid (registry name) for swaths, or for a file "
                   "swathkit does not know whose layer is on a registered grid")
    p.add_argument("--method", choices=("nearest", "bucket", "ewa"), default="nearest",
                   help="swath resampling (default nearest)")
    p.add_argument("--day", help="a grid cube: only this day (YYYY-MM-DD)")
    p.add_argument("--granule", action="append", default=[], metavar="ID",
                   help="a swath store: only this granule (repeatable; default: all)")
    p.add_argument("--out", help="output file (one output), or folder (several, an "
                   "existing folder or a path ending in /); default: beside each input")
    p.add_argument("--overwrite", action="store_true", help="write outputs already there again")
    render.add_json_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from swathkit.jobs.convert import convert
    from swathkit.jobs.raster_sources import Options, cube_day
    from swathkit.products.grids import grid

    if args.grid:
        grid(args.grid)  # an unknown name is a usage error before any work
    opts = Options(layer=args.layer, grid=args.grid, method=args.method,
                   day=cube_day(args.day), granules=tuple(args.granule))
    with render.progress_bar("convert") as progress:
        report = convert(_inputs(args.files), opts, out=args.out, cog=args.to == "cog",
                         overwrite=args.overwrite, progress=progress)
    if not args.json and report.extras.written:
        render.table("converted", ["input", "output", "grid", "EPSG", "bands"],
                     [(w.item, w.output, w.grid, w.epsg, w.bands)
                      for w in report.extras.written])
    return render.job_report(report, as_json=args.json)


def _inputs(items: list[str]) -> list[str]:
    found: list[str] = []
    for item in items:
        p = Path(item)
        if p.is_dir() and not (p / "zarr.json").exists():  # a folder of files
            matches = sorted(str(m) for m in p.iterdir() if m.suffix in (".h5", ".nc")
                             and m.is_file())
        else:  # a file, a store, or a glob (a user's glob may be absolute: not Path.glob)
            matches = [item] if p.exists() or "://" in item else sorted(glob.glob(item))  # noqa: PTH207
        if not matches:
            raise InputError(f"{item}: no such file or store, or no .h5/.nc file matches; "
                             "check the path")
        found += matches
    return found
