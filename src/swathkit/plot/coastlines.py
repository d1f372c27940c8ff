"""Coastline polylines traced offline from the cached land-fraction grid.

The coastline is the 0.5 iso-line of :func:`swathkit.geodata.land_fraction_grid`,
traced with ``contourpy`` (a dependency of matplotlib). Shores of large lakes
come out too, which is what a quicklook wants. Nothing is downloaded.
"""

from __future__ import annotations

import functools

import contourpy
import numpy as np

from swathkit.geodata import land_fraction_grid

_LEVEL = 0.5


def coastlines(step: int = 4) -> list[np.ndarray]:
    """Coastline polylines at a resolution of ``0.05° × step``.

    Args:
        step: Coarsening of the 0.05° land grid; 4 gives 0.2° (a few seconds
            the first time, cached for the process afterwards).

    Returns:
        Polylines, each a read-only ``(N, 2)`` float64 array of (lon, lat) in
        degrees, lon in [-180, 180]. A line crossing the antimeridian is split
        there, both pieces ending exactly on ±180°.
    """
    if step < 1:
        raise ValueError(f"step must be a positive integer, got {step}")
    return list(_coastlines(int(step)))


@functools.cache
def _coastlines(step: int) -> tuple[np.ndarray, ...]:
    frac, lats, lons = land_fraction_grid(step)
    # Rows south to north for contourpy; one wrapped column past 180°E closes the
    # gap between the last and first cell centres.
    z = np.concatenate([frac[::-1], frac[::-1, :1]], axis=1)
    x = np.append(lons, lons[-1] + (lons[1] - lons[0]))
    gen = contourpy.contour_generator(x, lats[::-1], z, line_type=contourpy.LineType.Separate)
    lines: list[np.ndarray] = []
    for line in gen.lines(_LEVEL):
        pts = np.asarray(line, dtype=np.float64)
        pts[:, 0] = np.where(pts[:, 0] > 180.0, pts[:, 0] - 360.0, pts[:, 0])
        lines.extend(split_at_antimeridian(pts))
    for pts in lines:
        pts.setflags(write=False)  # shared by every caller through the cache
    return tuple(lines)


def split_at_antimeridian(line: np.ndarray) -> list[np.ndarray]:
    """Split a (lon, lat) polyline where consecutive lons jump by more than 180°.

    Each cut gets an interpolated point on the antimeridian, at +180° on one
    side and -180° on the other, so the pieces meet at the map edge.

    Args:
        line: ``(N, 2)`` array of (lon, lat) degrees, lon in [-180, 180].

    Returns:
        Pieces with at least two points each.
    """
    cuts = np.flatnonzero(np.abs(np.diff(line[:, 0])) > 180.0)
    if cuts.size == 0:
        return [line] if len(line) >= 2 else []
    pieces: list[np.ndarray] = []
    start = 0
    entry: np.ndarray | None = None
    for i in cuts.tolist():
        (lon0, lat0), (lon1, lat1) = line[i], line[i + 1]
        edge = 180.0 if lon0 > 0 else -180.0
        lon1_unwrapped = lon1 + 2.0 * edge
        t = (edge - lon0) / (lon1_unwrapped - lon0)
        lat_edge = lat0 + t * (lat1 - lat0)
        head = [] if entry is None else [entry]
        pieces.append(np.vstack([*head, line[start : i + 1], [[edge, lat_edge]]]))
        entry = np.array([-edge, lat_edge])
        start = i + 1
    pieces.append(np.vstack([[entry], line[start:]]))
    return [p for p in pieces if len(p) >= 2]
