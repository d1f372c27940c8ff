"""Before/after stage plots of a time-tag repair."""

from __future__ import annotations

from pathlib import Path

import pytest

from swathkit.plot.seasat import plot_repair
from swathkit.process.timeseries import repair_series
from swathkit.products.seasat.hdr import column
from swathkit.products.seasat.layout import MS_PER_LINE
from swathkit.sim.seasat.headers import synthetic_take


@pytest.mark.slow
def test_plot_writes_a_png_with_one_panel_per_stage(tmp_path: Path) -> None:
    take = synthetic_take(12_000, seed=5)
    repair = repair_series(take.observed[:, column("msec")], expected_slope=MS_PER_LINE,
                           keep_stages=True)
    assert [name for name, _ in repair.stages] == ["stage 1: trend", "stage 2: stairs",
                                                   "start of take", "stage 3: fine fit"]
    path = plot_repair(repair, tmp_path / "take.png", title="take.hdr")
    assert path.read_bytes()[:4] == b"\x89PNG" and path.stat().st_size > 20_000


def test_plot_needs_the_stages(tmp_path: Path) -> None:
    repair = repair_series(synthetic_take(12_000, seed=5).observed[:, column("msec")])
    with pytest.raises(ValueError, match="keep_stages"):
        plot_repair(repair, tmp_path / "x.png")
