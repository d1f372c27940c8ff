"""ROI report of missing pixels, from a grid cube and from ASI files; sources; inspect."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from swathkit.errors import FileNameError, InputError
from swathkit.jobs.seaice.fill import fill
from swathkit.jobs.seaice.mask import build_mask
from swathkit.jobs.seaice.report import roi_map, roi_report
from swathkit.products.asi import asi_grid
from swathkit.sim.bremen.asi import synthetic_asi_day, write_asi_day
from swathkit.stores.grid_cube import GridCube
from swathkit.stores.grid_cube_writer import cube_writer
from swathkit.stores.grid_source import CubeSource, FileSource, open_source
from swathkit.stores.inspect import inspect

GRID = asi_grid("n6250")
D0 = date(2024, 4, 14)
DAYS = [D0 + timedelta(days=i) for i in range(6)]
PRESENT = [DAYS[i] for i in (0, 1, 2, 5)]
NOT_PUBLISHED = DAYS[3]  # DAYS[4] is absent: neither stored nor recorded
REGION = (slice(700, 760), slice(500, 580))
LAND = np.zeros(GRID.shape, bool)
LAND[700:730, 500:520] = True  # part of the region is land


def _field(day: date) -> np.ndarray:
    rng = np.random.default_rng(day.toordinal())
    sic = rng.uniform(0.0, 100.0, GRID.shape).astype(np.float32)
    band = sic[650:800, 450:650]  # gaps only near the region keep the fill quick
    band[rng.random(band.shape) < 0.05 * (day - D0).days] = np.nan  # more gaps each day
    sic[LAND] = np.nan
    return sic


@pytest.fixture(scope="module")
def cube(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small n6250 cube: 4 days present, 1 not published, 1 absent; mask and fill."""
    path = str(tmp_path_factory.mktemp("cube") / "sic.zarr")
    with cube_writer(path, grid=GRID) as w:
        w.upsert_days({d: _field(d) for d in PRESENT})
        w.mark_not_published([NOT_PUBLISHED])
    build_mask(path, start=DAYS[0], end=DAYS[-1])  # LAND is NaN every day, gaps are not
    fill(path)
    return path


