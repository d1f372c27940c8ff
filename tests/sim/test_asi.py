import hashlib
from datetime import date

import numpy as np
import pytest

from swathkit.geodata import land_fraction
from swathkit.products.asi import asi_file_name, asi_grid, open_asi
from swathkit.sim.bremen.asi import (
    asi_truth,
    missing_upstream_default,
    pole_hole_radius_m,
    synthetic_asi_day,
    write_asi_day,
    write_asi_days,
)

MARCH = date(2020, 3, 10)


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_same_inputs_give_the_same_bytes(tmp_path):
    a = write_asi_day(tmp_path / "a", "n6250", MARCH, seed=1)
    b = write_asi_day(tmp_path / "b", "n6250", MARCH, seed=1)
    c = write_asi_day(tmp_path / "c", "n6250", MARCH, seed=2)
    assert a.name == b.name == asi_file_name("n6250", MARCH)
    assert _sha(a) == _sha(b)
    assert _sha(a) != _sha(c)


def test_file_layout_is_format_faithful(tmp_path):
    import netCDF4

    path = write_asi_day(tmp_path, "s6250", date(2016, 9, 1))
    with netCDF4.Dataset(path) as nc:
        assert nc.data_model == "NETCDF4"
        assert nc["z"].dimensions == ("y", "x") and nc["z"].dtype == np.float32
        assert nc["z"].filters()["zlib"] and nc["z"].grid_mapping == "polar_stereographic"
        assert nc["x"].dtype == nc["y"].dtype == np.float64
        assert np.all(np.diff(nc["y"][:]) > 0) and np.all(np.diff(nc["x"][:]) > 0)
        crs = nc["polar_stereographic"]
        assert crs.grid_mapping_name == "polar_stereographic"
        assert crs.latitude_of_projection_origin == -90.0
        assert crs.semi_major_axis == 6378273.0  # Hughes 1980 before 2018-11-02
    late = write_asi_day(tmp_path, "s6250", date(2019, 9, 1))
    with netCDF4.Dataset(late) as nc:
        assert nc["polar_stereographic"].semi_major_axis == 6378137.0


def test_values_are_percent_with_nan_where_a_mask_is_set():
    z = synthetic_asi_day("n6250", MARCH)
    truth = asi_truth("n6250", MARCH)
    assert z.dtype == np.float32 and z.shape == asi_grid("n6250").shape
    assert np.nanmin(z) >= 0.0 and np.nanmax(z) <= 100.0
    masked = truth["land"] | truth["pole_hole"] | truth["gap"]
    assert np.array_equal(np.isnan(z), masked)
    assert np.array_equal(z[~masked], truth["ice"][~masked])
    assert not np.isnan(truth["ice"][~truth["land"]]).any()


def test_land_is_nan_where_the_coastline_package_says_land():
    g = asi_grid("n6250")
    lon, lat = g.lonlat()
    land = land_fraction(lat, lon) > 0.5
    z = synthetic_asi_day(g, MARCH)
    assert np.isnan(z[land]).all()
    assert np.array_equal(asi_truth(g, MARCH)["land"], land)
    assert 0.2 < land.mean() < 0.6


def test_pole_hole_in_the_north_only():
    g = asi_grid("n6250")
    radius = pole_hole_radius_m("n6250")
    assert radius == 70_000.0 and pole_hole_radius_m("s6250") == 0.0
    distance = np.hypot(g.x()[None, :], g.y()[:, None])
    z = synthetic_asi_day(g, MARCH)
    assert np.isnan(z[distance < radius]).all()
    ring = (distance > radius + 20_000) & (distance < radius + 60_000)
    assert not np.isnan(z[ring]).any()  # Arctic Ocean around the pole: ice, no gap
    assert np.nanmean(z[ring]) > 80.0
    assert asi_truth(g, MARCH)["pole_hole"].sum() > 300
    assert not asi_truth("s6250", MARCH)["pole_hole"].any()


