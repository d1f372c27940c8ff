"""PNG quicklooks of one satellite swath on a lon/lat map.

How a swath is drawn without antimeridian smears: each run of consecutive
scans with complete geolocation becomes one ``pcolormesh`` whose longitudes are
unwrapped (along each scan from its first pixel, then scan to scan along the
centre pixel), so no cell spans the ±180° seam. Cell corners come from the
unwrapped centres. The mesh is drawn once per 360° copy that meets the map, so
a swath crossing 180° shows on both edges of a global map, and a zoomed map
can be centred on the antimeridian (its x-axis then runs past 180°). A half
orbit passing near a pole simply sweeps across many longitudes at high
latitude; a cell that still spans more than 180° of longitude (the pole inside
the swath) is left out rather than smeared. Scans whose geolocation jumps far
more than the usual scan step start a new run, so gaps stay gaps.

Figures are ``matplotlib.figure.Figure`` objects on an Agg canvas: no pyplot,
no backend switch, no global figure registry to close.
"""

from __future__ import annotations

import itertools
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Colormap, Normalize
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from swathkit.plot.maps import (
    draw_coastlines,
    draw_graticule,
    draw_land,
    save_png,
    wrap_offsets,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

DPI = 110
_SWATH_SIZE = (10.0, 5.5)
_PANEL_SIZE = (14.0, 5.5)
_MAX_CELLS = 600_000  # beyond this the mesh is decimated: more cells than screen pixels
_JUMP = 5.0  # a scan step this many times the median one breaks the swath
_SEA = "#f4f6f8"


@dataclass(frozen=True)
class _Piece:
    lon: np.ndarray  # (n + 1, m + 1) cell corners, unwrapped
    lat: np.ndarray
    values: np.ma.MaskedArray  # (n, m)


@dataclass(frozen=True)
class _Swath:
    values: np.ndarray  # (scan, pixel), all of it, for the raw view
    pieces: tuple[_Piece, ...]
    lon: np.ndarray  # geolocated pixel centres, flat, for the map extent
    lat: np.ndarray


@dataclass(frozen=True)
class _Look:
    title: str
    units: str
    norm: Normalize
    cmap: Colormap
    extend: str


def quicklook_swath(
    tb: ArrayLike,
    lat: ArrayLike,
    lon: ArrayLike,
    out_path: str | os.PathLike[str],
    *,
    title: str = "",
    units: str = "K",
    vmin: float | None = None,
    vmax: float | None = None,
    cmap: str | Colormap = "viridis",
) -> Path:
    """Render one swath on a lon/lat map as a 1100 × 605 PNG.

    The map zooms to the swath with a margin, or shows the globe (centred on
    180° when that is where the swath lies) when the swath spans most of it.
    Land is shaded, coastlines drawn over the data.

    Args:
        tb: Values, 2-D (scan, pixel); NaN marks missing data.
        lat: Latitudes of the pixel centres, degrees, same shape.
        lon: Longitudes, degrees, same shape; any 360° convention.
        out_path: PNG to write (replaced atomically; its directory must exist).
        title: Figure title.
        units: Colour-bar label.
        vmin: Colour scale bottom; the 1st percentile of the data if None
            (the minimum if the 1st and 99th coincide).
        vmax: Colour scale top; the 99th percentile (or the maximum) if None.
        cmap: Matplotlib colour map or its name.

    Returns:
        ``out_path`` as a ``Path``.

    Raises:
        ValueError: Shapes disagree, or there is nothing to draw (no finite value
            with geolocation, or no two adjacent scans with full geolocation).
    """
    swath = _swath(tb, lat, lon)
    look = _look(swath.values, title=title, units=units, vmin=vmin, vmax=vmax, cmap=cmap)
    fig = Figure(figsize=_SWATH_SIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.06, 0.09, 0.83, 0.82))
    _draw_map(fig, ax, swath, look)
    _colourbar(fig, ax, look)
    ax.set_title(look.title, loc="left", fontsize=11)
    ax.set_title(_summary(swath.values, look.units), loc="right", fontsize=8, color="0.35")
    return save_png(fig, out_path, dpi=DPI)


