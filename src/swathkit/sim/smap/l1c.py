"""Synthetic SMAP L1C_TB half orbits: brightness temperatures as 1-D cell lists.

Three groups, as in the real files: ``Global_Projection`` (M36), ``North_Polar_Projection``
(N36, cells north of the equator) and ``South_Polar_Projection`` (S36, south of it). Each
lists every cell the half orbit saw, land or sea, in row-major order, with
``cell_row``/``cell_column`` on its grid, fore and aft looks (``cell_tb_{v,h}_{fore,aft}``,
their quality flags, errors and J2000 times 45 s before and after the closest
approach) and ``cell_lat``/``cell_lon`` (-9999 without ``_FillValue``, never needed here).
Over land the TB is the emission model of :mod:`swathkit.sim.smap.earth`; over the sea a
calm L-band ocean; cells mix both by land fraction.
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from swathkit.geodata import land_fraction
from swathkit.products.grids import Grid, grid
from swathkit.products.smap.table import SmapGroup, SmapProduct
from swathkit.sim.smap.coverage import half_orbit_coverage
from swathkit.sim.smap.earth import scene
from swathkit.sim.smap.h5out import Extent, Var, new_file, write_metadata, write_var
from swathkit.sim.smap.l2 import half_orbit_name
from swathkit.sim.smap.l3 import GLOBAL_BOUNDS
from swathkit.sim.smap.orbit import HalfOrbit

__all__ = ["LOOK_OFFSET_S", "OCEAN_TB_K", "write_l1c_half_orbit"]

OCEAN_TB_K = {"h": 75.0, "v": 115.0}
LOOK_OFFSET_S = {"fore": -45.0, "aft": 45.0}
NEDT_K = 1.1
_LOOKS = ("fore", "aft")
_POLS = ("v", "h")


def _vars(g: Grid) -> list[Var]:
    out = [Var(f"cell_tb_{p}_{look}", "f4", "Kelvin", f"Brightness temperature, {p.upper()} "
               f"polarization, {look} look, in the grid cell", (0.0, 340.0))
           for look in _LOOKS for p in _POLS]
    out += [Var(f"cell_tb_qual_flag_{p}_{look}", "u2", "", f"Quality of cell_tb_{p}_{look}",
                flags=("quality_recommended", "range_check", "rfi_detected"))
            for look in _LOOKS for p in _POLS]
    out += [Var(f"cell_tb_error_{p}_{look}", "f4", "Kelvin", f"Error of cell_tb_{p}_{look}",
                (0.0, 10.0)) for look in _LOOKS for p in _POLS]
    out += [Var(f"cell_tb_time_seconds_{look}", "f8", "seconds", f"J2000 time of the {look} "
                "look", (0.0, 2e9)) for look in _LOOKS]
    out += [Var("cell_lat", "f4", "degrees_north", "Latitude of the cell centre", (-90.0, 90.0)),
            Var("cell_lon", "f4", "degrees_east", "Longitude of the cell centre",
                (-180.0, 179.999)),
            Var("cell_row", "u2", "", "Row of the cell on its grid", (0, g.rows - 1)),
            Var("cell_column", "u2", "", "Column of the cell on its grid", (0, g.cols - 1))]
    return out


def write_l1c_half_orbit(out: Path, product: SmapProduct, slot: HalfOrbit, *, seed: int = 0,
                         crid: str = "R19240", counter: int = 1) -> Path:
    """Write one L1C_TB half orbit into ``out``; returns the file."""
    name = half_orbit_name(product, slot, crid=crid, counter=counter)
    path = out / name.file_name
    with new_file(path) as f:
        for index, group in enumerate(product.groups):
            _write_group(f, group, slot, np.random.default_rng([seed, slot.index, index]))
        write_metadata(f, product, name.file_name, crid,
                       Extent(slot.start, slot.end, GLOBAL_BOUNDS))
    return path


def _write_group(f: h5py.File, group: SmapGroup, slot: HalfOrbit,
                 rng: np.random.Generator) -> None:
    g = grid(group.grid)
    seen, seconds = half_orbit_coverage(g, slot)
    lon, lat = g.lonlat(dtype=np.float64)
    if g.hemisphere:  # a polar grid lists its own hemisphere
        seen &= (lat > 0) if g.hemisphere == "n" else (lat < 0)
    rows, cols = np.nonzero(seen)
    la, lo = lat[rows, cols], lon[rows, cols]
    middle = slot.start + (slot.end - slot.start) // 2
    sc = scene(la, lo, middle, "am" if slot.direction == "D" else "pm")
    share = land_fraction(la, lo)
    values: dict[str, np.ndarray] = {"cell_lat": la, "cell_lon": lo, "cell_row": rows,
                                     "cell_column": cols}
    for look in _LOOKS:
        for p, land_tb in (("v", sc.tb_v), ("h", sc.tb_h)):
            tb = share * land_tb + (1 - share) * np.float32(OCEAN_TB_K[p])
            values[f"cell_tb_{p}_{look}"] = tb + rng.standard_normal(tb.shape) * NEDT_K
            values[f"cell_tb_qual_flag_{p}_{look}"] = np.zeros(rows.size, np.uint16)
            values[f"cell_tb_error_{p}_{look}"] = np.full(rows.size, NEDT_K, np.float32)
        values[f"cell_tb_time_seconds_{look}"] = seconds[rows, cols] + LOOK_OFFSET_S[look]
    h5 = f.create_group(group.name, track_order=True)
    for var in _vars(g):
        write_var(h5, var, values[var.name])
