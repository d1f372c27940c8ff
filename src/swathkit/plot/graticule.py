"""A lon/lat graticule for polar stereographic maps, projected with pyproj.

Meridians and parallels are computed in lon/lat, projected into the grid's CRS
and drawn as dotted lines; meridians are labelled just outside the map where
they enter it, parallels inside the map along one meridian (or at the edge of
a zoomed map that shows none of those labels).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyproj
from matplotlib.collections import LineCollection

from swathkit.plot.maps import format_lat, format_lon
from swathkit.plot.polar import CrsLike, hemisphere_of, projector

if TYPE_CHECKING:
    from matplotlib.axes import Axes

_GRAT_COLOUR = "0.35"


@dataclass(frozen=True)
class GraticuleLine:
    """One projected graticule line: a meridian (``kind="lon"``) or a parallel."""

    kind: str
    value: float
    xy: np.ndarray  # (N, 2) metres


def graticule_lines(
    crs: CrsLike, *, lat_step: float = 10.0, lon_step: float = 30.0, lat_min: float = 30.0
) -> list[GraticuleLine]:
    """Meridians and parallels of the polar cap, projected into ``crs``.

    Meridians run from ``lat_min`` to the pole (only every 90° reaches it: the
    others stop one ``lat_step`` short to keep the pole readable); parallels are
    full circles at multiples of ``lat_step`` from ``lat_min`` to 80°.

    Args:
        crs: A polar stereographic CRS (hemisphere taken from it).
        lat_step: Degrees between parallels.
        lon_step: Degrees between meridians.
        lat_min: Distance of the outermost parallel from the equator, degrees.
    """
    target = pyproj.CRS.from_user_input(crs)
    forward = projector(target)
    sign = 1.0 if hemisphere_of(target) == "n" else -1.0
    lines: list[GraticuleLine] = []
    for lon in np.arange(-180.0, 180.0, lon_step):
        top = 90.0 if lon % 90.0 == 0 else 90.0 - lat_step
        lat = sign * np.linspace(lat_min, top, 200)
        x, y = forward(np.full_like(lat, lon), lat)
        lines.append(GraticuleLine("lon", float(lon), np.column_stack([x, y])))
    first = math.ceil(lat_min / lat_step) * lat_step
    for lat_abs in np.arange(first, 90.0 - 0.5 * lat_step, lat_step):
        lon = np.linspace(-180.0, 180.0, 721)
        x, y = forward(lon, np.full_like(lon, sign * lat_abs))
        lines.append(GraticuleLine("lat", float(sign * lat_abs), np.column_stack([x, y])))
    return lines


def draw_polar_graticule(
    ax: Axes,
    crs: CrsLike,
    *,
    lat_step: float = 10.0,
    lon_step: float = 30.0,
    labels: bool = True,
) -> None:
    """Dotted meridians and parallels; meridians labelled where they leave the map.

    Parallels are labelled inside the map along the meridian 45° east of the
    projection's central one. Set the axis limits first.
    """
    target = pyproj.CRS.from_user_input(crs)
    lines = graticule_lines(target, lat_step=lat_step, lon_step=lon_step)
    ax.add_collection(LineCollection([g.xy for g in lines], colors=_GRAT_COLOUR,
                                     linewidths=0.5, linestyles=(0, (1, 2)), zorder=4),
                      autolim=False)
    if not labels:
        return
    x0, x1 = sorted(ax.get_xlim())
    y0, y1 = sorted(ax.get_ylim())
    box = (x0, x1, y0, y1)
    inline = _label_parallels(ax, target, [g.value for g in lines if g.kind == "lat"], box)
    for g in lines:
        if g.kind == "lon":
            _label_edge(ax, g.xy, box, format_lon(g.value), sides=_ALL_SIDES, outer=True)
        elif not inline:  # a zoomed map: label the parallels at the edge instead
            _label_edge(ax, g.xy, box, format_lat(g.value), sides=("left", "right"))


_ALL_SIDES = ("bottom", "top", "left", "right")
_OFFSET = {"bottom": (0, -3), "top": (0, 3), "left": (-3, 0), "right": (3, 0)}


def _edge_crossings(xy: np.ndarray, box: tuple[float, float, float, float]
                    ) -> list[tuple[int, str, float, float]]:
    """Where a polyline crosses the box's edges: (segment index, side, x, y)."""
    x0, x1, y0, y1 = box
    found = []
    for side, level, axis in (("bottom", y0, 1), ("top", y1, 1), ("left", x0, 0),
                              ("right", x1, 0)):
        a, b = xy[:-1, axis], xy[1:, axis]
        hit = np.flatnonzero(((a - level) * (b - level) <= 0) & (a != b))
        for i in hit.tolist():
            t = (level - a[i]) / (b[i] - a[i])
            px = xy[i, 0] + t * (xy[i + 1, 0] - xy[i, 0])
            py = xy[i, 1] + t * (xy[i + 1, 1] - xy[i, 1])
            if x0 - 1 <= px <= x1 + 1 and y0 - 1 <= py <= y1 + 1:
                found.append((i, side, float(px), float(py)))
    return sorted(found)


def _label_edge(ax: Axes, xy: np.ndarray, box: tuple[float, float, float, float], text: str,
                *, sides: tuple[str, ...], outer: bool = False) -> None:
    """Label a line just outside the map where it first crosses one of ``sides``.

    With ``outer`` (meridians, drawn from the equator side inwards) only a line that
    starts outside the map is labelled, at its entry point.
    """
    crossings = _edge_crossings(xy, box)
    if outer:
        x0, x1, y0, y1 = box
        starts_inside = x0 <= xy[0, 0] <= x1 and y0 <= xy[0, 1] <= y1
        crossings = [] if starts_inside else crossings[:1]
    for _, side, px, py in crossings:
        if side in sides:
            ax.annotate(text, (px, py), xytext=_OFFSET[side], textcoords="offset points",
                        fontsize=8, color="0.2",
                        ha={"left": "right", "right": "left"}.get(side, "center"),
                        va={"bottom": "top", "top": "bottom"}.get(side, "center"),
                        annotation_clip=False)
            return


def _label_parallels(ax: Axes, crs: pyproj.CRS, lats: list[float],
                     box: tuple[float, float, float, float]) -> set[float]:
    """Label parallels inside the map along one meridian; return those labelled."""
    x0, x1, y0, y1 = box
    done = set()
    lon0 = float(crs.to_cf().get("straight_vertical_longitude_from_pole", 0.0)) + 45.0
    forward = projector(crs)
    for lat in lats:
        xs, ys = forward(np.array([lon0]), np.array([lat]))
        px, py = float(xs[0]), float(ys[0])
        if x0 < px < x1 and y0 < py < y1:
            ax.text(px, py, format_lat(lat), fontsize=7, color="0.2", ha="center",
                    va="center", zorder=5, clip_on=True,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                          "alpha": 0.7})
            done.add(lat)
    return done
