"""GCOM-W1 orbit and AMSR2 conical-scan geometry on a spherical Earth.

The orbit is circular and sun-synchronous: 700 km up, 98.2° inclination, a
98.9 min period, ascending node at 13:30 mean local solar time. Seen from the
rotating Earth the orbit plane therefore turns westward once per mean solar
day, so the node longitude at any instant is where the local time is 13:30.

Time is cut into half orbits of exactly 1978 scans of 1.5 s: half orbit ``k``
starts at ``EPOCH + k · 2967 s``; even ``k`` are ascending (south-most point
to north-most point), odd ``k`` descending. Orbit numbers count from 1 at
``EPOCH`` and change at the south-most point, so both halves of an orbit
share its number.

Each scan is a cone around the sub-satellite point at 55° earth incidence,
which from 700 km over a spherical Earth puts the footprints on a circle of
ground radius ``SCAN_RADIUS_KM`` ≈ 827 km; it looks forward and sweeps
±``PHI_MAX`` ≈ 61.4° of azimuth, for a 1450 km swath. The 486 pixels of the
89 GHz A feed are equally spaced in azimuth, pixel 0 on the left of the flight
direction; the B feed sees a circle ``FEED_B_OFFSET_KM`` closer in.

Each low-frequency band's feedhorn is offset from 89A by
``COREGISTRATION[band] = (A1, A2)``: its pixel ``i`` lies at azimuth
``φ_89A(2i) + A1·Δφ`` and ground radius ``r + s·A2·θ·R`` (``θ`` the angle
between 89A pixels ``2i`` and ``2i+1``, ``s`` the sign that makes the radial
step follow JAXA's ``ez``). That truth is computed here from the geometry,
independently of the co-registration formula readers apply.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from swathkit.products.amsr2.channels import HIGH_PIXELS, LOW_PIXELS

log = logging.getLogger(__name__)

FloatArray = NDArray[np.floating[Any]]
TimeArray = NDArray[np.datetime64]
TimeLike = datetime | np.datetime64 | str

EARTH_RADIUS_KM = 6371.0
ALTITUDE_KM = 700.0
INCLINATION_DEG = 98.2
PERIOD_NS = 5_934_000_000_000  # 98.9 min
SCAN_NS = 1_500_000_000
SCANS_PER_GRANULE = PERIOD_NS // 2 // SCAN_NS  # 1978: a half orbit is a whole number of scans
GRANULE_NS = SCANS_PER_GRANULE * SCAN_NS
NODE_LOCAL_TIME_H = 13.5
INCIDENCE_DEG = 55.0
SWATH_KM = 1450.0
FEED_B_OFFSET_KM = 5.0  # 89B looks this much closer to the satellite than 89A
PATHS_PER_CYCLE = 233  # GCOM-W1 repeats its ground track every 233 orbits (16 days)
EPOCH = np.datetime64("2012-05-18T00:17:42.317", "ns")  # a south-most crossing, orbit 1

# Feedhorn offsets of the low-frequency bands relative to 89A, in units of the
# 89A pixel spacing; exact in five decimals, as the file attributes print them.
COREGISTRATION: dict[str, tuple[float, float]] = {
    "6G": (1.51820, -0.12340),
    "7G": (1.40210, 0.08150),
    "10G": (1.14670, -0.04730),
    "18G": (0.91250, 0.03120),
    "23G": (0.88430, 0.06550),
    "36G": (1.02670, -0.05890),
}

_UTC_OFFSET = re.compile(r"T.*[+-]\d\d:?\d\d$")
_BLOCK_SCANS = 128  # the scan pattern is computed and cached in blocks of this many scans
_SOLAR_DAY_S = 86_400.0
_ORBIT_RATE = 2.0 * np.pi / (PERIOD_NS / 1e9)  # rad/s along the orbit
_PLANE_RATE = -2.0 * np.pi / _SOLAR_DAY_S  # node longitude drift seen from the Earth


def _cone_angles() -> tuple[float, float]:
    """Earth-centre angle of the 55° cone and the half scan sector giving the swath width."""
    ratio = EARTH_RADIUS_KM / (EARTH_RADIUS_KM + ALTITUDE_KM)
    incidence = np.deg2rad(INCIDENCE_DEG)
    rho = float(incidence - np.arcsin(ratio * np.sin(incidence)))
    phi_max = float(np.arcsin(np.sin(SWATH_KM / 2 / EARTH_RADIUS_KM) / np.sin(rho)))
    return rho, phi_max


RHO_89A, PHI_MAX = _cone_angles()
SCAN_RADIUS_KM = RHO_89A * EARTH_RADIUS_KM  # ≈ 827 km for 55° from 700 km
DPHI = 2.0 * PHI_MAX / (HIGH_PIXELS - 1)
PHI_89A: FloatArray = -PHI_MAX + DPHI * np.arange(HIGH_PIXELS)


@dataclass(frozen=True)
class HalfOrbit:
    """One half orbit: the time slot of one L1B granule."""

    index: int
    start: np.datetime64  # first scan
    end: np.datetime64  # end of the last scan = start of the next half orbit

    @property
    def direction(self) -> str:
        """``"A"`` (ascending) for even indices, ``"D"`` (descending) for odd ones."""
        return "A" if self.index % 2 == 0 else "D"

    @property
    def orbit_number(self) -> int:
        return self.index // 2 + 1

    @property
    def path_number(self) -> int:
        """Path 1–233 within the 16-day repeat cycle."""
        return (self.orbit_number - 1) % PATHS_PER_CYCLE + 1


@dataclass(frozen=True)
class GranuleGeometry:
    """Scan times, geolocation and viewing geometry of one granule (its first ``nscan`` scans).

    ``geolocation`` maps ``"89A"``, ``"89B"`` to float64 (lat, lon) of shape
    (nscan, 486) and each low band ``"6G"`` … ``"36G"`` to its true footprints,
    (nscan, 243). Arrays shared with the cache are read-only.
    """

    half_orbit: HalfOrbit
    scan_time: TimeArray  # datetime64[ns] UTC, (nscan,)
    geolocation: dict[str, tuple[FloatArray, FloatArray]]
    incidence: dict[str, float]  # earth incidence (degrees) per feed or band
    earth_azimuth: FloatArray  # (nscan, 243) at 89A pixels 2i: toward the satellite, from north
    position_km: FloatArray  # (nscan, 3) Earth-fixed
    velocity_km_s: FloatArray  # (nscan, 3) Earth-fixed
    orbit_angle: FloatArray  # (nscan,) degrees along the orbit from the ascending node

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """``(west, south, east, north)`` of the 89A footprints (no antimeridian handling)."""
        lat, lon = self.geolocation["89A"]
        return float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())

    def footprint(self, step: int = 100) -> FloatArray:
        """Swath outline, a closed ring of ``(lon, lat)`` rows: left edge, then right edge back."""
        lat, lon = self.geolocation["89A"]
        rows = np.unique(np.r_[np.arange(0, len(lat), step), len(lat) - 1])
        left = np.column_stack([lon[rows, 0], lat[rows, 0]])
        right = np.column_stack([lon[rows, -1], lat[rows, -1]])[::-1]
        return np.vstack([left, right, left[:1]])


@dataclass(frozen=True)
class _Pattern:
    """A half orbit's geometry (or its first scans), ascending node held at longitude 0."""

    geolocation: dict[str, tuple[FloatArray, FloatArray]]
    earth_azimuth: FloatArray
    sat: FloatArray
    vel: FloatArray
    orbit_angle: FloatArray


