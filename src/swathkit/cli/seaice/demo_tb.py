"""The demo's ML step: the sea-ice dataset with brightness temperatures as extra channels.

The demo's day of AMSR2 swaths is gridded onto the sea-ice grid (``swathkit grid
--grid asi-n6250``) and the Bremen ASI grids of that day and the two after are
fetched and consolidated; the PyTorch dataset then serves the concentration with
the ascending and descending 36.5H composites beside it, aligned by day and grid
(one day in, the next out). The second day has no swaths, so its sample is skipped
and counted, not made up. Every step is the ``swathkit`` command a user would type,
shown before it runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from swathkit.cli import render
from swathkit.cli.seaice.demo import run_commands, sample_facts

GRID = "n6250"
TB_VARIABLES = ("tb_36_5h_asc", "tb_36_5h_des")


def steps(out: Path, store: Path, day: date) -> list[list[str]]:
    """The commands: sea ice of ``day`` and the two days after, the swaths of ``day`` gridded."""
    s, e = day.isoformat(), (day + timedelta(days=2)).isoformat()
    return [
        ["seaice", "download", "--start", s, "--end", e, "--grid", GRID, "--out",
         str(out / "asi"), "--archive", "sim"],
        ["seaice", "consolidate", str(out / "asi"), "--cube", str(out / f"sic_{GRID}.zarr")],
        ["grid", str(store), "--grid", f"asi-{GRID}", "--channels", "36.5H", "--start", s,
         "--end", s, "--method", "nearest", "--cube", str(out / f"tb_asi-{GRID}.zarr")],
    ]


def run(out: Path, store: Path, day: date,
        parse: Callable[[list[str]], argparse.Namespace]) -> tuple[int, Path | None]:
    """Run the steps, then show a sample; the worst exit code and the picture's path."""
    out = out / "ml"
    worst = run_commands(steps(out, store, day), parse)
    return worst, (_show_sample(out) if worst < 2 else None)


def _show_sample(out: Path) -> Path | None:
    try:
        from swathkit.ml.seaice.dataset import SeaIceSequenceDataset, TBCube
    except ImportError:
        render.console.print("PyTorch is not installed: `pip install 'swathkit[ml]'` to get "
                             "the forecasting dataset")
        return None
    from swathkit.plot.ml_sample import plot_sample
    from swathkit.plot.polar import MapFrame
    from swathkit.stores.grid_cube import GridCube

    extra = TBCube(out / f"tb_asi-{GRID}.zarr", TB_VARIABLES)
    sic = out / f"sic_{GRID}.zarr"
    dataset = SeaIceSequenceDataset(sic, input_length=1, pred_length=1,
                                    variable="sic", mask=None, extra=extra)
    facts, first = sample_facts(dataset)
    rows = [("input channels", "sic, " + ", ".join(TB_VARIABLES) + f" (TB × {extra.scale:.5f})"),
            *facts]
    png = None
    if first is not None:
        inputs, targets = first
        ins, outs = dataset.sample_days(0)
        names = ["sic", *TB_VARIABLES]
        panels = [(f"{name} {ins[0]}", inputs[0, k].numpy()) for k, name in enumerate(names)]
        panels.append((f"sic {outs[0]} (target)", targets[0, 0].numpy()))
        png = plot_sample(panels, MapFrame.from_grid(GridCube.open(sic).grid),
                          f"Sea-ice dataset sample 0: {len(names)} input channels on "
                          f"asi-{GRID}, aligned by day", out / "sample_channels.png")
        rows.append(("picture", png.resolve()))
    render.facts("PyTorch dataset with brightness-temperature channels, 1 day in → 1 out "
                 "(swathkit.ml.seaice.dataset, extra=TBCube)", rows)
    return png
