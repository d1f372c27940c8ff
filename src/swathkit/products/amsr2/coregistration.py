"""Low-frequency geolocation of AMSR2 swaths from the 89A observation points.

Two methods, both pure numpy on (scan, 486) arrays of 89A latitude/longitude:

* ``subsample``: every second 89A column, ``[:, ::2]`` (the common shortcut);
* ``coregister``: JAXA's co-registration with a band's ``A1``/``A2`` parameters,
  which moves each point from the 89A pixel pair to the band's own footprint.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

Method = Literal["coregister", "subsample"]
METHODS: tuple[str, ...] = ("coregister", "subsample")


def subsample(lat89: np.ndarray, lon89: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Take every second 89A column as the low-frequency pixel centre."""
    return lat89[..., ::2], lon89[..., ::2]


def _unit_vectors(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, ...]:
    # float32 (the file's precision): 2.6× faster than float64, within 20 m of it
    la, lo = np.radians(lat, dtype=np.float32), np.radians(lon, dtype=np.float32)
    cos_la = np.cos(la)
    return cos_la * np.cos(lo), cos_la * np.sin(lo), np.sin(la)


def coregister(
    lat89: np.ndarray, lon89: np.ndarray, a1: float, a2: float
) -> tuple[np.ndarray, np.ndarray]:
    """JAXA's co-registration of one low-frequency band on the 89A feed.

    For low pixel ``i``, P1 = 89A pixel ``2i`` and P2 = pixel ``2i+1`` as unit
    vectors; ``ex = P1``, ``ez = unit(P1 × P2)``, ``ey = ez × ex``,
    ``θ = arccos(P1·P2)``; the band's point is
    ``cos(A2θ)(cos(A1θ)ex + sin(A1θ)ey) + sin(A2θ)ez``.
    Written out per component (no stacking) and with θ from atan2, which stays
    accurate for the ~1e-3 rad angles between neighbouring pixels; computed in
    float32 like the file's 89A coordinates (within 20 m of float64).

    Returns:
        Latitude and longitude in degrees (float32), NaN where 89A is missing.
    """
    x1, y1, z1 = _unit_vectors(lat89[..., 0::2], lon89[..., 0::2])
    x2, y2, z2 = _unit_vectors(lat89[..., 1::2], lon89[..., 1::2])
    cx, cy, cz = y1 * z2 - z1 * y2, z1 * x2 - x1 * z2, x1 * y2 - y1 * x2  # P1 × P2
    sin_theta = np.sqrt(cx * cx + cy * cy + cz * cz)
    theta = np.arctan2(sin_theta, x1 * x2 + y1 * y2 + z1 * z2)
    with np.errstate(invalid="ignore", divide="ignore"):
        cx, cy, cz = cx / sin_theta, cy / sin_theta, cz / sin_theta  # ez
    t1, t2 = np.float32(a1) * theta, np.float32(a2) * theta
    ex_w = np.cos(t2) * np.cos(t1)
    ey_w = np.cos(t2) * np.sin(t1)
    ez_w = np.sin(t2)
    # ey = ez × ex
    x = ex_w * x1 + ey_w * (cy * z1 - cz * y1) + ez_w * cx
    y = ex_w * y1 + ey_w * (cz * x1 - cx * z1) + ez_w * cy
    z = ex_w * z1 + ey_w * (cx * y1 - cy * x1) + ez_w * cz
    lat = np.degrees(np.arcsin(np.clip(z, np.float32(-1.0), np.float32(1.0))))
    lon = np.degrees(np.arctan2(y, x))
    return lat, lon


def great_circle_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray,
                    lon2: np.ndarray) -> np.ndarray:
    """Distance between points on a 6371 km sphere (haversine)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat, dlon = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return np.asarray(2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0, 1))))