@pytest.fixture(scope="module")
def asi_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Synthetic ASI files for DAYS except DAYS[2]."""
    out = tmp_path_factory.mktemp("asi")
    for day in DAYS:
        if day != DAYS[2]:
            write_asi_day(out, GRID, day)
    return out


def test_a_region_off_the_grid_is_refused_before_counting(cube: str) -> None:
    with pytest.raises(InputError, match="outside grid asi-n6250"):
        roi_report(cube, region="0:1793,0:10")


@pytest.mark.slow
def test_cube_report_counts_equal_numpy_counts(cube: str) -> None:
    report = roi_report(cube, region=REGION)
    assert report.kind == "cube" and report.land_known and report.grid == GRID
    assert [d.day for d in report.days] == DAYS
    land = LAND[REGION]
    for row in report.days:
        assert row.pixels == land.size and row.sea == int((~land).sum())
        if row.day in PRESENT:
            nan = np.isnan(_field(row.day)[REGION])
            assert row.state == "present"
            assert row.missing == int(nan.sum())
            assert row.sea_missing == int((nan & ~land).sum())
            assert row.percent == pytest.approx(100.0 * nan.sum() / nan.size)
        else:
            assert row.percent is None and row.missing == 0
    states = {d.day: d.state for d in report.days}
    assert states[NOT_PUBLISHED] == "not_published" and states[DAYS[4]] == "absent"
    assert report.worst_day() == DAYS[5]  # the most gaps
    assert [d.day for d in report.with_missing] == PRESENT[1:]  # day 0 only misses land


def test_cube_report_honours_the_period(cube: str) -> None:
    report = roi_report(cube, region="700:760,500:580", start=DAYS[1], end=DAYS[2])
    assert [d.day for d in report.days] == DAYS[1:3]
    with pytest.raises(ValueError, match="before start"):
        roi_report(cube, region=REGION, start=DAYS[2], end=DAYS[1])


@pytest.mark.slow
def test_file_report_counts_equal_numpy_counts_and_lists_absent_days(asi_dir: Path) -> None:
    report = roi_report(asi_dir, region=REGION)
    assert report.kind == "files" and not report.land_known
    assert [d.day for d in report.days] == DAYS
    for row in report.days:
        if row.day == DAYS[2]:
            assert row.state == "absent" and row.percent is None
            continue
        nan = np.isnan(synthetic_asi_day(GRID, row.day)[REGION])
        assert (row.missing, row.sea_missing, row.sea) == (nan.sum(), nan.sum(), nan.size)


@pytest.mark.slow
def test_roi_map_draws_the_worst_day(cube: str, tmp_path: Path) -> None:
    report = roi_report(cube, region=REGION)
    out = roi_map(report, tmp_path / "roi.png", dpi=40)
    assert out.stat().st_size > 10_000


def test_open_source_tells_cube_from_files(cube: str, asi_dir: Path, tmp_path: Path) -> None:
    assert isinstance(open_source(cube), CubeSource)
    assert isinstance(open_source(asi_dir), FileSource)
    one = next(asi_dir.glob("*.nc"))
    assert isinstance(open_source(one), FileSource)
    with pytest.raises(InputError, match="no such file"):
        open_source(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNameError, match="no ASI files"):
        open_source(tmp_path / "empty")


def test_file_source_refuses_filled_variables(asi_dir: Path) -> None:
    with pytest.raises(ValueError, match="use a cube"):
        open_source(asi_dir).read([D0], variable="sic_filled")


def test_cube_source_day_carries_grid_mapping_and_land(cube: str) -> None:
    ds = open_source(cube).day(PRESENT[0], ("sic", "sic_filled", "fill_flag"))
    assert ds["sic"].shape == (1, *GRID.shape)
    assert ds["polar_stereographic"].attrs["epsg_code"] == "EPSG:3413"
    assert (ds["land_mask"].values > 0).sum() == LAND.sum()


def _facts(target: str | Path) -> dict[str, str]:
    return dict(inspect(target).facts)


def test_inspect_asi_file_shows_the_grid(asi_dir: Path) -> None:
    facts = _facts(sorted(asi_dir.glob("*.nc"))[0])
    assert facts["dims (shape)"] == "y=1792 × x=1216"
    assert facts["resolution"] == "6,250 m"
    assert facts["x extent"].startswith("-3,850,000 … 3,750,000 m")
    assert facts["y extent"].startswith("-5,350,000 … 5,850,000 m")
    assert facts["CRS"].startswith("EPSG:3413")
    assert facts["day"] == D0.isoformat()


def test_inspect_asi_folder_lists_missing_days(asi_dir: Path) -> None:
    facts = _facts(asi_dir)
    assert facts["files"] == "5"
    assert facts["time range"].startswith(f"{DAYS[0]} → {DAYS[-1]}")
    assert facts["missing days"] == f"1: {DAYS[2]}"


def test_inspect_cube_shows_grid_time_and_states(cube: str) -> None:
    summary = inspect(cube)
    facts = dict(summary.facts)
    length = len(GridCube.open(cube).calendar)
    assert facts["dims (shape)"] == f"time={length} × y=1792 × x=1216"
    assert facts["CRS"].startswith("EPSG:3413")
    assert facts["time range (data)"] == f"{DAYS[0]} → {DAYS[-1]}"
    assert facts["not published upstream"] == f"1: {NOT_PUBLISHED}"
    assert facts["missing days (absent)"] == f"1: {DAYS[4]}"
    assert facts["land mask"].startswith("threshold 0.85, period 2024-04-14 → 2024-04-19")
    assert facts["gap filling"].startswith(f"filled through {DAYS[-1]}")
    assert {row[0] for row in summary.tables["variables"][1]} >= {"sic", "land_mask"}


def test_inspect_of_a_hemisphere_south_grid_names_its_crs() -> None:
    from swathkit.stores.inspect import grid_facts

    facts = dict(grid_facts(asi_grid("s6250"), [date(2015, 1, 1)]))
    assert facts["CRS"].startswith("EPSG:3412") and "south" in facts["grid"]
