"""One sample of the sea-ice dataset as maps: every input channel and the target, side by side.

What a model is given is easier to check by eye than by numbers: the concentration
and each extra channel (daily gridded brightness temperatures) must show the same
coastlines and ice edge on the same cells. Each panel is drawn in the grid's x/y
with the coastline projected on, its values as the dataset serves them (scaled, NaN
already 0), with its own colour bar.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from swathkit.plot.maps import save_png
from swathkit.plot.polar import (
    MapFrame,
    draw_polar_coastlines,
    new_figure,
    setup_map_axes,
    show_field,
)

DPI = 100.0


def plot_sample(panels: Sequence[tuple[str, np.ndarray]], frame: MapFrame, title: str,
                out_path: str | os.PathLike[str], *, dpi: float = DPI) -> Path:
    """Draw ``(label, (H, W) field)`` panels in a row, on ``frame``'s cells, as a PNG.

    Concentrations (labels starting ``sic``) use a fixed 0–1 ice colour scale; other
    channels a 1–99 % stretch of their non-zero values, with 0 (no observation that
    day) left hatched as missing.
    """
    fig = new_figure(4.2 * len(panels), 4.9, dpi=dpi)
    fig.set_layout_engine("constrained")
    for k, (label, values) in enumerate(panels):
        ax = fig.add_subplot(1, len(panels), k + 1)
        setup_map_axes(ax, frame)
        field = np.array(values, np.float64)  # a copy: zeros become NaN below
        if label.startswith("sic"):
            cmap, lo, hi = "Blues_r", 0.0, 1.0
        else:  # 0 is a cell without an observation that day: drawn as "no data"
            field[field == 0] = np.nan
            seen = field[np.isfinite(field)]
            lo, hi = (np.percentile(seen, [1, 99]) if seen.size else (0.0, 1.0))
            cmap = "turbo"
        image = show_field(ax, frame, field, cmap=cmap, vmin=float(lo), vmax=float(hi))
        draw_polar_coastlines(ax, frame.crs)
        fig.colorbar(image, ax=ax, orientation="horizontal", shrink=0.85, pad=0.02)
        ax.set_title(label, fontsize=9, loc="left")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(title, fontsize=10)
    return save_png(fig, out_path, dpi=dpi)
