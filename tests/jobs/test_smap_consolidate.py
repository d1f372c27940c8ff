"""smap consolidate: daily L3 files into the grid cube on EASE2 M36, AM and PM apart.

Checked against the facts' grid table and the reader's values; the newest release of a
day wins; reruns add only what is missing; bad files are listed; bytes do not depend on
the order the files come in.
"""

import os
from datetime import date, datetime
from pathlib import Path

import h5py
import numpy as np
import pytest

from smap_files import folder_of, l3_days
from swathkit import smap
from swathkit.errors import InputError
from swathkit.jobs.smap.consolidate import consolidate
from swathkit.stores.grid_cube import GridCube, open_cube
from swathkit.types import FailureKind

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

D1, D2, D3 = date(2015, 4, 1), date(2015, 4, 2), date(2015, 4, 3)
M36_TRANSFORM = (-17367530.4451615, 36032.220840584, 0.0, 7314540.8306386, 0.0,
                 -36032.220840584)  # the facts' GDAL geotransform


@pytest.fixture(scope="module")
def three(tmp_path_factory):
    return l3_days(tmp_path_factory, datetime(2015, 4, 1), 3)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    """2015-04-01 again as release R19240_002, its AM soil moisture 10 % lower."""
    made = l3_days(tmp_path_factory, datetime(2015, 4, 1), 1, counter=2)[0]
    path = folder_of([made], tmp_path_factory.mktemp("regenerated")) / made.name
    with h5py.File(path, "r+") as f:
        sm = f["Soil_Moisture_Retrieval_Data_AM/soil_moisture"]
        values = sm[()]
        sm[...] = np.where(values > 0, values * np.float32(0.9), values)
    return path


@pytest.fixture(scope="module")
def built(three, tmp_path_factory):
    root = tmp_path_factory.mktemp("built")
    cube = root / "sm.zarr"
    report = consolidate(folder_of(three, root / "in"), cube)
    return report, cube


def _reader(path, layer, overpass):
    with smap.open(path) as ds:
        return ds[layer].sel(overpass=overpass).values


def test_the_cube_is_on_the_facts_m36_grid(built):
    report, cube = built
    g = GridCube.open(cube).grid
    assert (g.name, g.epsg, g.shape, g.transform) == ("ease2-m36", 6933, (406, 964),
                                                      M36_TRANSFORM)
    assert report.extras.grid == "ease2-m36" and report.counts["added"] == 3


def test_values_equal_the_readers_with_am_and_pm_apart(built, three):
    _, cube = built
    ds = open_cube(cube)
    for k, day in enumerate((D1, D2, D3)):
        for overpass in ("am", "pm"):
            for layer in ("soil_moisture", "retrieval_qual_flag"):
                stored = ds[f"{layer}_{overpass}"].sel(time=str(day)).values
                assert np.array_equal(stored, _reader(three[k], layer, overpass),
                                      equal_nan=True), (day, overpass, layer)
    am, pm = ds.soil_moisture_am.isel(time=ds.present).values, \
        ds.soil_moisture_pm.isel(time=ds.present).values
    assert not np.array_equal(am, pm, equal_nan=True)  # two overpasses, two fields


def test_cf_attributes_carry_units_valid_range_and_grid_mapping(built):
    ds = open_cube(built[1])
    sm = ds.soil_moisture_pm
    assert sm.attrs["units"] == "cm**3/cm**3"
    assert (sm.attrs["valid_min"], sm.attrs["valid_max"]) == pytest.approx((0.02, 0.5))
    assert sm.attrs["grid_mapping"] == "lambert_cylindrical_equal_area"
    assert sm.attrs["source"] == "/Soil_Moisture_Retrieval_Data_PM/soil_moisture_pm"
    assert ds.retrieval_qual_flag_am.dtype == np.uint16
    assert ds.retrieval_qual_flag_am.attrs["flag_masks"] == [1, 2, 4, 8]
    assert ds["lambert_cylindrical_equal_area"].attrs["grid_mapping_name"] == \
        "lambert_cylindrical_equal_area"


def test_the_highest_counter_wins_and_is_reported(three, regenerated, tmp_path):
    folder = folder_of([three[0], regenerated], tmp_path / "in")
    report = consolidate(folder, tmp_path / "sm.zarr")
    assert report.counts["superseded"] == 1
    kept = report.extras.superseded[0]
    assert kept.path.name == "SMAP_L3_SM_P_20150401_R19240_002.h5"
    assert [p.name for p in kept.passed_over] == ["SMAP_L3_SM_P_20150401_R19240_001.h5"]
    stored = open_cube(tmp_path / "sm.zarr").soil_moisture_am.sel(time=str(D1)).values
    assert np.array_equal(stored, _reader(regenerated, "soil_moisture", "am"), equal_nan=True)
    assert not np.array_equal(stored, _reader(three[0], "soil_moisture", "am"),
                              equal_nan=True)