def quicklook_panel(
    tb: ArrayLike,
    lat: ArrayLike,
    lon: ArrayLike,
    out_path: str | os.PathLike[str],
    *,
    title: str = "",
    units: str = "K",
    vmin: float | None = None,
    vmax: float | None = None,
    cmap: str | Colormap = "viridis",
) -> Path:
    """Like :func:`quicklook_swath`, plus the raw array in scan/pixel space.

    The second panel shows the values exactly as stored (scan down, pixel
    across), which exposes striping, bad scans and fill values a map hides.
    The PNG is 1540 × 605; arguments as for :func:`quicklook_swath`.
    """
    swath = _swath(tb, lat, lon)
    look = _look(swath.values, title=title, units=units, vmin=vmin, vmax=vmax, cmap=cmap)
    fig = Figure(figsize=_PANEL_SIZE, dpi=DPI)
    FigureCanvasAgg(fig)
    ax_map = fig.add_axes((0.045, 0.09, 0.6, 0.82))
    ax_raw = fig.add_axes((0.70, 0.09, 0.2, 0.82))
    _draw_map(fig, ax_map, swath, look)
    _draw_raw(ax_raw, swath, look)
    _colourbar(fig, ax_raw, look)
    ax_map.set_title(look.title, loc="left", fontsize=11)
    ax_raw.set_title(_summary(swath.values, look.units), loc="right", fontsize=8, color="0.35")
    return save_png(fig, out_path, dpi=DPI)


def _swath(tb: ArrayLike, lat: ArrayLike, lon: ArrayLike) -> _Swath:
    values, la, lo = (np.asarray(a, dtype=np.float64) for a in (tb, lat, lon))
    if values.ndim != 2 or la.shape != values.shape or lo.shape != values.shape:
        raise ValueError(
            f"tb, lat and lon must be 2-D (scan, pixel) of one shape, "
            f"got {values.shape}, {la.shape}, {lo.shape}"
        )
    if min(values.shape) < 2:
        raise ValueError(f"nothing to draw: need >= 2 scans and pixels, got {values.shape}")
    geo = np.isfinite(la) & np.isfinite(lo) & (np.abs(la) <= 90.0)
    if not (geo & np.isfinite(values)).any():
        raise ValueError("nothing to draw: no finite value has a valid lat/lon")
    stride = max(1, math.ceil(math.sqrt(values.size / _MAX_CELLS)))
    sub = (slice(None, None, stride), slice(None, None, stride))
    pieces = tuple(
        _piece(values[sub][run], la[sub][run], lo[sub][run])
        for run in _scan_runs(np.asarray(geo[sub].all(axis=1)), la[sub], lo[sub])
    )
    if not pieces:
        raise ValueError("nothing to draw: no two adjacent scans are fully geolocated")
    return _Swath(values, pieces, lo[geo], la[geo])