def test_swath_gaps_move_from_day_to_day():
    gaps = [asi_truth("n6250", date(2020, 3, d))["gap"] for d in (10, 11, 12)]
    assert all(g.any() for g in gaps)
    assert not np.array_equal(gaps[0], gaps[1]) and not np.array_equal(gaps[1], gaps[2])
    lat = asi_grid("n6250").lonlat()[1]
    assert lat[gaps[0] & ~_blocks(gaps[0])].max() < 60.0  # narrow gaps stay at low latitudes


def _blocks(gap):
    """Rough separation of block pixels: those poleward of 60° (never swath wedges)."""
    lat = asi_grid("n6250").lonlat()[1]
    return gap & (lat >= 60.0)


@pytest.mark.slow
def test_some_days_lose_a_larger_block_near_the_pole():
    lat = asi_grid("n6250").lonlat()[1]
    high = [asi_truth("n6250", date(2020, 1, d))["gap"][lat > 70].sum() for d in range(1, 31)]
    assert 0 < sum(h > 1000 for h in high) < 15


def test_consecutive_days_differ_but_stay_correlated():
    a = asi_truth("n6250", MARCH)["ice"]
    b = asi_truth("n6250", date(2020, 3, 11))["ice"]
    far = asi_truth("n6250", date(2020, 3, 25))["ice"]
    pack = (a > 50) & (b > 50) & (far > 50)
    assert not np.array_equal(a[pack], b[pack])
    near_r = np.corrcoef(a[pack], b[pack])[0, 1]
    far_r = np.corrcoef(a[pack], far[pack])[0, 1]
    assert near_r > 0.8 and near_r > far_r


def test_seasonal_cycle_of_extent():
    def extent(grid, day):
        z = asi_truth(grid, day)["ice"]
        return int(np.sum(z > 15.0))

    assert extent("n6250", date(2019, 3, 15)) > 1.5 * extent("n6250", date(2019, 9, 15))
    assert extent("s6250", date(2019, 9, 20)) > 1.5 * extent("s6250", date(2019, 2, 20))


@pytest.mark.slow
def test_write_days_reports_progress_and_reads_back(tmp_path):
    calls = []
    paths = write_asi_days(tmp_path, "n6250", date(2013, 5, 10), 4, seed=3,
                           progress=lambda done, total, name: calls.append((done, total, name)))
    assert [p.name for p in paths] == [asi_file_name("n6250", date(2013, 5, d))
                                       for d in (10, 11, 12, 13)]
    assert [c[0] for c in calls] == [1, 2, 3, 4] and calls[-1][1:] == (4, paths[-1].name)
    ds = open_asi(paths)
    assert ds.sic.shape[0] == 4
    assert missing_upstream_default == (date(2013, 5, 11), date(2013, 5, 12), date(2013, 5, 13))


@pytest.mark.slow
@pytest.mark.parametrize("grid", ["n3125"])
def test_a_full_resolution_day_reads_back_losslessly(tmp_path, grid):
    path = write_asi_day(tmp_path, grid, date(2021, 1, 5))
    ds = open_asi(path)
    assert ds.sic.shape == (1, 3584, 2432)
    expected = synthetic_asi_day(grid, date(2021, 1, 5))
    assert np.array_equal(ds.sic.values[0].view(np.uint32), expected.view(np.uint32))


def test_the_file_names_its_grid_and_the_crs_of_its_day_as_the_product_does(tmp_path):
    import netCDF4

    from swathkit.products.asi import asi_grid as grid_of

    for day, epsg in ((date(2018, 11, 1), "EPSG:3411"), (date(2018, 11, 2), "EPSG:3413")):
        path = write_asi_day(tmp_path, "n6250", day)
        with netCDF4.Dataset(path) as nc:
            assert nc.grid == "n6250"  # the product's own (short) grid name
            stored = {k: nc["polar_stereographic"].getncattr(k)
                      for k in nc["polar_stereographic"].ncattrs()}
        dated = grid_of("n6250", day)
        assert stored == dated.grid_mapping_attrs(wkt=False)
        assert dated.grid_mapping_attrs()["epsg_code"] == epsg
