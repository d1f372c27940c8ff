"""Map furniture for matplotlib axes: land, coastlines and a lon/lat graticule.

Two kinds of axes are served. Plain lon/lat axes (x = longitude, y = latitude,
degrees) may extend past ±180° so that a map can be centred on the
antimeridian; land and coastlines are then drawn once per 360° copy. Projected
axes get coastlines through a transformer function ``(lon, lat) -> (x, y)``,
for example ``pyproj.Transformer.from_crs(4326, 3413, always_xy=True).transform``
for a north-polar stereographic sea-ice map.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MultipleLocator

from swathkit.geodata import land_fraction_grid
from swathkit.plot.coastlines import coastlines

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.image import AxesImage

LonLatTransform = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
"""``(lon, lat) -> (x, y)`` on arrays, e.g. a pyproj ``Transformer.transform``."""

_NICE_STEPS = (1, 2, 5, 10, 15, 30, 45, 60, 90)


def wrap_offsets(lon_min: float, lon_max: float, xlim: Sequence[float]) -> list[float]:
    """Multiples of 360° that move ``[lon_min, lon_max]`` to overlap ``xlim``.

    Args:
        lon_min: West end of the drawn thing, degrees.
        lon_max: East end, degrees.
        xlim: The axis' x-limits, in either order.

    Returns:
        Offsets to add to the longitudes, one per copy to draw.
    """
    x0, x1 = sorted(xlim)
    k_lo = math.ceil((x0 - lon_max) / 360.0)
    k_hi = math.floor((x1 - lon_min) / 360.0)
    return [360.0 * k for k in range(k_lo, k_hi + 1)]


def draw_coastlines(
    ax: Axes,
    *,
    transform: LonLatTransform | None = None,
    step: int = 4,
    color: str = "0.1",
    linewidth: float = 0.6,
    zorder: float = 3.0,
) -> LineCollection:
    """Draw coastlines without changing the axis limits.

    Args:
        ax: Target axes. Without ``transform`` its x/y are lon/lat degrees and
            its x-limits must already be set: one copy is drawn per 360° they span.
        transform: Projection ``(lon, lat) -> (x, y)``; points it maps to
            non-finite values break the line there.
        step: Resolution of the coastline, ``0.05° × step``.
        color: Line colour.
        linewidth: Line width, points.
        zorder: Drawing order; the default puts coastlines above data.

    Returns:
        The added collection.
    """
    lines = coastlines(step)
    if transform is None:
        offsets = wrap_offsets(-180.0, 180.0, ax.get_xlim())
        segments = [line + np.array([off, 0.0]) for off in offsets for line in lines]
    else:
        segments = [piece for line in lines for piece in _project(line, transform)]
    collection = LineCollection(segments, colors=color, linewidths=linewidth, zorder=zorder)
    ax.add_collection(collection, autolim=False)
    return collection


def _project(line: np.ndarray, transform: LonLatTransform) -> list[np.ndarray]:
    x, y = transform(line[:, 0], line[:, 1])
    pts = np.column_stack([np.asarray(x, np.float64), np.asarray(y, np.float64)])
    ok = np.isfinite(pts).all(axis=1)
    if ok.all():
        return [pts]
    edges = np.flatnonzero(np.diff(np.concatenate([[False], ok, [False]]).astype(np.int8)))
    return [pts[a:b] for a, b in zip(edges[::2], edges[1::2], strict=True) if b - a >= 2]


def draw_land(
    ax: Axes, *, step: int = 4, color: str = "#dcdcd4", zorder: float = 0.5
) -> list[AxesImage]:
    """Fill land on lon/lat axes, one copy per 360° of the current x-limits.

    Set the limits and aspect first; this keeps both.

    Args:
        ax: Lon/lat axes.
        step: Resolution, ``0.05° × step``.
        color: Land colour; sea is left transparent (show the axes face colour).
        zorder: Drawing order; the default puts land below data.

    Returns:
        The added images.
    """
    land = _land_mask(step)
    cmap = ListedColormap(["none", color])
    return [
        ax.imshow(
            land,
            cmap=cmap,
            vmin=0,
            vmax=1,
            extent=(-180.0 + off, 180.0 + off, -90.0, 90.0),
            origin="upper",
            interpolation="nearest",
            aspect=ax.get_aspect(),
            zorder=zorder,
        )
        for off in wrap_offsets(-180.0, 180.0, ax.get_xlim())
    ]


@functools.cache
def _land_mask(step: int) -> np.ndarray:
    frac, _, _ = land_fraction_grid(step)
    return (frac >= 0.5).astype(np.uint8)


def draw_graticule(
    ax: Axes,
    *,
    lon_step: float | None = None,
    lat_step: float | None = None,
    color: str = "0.55",
    linewidth: float = 0.4,
    labels: bool = True,
) -> None:
    """Grid lines and degree tick labels on lon/lat axes.

    Longitude labels wrap, so an axis running from 150° to 210° reads
    150°E … 180° … 150°W.

    Args:
        ax: Lon/lat axes with their limits set.
        lon_step: Meridian spacing, degrees; chosen from the x-range if None.
        lat_step: Parallel spacing, degrees; chosen from the y-range if None.
        color: Grid line colour.
        linewidth: Grid line width, points.
        labels: Whether to label the ticks (else they are hidden).
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    ax.xaxis.set_major_locator(MultipleLocator(lon_step or _nice_step(abs(x1 - x0), 8)))
    ax.yaxis.set_major_locator(MultipleLocator(lat_step or _nice_step(abs(y1 - y0), 6)))
    if labels:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_lon(v)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_lat(v)))
    else:
        ax.tick_params(labelbottom=False, labelleft=False)
    ax.grid(True, color=color, linewidth=linewidth, linestyle=":")
    ax.set_axisbelow(False)  # grid over the data: it is faint and dotted


def _nice_step(span: float, max_lines: int) -> float:
    for step in _NICE_STEPS:
        if span / step <= max_lines:
            return float(step)
    return float(_NICE_STEPS[-1])


def format_lon(value: float) -> str:
    """``-30`` → ``30°W``; values outside ±180° are wrapped first."""
    lon = (value + 180.0) % 360.0 - 180.0
    if math.isclose(abs(lon), 180.0) or math.isclose(lon, 0.0, abs_tol=1e-9):
        return f"{abs(lon):g}°"
    return f"{abs(lon):g}°{'E' if lon > 0 else 'W'}"


def format_lat(value: float) -> str:
    """``-60`` → ``60°S``."""
    if math.isclose(value, 0.0, abs_tol=1e-9):
        return "0°"
    return f"{abs(value):g}°{'N' if value > 0 else 'S'}"


def save_png(fig: Figure, out_path: str | os.PathLike[str], *, dpi: float) -> Path:
    """Write ``fig`` as PNG through a sibling temporary file renamed into place."""
    path = Path(out_path)
    part = path.with_name(f".{path.name}.part")
    try:
        fig.savefig(part, format="png", dpi=dpi, facecolor="white")
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)
    return path
