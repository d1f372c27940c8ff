"""``swathkit convert`` of ASI sea-ice days (EPSG by date) and grid cubes (a band per day)."""

from datetime import date, timedelta

import numpy as np
import pytest
import rasterio

from swathkit.cli.main import main
from swathkit.products.asi.reader import open_asi
from swathkit.products.grids import Grid
from swathkit.sim.bremen.asi import write_asi_day
from swathkit.stores.grid_cube import open_cube
from swathkit.stores.grid_cube_writer import cube_writer


@pytest.mark.slow  # two 6.25 km days: 1792 × 1216 each
@pytest.mark.parametrize(("day", "epsg"), [(date(2018, 10, 15), 3411), (date(2019, 1, 10), 3413)])
def test_an_asi_day_is_on_polar_stereographic_with_the_epsg_of_its_date(tmp_path, day, epsg):
    path = write_asi_day(tmp_path, "n6250", day)
    out = tmp_path / "sic.tif"
    assert main(["convert", str(path), "--to", "geotiff", "--out", str(out)]) == 0
    with rasterio.open(out) as src:
        assert src.crs.to_epsg() == epsg
        # the file's row 0 is its south edge: written north-up, top edge y = 5 850 000 m
        assert src.transform.to_gdal() == (-3_850_000.0, 6250.0, 0.0, 5_850_000.0, 0.0, -6250.0)
        assert np.isnan(src.nodata) and src.descriptions == (f"sic {day.isoformat()}",)
        assert src.tags()["date"] == day.isoformat() and src.units == ("percent",)
        got = src.read(1)
    want = open_asi(path)["sic"].values[0]
    assert np.array_equal(got, want[::-1], equal_nan=True)
    assert np.isnan(got).any() and np.nanmax(got) <= 100


D0 = date(2024, 3, 5)
# 40 rows × 30 columns of 6.25 km on the NSIDC north plane, row 0 at the south (as ASI)
TINY = Grid("t40", 3413, (40, 30), (-93_750.0, 6250.0, 0.0, -125_000.0, 0.0, 6250.0))


def fields(start, n):
    rng = np.random.default_rng(7)
    out = {}
    for i in range(n):
        values = (rng.random(TINY.shape) * 100).astype(np.float32)
        values[rng.random(TINY.shape) < 0.1] = np.nan
        out[start + timedelta(days=i)] = values
    return out


@pytest.fixture
def cube(tmp_path):
    path = tmp_path / "c.zarr"
    with cube_writer(path, grid=TINY, space_chunk=16) as w:
        w.upsert_days(fields(D0, 4))
    return path


def test_a_cube_is_a_band_per_day_named_by_its_date(cube, tmp_path):
    out = tmp_path / "all.tif"
    assert main(["convert", str(cube), "--out", str(out)]) == 0
    days = [D0 + timedelta(days=i) for i in range(4)]
    ds = open_cube(cube)
    with rasterio.open(out) as src:
        assert src.count == 4 and src.descriptions == tuple(d.isoformat() for d in days)
        assert src.crs.to_epsg() == 3413
        assert src.transform.to_gdal() == (-93_750.0, 6250.0, 0.0, 125_000.0, 0.0, -6250.0)
        for i, d in enumerate(days):
            want = ds["sic"].sel(time=np.datetime64(d)).values
            assert np.array_equal(src.read(i + 1), want[::-1], equal_nan=True)


def test_a_chosen_day_of_a_cube_and_days_it_does_not_hold(cube, tmp_path, capsys):
    day = D0 + timedelta(days=2)
    assert main(["convert", str(cube), "--day", day.isoformat(), "--out", f"{tmp_path}/"]) == 0
    [written] = tmp_path.glob("*.tif")
    assert written.name == f"c_sic_{day:%Y%m%d}.tif"
    with rasterio.open(written) as src:
        assert src.count == 1 and src.descriptions == (day.isoformat(),)
    assert main(["convert", str(cube), "--day", "2024-04-01"]) == 2
    assert "not a present day of the cube (present: 2024-03-05 … 2024-03-08" in (
        capsys.readouterr().err)
    assert main(["convert", str(cube), "--day", "5 March"]) == 2
    assert "write it as YYYY-MM-DD" in capsys.readouterr().err
    assert main(["convert", str(cube), "--layer", "tb"]) == 2
    assert "its variables: sic" in capsys.readouterr().err


@pytest.mark.slow  # an ASI-grid cube across the CRS change: 3 days of 1792 × 1216
def test_cube_days_on_two_crss_are_converted_one_at_a_time(tmp_path, capsys):
    path = tmp_path / "n.zarr"
    with cube_writer(path, grid="asi-n6250") as w:
        w.upsert_days({date(2018, 10, 31) + timedelta(days=i): np.full(
            (1792, 1216), 10.0 * i, np.float32) for i in range(3)})
    assert main(["convert", str(path)]) == 2
    assert "EPSG 3411, 3413" in capsys.readouterr().err
    assert main(["convert", str(path), "--day", "2018-11-02", "--out",
                 str(tmp_path / "d.tif")]) == 0
    with rasterio.open(tmp_path / "d.tif") as src:
        assert src.crs.to_epsg() == 3413 and float(src.read(1).max()) == 20.0
