"""Synthetic SMAP L2 half-orbit soil moisture (L2_SM_P on 36 km, L2_SM_P_E on 9 km + polar).

A group holds 1-D (N,) lists of the land cells the half orbit saw, in row-major grid
order, placed by ``EASE_row_index`` / ``EASE_column_index``; landcover is (N, 3). Open
water and cells outside the swath are not listed. The values are the synthetic Earth's
at the middle of the half orbit, seen at each cell's pass time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import h5py
import numpy as np

from swathkit.products.grids import grid
from swathkit.products.smap.names import SmapName
from swathkit.products.smap.table import SmapGroup, SmapProduct
from swathkit.sim.smap.coverage import half_orbit_coverage
from swathkit.sim.smap.h5out import FLOAT_FILL, Extent, new_file, write_metadata, write_var
from swathkit.sim.smap.l3 import GLOBAL_BOUNDS
from swathkit.sim.smap.orbit import HalfOrbit
from swathkit.sim.smap.retrieval import Cells, retrieval_values, sm_vars

__all__ = ["half_orbit_name", "write_l2_half_orbit"]


def half_orbit_name(product: SmapProduct, slot: HalfOrbit, *, crid: str = "R19240",
                    counter: int = 1) -> SmapName:
    """The file name of ``slot`` for a half-orbit product (start to the second)."""
    start = datetime.fromisoformat(str(slot.start.astype("datetime64[s]"))).replace(tzinfo=UTC)
    return SmapName(product.level, crid, counter, orbit=slot.orbit, direction=slot.direction,
                    start=start)


def write_l2_half_orbit(out: Path, product: SmapProduct, slot: HalfOrbit, *, seed: int = 0,
                        crid: str = "R19240", counter: int = 1) -> Path:
    """Write one half orbit of an L2 product into ``out``; returns the file."""
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
    rows, cols = np.nonzero(seen)  # row-major order
    lon, lat = g.lonlat(dtype=np.float64)
    cells = Cells(lat[rows, cols], lon[rows, cols], rows, cols, np.ones(rows.size, bool),
                  seconds[rows, cols])
    middle = slot.start + (slot.end - slot.start) // 2
    values = retrieval_values(cells, middle, "am" if slot.direction == "D" else "pm", rng=rng)
    listed = values["latitude"] != FLOAT_FILL  # land cells only
    h5 = f.create_group(group.name, track_order=True)
    coordinates = f"/{group.name}/latitude /{group.name}/longitude"
    for var in sm_vars(g.shape):
        write_var(h5, var, values[var.name][listed], coordinates="" if var.name in (
            "latitude", "longitude") else coordinates)
