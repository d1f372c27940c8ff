"""Synthetic SMAP L1B_TB half orbits: the radiometer's conical scan as a (scan, footprint) swath.

The 6 m antenna spins at 14.6 rpm around the nadir axis and looks 35.5° off nadir, so
from 685 km its footprints fall on a circle of ground radius ~502 km at 40° Earth
incidence: the 1000 km swath. Each scan is one turn of ``FOOTPRINTS`` footprints, equally
spaced in time and azimuth (footprint 0 straight ahead, then clockwise seen from above);
the scans follow one another along the ground track of :mod:`swathkit.sim.smap.orbit`.

``Brightness_Temperature`` holds the facts' (n_scans, n_footprints) float32 arrays
(fill -9999) with ``tb_lat``/``tb_lon`` and J2000 ``tb_time_seconds``; ``Spacecraft_Data``
the per-scan ``antenna_scan_time``, ``footprints_per_scan``, ``sc_nadir_lat``/``lon``.
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
from numpy.typing import NDArray

from swathkit.geodata import land_fraction
from swathkit.products.smap.table import SmapProduct
from swathkit.products.timescales import utc_to_j2000
from swathkit.sim.smap.earth import scene
from swathkit.sim.smap.h5out import Extent, Var, new_file, write_metadata, write_var
from swathkit.sim.smap.l1c import NEDT_K, OCEAN_TB_K
from swathkit.sim.smap.l2 import half_orbit_name
from swathkit.sim.smap.l3 import GLOBAL_BOUNDS
from swathkit.sim.smap.orbit import (
    ALTITUDE_KM,
    EARTH_RADIUS_KM,
    HALF_ORBIT_S,
    HalfOrbit,
    to_latlon,
    track,
)

__all__ = ["FOOTPRINTS", "INCIDENCE_DEG", "SCAN_S", "scan_geometry", "write_l1b_half_orbit"]

SCAN_S = 60.0 / 14.6
FOOTPRINTS = 180  # one every 2° of azimuth
INCIDENCE_DEG = 40.0
_LOOK = np.arcsin(EARTH_RADIUS_KM / (EARTH_RADIUS_KM + ALTITUDE_KM)
                  * np.sin(np.deg2rad(INCIDENCE_DEG)))
GROUND_ANGLE = np.deg2rad(INCIDENCE_DEG) - _LOOK  # Earth-centre angle nadir → footprint

F64 = NDArray[np.float64]


def scan_geometry(slot: HalfOrbit, scans: int | None = None) -> tuple[F64, F64, F64]:
    """Footprint latitude, longitude (degrees) and seconds after the slot's start,
    each (scans, FOOTPRINTS); default: the scans that fit in the half orbit."""
    n = scans if scans is not None else int(HALF_ORBIT_S // SCAN_S)
    t = (np.arange(n)[:, None] + np.arange(FOOTPRINTS)[None, :] / FOOTPRINTS) * SCAN_S
    point, heading = track(slot, t.ravel())
    right = np.cross(heading, point, axis=0)  # to the right of the flight direction
    phi = np.tile(2 * np.pi * np.arange(FOOTPRINTS) / FOOTPRINTS, n)
    look = np.cos(phi) * heading + np.sin(phi) * right
    ground = np.cos(GROUND_ANGLE) * point + np.sin(GROUND_ANGLE) * look
    lat, lon = to_latlon(ground)
    return lat.reshape(t.shape), lon.reshape(t.shape), t


def _tb_vars() -> list[Var]:
    out = [Var(f"tb_{c}", "f4", "Kelvin", f"Brightness temperature, channel {c}",
               (-340.0 if c in "34" else 0.0, 340.0)) for c in ("h", "v", "3", "4")]
    out += [Var(f"tb_{c}_surface_corrected", "f4", "Kelvin", f"tb_{c} corrected for the "
                "atmosphere and the sky", (0.0, 340.0)) for c in ("h", "v")]
    out += [Var("tb_lat", "f4", "degrees", "Latitude of the footprint centre", (-90.0, 90.0)),
            Var("tb_lon", "f4", "degrees", "Longitude of the footprint centre",
                (-180.0, 180.0)),
            Var("tb_time_seconds", "f8", "seconds", "J2000 time of the footprint", (0.0, 2e9)),
            Var("earth_boresight_incidence", "f4", "degrees", "Earth incidence angle of the "
                "boresight", (0.0, 90.0))]
    out += [Var(f"tb_qual_flag_{c}", "u2", "", f"Quality of tb_{c}", flags=(
        "quality_recommended", "range_check", "rfi_detected")) for c in ("h", "v", "3", "4")]
    out += [Var(f"nedt_{c}", "f4", "Kelvin", f"Noise-equivalent delta T of tb_{c}", (0.0, 10.0))
            for c in ("h", "v", "3", "4")]
    return out


def write_l1b_half_orbit(out: Path, product: SmapProduct, slot: HalfOrbit, *, seed: int = 0,
                         crid: str = "R19240", counter: int = 1,
                         scans: int | None = None) -> Path:
    """Write one L1B_TB half orbit into ``out``; returns the file."""
    name = half_orbit_name(product, slot, crid=crid, counter=counter)
    path = out / name.file_name
    lat, lon, t = scan_geometry(slot, scans)
    rng = np.random.default_rng([seed, slot.index])
    seconds0 = float(utc_to_j2000(np.array([slot.start]))[0])
    with new_file(path) as f:
        tb = f.create_group("Brightness_Temperature", track_order=True)
        values = _tb_values(slot, lat, lon, t + seconds0, rng)
        for var in _tb_vars():
            write_var(tb, var, values[var.name])
        _spacecraft(f, slot, t[:, 0], seconds0)
        write_metadata(f, product, name.file_name, crid,
                       Extent(slot.start, slot.end, GLOBAL_BOUNDS))
    return path


def _tb_values(slot: HalfOrbit, lat: F64, lon: F64, seconds: F64,
               rng: np.random.Generator) -> dict[str, np.ndarray]:
    middle = slot.start + (slot.end - slot.start) // 2
    sc = scene(lat, lon, middle, "am" if slot.direction == "D" else "pm")
    share = land_fraction(lat, lon)
    values: dict[str, np.ndarray] = {"tb_lat": lat, "tb_lon": lon, "tb_time_seconds": seconds,
                                     "earth_boresight_incidence":
                                         np.full(lat.shape, INCIDENCE_DEG, np.float32)}
    for c, land_tb in (("h", sc.tb_h), ("v", sc.tb_v)):
        clean = share * land_tb + (1 - share) * np.float32(OCEAN_TB_K[c])
        values[f"tb_{c}_surface_corrected"] = clean
        values[f"tb_{c}"] = clean + rng.standard_normal(lat.shape) * NEDT_K
    for c in ("3", "4"):
        values[f"tb_{c}"] = rng.standard_normal(lat.shape) * NEDT_K
    for c in ("h", "v", "3", "4"):
        values[f"tb_qual_flag_{c}"] = np.zeros(lat.shape, np.uint16)
        values[f"nedt_{c}"] = np.full(lat.shape, NEDT_K, np.float32)
    return values


def _spacecraft(f: h5py.File, slot: HalfOrbit, t: F64, seconds0: float) -> None:
    point, _ = track(slot, t)
    lat, lon = to_latlon(point)
    sc = f.create_group("Spacecraft_Data", track_order=True)
    for var, values in (
            (Var("antenna_scan_time", "f8", "seconds", "J2000 time of the scan start",
                 (0.0, 2e9)), t + seconds0),
            (Var("footprints_per_scan", "u2", "", "Footprints in the scan",
                 (0, FOOTPRINTS)), np.full(t.shape, FOOTPRINTS)),
            (Var("sc_nadir_lat", "f4", "degrees", "Latitude of the nadir point", (-90.0, 90.0)),
             lat),
            (Var("sc_nadir_lon", "f4", "degrees", "Longitude of the nadir point",
                 (-180.0, 180.0)), lon)):
        write_var(sc, var, values)
