"""Quicklook PNG of a :class:`~swathkit.stores.raster.Raster` in its grid's own projection.

Axes are the grid's x/y in metres with the grid's extent (EASE-Grid 2.0 global is
cylindrical equal-area, so high latitudes look stretched; polar grids are LAEA or
stereographic). Coastlines (:mod:`swathkit.plot.coastlines`, offline) are projected
into the grid CRS with pyproj. Continuous layers are stretched by
:func:`swathkit.process.stretch.stretch` with a colour bar naming units and stretch;
flag and category layers are drawn as categories with a legend, never stretched.
Agg ``Figure`` objects, no pyplot.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from swathkit.plot.coastlines import coastlines
from swathkit.process.stretch import Stretched
from swathkit.products.grids import Grid

__all__ = ["categories", "categories_figure", "draw_categories", "draw_stretched",
           "stretched_figure"]

_SIZE = (10.0, 6.0)
_DPI = 110
_MAX_CATEGORIES = 16


def categories(values: np.ndarray, fill: float | None,
               tags: dict[str, str]) -> list[tuple[int, str]]:
    """(value, name) of each category present, at most 16: names from ``flag_values`` and
    ``flag_meanings`` (enumerations), or the meanings of the bits set (``flag_masks``:
    ``"none"`` for 0), else the value itself."""
    v = np.asarray(values)
    present = np.unique(v[np.isfinite(v)] if v.dtype.kind == "f" else v)
    present = present[present != fill] if fill is not None else present
    names = tags.get("flag_meanings", "").split()
    codes = [int(c) for c in tags.get("flag_values", "").replace(",", " ").split()]
    meaning = dict(zip(codes, names, strict=False)) if len(codes) == len(names) else {}
    masks = [int(c) for c in tags.get("flag_masks", "").replace(",", " ").split()]
    if masks and len(masks) == len(names) and not meaning:
        meaning = {int(c): "+".join(n for m, n in zip(masks, names, strict=True)
                                    if int(c) & m == m) or "none"
                   for c in present[:_MAX_CATEGORIES]}
    return [(int(c), meaning.get(int(c), str(int(c)))) for c in present[:_MAX_CATEGORIES]]


def draw_stretched(s: Stretched, grid: Grid, out: Path, *, title: str, units: str,
                   cmap: str = "viridis") -> Path:
    """Draw normalised ``s.values`` with a colour bar in data units; returns ``out``."""
    return _save(stretched_figure(s, grid, title=title, units=units, cmap=cmap), out)


def stretched_figure(s: Stretched, grid: Grid, *, title: str, units: str,
                     cmap: str = "viridis") -> Figure:
    """The figure of :func:`draw_stretched` (axes 0: the map, axes 1: the colour bar)."""
    fig, ax = _figure(grid)
    lo, hi = s.limits
    data = np.ma.masked_invalid(s.values)
    im = ax.imshow(data, extent=_extent(grid), origin="upper" if grid.north_up else "lower",
                   cmap=colormaps[cmap], vmin=0.0, vmax=1.0, interpolation="nearest")
    _coast(ax, grid)
    bar = fig.colorbar(im, ax=ax, shrink=0.7)
    ticks = np.linspace(0.0, 1.0, 5)
    bar.set_ticks(list(ticks))
    if s.description.startswith("histogram"):  # equalised: a tick is a share of the cells
        labels = [f"{t:.0%} of cells" for t in ticks]
    elif s.description.startswith(("log", "gamma")):
        labels = [f"{q:.3g}" for q in _data_at(s, ticks, lo, hi)]
    else:
        labels = [f"{lo + t * (hi - lo):.3g}" for t in ticks]
    bar.set_ticklabels(labels)
    bar.set_label(f"{units or 'no units'} — stretch {s.description} [{lo:.3g}, {hi:.3g}]")
    return _finish(fig, ax, grid, title)


def draw_categories(values: np.ndarray, fill: float | None, tags: dict[str, str],
                    grid: Grid, out: Path, *, title: str) -> Path:
    """Draw a flag/category layer, one colour per value, with a legend; returns ``out``."""
    return _save(categories_figure(values, fill, tags, grid, title=title), out)


def categories_figure(values: np.ndarray, fill: float | None, tags: dict[str, str],
                      grid: Grid, *, title: str) -> Figure:
    """The figure of :func:`draw_categories`."""
    fig, ax = _figure(grid)
    cats = categories(values, fill, tags)
    v = np.asarray(values, dtype=np.float64)
    index = np.full(v.shape, np.nan)
    for i, (code, _) in enumerate(cats):
        index[v == code] = i
    palette = colormaps["tab10" if len(cats) <= 10 else "tab20"]
    colours = palette(np.arange(max(len(cats), 1)) % palette.N)
    cmap = ListedColormap(colours)
    norm = BoundaryNorm(np.arange(-0.5, len(cats) + 0.5), max(len(cats), 1))
    ax.imshow(np.ma.masked_invalid(index), extent=_extent(grid),
              origin="upper" if grid.north_up else "lower", cmap=cmap, norm=norm,
              interpolation="nearest")
    _coast(ax, grid)
    ax.legend(handles=[Patch(color=colours[i], label=f"{code}: {name}")
                       for i, (code, name) in enumerate(cats)],
              loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=2, fontsize=7,
              title="category (value: meaning)", frameon=False)
    return _finish(fig, ax, grid, title)


def _data_at(s: Stretched, ticks: np.ndarray, lo: float, hi: float) -> list[float]:
    """Data values at the normalised ticks of a log or gamma stretch."""
    if s.description.startswith("log"):
        return [float(10 ** (np.log10(lo) + t * (np.log10(hi) - np.log10(lo)))) for t in ticks]
    g = float(s.description.split()[1].rstrip(","))
    return [lo + float(t) ** g * (hi - lo) for t in ticks]


def _figure(grid: Grid) -> tuple[Figure, Axes]:
    fig = Figure(figsize=_SIZE, dpi=_DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ax.set_facecolor("#d9d9d9")  # fill and invalid cells: light grey
    return fig, ax


def _extent(grid: Grid) -> tuple[float, float, float, float]:
    x_min, y_min, x_max, y_max = grid.bounds
    return x_min, x_max, y_min, y_max


def _coast(ax: Axes, grid: Grid) -> None:
    from pyproj import Transformer

    to_grid = Transformer.from_crs(4326, grid.crs, always_xy=True)
    for line in coastlines():
        x, y = to_grid.transform(line[:, 0], line[:, 1])
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        bad = ~(np.isfinite(x) & np.isfinite(y))
        x[bad], y[bad] = np.nan, np.nan
        ax.plot(x, y, color="black", linewidth=0.4)


def _finish(fig: Figure, ax: Axes, grid: Grid, title: str) -> Figure:
    x_min, y_min, x_max, y_max = grid.bounds
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    ax.set_aspect("equal")
    ax.set_xlabel(f"x (m, EPSG:{grid.epsg})")
    ax.set_ylabel("y (m)")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    return fig


def _save(fig: Figure, out: Path) -> Path:
    part = out.with_name(f".{out.name}.part")
    try:
        fig.savefig(part, format="png", metadata={"Software": None}, bbox_inches="tight",
                    facecolor="white")
        part.replace(out)
    finally:
        part.unlink(missing_ok=True)
    return out
