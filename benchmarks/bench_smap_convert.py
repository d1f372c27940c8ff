"""``swathkit convert`` of an SMAP L3 layer to COG against ``gdal_translate``.

For a synthetic SPL3SMP day (M36, 964 × 406) and unless ``--quick`` an SPL3SMP_E day
(M09, 3856 × 1624): the time of ``swathkit.jobs.convert.convert`` (read, decode, write
a COG with overviews) of ``Soil_Moisture_Retrieval_Data_AM/soil_moisture``, median of
the repeats after a first call (timed apart: it imports the libraries), and whether
its pixels equal the baseline's.

Baseline: ``gdal_translate -of COG`` through GDAL's HDF5 driver with the
georeferencing added by hand (``-a_srs EPSG:6933 -a_ullr …`` from the EASE-Grid 2.0
corners, ``-a_nodata -9999``), when ``gdal_translate`` is on PATH (Debian:
``apt-get install gdal-bin``); otherwise ``rasterio`` alone: ``h5py`` read, the same
georeferencing by hand, ``rasterio.shutil.copy`` to COG. The table says which ran.

Pixels are compared as masked arrays: the fill (-9999) is masked in both; swathkit also
masks stored values outside ``valid_min``/``valid_max`` (the baseline keeps them), which
the table counts apart.

Run: ``.venv/bin/python benchmarks/bench_smap_convert.py [--quick] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path

import h5py
import numpy as np
import rasterio

from common import median_time, print_table
from swathkit.jobs.convert import convert
from swathkit.jobs.raster_sources import Options
from swathkit.products.grids import grid
from swathkit.sim.smap.generate import write_smap

LAYER = "Soil_Moisture_Retrieval_Data_AM/soil_moisture"
GRIDS = {"SPL3SMP": "ease2-m36", "SPL3SMP_E": "ease2-m09"}


def ullr(name: str) -> list[str]:
    x0, y0, x1, y1 = grid(name).bounds
    return [repr(v) for v in (x0, y1, x1, y0)]


def gdal_baseline(path: Path, out: Path, grid_name: str) -> None:
    out.unlink(missing_ok=True)
    subprocess.run(["gdal_translate", "-q", "-of", "COG", "-co", "COMPRESS=DEFLATE",
                    "-co", "BLOCKSIZE=512", "-a_srs", f"EPSG:{grid(grid_name).epsg}",
                    "-a_ullr", *ullr(grid_name), "-a_nodata", "-9999",
                    f'HDF5:"{path}"://{LAYER}', str(out)], check=True, capture_output=True)


def rasterio_baseline(path: Path, out: Path, grid_name: str) -> None:
    from rasterio.io import MemoryFile
    from rasterio.shutil import copy as rio_copy
    from rasterio.transform import from_bounds

    g = grid(grid_name)
    with h5py.File(path) as f:
        values = f[LAYER][()]
    profile = {"driver": "GTiff", "width": g.cols, "height": g.rows, "count": 1,
               "dtype": values.dtype.name, "crs": f"EPSG:{g.epsg}",
               "transform": from_bounds(*g.bounds, g.cols, g.rows), "nodata": -9999.0}
    with MemoryFile() as mem:
        with mem.open(**profile) as dst:
            dst.write(values, 1)
        with mem.open() as src:
            rio_copy(src, out, driver="COG", compress="DEFLATE", blocksize=512)


def ours(path: Path, out: Path) -> None:
    report = convert([str(path)], Options(layer=LAYER), out=str(out), overwrite=True)
    assert report.ok, report.failures


def compare(ours_tif: Path, base_tif: Path, path: Path) -> tuple[str, int, int, bool]:
    with rasterio.open(ours_tif) as a, rasterio.open(base_tif) as b:
        same_geo = (a.crs == b.crs and np.allclose(a.transform.to_gdal(), b.transform.to_gdal(),
                                                   rtol=0, atol=1e-6))
        x, y = a.read(1, masked=True), b.read(1, masked=True)
    with h5py.File(path) as f:
        ds = f[LAYER]
        raw = ds[()]
        out_of_range = (raw != -9999.0) & ((raw < ds.attrs["valid_min"])
                                           | (raw > ds.attrs["valid_max"]))
    agree = (x.mask == y.mask) & (x.mask | (x.data == y.data))
    differ = int((~agree).sum())
    explained = int((~agree & out_of_range).sum())
    verdict = "equal" if differ == 0 else ("equal except out-of-range" if differ == explained
                                           else f"{differ - explained} differ")
    return verdict, differ, explained, same_geo


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="SPL3SMP only")
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    use_gdal = shutil.which("gdal_translate") is not None
    baseline_name = "gdal_translate (HDF5 driver, -a_srs/-a_ullr)" if use_gdal else \
        "rasterio by hand (gdal_translate not on PATH)"
    baseline = gdal_baseline if use_gdal else rasterio_baseline
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for short in ["SPL3SMP"] if args.quick else ["SPL3SMP", "SPL3SMP_E"]:
            [path] = write_smap(folder / short, short, datetime(2015, 4, 1))
            mine, base = folder / f"{short}_ours.tif", folder / f"{short}_base.tif"
            t0 = time.perf_counter()
            ours(path, mine)  # the first call imports h5py, xarray, dask, rasterio
            t_first = time.perf_counter() - t0
            t_ours = median_time(lambda path=path, mine=mine: ours(path, mine), args.repeat)
            t_base = median_time(lambda path=path, base=base, short=short: baseline(
                path, base, GRIDS[short]), args.repeat)
            verdict, differ, explained, same_geo = compare(mine, base, path)
            g = grid(GRIDS[short])
            rows.append((short, f"{g.cols} × {g.rows}", f"{t_first:.3f}", f"{t_ours:.3f}",
                         f"{t_base:.3f}",
                         f"{t_ours / t_base:.2f}", "yes" if same_geo else "NO", verdict,
                         f"{differ:,} ({explained:,} out of range)",
                         f"{mine.stat().st_size / 1e6:.2f} / {base.stat().st_size / 1e6:.2f}"))
    print_table(f"convert L3 layer → COG (median of {args.repeat}); baseline: {baseline_name}",
                ("product", "grid", "swathkit 1st s", "swathkit s", "baseline s", "ratio",
                 "same CRS+transform", "pixels", "pixels differing", "MB ours / base"), rows)


if __name__ == "__main__":
    main()
