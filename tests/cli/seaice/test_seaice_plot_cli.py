"""``swathkit seaice report`` and ``swathkit seaice plot``, through ``main``."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

from swathkit.cli.main import main
from swathkit.jobs.seaice.fill import fill
from swathkit.jobs.seaice.mask import build_mask
from swathkit.products.asi import asi_grid
from swathkit.sim.bremen.asi import write_asi_day
from swathkit.stores.grid_cube_writer import cube_writer

GRID = asi_grid("n6250")
D0 = date(2024, 4, 1)
DAYS = [D0 + timedelta(days=i) for i in range(4)]
LAND = np.zeros(GRID.shape, bool)
LAND[620:640, 360:400] = True  # far from the pole (the mask never calls it land)
ROI = "600:660,350:450"


def _field(i: int) -> np.ndarray:
    sic = np.full(GRID.shape, 80.0, np.float32)
    sic[LAND] = np.nan
    if i == 1:
        sic[645:655, 400:440] = np.nan  # 400 sea pixels missing in the region on day 1
    return sic


@pytest.fixture(scope="module")
def cube(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Days 0, 1, 3 present, day 2 not published; mask and fill computed."""
    path = str(tmp_path_factory.mktemp("cube") / "sic.zarr")
    with cube_writer(path, grid=GRID) as w:
        w.upsert_days({DAYS[i]: _field(i) for i in (0, 1, 3)})
        w.mark_not_published([DAYS[2]])
    build_mask(path, start=DAYS[0], end=DAYS[-1])
    fill(path)
    return path


@pytest.fixture(scope="module")
def asi_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("asi")
    write_asi_day(out, GRID, DAYS[0])
    return out


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["seaice", "report", "--help"], ["seaice", "plot", "--help"],
                 ["seaice", "plot", "day", "--help"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.count("example") >= 2 and "--roi" in out and "--out" in out


@pytest.mark.slow
def test_report_prints_the_table_and_writes_the_map(cube: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    png = tmp_path / "roi.png"
    assert main(["seaice", "report", cube, "--roi", ROI, "--map", str(png), "--dpi", "40"]) == 0
    out = capsys.readouterr().out
    assert "missing pixels in region 600:660,350:450" in out
    assert "2024-04-02 │ present       │ 1,200   │ 20.00" in out  # 800 land + 400 sea of 6000
    assert "│ 400 " in out and "not_published" in out
    assert "worst day" in out and "2024-04-02" in out
    assert png.stat().st_size > 10_000


def test_report_exit_codes(cube: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["seaice", "report", cube, "--roi", ROI, "--fail-if-missing"]) == 1
    assert main(["seaice", "report", cube, "--roi", ROI, "--start", "2024-04-03",
                 "--end", "2024-04-04", "--fail-if-missing"]) == 0
    assert main(["seaice", "report", cube, "--roi", ROI, "--start", "2024-04-03",
                 "--end", "2024-04-03"]) == 1  # only a not-published day: nothing to count
    assert main(["seaice", "report", cube, "--roi", "0:5000,0:10"]) == 2
    err = capsys.readouterr().err
    assert "no observed day" in err and "outside grid asi-n6250" in err


def test_report_only_missing_lists_fewer_days(cube: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["seaice", "report", cube, "--roi", ROI, "--only-missing"]) == 0
    table = capsys.readouterr().out.split("summary")[0]
    assert "2024-04-02" in table and "2024-04-03" in table  # missing, not published
    assert "2024-04-01" not in table and "2024-04-04" not in table  # only land missing


@pytest.mark.slow
@pytest.mark.parametrize("argv", [
    ["day", "--date", "2024-04-02", "--roi", "580:700,300:500"],
    ["day", "--variable", "sic_filled", "--roi", "580:700,300:500"],
    ["mask", "--roi", "550:750,250:550"],
    ["compare", "--date", "2024-04-02", "--roi", "580:700,300:500"],
])
def test_plot_pictures_of_a_cube(cube: str, tmp_path: Path, argv: list[str]) -> None:
    png = tmp_path / "out.png"
    picture, *options = argv
    assert main(["seaice", "plot", picture, cube, "--out", str(png), "--dpi", "50",
                 *options]) == 0
    image = imread(png)
    assert image.shape[0] > 150 and len(np.unique(image.reshape(-1, image.shape[-1]),
                                                  axis=0)) > 20


def test_plot_day_of_an_asi_file(asi_dir: Path, tmp_path: Path) -> None:
    png = tmp_path / "day.png"
    assert main(["seaice", "plot", "day", str(asi_dir), "--out", str(png), "--dpi", "40",
                 "--roi", "500:900,300:700"]) == 0
    assert png.stat().st_size > 10_000


def test_plot_errors_are_one_line(cube: str, asi_dir: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "x.png")
    assert main(["seaice", "plot", "mask", str(asi_dir), "--out", out]) == 2
    assert main(["seaice", "plot", "day", str(asi_dir), "--date", "2024-04-03",
                 "--out", out]) == 2
    assert main(["seaice", "plot", "day", str(tmp_path / "nothing"), "--out", out]) == 2
    err = capsys.readouterr().err
    assert "needs a grid cube" in err and "no ASI file for 2024-04-03" in err
    assert "no such file" in err and not Path(out).exists()


def test_inspect_shows_the_grid_of_a_cube(cube: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", cube]) == 0
    out = capsys.readouterr().out
    assert "y=1792 × x=1216" in out and "EPSG:3413" in out and "6,250 m" in out
    assert "not published upstream" in out and "2024-04-03" in out
