"""swathkit grid: daily TB composites from a swath store into a grid cube."""

from datetime import datetime, timedelta

import numpy as np
import pyproj
import pytest
import xarray as xr

from swath_grid_helpers import SMALL, day_records, make_store, numpy_bucket, polar_record
from swathkit.errors import InputError
from swathkit.jobs.swaths.grid import grid
from swathkit.products.grids import Grid
from swathkit.stores.location import LOCK_NAME
from swathkit.stores.schema import Layout

DAY = datetime(2022, 2, 16)
pytestmark = pytest.mark.slow  # each grids a small store and writes a cube: 1-5 s


def _cube_bytes(path):
    return {p.relative_to(path): p.read_bytes() for p in sorted(path.rglob("*"))
            if p.is_file() and p.name != LOCK_NAME and p.name != "zarr.json"}


@pytest.fixture
def one_day_store(tmp_path):
    records = day_records(DAY)
    return make_store(tmp_path / "s.zarr", records), records


def _day(cube, day=DAY):
    return xr.open_zarr(cube).sel(time=np.datetime64(day.date()))


def test_bucket_values_counts_and_times_equal_a_numpy_bucket_average(one_day_store, tmp_path):
    store, records = one_day_store
    report = grid(store, tmp_path / "tb.zarr", grid_name=SMALL, channels="36.5H,89.0AH",
                  start=DAY.date(), end=DAY.date())
    assert report.ok and report.extras.added == [DAY.date()]
    ds = _day(tmp_path / "tb.zarr")
    for direction, suffix in (("A", "asc"), ("D", "des")):
        for var, band, key in (("tb_36_5h", "36G", "36_5h"), ("tb_89_0ah", "89A", "89_0ah")):
            tb, n, mean_time = numpy_bucket(records, SMALL, direction, var, band)
            assert np.isfinite(tb).sum() > 100
            got = ds[f"tb_{key}_{suffix}"].values
            np.testing.assert_array_equal(got, tb.astype(np.float32))  # stored as float32
            np.testing.assert_array_equal(ds[f"count_{key}_{suffix}"].values, n)
            seconds = (ds[f"time_{key}_{suffix}"].values
                       - np.datetime64("1970-01-01", "ns")).astype(np.float64) / 1e9
            ok = n > 0
            assert np.abs(seconds[ok] - mean_time[ok]).max() < 1e-5
            assert np.isnat(ds[f"time_{key}_{suffix}"].values[~ok]).all()


def test_ascending_and_descending_passes_are_kept_apart(tmp_path):
    records = [polar_record(1, DAY + timedelta(hours=1), "A"),
               polar_record(1, DAY + timedelta(hours=2), "D", seed=5)]
    records[1] = type(records[1])("G9999", records[1].counts, records[1].latlon,
                                  records[1].scan_time, records[1].meta)
    store = make_store(tmp_path / "s.zarr", records)
    grid(store, tmp_path / "tb.zarr", grid_name=SMALL, channels="36.5H", start=DAY.date(),
         end=DAY.date())
    ds = _day(tmp_path / "tb.zarr")
    only_a = numpy_bucket(records[:1], SMALL, "A")[0]
    only_d = numpy_bucket(records[1:], SMALL, "D")[0]
    np.testing.assert_array_equal(ds["tb_36_5h_asc"].values, only_a.astype(np.float32))
    np.testing.assert_array_equal(ds["tb_36_5h_des"].values, only_d.astype(np.float32))
    assert not np.array_equal(only_a, only_d, equal_nan=True)  # same cells, other values


def test_a_granule_crossing_midnight_gives_each_day_its_own_scans(tmp_path):
    start = DAY + timedelta(hours=23, minutes=59, seconds=15)  # 60 scans of 1.5 s: 30 before
    records = [polar_record(3, start, "A")]
    store = make_store(tmp_path / "s.zarr", records)
    report = grid(store, tmp_path / "tb.zarr", grid_name=SMALL, start=DAY.date(),
                  end=DAY.date() + timedelta(days=1))
    assert report.extras.added == [DAY.date(), DAY.date() + timedelta(days=1)]
    midnight = np.datetime64(DAY + timedelta(days=1), "ns")
    for day, lo, hi in ((DAY, np.datetime64(DAY, "ns"), midnight),
                        (DAY + timedelta(days=1), midnight, midnight + np.timedelta64(1, "D"))):
        tb, n, _ = numpy_bucket(records, SMALL, "A", lo=lo, hi=hi)
        ds = _day(tmp_path / "tb.zarr", day)
        np.testing.assert_array_equal(ds["count_36_5h_asc"].values, n)
        np.testing.assert_array_equal(ds["tb_36_5h_asc"].values, tb.astype(np.float32))
        assert 0 < n.sum() < numpy_bucket(records, SMALL, "A")[1].sum()


