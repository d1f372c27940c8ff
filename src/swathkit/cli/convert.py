"""``swathkit convert``: a layer of product files as georeferenced GeoTIFF or COG files."""

from __future__ import annotations

import argparse
import glob
import os
from pathlib import Path

from swathkit.cli import render
from swathkit.errors import InputError


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("convert", help="a layer of product files as GeoTIFF / COG",
                       description="Write one layer (an HDF5 dataset path) of each file as a "
                       "GeoTIFF or Cloud-Optimised GeoTIFF with the exact CRS and "
                       "geotransform of its grid (SMAP: EASE-Grid 2.0), nodata from the fill, "
                       "units and attributes as tags, the dataset path as band description. "
                       "1-D cell lists (L1C_TB, L2) are placed on their grid; (…, 3) arrays "
                       "become three bands; COG overviews are nearest for flags.",
                       epilog="example: swathkit convert SMAP_L3_SM_P_20150401_R19240_001.h5 "
                       "--layer Soil_Moisture_Retrieval_Data_AM/soil_moisture --to cog")
    p.add_argument("files", nargs="+", help="files, folders or globs")
    p.add_argument("--layer", required=True, help="HDF5 dataset path of the layer")
    p.add_argument("--to", choices=("geotiff", "cog"), default="cog", help="output format")
    p.add_argument("--grid", help="target grid (registry name) for layers that need one")
    p.add_argument("--out", help="output file (one input), or folder (several inputs, an "
                   "existing folder or a path ending in /); default: beside each input")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from swathkit.jobs.rasters import load_layer
    from swathkit.stores.raster import write_raster

    inputs = _inputs(args.files)
    rows = []
    for path in inputs:
        raster = load_layer(path, args.layer, grid=args.grid)
        out = _out(path, args.layer, args.out, len(inputs))
        write_raster(raster, out, cog=args.to == "cog")
        rows.append([path.name, str(out), raster.grid.name, str(len(raster.descriptions))])
    render.table("converted", ["input", "output", "grid", "bands"], rows)
    return 0


def _inputs(items: list[str]) -> list[Path]:
    found: list[Path] = []
    for item in items:
        p = Path(item)
        # a user's glob may be absolute, which Path.glob refuses
        matches = sorted(p.glob("*.h5")) if p.is_dir() else [
            Path(m) for m in sorted(glob.glob(item))]  # noqa: PTH207
        if not matches:
            raise InputError(f"{item}: no such file, or no .h5 file matches; check the path")
        found += matches
    return found


def _out(path: Path, layer: str, out: str | None, n: int) -> Path:
    name = f"{path.stem}_{layer.strip('/').rsplit('/', 1)[-1]}.tif"
    if out is None:
        return path.with_name(name)
    target = Path(out)
    if target.is_dir() or n > 1 or out.endswith(("/", os.sep)):  # a folder: made if needed
        target.mkdir(parents=True, exist_ok=True)
        return target / name
    return target
