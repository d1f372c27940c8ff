"""Before/after plots of a time-tag repair, one panel per stage (ASF's Seasat figures).

Each panel shows, against the line number, the value minus the take's line (so a good
take is flat at 0 and every error stands out): the input of the stage in grey, its
output in black, and the samples the stage changed coloured by their final reason. The y
axis is symmetric-logarithmic: a few ms and millions of ms show in one panel.
Discontinuities (kept) are dashed vertical lines.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import numpy.typing as npt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from swathkit.plot.maps import save_png
from swathkit.process.timeseries import Reason, SeriesRepair

__all__ = ["plot_repair"]

DPI = 110
_MAX_POINTS = 200_000  # of the grey and black series; changed samples are all drawn
COLOURS = {Reason.BIT_FLIP: "tab:red", Reason.GLITCH: "tab:orange", Reason.TREND: "tab:purple",
           Reason.STAIR: "tab:blue", Reason.START: "tab:green", Reason.FINE: "tab:brown",
           Reason.MODE: "tab:pink"}


def plot_repair(repair: SeriesRepair, out_path: str | os.PathLike[str], *, title: str = "",
                units: str = "ms") -> Path:
    """Write a PNG of ``repair``'s stages (it must have been made with ``keep_stages``).

    Raises:
        ValueError: the repair kept no stages (rejected, or ``keep_stages`` was off).
    """
    if not repair.stages:
        raise ValueError("the repair kept no stages: repair with keep_stages=True")
    i = np.arange(repair.values.size)
    slope = repair.slope_used
    line = i * slope + float(np.median(repair.values - i * slope))
    fig = Figure(figsize=(11.0, 2.3 * len(repair.stages) + 0.8), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(repair.stages), 1, sharex=True, squeeze=False)[:, 0]
    before = repair.original
    for ax, (name, after) in zip(axes, repair.stages, strict=True):
        _panel(ax, i, before - line, after - line, before != after, repair.reasons, name)
        for d in repair.discontinuities:
            ax.axvline(d.index, color="0.4", linestyle="--", linewidth=0.8)
        before = after
    axes[-1].set_xlabel("line number")
    fig.supylabel(f"value − line ({units}, symmetric log)")
    fig.suptitle(_title(repair, title))
    handles = [axes[0].scatter([], [], s=14, color=c, label=r.name.lower().replace("_", " "))
               for r, c in COLOURS.items() if r is not Reason.MODE]
    handles += [axes[0].plot([], [], color="0.7", label="before the stage")[0],
                axes[0].plot([], [], color="black", label="after the stage")[0]]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8,
               title="samples the stage changed, coloured by their final reason",
               title_fontsize=8)
    return save_png(fig, out_path, dpi=DPI)


def _panel(ax: object, i: npt.NDArray[np.int64], before: npt.NDArray[np.float64],
           after: npt.NDArray[np.float64], changed: npt.NDArray[np.bool_],
           reasons: npt.NDArray[np.uint8], name: str) -> None:
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    step = max(1, i.size // _MAX_POINTS)
    ax.plot(i[::step], before[::step], color="0.7", linewidth=0.6)
    ax.plot(i[::step], after[::step], color="black", linewidth=0.6)
    for reason, colour in COLOURS.items():
        hit = changed & (reasons == reason)
        if hit.any():
            ax.scatter(i[hit], before[hit], s=6, color=colour, zorder=3)
    ax.set_yscale("symlog", linthresh=10.0)
    ax.set_title(f"{name}: {int(np.count_nonzero(changed)):,} values changed", fontsize=9,
                 loc="left")
    ax.grid(True, linewidth=0.3)


def _title(repair: SeriesRepair, title: str) -> str:
    slope = f"slope {repair.slope:.6f}"
    if repair.slope_mismatch:
        slope += f" (expected {repair.expected_slope:.6f}: mismatch, estimate used)"
    found = f", {len(repair.discontinuities)} discontinuities" if repair.discontinuities else ""
    return f"{title}  {repair.values.size:,} lines, {slope}{found}".strip()
