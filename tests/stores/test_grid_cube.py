"""The grid cube: lossless, CF-readable, idempotent by day, one writer at a time."""

from datetime import date, timedelta

import numpy as np
import pytest
import xarray as xr
from grid_cube_helpers import TINY, field, fields

from swathkit.errors import InputError, StoreError, StoreLockedError
from swathkit.stores.grid_cube import GridCube, open_cube
from swathkit.stores.grid_cube_writer import cube_writer
from swathkit.types import Region

D0 = date(2024, 3, 5)


@pytest.fixture
def cube(tmp_path):
    path = tmp_path / "c.zarr"
    with cube_writer(path, grid=TINY, space_chunk=16) as w:
        w.upsert_days(fields(D0, 10))
    return path


def test_days_read_back_bit_for_bit(cube):
    c = GridCube.open(cube)
    days = [D0 + timedelta(days=i) for i in (3, 0, 9)]
    got = c.read_days(days)
    for k, day in enumerate(days):
        assert got[k].tobytes() == field(day).tobytes()
    assert c.days == [D0 + timedelta(days=i) for i in range(10)]


def test_origin_is_aligned_to_the_time_chunk(cube):
    c = GridCube.open(cube)
    assert c.origin <= D0 and (c.origin - date(1970, 1, 1)).days % 8 == 0
    assert c.calendar[0] == c.origin and c.calendar[-1] == D0 + timedelta(days=9)


def test_xarray_decodes_the_store_with_cf(cube):
    ds = xr.open_zarr(cube, consolidated=True)
    assert ds["sic"].dims == ("time", "y", "x")
    assert ds["sic"].attrs["standard_name"] == "sea_ice_area_fraction"
    assert ds["sic"].attrs["grid_mapping"] == "polar_stereographic"
    assert ds["time"].values[0] == np.datetime64(GridCube.open(cube).origin, "ns")
    assert "grid_mapping_name" in ds["polar_stereographic"].attrs
    np.testing.assert_array_equal(ds["x"].values, TINY.x())
    day = ds["sic"].sel(time=np.datetime64(D0 + timedelta(days=2))).values
    assert day.tobytes() == field(D0 + timedelta(days=2)).tobytes()


def test_dataset_is_lazy_and_blanks_days_not_present(cube):
    ds = open_cube(cube)
    assert ds["sic"].chunks is not None
    assert ds["present"].values.sum() == 10
    before = ds["sic"].sel(time=np.datetime64(GridCube.open(cube).origin)).values
    assert np.isnan(before).all()


def test_rerunning_an_upsert_changes_nothing(cube):
    root = (cube / "zarr.json").read_bytes()
    with cube_writer(cube) as w:
        summary = w.upsert_days(fields(D0, 10))
    assert summary.added == () and summary.replaced == () and len(summary.unchanged) == 10
    c = GridCube.open(cube)
    assert len(c.days) == 10 and c.index.length == len(c.calendar)
    assert (cube / "zarr.json").read_bytes() == root  # nothing committed


def test_a_changed_day_replaces_the_stored_one(cube):
    day = D0 + timedelta(days=4)
    new = field(day, offset=0.5)
    with cube_writer(cube) as w:
        summary = w.upsert_days({day: new})
    assert summary.replaced == (day,)
    c = GridCube.open(cube)
    assert c.read_days([day])[0].tobytes() == new.tobytes()
    # neighbours in the same time chunk are untouched
    for other in (D0 + timedelta(days=3), D0 + timedelta(days=5)):
        assert c.read_days([other])[0].tobytes() == field(other).tobytes()
    assert c.days.count(day) == 1 and c.pending == []


def test_the_axis_grows_and_gaps_read_as_nan(cube):
    late = D0 + timedelta(days=30)
    with cube_writer(cube) as w:
        w.upsert_days({late: field(late)})
    c = GridCube.open(cube)
    assert c.calendar[-1] == late and c.state(late - timedelta(days=3)) == "absent"
    assert np.isnan(c.read_days([late - timedelta(days=3)])).all()
    assert c.read_days([late])[0].tobytes() == field(late).tobytes()


def test_a_day_before_the_origin_is_a_clear_error(cube):
    early = date(2024, 1, 1)
    with cube_writer(cube) as w, pytest.raises(StoreError, match="new cube"):
        w.upsert_days({early: field(early)})


def test_not_published_days_are_recorded_and_present_days_kept(cube):
    missing = [D0 + timedelta(days=12), D0 + timedelta(days=13), D0 + timedelta(days=2)]
    with cube_writer(cube) as w:
        new = w.mark_not_published(missing)
    assert new == missing[:2]
    c = GridCube.open(cube)
    assert c.not_published == missing[:2]
    assert c.state(D0 + timedelta(days=2)) == "present"
    assert c.calendar[-1] == D0 + timedelta(days=13)


def test_a_second_writer_is_refused(cube):
    with (cube_writer(cube), pytest.raises(StoreLockedError, match="another writer"),
          cube_writer(cube)):
        pass


def test_another_grid_is_refused(cube):
    from swathkit.products.asi.grids import asi_grid

    with pytest.raises(StoreError, match="grid"), cube_writer(cube, grid=asi_grid("n6250")):
        pass


def test_region_reads_a_crop(cube):
    c = GridCube.open(cube)
    got = c.read_days([D0], region=(slice(5, 12), slice(20, 30)))
    assert got.shape == (1, 7, 10)
    assert got[0].tobytes() == field(D0)[5:12, 20:30].tobytes()
    for same in (Region((5, 12), (20, 30)), "5:12,20:30"):
        assert c.read_days([D0], region=same).tobytes() == got.tobytes()


def test_a_region_outside_the_grid_is_an_input_error(cube):
    with pytest.raises(InputError, match=r"outside grid t40 \(40 rows × 30 columns"):
        GridCube.open(cube).read_days([D0], region="0:41,0:5")


def test_no_mask_before_mask_runs(cube):
    assert GridCube.open(cube).land_mask() is None


def test_open_refuses_something_that_is_not_a_cube(tmp_path):
    with pytest.raises(StoreError, match="no grid cube"):
        GridCube.open(tmp_path / "nothing.zarr")


def test_an_fsspec_url_works(tmp_path):
    url = f"memory://{tmp_path.name}/remote.zarr"
    with cube_writer(url, grid=TINY, space_chunk=16) as w:
        w.upsert_days(fields(D0, 3))
    c = GridCube.open(url)
    assert c.read_days([D0])[0].tobytes() == field(D0).tobytes()
    day = open_cube(url)["sic"].sel(time=np.datetime64(D0 + timedelta(days=1))).values
    assert day.tobytes() == field(D0 + timedelta(days=1)).tobytes()
    with cube_writer(url) as w:
        assert w.upsert_days(fields(D0, 3)).unchanged == tuple(fields(D0, 3))