def test_rerun_adds_only_missing_days_and_keeps_existing_bytes(tmp_path):
    day2 = DAY + timedelta(days=1)
    store = make_store(tmp_path / "s.zarr", day_records(DAY) + day_records(day2, 2))
    cube = tmp_path / "tb.zarr"
    first = grid(store, cube, grid_name=SMALL, start=DAY.date(), end=DAY.date())
    before = _cube_bytes(cube)
    day1 = _day(cube)["tb_36_5h_asc"].values
    again = grid(store, cube, grid_name=SMALL, start=DAY.date(), end=day2.date())
    assert first.extras.added == [DAY.date()]
    assert again.extras.present == [DAY.date()] and again.extras.added == [day2.date()]
    np.testing.assert_array_equal(_day(cube)["tb_36_5h_asc"].values, day1)
    third = grid(store, cube, grid_name=SMALL, start=DAY.date(), end=day2.date())
    assert third.extras.added == [] and third.counts["present"] == 2
    after = _cube_bytes(cube)
    # day 1 ends its 8-day time chunk (2022-02-16 is day 19039 = 8k + 7), so no chunk
    # of it was rewritten: every file is as it was, but the grown time axis and the
    # day_state chunk that now says day 2 is present too (its record: a document of its own)
    changed = [k for k, v in before.items() if after[k] != v]
    assert changed == [k for k in before if k.parts[0] in ("day_state", "time")
                       and "c" in k.parts]


def test_the_cube_opens_in_plain_xarray_with_a_cf_grid_mapping(one_day_store, tmp_path):
    store, _ = one_day_store
    grid(store, tmp_path / "tb.zarr", grid_name=SMALL, start=DAY.date(), end=DAY.date())
    ds = xr.open_zarr(tmp_path / "tb.zarr")
    tb = ds["tb_36_5h_asc"]
    assert tb.attrs["units"] == "K" and tb.encoding["_FillValue"] != tb.encoding["_FillValue"]
    gm = ds[tb.attrs["grid_mapping"]]
    assert pyproj.CRS.from_cf(gm.attrs) == SMALL.crs
    np.testing.assert_allclose(ds["x"].values, SMALL.x())
    np.testing.assert_allclose(ds["y"].values, SMALL.y())
    assert ds["x"].attrs["standard_name"] == "projection_x_coordinate"
    assert ds["time_36_5h_asc"].dtype.kind == "M"  # CF time, decoded by xarray


def test_a_day_without_swaths_is_reported_empty_and_added_later(tmp_path):
    store = make_store(tmp_path / "s.zarr", day_records(DAY, 2))
    report = grid(store, tmp_path / "tb.zarr", grid_name=SMALL, start=DAY.date(),
                  end=DAY.date() + timedelta(days=1))
    assert report.extras.empty == [DAY.date() + timedelta(days=1)]
    assert report.counts == {"days": 2, "added": 1, "present": 0, "empty": 1, "failed": 0}


def test_a_store_without_coordinates_is_an_input_error(tmp_path):
    store = make_store(tmp_path / "s.zarr", day_records(DAY, 1),
                       Layout.of("36.5H,89.0AH", scan_length=64))
    with pytest.raises(InputError, match="--coords"):
        grid(store, tmp_path / "tb.zarr", grid_name=SMALL, start=DAY.date(), end=DAY.date())


def test_another_grid_or_channel_set_on_an_existing_cube_is_an_input_error(one_day_store,
                                                                           tmp_path):
    store, _ = one_day_store
    grid(store, tmp_path / "tb.zarr", grid_name=SMALL, start=DAY.date(), end=DAY.date())
    other = Grid("other", 6931, (20, 20), SMALL.transform)
    with pytest.raises(InputError, match="grid test-ease2-n25-crop"):
        grid(store, tmp_path / "tb.zarr", grid_name=other, start=DAY.date(), end=DAY.date())
    with pytest.raises(InputError, match="variables"):
        grid(store, tmp_path / "tb.zarr", grid_name=SMALL, channels="89.0AH",
             start=DAY.date(), end=DAY.date())
    with pytest.raises(InputError, match=r"18\.7H"):
        grid(store, tmp_path / "x.zarr", grid_name=SMALL, channels="18.7H",
             start=DAY.date(), end=DAY.date())


@pytest.mark.parametrize("method", ["nearest", "ewa"])
def test_other_methods_fill_the_observed_cells_with_plausible_values(one_day_store, tmp_path,
                                                                     method):
    store, records = one_day_store
    grid(store, tmp_path / "tb.zarr", grid_name=SMALL, start=DAY.date(), end=DAY.date(),
         method=method)
    ds = _day(tmp_path / "tb.zarr")
    tb = ds["tb_36_5h_asc"].values
    observed = ds["count_36_5h_asc"].values > 0
    assert np.isfinite(tb[observed]).mean() > 0.95
    assert np.nanmin(tb) >= 150.0 and np.nanmax(tb) <= 280.0
    assert ds["tb_36_5h_asc"].attrs["resampling"] == method
    if method == "nearest":  # every value is one of the observations
        obs = np.concatenate([np.round(r.counts["tb_36_5h"].ravel() * 0.01, 2) for r in records])
        assert np.isin(np.round(tb[np.isfinite(tb)].astype(np.float64), 2), obs).all()
