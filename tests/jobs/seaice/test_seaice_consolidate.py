"""consolidate: ASI files of a directory into a grid cube, resumable, failures alone."""

import os
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from swathkit.errors import StoreError
from swathkit.jobs.seaice.consolidate import consolidate
from swathkit.jobs.seaice.download import LEDGER_NAME
from swathkit.ledger import Ledger
from swathkit.products.asi.names import asi_file_name
from swathkit.products.asi.reader import open_asi
from swathkit.sim.bremen.asi import write_asi_day, write_asi_days
from swathkit.stores.grid_cube import GridCube
from swathkit.types import FailureKind, Granule

GRID = "n6250"
D0 = date(2024, 3, 4)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    src = tmp_path_factory.mktemp("asi")
    write_asi_days(src, GRID, D0, 6)
    return src


@pytest.fixture
def source(files, tmp_path):
    dst = tmp_path / "src"
    shutil.copytree(files, dst)
    return dst


def _values(path):
    with open_asi(path) as ds:
        return ds["sic"].values[0]


@pytest.mark.slow
def test_days_are_stored_bit_for_bit(source, tmp_path):
    report = consolidate(source, tmp_path / "c.zarr")
    assert report.ok and report.extras.grid == GRID
    assert report.extras.added == [D0 + timedelta(days=i) for i in range(6)]
    cube = GridCube.open(tmp_path / "c.zarr")
    day = D0 + timedelta(days=3)
    stored = cube.read_days([day])[0]
    assert stored.tobytes() == _values(source / asi_file_name(GRID, day)).tobytes()
    assert cube.index.days[day].crs == "EPSG:3413"


def test_a_rerun_reads_nothing_and_commits_nothing(source, tmp_path):
    cube = tmp_path / "c.zarr"
    consolidate(source, cube)
    root = (cube / "zarr.json").read_bytes()
    seen = []
    report = consolidate(source, cube, progress=lambda d, t, item: seen.append((d, t)))
    assert report.extras.added == [] and len(report.extras.skipped) == 6
    assert (cube / "zarr.json").read_bytes() == root
    assert seen[-1] == (6, 6)


@pytest.mark.slow
def test_a_changed_file_replaces_its_day_and_a_touched_one_does_not(source, tmp_path):
    cube = tmp_path / "c.zarr"
    consolidate(source, cube)
    changed, touched = D0 + timedelta(days=1), D0 + timedelta(days=4)
    write_asi_day(source, GRID, changed, seed=7)
    path = source / asi_file_name(GRID, touched)
    os.utime(path, (1e9, 1e9))
    report = consolidate(source, cube)
    assert report.extras.replaced == [changed] and report.extras.unchanged == [touched]
    stored = GridCube.open(cube).read_days([changed])[0]
    assert stored.tobytes() == _values(source / asi_file_name(GRID, changed)).tobytes()
    assert len(consolidate(source, cube).extras.skipped) == 6  # the new mtime was recorded


@pytest.mark.slow
def test_a_bad_file_fails_alone_with_its_reason(source, tmp_path):
    bad = source / asi_file_name(GRID, D0 + timedelta(days=2))
    bad.write_bytes(bad.read_bytes()[:1000])
    report = consolidate(source, tmp_path / "c.zarr")
    assert not report.ok
    assert [(f.kind, f.item) for f in report.failures] == [(FailureKind.BAD_PRODUCT, str(bad))]
    assert bad.name in report.failures[0].reason
    assert len(report.extras.added) == 5
    assert GridCube.open(tmp_path / "c.zarr").state(D0 + timedelta(days=2)) == "absent"


def test_missing_days_are_not_published_when_the_ledger_says_so(source, tmp_path):
    for i in (1, 2):
        (source / asi_file_name(GRID, D0 + timedelta(days=i))).unlink()
    begin = datetime(2024, 3, 5, tzinfo=UTC)
    with Ledger(source / LEDGER_NAME) as ledger:
        gid = asi_file_name(GRID, D0 + timedelta(days=1)).removesuffix(".nc")
        ledger.record_found([Granule(gid, "asi-amsr2", begin, begin + timedelta(days=1),
                                     f"x/{gid}.nc")])
        ledger.record_not_published(gid, attempts=1)
    report = consolidate(source, tmp_path / "c.zarr", end=D0 + timedelta(days=7))
    assert report.extras.not_published == [D0 + timedelta(days=1)]
    assert report.extras.absent == [D0 + timedelta(days=i) for i in (2, 6, 7)]
    cube = GridCube.open(tmp_path / "c.zarr")
    assert cube.not_published == [D0 + timedelta(days=1)]
    assert cube.state(D0 + timedelta(days=2)) == "absent"


@pytest.mark.slow
def test_mixed_grids_need_a_choice(source, tmp_path):
    other = source / asi_file_name("s6250", D0)  # NetCDF-4 bytes: its data are never read
    other.write_bytes((source / asi_file_name(GRID, D0)).read_bytes())
    with pytest.raises(ValueError, match="several grids"):
        consolidate(source, tmp_path / "c.zarr")
    report = consolidate(source, tmp_path / "c.zarr", grid=GRID)
    assert report.ok and len(report.extras.added) == 6


def test_a_broken_file_of_another_grid_does_not_fail_this_one(source, tmp_path):
    (source / asi_file_name("s6250", D0)).write_bytes(b"<html>not a grid</html>")
    (source / "asi-AMSR2-n6250-2024XXXX-v5.4.nc").write_bytes(b"")
    report = consolidate(source, tmp_path / "c.zarr")
    assert len(report.extras.added) == 6
    assert [Path(f.item).name for f in report.failures] == ["asi-AMSR2-n6250-2024XXXX-v5.4.nc"]


def test_a_range_before_the_cube_is_a_clear_error(source, tmp_path):
    cube = tmp_path / "c.zarr"
    consolidate(source, cube, start=D0 + timedelta(days=8), end=D0 + timedelta(days=9))
    with pytest.raises(StoreError, match="new cube"):
        consolidate(source, cube)
    assert GridCube.open(cube).days == []