def to_datetime64(time: TimeLike) -> np.datetime64:
    """Normalise a UTC instant to ``datetime64[ns]``.

    Accepts an aware or naive (taken as UTC) ``datetime``, an ISO 8601 string
    (``Z`` or an offset allowed) or a ``datetime64``.
    """
    if isinstance(time, str):
        if not _UTC_OFFSET.search(time):  # numpy parses naive ISO text down to nanoseconds
            return np.datetime64(time.strip().removesuffix("Z"), "ns")
        time = datetime.fromisoformat(time)
    if isinstance(time, datetime):
        if time.tzinfo is not None:
            time = time.astimezone(UTC).replace(tzinfo=None)
        return cast(np.datetime64, np.datetime64(time, "us").astype("datetime64[ns]"))
    return cast(np.datetime64, time.astype("datetime64[ns]"))


def half_orbit(index: int) -> HalfOrbit:
    """The half orbit (granule slot) with this index."""
    start = EPOCH + np.timedelta64(index * GRANULE_NS, "ns")
    return HalfOrbit(index, start, start + np.timedelta64(GRANULE_NS, "ns"))


def half_orbit_at(time: TimeLike) -> HalfOrbit:
    """The half orbit whose time span ``[start, end)`` contains ``time``."""
    elapsed = int((to_datetime64(time) - EPOCH) // np.timedelta64(1, "ns"))
    return half_orbit(elapsed // GRANULE_NS)


def half_orbits_between(start: TimeLike, end: TimeLike) -> list[HalfOrbit]:
    """Half orbits overlapping ``[start, end)``, in time order."""
    stop = to_datetime64(end)
    slots: list[HalfOrbit] = []
    index = half_orbit_at(start).index
    while (slot := half_orbit(index)).start < stop:
        slots.append(slot)
        index += 1
    return slots


def granule_geometry(slot: HalfOrbit, *, scans: int | None = None) -> GranuleGeometry:
    """Geometry of the first ``scans`` scans (all 1978 by default) of a half orbit.

    Every ascending (and every descending) half orbit has the same geometry in the
    frame that turns with the orbit plane, so it is computed once per direction,
    as far as asked for, and cached (about 80 MB each when full); a granule then
    only turns it in longitude.

    Raises:
        ValueError: ``scans`` is not between 1 and 1978.
    """
    nscan = SCANS_PER_GRANULE if scans is None else scans
    if not 1 <= nscan <= SCANS_PER_GRANULE:
        raise ValueError(f"scans must be 1–{SCANS_PER_GRANULE}, got {scans}")
    times = slot.start + np.arange(nscan) * np.timedelta64(SCAN_NS, "ns")
    pattern = _pattern_cache(slot.direction).head(nscan)
    node = _node_longitude(times)
    shift = np.mod(np.rad2deg(node), 360.0)[:, None]
    geolocation = {
        key: (lat, _shift_longitude(lon, shift))
        for key, (lat, lon) in pattern.geolocation.items()
    }
    radius = EARTH_RADIUS_KM + ALTITUDE_KM
    return GranuleGeometry(
        half_orbit=slot, scan_time=times, geolocation=geolocation, incidence=_incidences(),
        earth_azimuth=pattern.earth_azimuth,
        position_km=radius * _rotate_z(pattern.sat, node),
        velocity_km_s=radius * _rotate_z(pattern.vel, node),
        orbit_angle=pattern.orbit_angle,
    )


def incidence_deg(rho: float) -> float:
    """Earth incidence (degrees) of a footprint ``rho`` radians from the sub-satellite point."""
    radius = EARTH_RADIUS_KM + ALTITUDE_KM
    nadir = np.arctan2(EARTH_RADIUS_KM * np.sin(rho), radius - EARTH_RADIUS_KM * np.cos(rho))
    return float(np.rad2deg(nadir + rho))


def to_latlon(x: FloatArray, y: FloatArray, z: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Unit vectors (Earth-fixed, z to the north pole) to geocentric lat, lon (degrees)."""
    horizontal = np.sqrt(x * x + y * y)
    with np.errstate(divide="ignore", invalid="ignore"):  # poles and lon 180 fixed below
        lat = np.rad2deg(np.arctan(z / horizontal))
        # Half-angle form of atan2(y, x): one arctan is twice as fast as arctan2.
        lon = np.rad2deg(2.0 * np.arctan(y / (horizontal + x)))
    lat = np.where(horizontal > 0, lat, np.copysign(90.0, z))
    return lat, np.where(np.isfinite(lon), lon, 180.0)


def to_unit(lat: FloatArray, lon: FloatArray) -> FloatArray:
    """Latitude, longitude (degrees) to unit vectors stacked on a last axis of 3."""
    la, lo = np.deg2rad(lat), np.deg2rad(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def azimuth_to(points: FloatArray, target: FloatArray) -> FloatArray:
    """Azimuth (degrees clockwise from north, -180–180) from unit ``points`` toward ``target``."""
    x, y, z = points[..., 0], points[..., 1], points[..., 2]
    tx, ty, tz = target[..., 0], target[..., 1], target[..., 2]
    east = -y * tx + x * ty  # (ẑ × p) · t
    north = tz - z * (x * tx + y * ty + z * tz)  # ẑ · (t - (p·t) p); both scaled by cos(lat)
    return np.rad2deg(np.arctan2(east, north))


class _PatternCache:
    """A half orbit's geometry (node at longitude 0), filled block by block on demand.

    Blocks always span the same scans, so every value is computed the same way
    whatever was asked first: a short granule is exactly the head of a full one.
    """

    def __init__(self, direction: str) -> None:
        self._direction = direction
        self._done = [False] * -(-SCANS_PER_GRANULE // _BLOCK_SCANS)
        self._lock = threading.Lock()
        n = SCANS_PER_GRANULE
        widths = {"89A": HIGH_PIXELS, "89B": HIGH_PIXELS}
        widths |= dict.fromkeys(COREGISTRATION, LOW_PIXELS)
        self._full = _Pattern(
            geolocation={k: (np.empty((n, w)), np.empty((n, w))) for k, w in widths.items()},
            earth_azimuth=np.empty((n, LOW_PIXELS)), sat=np.empty((n, 3)), vel=np.empty((n, 3)),
            orbit_angle=np.empty(n),
        )

    def head(self, nscan: int) -> _Pattern:
        """Read-only views of the first ``nscan`` scans, computing missing blocks."""
        blocks = range(-(-nscan // _BLOCK_SCANS))
        if not all(self._done[b] for b in blocks):
            with self._lock:
                todo = [b for b in blocks if not self._done[b]]
                log.debug("computing %d blocks of the %s scan pattern", len(todo), self._direction)
                with ThreadPoolExecutor(max_workers=2) as pool:  # numpy trig releases the GIL
                    list(pool.map(self._fill, todo))
                for b in todo:
                    self._done[b] = True
        return _map_arrays(self._full, lambda a: _read_only(a[:nscan]))

    def _fill(self, block: int) -> None:
        rows = slice(block * _BLOCK_SCANS, min((block + 1) * _BLOCK_SCANS, SCANS_PER_GRANULE))
        part = _compute_pattern(self._direction, np.arange(rows.start, rows.stop))
        targets = _flatten(self._full)
        for target, values in zip(targets, _flatten(part), strict=True):
            target[rows] = values


@cache
def _pattern_cache(direction: str) -> _PatternCache:
    return _PatternCache(direction)


def _compute_pattern(direction: str, scans: NDArray[np.int_]) -> _Pattern:
    """Geometry of the given scans of an ascending or descending half orbit, node at 0."""
    seconds = scans * (SCAN_NS / 1e9)
    u = (-0.5 if direction == "A" else 0.5) * np.pi + _ORBIT_RATE * seconds
    sat, vel = _orbit_state(u)
    fwd = vel / np.linalg.norm(vel, axis=1, keepdims=True)
    frame = np.stack([sat, fwd, np.cross(fwd, sat)], axis=1)  # (nscan, 3 vectors, 3 coords)
    circles = {"89A": (RHO_89A, PHI_89A), "89B": (_rho_89b(), PHI_89A)}
    circles |= {band: (_band_rho(a2), _band_phi(a1)) for band, (a1, a2) in COREGISTRATION.items()}
    geolocation = {key: to_latlon(*_scan_points(frame, *c)) for key, c in circles.items()}
    lat_a, lon_a = geolocation["89A"]
    azimuth = azimuth_to(to_unit(lat_a[:, ::2], lon_a[:, ::2]), sat[:, None, :])
    return _Pattern(geolocation, azimuth, sat, vel, np.rad2deg(u) % 360.0)


def _flatten(p: _Pattern) -> list[FloatArray]:
    pairs = [a for pair in p.geolocation.values() for a in pair]
    return [*pairs, p.earth_azimuth, p.sat, p.vel, p.orbit_angle]


def _map_arrays(p: _Pattern, f: Callable[[FloatArray], FloatArray]) -> _Pattern:
    return _Pattern(
        geolocation={k: (f(lat), f(lon)) for k, (lat, lon) in p.geolocation.items()},
        earth_azimuth=f(p.earth_azimuth), sat=f(p.sat), vel=f(p.vel), orbit_angle=f(p.orbit_angle),
    )


def _read_only(view: FloatArray) -> FloatArray:
    view.flags.writeable = False  # shared by every granule: guard the cache
    return view


def _orbit_state(u: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Sub-satellite unit vector and its time derivative (rad/s), node at longitude 0."""
    sat = _tilt(np.cos(u), np.sin(u))
    drift = np.column_stack([-sat[:, 1], sat[:, 0], np.zeros(len(sat))])  # ẑ × sat
    return sat, _ORBIT_RATE * _tilt(-np.sin(u), np.cos(u)) + _PLANE_RATE * drift


def _tilt(a: FloatArray, b: FloatArray) -> FloatArray:
    """Orbit-plane coordinates (along the node line, 90° ahead) to the node-at-0 Earth frame."""
    inc = np.deg2rad(INCLINATION_DEG)
    return np.asarray(np.column_stack([a, b * np.cos(inc), b * np.sin(inc)]), dtype=np.float64)


def _node_longitude(times: TimeArray) -> FloatArray:
    """Longitude (rad) of the ascending node: where the mean local solar time is 13:30."""
    day = times.astype("datetime64[D]")
    hours = ((times - day) // np.timedelta64(1, "ns")).astype(np.float64) / 3.6e12
    return np.asarray(np.deg2rad(15.0 * (NODE_LOCAL_TIME_H - hours)), dtype=np.float64)


def _rotate_z(vectors: FloatArray, angle: FloatArray) -> FloatArray:
    c, s = np.cos(angle), np.sin(angle)
    x, y = vectors[:, 0], vectors[:, 1]
    return np.column_stack([x * c - y * s, x * s + y * c, vectors[:, 2]])


def _shift_longitude(lon: FloatArray, shift: FloatArray) -> FloatArray:
    """``lon`` in [-180, 180] plus ``shift`` in [0, 360), wrapped into [-180, 180)."""
    out = lon + shift
    np.subtract(out, 360.0, out=out, where=out >= 180.0)  # a single wrap is all it can need
    return out


def _scan_points(frame: FloatArray, rho: float, phi: FloatArray) -> FloatArray:
    """Unit vectors (3, nscan, npix) on the scan circle of angular radius ``rho``.

    ``frame`` holds per scan the sub-satellite point, the forward and the right
    ground directions; azimuth ``phi`` is measured from forward toward right.
    """
    weights = np.stack([np.full_like(phi, np.cos(rho)), np.sin(rho) * np.cos(phi),
                        np.sin(rho) * np.sin(phi)])  # (3 vectors, npix)
    return np.ascontiguousarray(np.einsum("svc,vp->csp", frame, weights, optimize=True))


def _band_phi(a1: float) -> FloatArray:
    """Scan azimuths of a low band's pixels: 89A pixel 2i plus A1 steps."""
    return PHI_89A[0::2][:LOW_PIXELS] + a1 * DPHI


def _band_rho(a2: float) -> float:
    """Angular scan radius of a band whose radial offset is A2 times the 89A pixel angle."""
    return RHO_89A + _radial_sign() * a2 * _pixel_angle()


def _rho_89b() -> float:
    return RHO_89A - FEED_B_OFFSET_KM / EARTH_RADIUS_KM


@cache
def _incidences() -> dict[str, float]:
    rhos = {"89A": RHO_89A, "89B": _rho_89b()}
    rhos |= {band: _band_rho(a2) for band, (_, a2) in COREGISTRATION.items()}
    return {key: incidence_deg(rho) for key, rho in rhos.items()}


@cache
def _pixel_angle() -> float:
    """Angle θ between neighbouring 89A pixels (the same for every pair on the circle)."""
    cos_theta = np.cos(RHO_89A) ** 2 + np.sin(RHO_89A) ** 2 * np.cos(DPHI)
    return float(np.arccos(cos_theta))


@cache
def _radial_sign() -> float:
    """+1 if JAXA's ``ez = unit(P1 × P2)`` points away from the sub-satellite point, else -1."""
    sat, fwd = np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0])
    frame = np.stack([sat, fwd, np.cross(fwd, sat)])[None]
    points = np.moveaxis(_scan_points(frame, RHO_89A, PHI_89A)[:, 0], 0, -1)  # (npix, 3)
    p1, p2 = points[0::2], points[1::2]
    outward = p1 * (p1 @ sat)[:, None] - sat  # tangent at p1, away from the sub-satellite point
    signs = np.sign(np.einsum("ij,ij->i", np.cross(p1, p2), outward))
    if not np.all(signs == signs[0]):
        raise RuntimeError("ez flips along the scan: the scan geometry is inconsistent")
    return float(signs[0])