def test_a_rerun_adds_only_the_missing_days(three, tmp_path):
    folder = folder_of(three[:2], tmp_path / "in")
    cube = tmp_path / "sm.zarr"
    first = consolidate(folder, cube)
    again = consolidate(folder, cube)
    folder_of(three[2:], folder)
    third = consolidate(folder, cube)
    assert first.extras.added == [D1, D2]
    assert again.extras.added == [] and again.extras.skipped == [D1, D2]
    assert third.extras.added == [D3] and third.extras.skipped == [D1, D2]
    assert GridCube.open(cube).days == [D1, D2, D3]


def test_a_newer_release_replaces_its_day_on_a_rerun(three, regenerated, tmp_path):
    folder = folder_of([three[0]], tmp_path / "in")
    cube = tmp_path / "sm.zarr"
    consolidate(folder, cube)
    folder_of([regenerated], folder)
    report = consolidate(folder, cube)
    assert report.extras.replaced == [D1]


def test_bad_files_are_listed_with_their_reason_and_the_others_stored(three, tmp_path):
    folder = folder_of(three[:1], tmp_path / "in")
    truncated = folder / "SMAP_L3_SM_P_20150402_R19240_001.h5"
    truncated.write_bytes(three[1].read_bytes()[:200_000])
    not_hdf5 = folder / "SMAP_L3_SM_P_20150403_R19240_001.h5"
    not_hdf5.write_text("<html>login page</html>")
    report = consolidate(folder, tmp_path / "sm.zarr")
    assert report.exit_code == 1 and report.counts["failed"] == 2
    reasons = {Path(f.item).name: f for f in report.failures}
    assert set(reasons) == {truncated.name, not_hdf5.name}
    for name, failure in reasons.items():
        assert name in failure.reason and "\n" not in failure.reason
        assert failure.kind is FailureKind.BAD_PRODUCT
    assert report.extras.added == [D1] and GridCube.open(tmp_path / "sm.zarr").days == [D1]


def test_a_day_with_no_file_in_the_range_is_absent(three, tmp_path):
    folder = folder_of([three[0], three[2]], tmp_path / "in")
    report = consolidate(folder, tmp_path / "sm.zarr")
    assert report.extras.absent == [D2] and report.counts["absent"] == 1


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.name.startswith(".swathkit-writer")}


def test_bytes_are_identical_whatever_the_order_of_the_files(three, regenerated, tmp_path):
    files = [*three, regenerated]
    a = folder_of(files, tmp_path / "a")
    b = tmp_path / "b"
    for path in reversed(files):  # listed (created) in the other order, same mtimes
        folder_of([path], b / ("sub" if path is three[1] else ""))
    consolidate(a, tmp_path / "a.zarr")
    consolidate(b, tmp_path / "b.zarr")
    tree_a, tree_b = _tree(tmp_path / "a.zarr"), _tree(tmp_path / "b.zarr")
    assert len(tree_a) > 10 and tree_a == tree_b


def test_chosen_layers_give_am_and_pm_variables(three, tmp_path):
    folder = folder_of(three[:1], tmp_path / "in")
    report = consolidate(folder, tmp_path / "sm.zarr",
                         layers="soil_moisture_error,tb_time_seconds")
    assert report.extras.variables == ("soil_moisture_error_am", "soil_moisture_error_pm",
                                       "tb_time_seconds_am", "tb_time_seconds_pm")
    ds = open_cube(tmp_path / "sm.zarr")
    assert ds.tb_time_seconds_pm.dtype == np.float64


@pytest.mark.parametrize(("options", "message"), [
    ({"layers": "soil_moisture,nope"}, "no layer 'nope'"),
    ({"layers": "landcover_class"}, "choose a 2-D layer"),
    ({"layers": "tb_time"}, "tb_time_seconds"),
    ({"polar": True}, "no polar groups"),
    ({"product": "SPL2SMP"}, "daily L3"),
])
def test_bad_options_are_input_errors(three, tmp_path, options, message):
    folder = folder_of(three[:1], tmp_path / "in")
    with pytest.raises(InputError, match=message):
        consolidate(folder, tmp_path / "sm.zarr", **options)
    assert not (tmp_path / "sm.zarr" / "zarr.json").exists()


def test_other_layers_than_the_cube_holds_are_an_input_error(built, tmp_path, three):
    folder = folder_of(three[:1], tmp_path / "in")
    with pytest.raises(InputError, match="holds soil_moisture_am"):
        consolidate(folder, built[1], layers="soil_moisture_error")


def test_a_missing_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such folder"):
        consolidate(tmp_path / "nowhere", tmp_path / "sm.zarr")
    os.makedirs(tmp_path / "empty")
    with pytest.raises(InputError, match="no SMAP L3 files"):
        consolidate(tmp_path / "empty", tmp_path / "sm.zarr")
