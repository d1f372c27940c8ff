"""What the synthetic Earth looks like to SMAP: soil moisture, L-band emission, flags.

All closed-form functions of position and time (the truth a test recovers):

- soil moisture (cm³/cm³) over land: wet tropics and high latitudes, dry subtropical
  belts, waves in longitude, a seasonal cycle (wettest in each hemisphere's spring);
  within ``SM_RANGE``;
- the ground is frozen where the skin temperature of :func:`swathkit.sim.earth.climate`
  (cooler at 6 AM, warmer at 6 PM) is below 273.15 K: no retrieval there;
- cells where the land fraction (:func:`swathkit.geodata.land_fraction`) is under one
  half are open water: no retrieval; land cells with more than ``WATER_SHARE`` water
  (coasts, lakes) are flagged static water bodies;
- brightness temperatures (K) from a simple emission model: emissivity falls as the
  soil gets wetter, H more than V, attenuated by the vegetation opacity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from swathkit.geodata import land_fraction
from swathkit.sim.earth import climate, day_of_year

__all__ = ["FREEZE_K", "SM_RANGE", "WATER_SHARE", "SmapScene", "landcover", "scene",
           "soil_moisture_truth"]

F32 = NDArray[np.float32]
SM_RANGE = (0.02, 0.5)
FREEZE_K = 273.15
WATER_SHARE = 0.1
_DIURNAL_K = {"am": -4.0, "pm": 3.0}
_YEAR_DAYS = 365.2422


@dataclass(frozen=True)
class SmapScene:
    """The surface at a set of points and one instant (float32 arrays of one shape)."""

    land: NDArray[np.bool_]  # the cell is land (land fraction >= 0.5)
    water_body: NDArray[np.bool_]  # land with over WATER_SHARE water: static water flag
    frozen: NDArray[np.bool_]  # frozen ground: no retrieval
    soil_moisture: F32  # the truth, cm³/cm³
    surface_temperature: F32  # K
    vegetation_opacity: F32
    tb_h: F32  # K, the emission model at 40° incidence
    tb_v: F32


def soil_moisture_truth(lat: NDArray[np.floating], lon: NDArray[np.floating],
                        time: np.datetime64) -> F32:
    """Soil moisture (cm³/cm³, float32) at each point, land or not."""
    la = np.deg2rad(np.asarray(lat, np.float64))
    lo = np.deg2rad(np.asarray(lon, np.float64))
    doy = day_of_year(time)
    dry_belt = np.exp(-((np.abs(np.rad2deg(la)) - 25.0) / 9.0) ** 2)
    spring = np.sign(la) * np.sin(2 * np.pi * (doy - 80.0) / _YEAR_DAYS)
    sm = 0.30 - 0.22 * dry_belt + 0.06 * np.sin(3 * lo) * np.cos(2 * la)
    sm += 0.07 * spring * np.minimum(1.0, np.abs(np.rad2deg(la)) / 30.0)
    return np.asarray(np.clip(sm, *SM_RANGE), dtype=np.float32)


def vegetation_opacity(lat: NDArray[np.floating], lon: NDArray[np.floating]) -> F32:
    """Vegetation optical depth (nepers): dense in the tropics, sparse in deserts and tundra."""
    la = np.deg2rad(np.asarray(lat, np.float64))
    lo = np.deg2rad(np.asarray(lon, np.float64))
    tau = 0.05 + 0.45 * np.cos(la) ** 6 + 0.05 * (1 + np.sin(2 * lo))
    return np.asarray(tau, dtype=np.float32)


def scene(lat: NDArray[np.floating], lon: NDArray[np.floating], time: np.datetime64,
          overpass: str) -> SmapScene:
    """The surface SMAP sees at ``time`` on its ``"am"`` or ``"pm"`` overpass."""
    lat64, lon64 = np.asarray(lat, np.float64), np.asarray(lon, np.float64)
    fraction = land_fraction(lat64, lon64)
    land = fraction >= 0.5
    water_body = land & (fraction < 1.0 - WATER_SHARE)
    skin = climate(lat64, lon64, time).skin + np.float32(_DIURNAL_K[overpass])
    sm = soil_moisture_truth(lat64, lon64, time)
    tau = vegetation_opacity(lat64, lon64)
    tb_h, tb_v = _emission(sm, skin, tau)
    return SmapScene(land, water_body, land & (skin < FREEZE_K), sm, skin, tau, tb_h, tb_v)


def _emission(sm: F32, temperature: F32, tau: F32) -> tuple[F32, F32]:
    """τ-ω model with ω = 0: soil emissivity from moisture, one-way canopy transmissivity."""
    gamma = np.exp(-tau / np.cos(np.deg2rad(40.0))).astype(np.float32)
    e_h = np.float32(0.95) - np.float32(1.05) * sm
    e_v = np.float32(0.98) - np.float32(0.75) * sm
    canopy = (np.float32(1.0) - gamma) * (np.float32(1.0) + gamma * (np.float32(1.0) - e_h))
    tb_h = temperature * (e_h * gamma + canopy)
    canopy_v = (np.float32(1.0) - gamma) * (np.float32(1.0) + gamma * (np.float32(1.0) - e_v))
    tb_v = temperature * (e_v * gamma + canopy_v)
    return tb_h.astype(np.float32), tb_v.astype(np.float32)


def landcover(lat: NDArray[np.floating], lon: NDArray[np.floating]) -> tuple[
        NDArray[np.uint8], F32]:
    """The three dominant IGBP classes of each cell and their fractions (…, 3)."""
    la = np.abs(np.asarray(lat, np.float64))
    lo = np.asarray(lon, np.float64)
    first = np.select([la < 15, la < 35, la < 55, la < 70], [2, 7, 4, 10], 16).astype(np.uint8)
    second = ((first.astype(np.int64) + 1 + (np.floor(lo / 30.0).astype(np.int64) % 5))
              % 17).astype(np.uint8)
    third = ((second.astype(np.int64) + 3) % 17).astype(np.uint8)
    share = 0.5 + 0.3 * (0.5 + 0.5 * np.sin(np.deg2rad(lo) * 4))
    fractions = np.stack([share, (1 - share) * 0.7, (1 - share) * 0.3], axis=-1)
    return np.stack([first, second, third], axis=-1), fractions.astype(np.float32)
