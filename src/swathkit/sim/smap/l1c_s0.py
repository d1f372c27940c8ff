"""Synthetic SMAP L1C_S0_HiRes: radar backscatter on the 1 km swath grid of a half orbit.

The grid follows the ground track: row ``i`` is ``i`` km along it from the segment's
start, column ``j`` is ``j - COLS/2 + 0.5`` km to the right of it. The SAR processing
leaves a nadir gap (``NADIR_GAP_KM`` either side of the track): fills there. A HiRes
granule holds the segment of ``rows`` km of its half orbit with the most land (the radar
ran its high-resolution mode over land).
``Sigma0_Data`` holds ``cell_sigma0_{hh,vv,xpol}_{fore,aft}`` (linear, float32, fill
-9999), their quality flags, and ``cell_lat``/``cell_lon`` (no ``_FillValue``).

Backscatter from the synthetic Earth at 1 km: open water (the ocean and the lakes and
rivers of :func:`swathkit.sim.surface_water.surface_water`) is dark, wet soil brighter
than dry (``SIGMA0_DB``); the swath must be warped onto a grid from lat/lon.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from swathkit.geodata import land_fraction
from swathkit.products.smap.table import SmapProduct
from swathkit.sim.smap.earth import soil_moisture_truth
from swathkit.sim.smap.h5out import FLOAT_FILL, Extent, Var, new_file, write_metadata, write_var
from swathkit.sim.smap.l2 import half_orbit_name
from swathkit.sim.smap.l3 import GLOBAL_BOUNDS
from swathkit.sim.smap.orbit import (
    EARTH_RADIUS_KM,
    HALF_ORBIT_S,
    PERIOD_S,
    HalfOrbit,
    to_latlon,
    track,
)
from swathkit.sim.surface_water import WATER, surface_water

__all__ = ["COLS", "NADIR_GAP_KM", "SIGMA0_DB", "swath_grid", "write_l1c_s0_half_orbit"]

COLS = 1000
NADIR_GAP_KM = 150.0
SIGMA0_DB = {"water": {"vv": -25.0, "hh": -27.0, "xpol": -35.0},
             "dry": {"vv": -17.0, "hh": -18.5, "xpol": -26.0}}  # at the driest soil
WET_DB_PER_SM = 25.0  # dB per cm³/cm³ above the driest
NOISE_DB = 0.3
_KM_PER_S = 2 * np.pi * EARTH_RADIUS_KM / PERIOD_S

F64 = NDArray[np.float64]


def swath_grid(slot: HalfOrbit, rows: int) -> tuple[F64, F64, F64]:
    """Latitude, longitude (degrees) of the (rows, COLS) cells, and each row's seconds
    after the slot's start, for the ``rows`` km of the track with the most land."""
    t = _landiest(slot, rows) + (np.arange(rows, dtype=np.float64) - rows / 2) / _KM_PER_S
    point, heading = track(slot, t)
    right = np.cross(heading, point, axis=0)
    gamma = (np.arange(COLS) - COLS / 2 + 0.5) / EARTH_RADIUS_KM
    cells = (np.cos(gamma)[None, None, :] * point[:, :, None]
             + np.sin(gamma)[None, None, :] * right[:, :, None])
    lat, lon = to_latlon(cells)
    return lat, lon, t


def _landiest(slot: HalfOrbit, rows: int) -> float:
    """Seconds after the start of the centre of the ``rows`` km with the most land below."""
    step = 30.0
    t = np.arange(0.0, HALF_ORBIT_S, step)
    nadir, _ = track(slot, t)
    land = (land_fraction(*to_latlon(nadir)) >= 0.5).astype(np.float64)
    width = max(1, int(rows / _KM_PER_S / step))
    counts = np.convolve(land, np.ones(width), mode="valid")
    return float(t[int(np.argmax(counts)) + width // 2])


def write_l1c_s0_half_orbit(out: Path, product: SmapProduct, slot: HalfOrbit, *,
                            seed: int = 0, crid: str = "R13080", counter: int = 1,
                            rows: int = 600) -> Path:
    """Write a ``rows`` km HiRes segment of ``slot`` into ``out``; returns the file."""
    name = half_orbit_name(product, slot, crid=crid, counter=counter)
    path = out / name.file_name
    lat, lon, t = swath_grid(slot, rows)
    values = _sigma0(slot, lat, lon, np.random.default_rng([seed, slot.index]))
    begin = slot.start + np.timedelta64(round(t[0] * 1e9), "ns")
    end = slot.start + np.timedelta64(round(t[-1] * 1e9), "ns")
    with new_file(path) as f:
        group = f.create_group("Sigma0_Data", track_order=True)
        for var in _vars():
            write_var(group, var, values[var.name])
        write_metadata(f, product, name.file_name, crid, Extent(begin, end, GLOBAL_BOUNDS))
    return path


def _vars() -> list[Var]:
    out = [Var(f"cell_sigma0_{p}_{look}", "f4", "", f"Normalized radar cross section "
               f"(linear), {p}, {look} look, in the 1 km cell", (0.0, 10.0))
           for p in ("hh", "vv", "xpol") for look in ("fore", "aft")]
    out += [Var(f"cell_sigma0_qual_flag_{p}", "u2", "", f"Quality of cell_sigma0_{p}",
                flags=("quality_recommended", "range_check", "rfi_detected"))
            for p in ("hh", "vv", "xpol")]
    out += [Var("cell_lat", "f4", "degrees_north", "Latitude of the cell centre", (-90.0, 90.0)),
            Var("cell_lon", "f4", "degrees_east", "Longitude of the cell centre",
                (-180.0, 180.0))]
    return out


def _sigma0(slot: HalfOrbit, lat: F64, lon: F64,
            rng: np.random.Generator) -> dict[str, np.ndarray]:
    middle = slot.start + (slot.end - slot.start) // 2
    water = surface_water(lon, lat) == WATER
    wet = (soil_moisture_truth(lat, lon, middle) - 0.02) * WET_DB_PER_SM
    gap = np.abs(np.arange(COLS) - COLS / 2 + 0.5) < NADIR_GAP_KM
    values: dict[str, np.ndarray] = {"cell_lat": lat, "cell_lon": lon}
    for p in ("hh", "vv", "xpol"):
        db = np.where(water, SIGMA0_DB["water"][p], SIGMA0_DB["dry"][p] + wet)
        for look in ("fore", "aft"):
            noisy = db + rng.standard_normal(lat.shape) * NOISE_DB
            values[f"cell_sigma0_{p}_{look}"] = np.where(gap, FLOAT_FILL, 10 ** (noisy / 10))
        values[f"cell_sigma0_qual_flag_{p}"] = np.broadcast_to(np.where(gap, 65534, 0),
                                                               lat.shape)
    return values
