"""SMAP reading: ``swathkit.smap.open`` against the h5py recipe people use today.

For synthetic SPL3SMP (and SPL3SMP_E unless ``--quick``) days and an SPL2SMP half orbit:
the simulator's time and file size, then the time to get soil moisture as masked float
arrays on the grid (AM and PM for L3, the placed grid for L2), and whether both give the
same pixels. The baseline is the NSIDC-notebook recipe: ``h5py`` reads of each group,
``np.where`` on the fill and the valid range, and for L2 ``np.full`` plus fancy-index
assignment through ``EASE_row_index``/``EASE_column_index`` (it knows no grid: no x/y,
no CRS, no lat/lon of empty cells).

Run: ``.venv/bin/python benchmarks/bench_smap_read.py [--quick] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime
from pathlib import Path

import h5py
import numpy as np

from common import median_time, print_table
from swathkit import smap
from swathkit.sim.smap.generate import write_smap

L3_GROUPS = {"SPL3SMP": [("Soil_Moisture_Retrieval_Data_AM", ""),
                         ("Soil_Moisture_Retrieval_Data_PM", "_pm")],
             "SPL3SMP_E": [("Soil_Moisture_Retrieval_Data_AM", ""),
                           ("Soil_Moisture_Retrieval_Data_PM", "_pm")]}
L2_GROUP = "Soil_Moisture_Retrieval_Data"


def recipe_l3(path: Path, groups: list[tuple[str, str]]) -> np.ndarray:
    out = []
    with h5py.File(path) as f:
        for group, suffix in groups:
            ds = f[group][f"soil_moisture{suffix}"]
            values = ds[()]
            lo, hi = ds.attrs["valid_min"], ds.attrs["valid_max"]
            bad = (values == ds.attrs["_FillValue"]) | (values < lo) | (values > hi)
            out.append(np.where(bad, np.nan, values))
    return np.stack(out)


def recipe_l2(path: Path) -> np.ndarray:
    with h5py.File(path) as f:
        g = f[L2_GROUP]
        values = g["soil_moisture"][()]
        rows, cols = g["EASE_row_index"][()], g["EASE_column_index"][()]
    grid = np.full((406, 964), np.nan, np.float32)
    grid[rows, cols] = np.where(values == -9999.0, np.nan, values)
    return grid


def swathkit_read(path: Path) -> np.ndarray:
    with smap.open(path) as ds:
        return ds.soil_moisture.values


def _row(label: str, path: Path, made_s: float, baseline, repeat: int) -> list[object]:
    ours = median_time(lambda: swathkit_read(path), repeat)
    theirs = median_time(baseline, repeat)
    same = np.array_equal(swathkit_read(path), baseline(), equal_nan=True)
    return [label, f"{made_s:.1f}", f"{path.stat().st_size / 1e6:.1f}", f"{ours * 1e3:.0f}",
            f"{theirs * 1e3:.0f}", f"{ours / theirs:.2f}", "yes" if same else "NO"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="SPL3SMP and SPL2SMP only")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for short in ("SPL3SMP",) if args.quick else ("SPL3SMP", "SPL3SMP_E"):
            t0 = time.perf_counter()
            path = write_smap(Path(tmp), short, datetime(2015, 4, 1))[0]
            made = time.perf_counter() - t0
            rows.append(_row(f"{short} (AM+PM)", path, made,
                             lambda p=path, s=short: recipe_l3(p, L3_GROUPS[s]), args.repeat))
        t0 = time.perf_counter()
        path = write_smap(Path(tmp), "SPL2SMP", datetime(2015, 4, 1, 6))[0]
        made = time.perf_counter() - t0
        rows.append(_row("SPL2SMP (placed on M36)", path, made, lambda p=path: recipe_l2(p),
                         args.repeat))
    print_table("SMAP soil moisture to masked grid arrays: swathkit.smap.open vs the h5py "
                "recipe (no grid)",
                ["file", "simulate s", "MB", "swathkit ms", "h5py recipe ms", "ratio",
                 "same pixels"], rows)


if __name__ == "__main__":
    main()
