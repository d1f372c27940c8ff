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


def _unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat.astype(np.float64)), np.radians(lon.astype(np.float64))
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def _normalise(v: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return v / np.linalg.norm(v, axis=-1, keepdims=True)


def coregister(
    lat89: np.ndarray, lon89: np.ndarray, a1: float, a2: float
) -> tuple[np.ndarray, np.ndarray]:
    """JAXA's co-registration of one low-frequency band on the 89A feed.

    For low pixel ``i``, P1 = 89A pixel ``2i`` and P2 = pixel ``2i+1`` as unit
    vectors; ``ex = P1``, ``ez = unit(P1 × P2)``, ``ey = ez × ex``,
    ``θ = arccos(P1·P2)``; the band's point is
    ``cos(A2θ)(cos(A1θ)ex + sin(A1θ)ey) + sin(A2θ)ez``.

    Returns:
        Latitude and longitude in degrees (float64), NaN where 89A is missing.
    """
    p1 = _unit_vectors(lat89[..., 0::2], lon89[..., 0::2])
    p2 = _unit_vectors(lat89[..., 1::2], lon89[..., 1::2])
    ez = _normalise(np.cross(p1, p2))
    ey = np.cross(ez, p1)
    theta = np.arccos(np.clip(np.sum(p1 * p2, axis=-1), -1.0, 1.0))[..., None]
    point = np.cos(a2 * theta) * (np.cos(a1 * theta) * p1 + np.sin(a1 * theta) * ey)
    point = point + np.sin(a2 * theta) * ez
    lat = np.degrees(np.arcsin(np.clip(point[..., 2], -1.0, 1.0)))
    lon = np.degrees(np.arctan2(point[..., 1], point[..., 0]))
    return lat, lon


def great_circle_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray,
                    lon2: np.ndarray) -> np.ndarray:
    """Distance between points on a 6371 km sphere (haversine)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat, dlon = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0, 1)))
