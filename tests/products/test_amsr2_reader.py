import h5py
import numpy as np
import pytest
import xarray as xr

from swathkit.errors import FileNameError, FormatError
from swathkit.products.amsr2 import open_l1b
from swathkit.products.amsr2.coregistration import great_circle_km
from swathkit.products.amsr2.reader import OrbitDirectionWarning, parse_coregistration
from swathkit.sim.gportal.amsr2_l1b import synthetic_granule

START = "2022-02-16T00:00:00"


@pytest.fixture(scope="module")
def truth():
    return synthetic_granule(START, scans=80, seed=3)


@pytest.fixture
def path(l1b_files):
    return l1b_files[0]


def test_counts_equal_the_files_with_zero_folded_into_the_fill(path, truth):
    ds = open_l1b(path, channels="6.9H,36.5H,89.0BV")
    for ch in ("6.9H", "36.5H", "89.0BV"):
        var = ds[f"tb_{ch.replace('.', '_').lower()}"]
        expected = truth.counts[ch].copy()
        expected[expected == 0] = 65535
        assert var.dtype == np.uint16
        assert np.array_equal(var.values, expected)
    assert ds["tb_89_0bv"].dims == ("scan", "pixel89")


def test_decode_cf_gives_kelvin_with_nan(path, truth):
    tb = xr.decode_cf(open_l1b(path, channels="36.5H"))["tb_36_5h"].values
    assert np.allclose(tb, truth.brightness_temperature("36.5H"), equal_nan=True)
    assert np.isnan(tb).any()


def test_one_channel_is_lazy_and_reads_only_that_dataset(path, monkeypatch):
    ds = open_l1b(path, channels="36.5H,89.0AH", coords=True)
    assert all(hasattr(v.data, "dask") for v in ds.variables.values() if v.ndim == 2)
    read = []
    original = h5py.Dataset.__getitem__

    def spy(self, key):
        read.append(self.name)
        return original(self, key)

    monkeypatch.setattr(h5py.Dataset, "__getitem__", spy)
    values = ds["tb_36_5h"].values
    assert values.shape == (80, 243)
    assert read == ["/Brightness Temperature (36.5GHz,H)"]


def test_scan_time_is_utc_from_tai93(path, truth):
    ds = open_l1b(path)
    assert np.abs((ds["scan_time"].values - truth.scan_time).astype(np.int64)).max() < 1000


def test_attributes_follow_the_convention(path, truth):
    ds = open_l1b(path)
    assert ds.attrs["platform"] == "GCOM-W1" and ds.attrs["sensor"] == "AMSR2"
    assert ds.attrs["granule_id"] == truth.name.granule_id
    assert ds.attrs["orbit_direction"] == truth.orbit_direction[0]
    assert ds.attrs["geolocation"] == "coregister"


@pytest.mark.parametrize("band", ["6G", "10G", "36G"])
def test_coregistration_matches_truth_and_subsampling_does_not(path, truth, band):
    channel = {"6G": "6.9V", "10G": "10.7H", "36G": "36.5H"}[band]
    true_lat, true_lon = truth.band_geolocation[band]
    errors = {}
    for method in ("coregister", "subsample"):
        ds = open_l1b(path, channels=channel, coords=True, geolocation=method)
        lat, lon = ds[f"lat_{band.lower()}"].values, ds[f"lon_{band.lower()}"].values
        errors[method] = great_circle_km(lat, lon, true_lat, true_lon)
    assert np.nanmax(errors["coregister"]) < 1.0
    assert np.nanmean(errors["subsample"]) > 2.0


def test_coregistration_parameters_parse_negative_values():
    assert parse_coregistration("6G-1.5,7G--0.125,36G-1e-2") == {
        "6G": 1.5, "7G": -0.125, "36G": 0.01}


def test_direction_disagreement_warns_and_is_recorded(path, tmp_path):
    other = "D" if "A_L1" in path.name else "A"
    renamed = tmp_path / path.name.replace(f"{'A' if other == 'D' else 'D'}_L1", f"{other}_L1")
    renamed.write_bytes(path.read_bytes())
    with pytest.warns(OrbitDirectionWarning, match="OrbitDirection"):
        ds = open_l1b(renamed)
    assert "orbit_direction_conflict" in ds.attrs


def test_not_hdf5_is_a_clear_error(tmp_path, path):
    bad = tmp_path / path.name
    bad.write_text("<html>503 Service Unavailable</html>")
    with pytest.raises(FormatError, match="not an HDF5 file"):
        open_l1b(bad)


def test_truncated_file_is_a_clear_error(tmp_path, path):
    bad = tmp_path / path.name
    bad.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    with pytest.raises(FormatError, match=bad.name):
        open_l1b(bad).load()


def test_missing_channel_names_the_dataset(tmp_path, path):
    bad = tmp_path / path.name
    bad.write_bytes(path.read_bytes())
    with h5py.File(bad, "a") as f:
        del f["Brightness Temperature (36.5GHz,H)"]
    with pytest.raises(FormatError, match=r"Brightness Temperature \(36\.5GHz,H\)"):
        open_l1b(bad, channels="36.5H")


def test_bad_name_is_a_file_name_error(tmp_path, path):
    bad = tmp_path / "granule.h5"
    bad.write_bytes(path.read_bytes())
    with pytest.raises(FileNameError):
        open_l1b(bad)
