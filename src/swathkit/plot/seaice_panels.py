"""The panels of the sea-ice figures: layout, titles, concentration and flag maps, charts.

Used by :mod:`swathkit.plot.seaice`; each helper draws one element on the axes given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import matplotlib.dates as mdates
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from swathkit.plot.graticule import draw_polar_graticule
from swathkit.plot.polar import (
    MISSING_EDGE,
    MISSING_HATCH,
    MapFrame,
    draw_polar_coastlines,
    new_figure,
    setup_map_axes,
    show_field,
    show_land,
)

if TYPE_CHECKING:
    from matplotlib.image import AxesImage

__all__ = [
    "FLAG_STYLE",
    "SIC_CMAP",
    "Layout",
    "colourbar",
    "flag_map",
    "layout",
    "missing_chart",
    "missing_note",
    "sic_map",
    "title",
]

SIC_CMAP = "Blues_r"
FLAG_STYLE = (  # value, meaning, colour (flag values of the cube's fill_flag)
    (0, "observed", "#f2f2f2"),
    (1, "filled in time", "#4393c3"),
    (2, "filled in space-time", "#f4a582"),
    (3, "unfilled", "#b2182b"),
    (4, "land", "#9e9e9e"),
    (5, "constant", "#8073ac"),
)
FLAG_PRIORITY = (4, 0, 1, 5, 2, 3)  # a reduced map shows the rarest treatment of a block
_PANEL_HEIGHT = 6.2  # inches of map per panel


@dataclass(frozen=True)
class Layout:
    fig: Figure
    maps: list[Axes]
    below: list[Axes]  # one thin axes under each map, for a colour bar or a legend
    chart: Axes | None


def layout(frame: MapFrame, panels: int, *, dpi: float, chart: bool = False,
            spans: Sequence[tuple[int, int]] | None = None) -> Layout:
    x0, x1, y0, y1 = frame.extent
    aspect = (x1 - x0) / (y1 - y0)
    height = min(_PANEL_HEIGHT, 12.0 / (panels * aspect))
    widths = [height * aspect + 1.1] * panels + ([5.0] if chart else [])
    rows = [height, 0.55]
    fig = new_figure(sum(widths), sum(rows) + 1.0, dpi=dpi)
    fig.set_layout_engine("constrained", h_pad=0.06, w_pad=0.06)
    grid = fig.add_gridspec(2, len(widths), height_ratios=rows, width_ratios=widths)
    maps = [fig.add_subplot(grid[0, i]) for i in range(panels)]
    below = [fig.add_subplot(grid[1, a:b]) for a, b in spans or [(i, i + 1) for i in
                                                                 range(panels)]]
    for ax in below:
        ax.set_axis_off()
    return Layout(fig, maps, below, fig.add_subplot(grid[0, panels]) if chart else None)


def title(ax: Axes, left: str, right: str = "") -> None:
    ax.set_title(left, loc="left", fontsize=11, pad=16)
    if right:
        ax.set_title(right, loc="right", fontsize=8, color="0.35", pad=16)


def sic_map(ax: Axes, frame: MapFrame, values: np.ndarray, land: np.ndarray) -> AxesImage:
    setup_map_axes(ax, frame)
    image = show_field(ax, frame, np.where(land, np.nan, values), cmap=SIC_CMAP,
                       vmin=0.0, vmax=100.0)
    show_land(ax, frame, land)
    draw_polar_coastlines(ax, frame.crs)
    draw_polar_graticule(ax, frame.crs)
    return image


def colourbar(fig: Figure, image: AxesImage, below: Axes, label: str) -> None:
    cax = below.inset_axes((0.08, 0.62, 0.84, 0.3))
    bar = fig.colorbar(image, cax=cax, orientation="horizontal")
    bar.set_label(label, fontsize=9)
    bar.ax.tick_params(labelsize=8)


def flag_map(ax: Axes, legend_ax: Axes, frame: MapFrame, flags: np.ndarray) -> None:
    setup_map_axes(ax, frame, missing_hatch=False)
    top = max(v for v, _, _ in FLAG_STYLE)
    cmap = ListedColormap([c for _, _, c in FLAG_STYLE])
    show_field(ax, frame, flags.astype(np.float32), cmap=cmap, vmin=-0.5, vmax=top + 0.5,
               categorical=True, priority=FLAG_PRIORITY)
    draw_polar_coastlines(ax, frame.crs)
    draw_polar_graticule(ax, frame.crs)
    present = set(np.unique(flags).tolist())
    handles = [Patch(fc=c, ec="0.4", lw=0.4, label=f"{name} ({(flags == v).sum():,})")
               for v, name, c in FLAG_STYLE if v in present]
    legend_ax.legend(handles=handles, loc="upper center", ncols=2, fontsize=8, frameon=False)


def missing_note(ax: Axes, values: np.ndarray, land: np.ndarray) -> None:
    sea = ~land
    gaps = int((~np.isfinite(values) & sea).sum())
    share = 100.0 * gaps / max(int(sea.sum()), 1)
    ax.text(0.98, 0.02, f"no data: {gaps:,} sea pixels ({share:.1f} %)",
            transform=ax.transAxes, ha="right", va="bottom", fontsize=8, zorder=7,
            bbox={"fc": "white", "ec": "none", "alpha": 0.85})


def missing_chart(ax: Axes, missing: Sequence[tuple[date, float | None]], label: str) -> None:
    days = mdates.date2num([d for d, _ in missing])
    share = np.array([np.nan if p is None else p for _, p in missing], dtype=np.float64)
    have = np.isfinite(share)
    colours = ["#b2182b" if p > 0 else "#9e9e9e" for p in share[have]]
    ax.bar(days[have], share[have], width=0.8, color=colours)
    top = max(5.0, 1.1 * float(np.nanmax(share, initial=0.0)))
    for day in days[~have]:
        ax.axvspan(day - 0.4, day + 0.4, fc="white", ec=MISSING_EDGE, hatch=MISSING_HATCH,
                   lw=0.4)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_ylabel(label, fontsize=9)
    ax.set_ylim(0, top)
    ax.tick_params(labelsize=8)
    ax.grid(axis="y", color="0.85", linewidth=0.5)
    ax.set_axisbelow(True)
    bad = int((share[have] > 0).sum())
    note = f", {int((~have).sum())} without data (hatched)" if (~have).any() else ""
    what = "missing sea pixels" if "sea" in label else "missing pixels"
    ax.set_title(f"{bad} of {len(share)} days with {what}{note}", loc="left",
                 fontsize=10, pad=16)
