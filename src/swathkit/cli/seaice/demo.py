"""The sea-ice half of ``swathkit demo``: a month of Bremen ASI grids, end to end.

Every step is the ``swathkit seaice …`` command a user would type, run through the
same parser and shown before it runs, against the simulated Bremen archive.
"""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from swathkit.cli import render

if TYPE_CHECKING:
    from swathkit.ml.seaice.dataset import SeaIceSequenceDataset

# A box of the n3125 grid around the North Pole (rows from the south edge): the pole hole
# is missing every day, a lost swath segment on some days; scaled for the 6250 m grids.
_ROI_N3125 = (1400, 2000, 900, 1500)


def roi_for(grid: str) -> str:
    """The demo's region of interest as ``R0:R1,C0:C1`` on ``grid``."""
    factor = 1 if grid.endswith("3125") else 2
    y0, y1, x0, x1 = (v // factor for v in _ROI_N3125)
    return f"{y0}:{y1},{x0}:{x1}"


def steps(out: Path, *, grid: str, start: date, days: int, faults: str) -> list[list[str]]:
    """The commands of the sea-ice demo, in order."""
    end = start + timedelta(days=days - 1)
    files, cube, pics = out / "asi", out / f"sic_{grid}.zarr", out
    s, e = start.isoformat(), end.isoformat()
    middle = (start + timedelta(days=(days - 1) * 2 // 3)).isoformat()  # filled in time too
    return [
        ["seaice", "download", "--start", s, "--end", e, "--grid", grid, "--out", str(files),
         "--archive", "sim", "--faults", faults],
        ["seaice", "consolidate", str(files), "--cube", str(cube)],
        ["seaice", "mask", str(cube), "--start", s, "--end", e],
        ["seaice", "fill", str(cube)],
        ["seaice", "report", str(cube), "--roi", roi_for(grid), "--map",
         str(pics / "seaice_roi.png")],
        ["seaice", "plot", "day", str(files), "--out", str(pics / "seaice_day.png")],
        ["seaice", "plot", "mask", str(cube), "--out", str(pics / "seaice_mask.png")],
        ["seaice", "plot", "compare", str(cube), "--date", middle, "--out",
         str(pics / "seaice_filled.png")],
    ]


def run(out: Path, parse: Callable[[list[str]], argparse.Namespace], *, grid: str,
        start: date, days: int, faults: str) -> tuple[int, Path]:
    """Run the sea-ice steps; the worst exit code and the cube's path."""
    commands = steps(out, grid=grid, start=start, days=days, faults=faults)
    worst = run_commands(commands, parse)
    cube = Path(commands[1][4])
    if worst < 2:
        _peek_dataset(cube)
    return worst, cube


def run_commands(commands: list[list[str]],
                 parse: Callable[[list[str]], argparse.Namespace]) -> int:
    """Run ``swathkit`` commands in order, each shown first; the worst exit code.

    Stops after a command that could not run (exit 2): the next ones have nothing to read.
    """
    worst = 0
    for argv in commands:
        render.console.rule(f"[bold]swathkit {shlex.join(argv)}")
        args = parse(argv)
        worst = max(worst, int(args.run(args)))
        if worst >= 2:
            break
    return worst


def sample_facts(dataset: SeaIceSequenceDataset) -> tuple[list[tuple[str, object]], Any]:
    """What a dataset serves (sample count, kept and skipped, the first sample's days and
    shapes) and its first sample ``(inputs, targets)``, read once (None if it has none)."""
    rows: list[tuple[str, object]] = [
        ("samples", len(dataset)), ("kept and skipped", str(dataset.summary)),
        *((f"skipped {first}", why) for first, why in dataset.summary.skipped[:3])]
    if len(dataset.summary.skipped) > 3:
        rows.append(("", f"… and {len(dataset.summary.skipped) - 3} more skipped samples"))
    if not len(dataset):
        return rows, None
    inputs, targets = dataset[0]
    ins, outs = dataset.sample_days(0)
    rows += [("first sample", f"{ins[0]} … {ins[-1]} → {outs[0]} … {outs[-1]}"),
             ("inputs (T, C, H, W)", tuple(inputs.shape)),
             ("targets (T, C, H, W)", tuple(targets.shape))]
    return rows, (inputs, targets)


def _peek_dataset(cube: Path) -> None:
    """Show what the PyTorch dataset serves from the filled cube (if torch is installed)."""
    try:
        from swathkit.ml.seaice.dataset import SeaIceSequenceDataset
    except ImportError:
        render.console.print("PyTorch is not installed: `pip install 'swathkit[ml]'` to get "
                             "the forecasting dataset")
        return
    dataset = SeaIceSequenceDataset(cube, input_length=5, pred_length=3, mask="both")
    render.facts("PyTorch dataset over the filled cube, 5 days in → 3 out "
                 "(swathkit.ml.seaice.dataset)", sample_facts(dataset)[0])
