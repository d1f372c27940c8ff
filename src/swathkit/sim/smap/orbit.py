"""The SMAP orbit and its radiometer swath on a spherical Earth.

Circular and sun-synchronous: 685 km up, 98.1° inclination, descending node at 6 AM and
ascending node at 6 PM mean local solar time, and an exact 8-day repeat of 117 orbits
(so the period is 8 days / 117 ≈ 98.46 min). The conical scan sweeps a swath
``SWATH_KM`` = 1000 km wide centred on the ground track.

Seen from the rotating Earth, the orbit plane turns westward once per mean solar day, so
the ascending node's longitude at any instant is where local time is 18:00. Orbits are
numbered from ``EPOCH`` (a south-most crossing that starts orbit ``EPOCH_ORBIT``); each
orbit has an ascending half (south-most to north-most point) then a descending half.

:func:`overpass` answers, for many points at once, whether one half orbit sees them and
when (the instant the sub-satellite point passes closest), in closed form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["ALTITUDE_KM", "EPOCH", "HALF_ORBIT_S", "INCLINATION_DEG", "PERIOD_S", "SWATH_KM",
           "HalfOrbit", "half_orbit", "half_orbits_between", "overpass",
           "overpass_points", "to_latlon", "track", "unit_vectors"]

F64 = NDArray[np.float64]

EARTH_RADIUS_KM = 6371.0
ALTITUDE_KM = 685.0
INCLINATION_DEG = 98.1
REPEAT_DAYS, REPEAT_ORBITS = 8, 117
PERIOD_S = REPEAT_DAYS * 86_400.0 / REPEAT_ORBITS
HALF_ORBIT_S = PERIOD_S / 2
SWATH_KM = 1000.0
ASCENDING_NODE_HOUR = 18.0
EPOCH = np.datetime64("2015-03-31T23:03:35", "ns")  # orbit 869 starts (a real L1C_TB name)
EPOCH_ORBIT = 869

_INC = np.deg2rad(INCLINATION_DEG)
_HALF_SWATH_RAD = SWATH_KM / 2 / EARTH_RADIUS_KM
_MARGIN_RAD = np.deg2rad(0.6 * HALF_ORBIT_S / 86_400.0 * 360.0)  # > the plane's turn in half a pass


@dataclass(frozen=True)
class HalfOrbit:
    """Half orbit ``index`` (0: the ascending half of orbit ``EPOCH_ORBIT``)."""

    index: int

    @property
    def orbit(self) -> int:
        return EPOCH_ORBIT + self.index // 2

    @property
    def direction(self) -> str:
        """``"A"`` ascending (south to north) or ``"D"`` descending."""
        return "A" if self.index % 2 == 0 else "D"

    @property
    def start(self) -> np.datetime64:
        return EPOCH + np.timedelta64(round(self.index * HALF_ORBIT_S * 1e9), "ns")

    @property
    def end(self) -> np.datetime64:
        return HalfOrbit(self.index + 1).start


def half_orbit(time: np.datetime64) -> HalfOrbit:
    """The half orbit flying at ``time``."""
    return HalfOrbit(int(np.floor(_seconds(time) / HALF_ORBIT_S)))


def half_orbits_between(start: np.datetime64, end: np.datetime64) -> list[HalfOrbit]:
    """The half orbits that start in ``[start, end)``."""
    first = int(np.ceil(_seconds(start) / HALF_ORBIT_S))
    last = int(np.ceil(_seconds(end) / HALF_ORBIT_S))
    return [HalfOrbit(k) for k in range(first, last)]


def overpass(slot: HalfOrbit, lat: F64, lon: F64) -> tuple[NDArray[np.bool_], F64]:
    """Which points the half orbit's swath covers, and when it passes each.

    Args:
        slot: The half orbit.
        lat: Latitudes (degrees), any shape.
        lon: Longitudes (degrees), the shape of ``lat``.

    Returns:
        ``(seen, seconds)``: whether each point lies in the swath during the half orbit,
        and the seconds after :attr:`HalfOrbit.start` of the closest approach (NaN where
        not seen).
    """
    shape = np.shape(lat)
    seen, seconds = overpass_points(slot, unit_vectors(lat, lon))
    return seen.reshape(shape), seconds.reshape(shape)


def unit_vectors(lat: F64, lon: F64) -> F64:
    """Points as Earth-centred unit vectors, (3, n) for :func:`overpass_points`."""
    return _unit(np.ravel(lat).astype(np.float64), np.ravel(lon).astype(np.float64))


def overpass_points(slot: HalfOrbit, p: F64) -> tuple[NDArray[np.bool_], F64]:
    """:func:`overpass` of points given as (3, n) unit vectors (:func:`unit_vectors`)."""
    t0 = _seconds(slot.start)
    # The plane at mid-pass is within _MARGIN_RAD of the plane at any instant of the pass:
    # points farther than that from the swath cannot be seen; the rest get the exact fix.
    t, off = _fix(p, np.full(p.shape[1], HALF_ORBIT_S / 2), t0, slot)
    near = np.flatnonzero(off <= _HALF_SWATH_RAD + _MARGIN_RAD)
    tn = t[near]
    for _ in range(3):  # the plane turns ~0.07° a minute: three fixes converge
        tn, off_near = _fix(p[:, near], tn, t0, slot)
    ok = (tn <= HALF_ORBIT_S) & (off_near <= _HALF_SWATH_RAD)
    seconds = np.full(p.shape[1], np.nan)
    seconds[near[ok]] = tn[ok]
    return np.isfinite(seconds), seconds


def _fix(p: F64, t: F64, t0: float, slot: HalfOrbit) -> tuple[F64, F64]:
    """Closest-approach time (s after the start) and off-track angle, planes taken at ``t``."""
    (nx, ny), (mx, my, mz) = _plane(t0 + t)
    bx, by, bz = -mz * ny, mz * nx, mx * ny - my * nx  # normal × node (in plane)
    u = np.arctan2(p[0] * bx + p[1] * by + p[2] * bz, p[0] * nx + p[1] * ny)
    u0 = -np.pi / 2 + np.pi * (slot.index % 2)  # south-most (A) or north-most (D) point
    seconds = ((u - u0) % (2 * np.pi)) / (2 * np.pi) * PERIOD_S
    off = np.abs(np.arcsin(np.clip(p[0] * mx + p[1] * my + p[2] * mz, -1.0, 1.0)))
    return seconds, off


def track(slot: HalfOrbit, seconds: F64) -> tuple[F64, F64]:
    """Sub-satellite point and flight direction, (3, n) Earth-fixed unit vectors, at
    ``seconds`` after the start of ``slot``."""
    t = np.asarray(seconds, np.float64)
    (nx, ny), (mx, my, mz) = _plane(_seconds(slot.start) + t)
    bx, by, bz = -mz * ny, mz * nx, mx * ny - my * nx  # normal × node (in plane)
    u = -np.pi / 2 + np.pi * (slot.index % 2) + 2 * np.pi * t / PERIOD_S
    cu, su = np.cos(u), np.sin(u)
    point = np.stack([cu * nx + su * bx, cu * ny + su * by, su * bz])
    heading = np.stack([-su * nx + cu * bx, -su * ny + cu * by, cu * bz])
    return point, heading


def to_latlon(vectors: F64) -> tuple[F64, F64]:
    """Latitude and longitude (degrees) of (3, …) unit vectors."""
    x, y, z = vectors
    return np.rad2deg(np.arcsin(np.clip(z, -1.0, 1.0))), np.rad2deg(np.arctan2(y, x))


def _seconds(time: np.datetime64) -> float:
    return float((np.asarray(time, "datetime64[ns]") - EPOCH) / np.timedelta64(1, "ns")) / 1e9


def _unit(lat: F64, lon: F64) -> F64:
    la, lo = np.deg2rad(lat), np.deg2rad(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def _plane(seconds: F64) -> tuple[tuple[F64, F64], tuple[F64, F64, F64]]:
    """Ascending-node direction (x, y) and orbit normal (Earth-fixed) ``seconds`` after EPOCH."""
    utc = float(EPOCH.astype("datetime64[s]").astype(np.int64)) + seconds
    omega = np.deg2rad((ASCENDING_NODE_HOUR - (utc % 86_400.0) / 3600.0) * 15.0)
    cos_o, sin_o = np.cos(omega), np.sin(omega)
    return (cos_o, sin_o), (np.sin(_INC) * sin_o, -np.sin(_INC) * cos_o,
                            np.full_like(omega, np.cos(_INC)))