def _scan_runs(ok: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> list[slice]:
    """Runs of >= 2 consecutive geolocated scans without a jump between them."""
    centre = lat.shape[1] // 2
    clat, clon = lat[:, centre], lon[:, centre]
    dlon = (np.diff(clon) + 180.0) % 360.0 - 180.0
    step = np.hypot(np.diff(clat), dlon * np.cos(np.radians(clat[1:])))
    linked = ok[:-1] & ok[1:]
    typical = float(np.median(step[linked])) if linked.any() else 0.0
    broken = ~linked | (step > _JUMP * typical + 1e-9)
    bounds = [0, *(np.flatnonzero(broken) + 1).tolist(), len(ok)]
    return [slice(a, b) for a, b in itertools.pairwise(bounds) if b - a >= 2]


def _piece(values: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> _Piece:
    lon_c = _corners(_unwrap_lon(lon))
    lat_c = np.clip(_corners(lat), -90.0, 90.0)
    quad = np.stack([lon_c[:-1, :-1], lon_c[1:, :-1], lon_c[:-1, 1:], lon_c[1:, 1:]])
    seam = np.ptp(quad, axis=0) > 180.0  # only when a pole lies inside the swath
    return _Piece(lon_c, lat_c, np.ma.masked_where(seam | ~np.isfinite(values), values))


def _unwrap_lon(lon: np.ndarray) -> np.ndarray:
    lon = np.unwrap(lon, period=360.0, axis=1)
    centre = lon.shape[1] // 2
    track = np.unwrap(lon[:, centre], period=360.0)
    return np.asarray(lon + (track - lon[:, centre])[:, None])


def _corners(a: np.ndarray) -> np.ndarray:
    """(n, m) cell centres to (n + 1, m + 1) corners, extrapolating at the edges."""
    a = np.concatenate([2 * a[:1] - a[1:2], a, 2 * a[-1:] - a[-2:-1]], axis=0)
    a = np.concatenate([2 * a[:, :1] - a[:, 1:2], a, 2 * a[:, -1:] - a[:, -2:-1]], axis=1)
    return np.asarray(0.25 * (a[:-1, :-1] + a[1:, :-1] + a[:-1, 1:] + a[1:, 1:]))


def _look(
    values: np.ndarray,
    *,
    title: str,
    units: str,
    vmin: float | None,
    vmax: float | None,
    cmap: str | Colormap,
) -> _Look:
    finite = values[np.isfinite(values)]
    lo, hi = np.percentile(finite, [1.0, 99.0])
    if hi <= lo:  # mostly one value: the percentiles would hide everything else
        lo, hi = finite.min(), finite.max()
    low = float(lo if vmin is None else vmin)
    high = float(hi if vmax is None else vmax)
    if high <= low:  # a constant field, or limits given the wrong way round
        low, high = min(low, high) - 0.5, max(low, high) + 0.5
    below, above = bool(finite.min() < low), bool(finite.max() > high)
    extend = {(False, False): "neither", (True, False): "min", (False, True): "max"}
    colours = (mpl.colormaps[cmap] if isinstance(cmap, str) else cmap).with_extremes(
        bad=(0.0, 0.0, 0.0, 0.0)
    )
    return _Look(title, units, Normalize(low, high), colours, extend.get((below, above), "both"))


def _draw_map(fig: Figure, ax: Axes, swath: _Swath, look: _Look) -> None:
    box = ax.get_position()
    fig_w, fig_h = fig.get_size_inches()
    x0, x1, y0, y1, aspect = _extent(swath.lon, swath.lat, box.width * fig_w / (box.height * fig_h))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(aspect, adjustable="box")
    ax.set_facecolor(_SEA)
    draw_land(ax)
    for piece in swath.pieces:
        for off in wrap_offsets(float(piece.lon.min()), float(piece.lon.max()), (x0, x1)):
            ax.pcolormesh(
                piece.lon + off,
                piece.lat,
                piece.values,
                cmap=look.cmap,
                norm=look.norm,
                shading="flat",
                zorder=2,
            )
    draw_coastlines(ax)
    draw_graticule(ax)
    ax.tick_params(labelsize=8)


def _extent(
    lon: np.ndarray, lat: np.ndarray, box_aspect: float
) -> tuple[float, float, float, float, float]:
    """Map limits around the swath, grown to fill the axes box, and the y/x aspect."""
    west, width = _lon_arc(lon)
    south, north = float(lat.min()), float(lat.max())
    margin = max(2.0, 0.1 * max(width, north - south))
    x0, x1 = west - margin, west + width + margin
    y0, y1 = max(south - margin, -90.0), min(north + margin, 90.0)
    aspect = 1.0 / math.cos(math.radians(min(abs(0.5 * (y0 + y1)), 60.0)))
    want_w = box_aspect * aspect * (y1 - y0)  # width that fills the box at this height
    if want_w > x1 - x0:
        x0, x1 = 0.5 * (x0 + x1 - want_w), 0.5 * (x0 + x1 + want_w)
    else:
        half = 0.5 * (x1 - x0) / (box_aspect * aspect)
        mid = min(max(0.5 * (y0 + y1), -90.0 + half), 90.0 - half)
        y0, y1 = max(mid - half, -90.0), min(mid + half, 90.0)
    if x1 - x0 >= 270.0:  # the globe, centred on 0° or on 180° to keep the swath whole
        centre = 180.0 if abs((west + 0.5 * width + 180.0) % 360.0 - 180.0) > 90.0 else 0.0
        return centre - 180.0, centre + 180.0, -90.0, 90.0, 1.0
    return x0, x1, y0, y1, aspect


def _lon_arc(lon: np.ndarray) -> tuple[float, float]:
    """Smallest arc holding every longitude: (west end in [-180, 180), width)."""
    s = np.unique(np.round((lon + 180.0) % 360.0 - 180.0, 2))
    gaps = np.diff(np.append(s, s[0] + 360.0))
    i = int(np.argmax(gaps))
    return float(s[(i + 1) % len(s)]), float(360.0 - gaps[i])


def _draw_raw(ax: Axes, swath: _Swath, look: _Look) -> None:
    ax.set_facecolor("0.82")  # missing values show as grey, not as a colour
    ax.imshow(
        swath.values,
        cmap=look.cmap,
        norm=look.norm,
        aspect="auto",
        interpolation="antialiased",
        origin="upper",
    )
    ax.set_xlabel("pixel", fontsize=9)
    ax.set_ylabel("scan", fontsize=9)
    ax.tick_params(labelsize=8)


def _colourbar(fig: Figure, ax: Axes, look: _Look) -> None:
    width_in = ax.get_position().width * fig.get_size_inches()[0]
    cax = ax.inset_axes((1.0 + 0.15 / width_in, 0.0, 0.18 / width_in, 1.0))
    bar = fig.colorbar(
        ScalarMappable(norm=look.norm, cmap=look.cmap), cax=cax, extend=look.extend
    )
    bar.set_label(look.units, fontsize=9)
    bar.ax.tick_params(labelsize=8)


def _summary(values: np.ndarray, units: str) -> str:
    finite = values[np.isfinite(values)]
    share = 100.0 * finite.size / values.size
    return f"{share:.0f}% valid, {finite.min():.1f} to {finite.max():.1f} {units}".rstrip()

