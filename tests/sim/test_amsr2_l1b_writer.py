"""The synthetic AMSR2 L1B writer: names, layout, determinism, geometry, the synthetic Earth."""

from datetime import UTC, datetime
from itertools import pairwise

import h5py
import numpy as np
import pytest

from swathkit.products.amsr2.channels import CHANNELS, FILL_COUNT, LOW_BANDS
from swathkit.products.amsr2.names import parse_name
from swathkit.products.timescales import tai93_to_utc
from swathkit.sim import earth, orbit
from swathkit.sim.gportal.amsr2_l1b import (
    granule_slot,
    granules_between,
    synthetic_granule,
    write_granule,
    write_granules,
)

START = "2022-02-16T00:00:00Z"  # inside a descending granule that starts near the north pole
SCANS = 40
R_KM = 6371.0


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Two consecutive small granules (one descending, one ascending) written together."""
    return write_granules(tmp_path_factory.mktemp("l1b"), START, 2, scans=SCANS, seed=7)


@pytest.fixture(scope="module")
def path(batch):
    return batch[0]


@pytest.fixture(scope="module")
def truth():
    return synthetic_granule(START, scans=SCANS, seed=7)


def _unit(lat, lon):
    la, lo = np.deg2rad(lat), np.deg2rad(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def _km(lat1, lon1, lat2, lon2):
    dot = np.sum(_unit(lat1, lon1) * _unit(lat2, lon2), axis=-1)
    return R_KM * np.arccos(np.clip(dot, -1.0, 1.0))


def _coregister(lat89, lon89, a1, a2):
    """JAXA's co-registration formula, written independently of swathkit."""
    p1, p2 = _unit(lat89[:, 0::2], lon89[:, 0::2]), _unit(lat89[:, 1::2], lon89[:, 1::2])
    ez = np.cross(p1, p2)
    ez /= np.linalg.norm(ez, axis=-1, keepdims=True)
    ey = np.cross(ez, p1)
    theta = np.arccos(np.clip(np.sum(p1 * p2, axis=-1), -1.0, 1.0))[..., None]
    point = np.cos(a2 * theta) * (np.cos(a1 * theta) * p1 + np.sin(a1 * theta) * ey)
    point += np.sin(a2 * theta) * ez
    lon = np.rad2deg(np.arctan2(point[..., 1], point[..., 0]))
    return np.rad2deg(np.arcsin(point[..., 2])), lon


def _attr_text(value) -> str:
    assert isinstance(value, np.ndarray) and value.shape == (1,) and value.dtype.kind == "S"
    return value[0].decode()


# --- names and layout -------------------------------------------------------------------


def test_file_names_parse_and_their_direction_matches_the_attribute(batch):
    directions = []
    for p in batch:
        name = parse_name(p)
        with h5py.File(p) as f:
            attribute = _attr_text(f.attrs["OrbitDirection"])
            assert _attr_text(f.attrs["GranuleID"]) == p.stem
        assert attribute == {"A": "Ascending", "D": "Descending"}[name.orbit_direction]
        assert 1 <= name.path_number <= 815
        directions.append(name.orbit_direction)
    assert directions == ["D", "A"]


def test_parsed_name_equals_the_truth_name(path, truth):
    assert parse_name(path) == truth.name


def test_datasets_have_the_real_names_shapes_and_dtypes(path):
    n = SCANS
    expected = {ch.l1b_dataset: ((n, ch.pixels), np.uint16) for ch in CHANNELS.values()}
    for feed in ("89A", "89B"):
        for what in ("Latitude", "Longitude"):
            expected[f"{what} of Observation Point for {feed}"] = ((n, 486), np.float32)
    expected |= {
        "Scan Time": ((n,), np.float64),
        "Earth Incidence": ((n, 243), np.int16),
        "Earth Azimuth": ((n, 243), np.int16),
        "Land_Ocean Flag 6 to 36": ((4, n, 243), np.uint8),
        "Land_Ocean Flag 89": ((2, n, 486), np.uint8),
        "Pixel Data Quality 6 to 36": ((n, 486), np.uint8),
        "Pixel Data Quality 89": ((n, 486), np.uint8),
        "Scan Data Quality": ((n, 512), np.uint8),
        "Position in Orbit": ((n,), np.float64),
        "Navigation Data": ((n, 6), np.float32),
        "Sun Azimuth": ((n, 243), np.int16),
        "Sun Elevation": ((n, 243), np.int16),
    }
    with h5py.File(path) as f:
        assert set(f.keys()) == set(expected)
        assert all(isinstance(f[name], h5py.Dataset) for name in f)  # flat: no groups
        for name, (shape, dtype) in expected.items():
            assert (f[name].shape, f[name].dtype) == (shape, dtype), name
        assert "Brightness Temperature (89.0GHz-B,V)" in f


def test_brightness_temperatures_carry_scale_factor_with_a_space_and_unit(path):
    with h5py.File(path) as f:
        for ch in CHANNELS.values():
            attrs = f[ch.l1b_dataset].attrs
            assert np.asarray(attrs["SCALE FACTOR"]).item() == pytest.approx(0.01)
            assert _attr_text(attrs["UNIT"]) == "K"
        lat = f["Latitude of Observation Point for 89A"].attrs
        assert np.asarray(lat["SCALE FACTOR"]).item() == 1.0
        assert _attr_text(lat["UNIT"]) == "deg"


def test_global_attributes_are_one_element_byte_strings(path):
    with h5py.File(path) as f:
        text = {key: _attr_text(value) for key, value in f.attrs.items()}
    assert text["PlatformShortName"] == "GCOM-W1"
    assert text["SensorShortName"] == "AMSR2"
    assert text["NumberOfScans"] == str(SCANS)
    assert text["StartOrbitNumber"] == text["StopOrbitNumber"]
    for key in ("ObservationStartDateTime", "ObservationEndDateTime"):
        assert datetime.strptime(text[key], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert {"SatelliteAltitude", "OverlapScans", "CoRegistrationParameterA1"} <= set(text)


def test_coregistration_attributes_list_every_band_and_print_negatives_with_two_dashes(path):
    with h5py.File(path) as f:
        a1 = _attr_text(f.attrs["CoRegistrationParameterA1"])
        a2 = _attr_text(f.attrs["CoRegistrationParameterA2"])
    assert [item.split("-", 1)[0] for item in a1.split(",")] == list(LOW_BANDS)
    assert "--" in a2
    values = {k: float(v) for k, v in (item.split("-", 1) for item in a2.split(","))}
    assert any(v < 0 for v in values.values())


def test_the_file_holds_exactly_the_truth(path, truth):
    with h5py.File(path) as f:
        for name, ch in CHANNELS.items():
            assert np.array_equal(f[ch.l1b_dataset][...], truth.counts[name])
        for name, array in truth.datasets.items():
            assert np.array_equal(f[name][...], array), name
    assert np.array_equal(truth.datasets["Latitude of Observation Point for 89A"],
                          truth.lat_89a.astype(np.float32))


def test_scan_time_is_tai93_of_the_scan_times(truth):
    back = tai93_to_utc(truth.datasets["Scan Time"])
    assert np.abs((back - truth.scan_time).astype(np.int64)).max() < 1000  # ns


# --- determinism and granule boundaries ---------------------------------------------------


def test_same_inputs_give_the_same_bytes(tmp_path):
    first = write_granule(tmp_path / "one", START, scans=SCANS, seed=7)
    second = write_granule(tmp_path / "two", START, scans=SCANS, seed=7)
    assert first.read_bytes() == second.read_bytes()


def test_no_object_records_a_time_stamp(path):
    with h5py.File(path) as f:
        objects = [f, *(f[name] for name in f)]
        assert all(h5py.h5o.get_info(o.id).ctime == 0 for o in objects)


def test_a_granule_has_the_same_bytes_alone_or_second_in_a_batch(batch, tmp_path):
    second_start = parse_name(batch[1]).start.replace(tzinfo=None)
    inside = np.datetime64(second_start) + np.timedelta64(5, "m")
    alone = write_granule(tmp_path, inside, scans=SCANS, seed=7)
    assert alone.name == batch[1].name
    assert alone.read_bytes() == batch[1].read_bytes()


def test_another_seed_changes_the_noise_only(truth):
    other = synthetic_granule(START, scans=SCANS, seed=8)
    assert np.array_equal(other.lat_89a, truth.lat_89a)
    assert not np.array_equal(other.counts["36.5H"], truth.counts["36.5H"])
    valid = (other.counts["36.5H"] < FILL_COUNT) & (truth.counts["36.5H"] < FILL_COUNT)
    valid &= (other.counts["36.5H"] > 0) & (truth.counts["36.5H"] > 0)
    diff = (other.counts["36.5H"][valid].astype(int) - truth.counts["36.5H"][valid]) * 0.01
    assert np.std(diff) == pytest.approx(np.sqrt(2) * earth.NEDT_K["36.5"], rel=0.1)


def test_any_instant_inside_a_granule_gives_that_granule():
    slot = granule_slot(START)
    for t in (slot.start, slot.start + np.timedelta64(1, "s"), slot.end - np.timedelta64(1, "ns"),
              datetime(2022, 2, 16, tzinfo=UTC), "2022-02-16T01:00:00+01:00"):
        assert granule_slot(t) == slot
    assert granule_slot(slot.end).start == slot.end


def test_a_day_holds_about_thirty_granules_that_tile_time_and_alternate():
    slots = granules_between("2022-02-16T00:00:00Z", "2022-02-17T00:00:00Z")
    assert 29 <= len(slots) <= 31
    assert all(a.end == b.start for a, b in pairwise(slots))
    directions = [s.name.orbit_direction for s in slots]
    assert all(a != b for a, b in pairwise(directions))
    scans = (slots[0].end - slots[0].start) / np.timedelta64(1500, "ms")
    assert 1970 <= scans <= 2060


def test_fewer_scans_are_the_first_scans_of_the_granule_whatever_was_computed_first():
    slot = orbit.half_orbit_at(START)
    orbit._pattern_cache.cache_clear()  # the scan pattern is cached: start from nothing
    part = orbit.granule_geometry(slot, scans=SCANS)
    orbit._pattern_cache.cache_clear()
    full = orbit.granule_geometry(slot)
    assert np.array_equal(part.scan_time, full.scan_time[:SCANS])
    for key, (lat, lon) in part.geolocation.items():
        assert np.array_equal(lat, full.geolocation[key][0][:SCANS])
        assert np.array_equal(lon, full.geolocation[key][1][:SCANS])


# --- geometry ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ascending():
    return orbit.granule_geometry(orbit.half_orbit_at("2022-02-16T01:00:00Z"))


def test_geolocation_is_within_range(truth):
    for lat, lon in [(truth.lat_89a, truth.lon_89a), (truth.lat_89b, truth.lon_89b),
                     *truth.band_geolocation.values()]:
        assert np.all(np.abs(lat) <= 90.0) and np.all(np.abs(lon) <= 180.0)
        assert lat.dtype == np.float64


def test_the_swath_is_about_1450_km_wide(ascending):
    lat, lon = ascending.geolocation["89A"]
    width = _km(lat[:, 0], lon[:, 0], lat[:, -1], lon[:, -1])
    assert np.all(np.abs(width - 1450.0) < 25.0)


def test_scans_are_about_10_km_apart_and_89b_a_few_km_from_89a(ascending):
    lat, lon = ascending.geolocation["89A"]
    step = _km(lat[1:, 243], lon[1:, 243], lat[:-1, 243], lon[:-1, 243])
    assert np.all((step > 9.0) & (step < 11.5))
    lat_b, lon_b = ascending.geolocation["89B"]
    offset = _km(lat, lon, lat_b, lon_b)
    assert 2.0 < offset.mean() < 8.0


def test_an_ascending_granule_runs_south_to_north_and_crosses_the_equator_at_1330(ascending):
    assert ascending.half_orbit.direction == "A"
    lat = ascending.geolocation["89A"][0]
    middle = slice(len(lat) // 4, 3 * len(lat) // 4)
    assert np.all(np.diff(lat[middle, 243]) > 0)
    assert lat[0, 243] < -70 and lat[-1, 243] > 70
    i = int(np.argmin(np.abs(ascending.position_km[:, 2])))
    t = ascending.scan_time[i]
    sub_lon = np.rad2deg(np.arctan2(ascending.position_km[i, 1], ascending.position_km[i, 0]))
    hours = (t - t.astype("datetime64[D]")) / np.timedelta64(1, "h")
    assert (hours + sub_lon / 15.0) % 24 == pytest.approx(13.5, abs=0.05)


def test_earth_incidence_is_55_degrees(truth):
    assert np.all(np.abs(truth.datasets["Earth Incidence"] * 0.01 - 55.0) < 0.5)


@pytest.mark.parametrize("band", LOW_BANDS)
def test_the_coregistration_formula_reproduces_the_true_footprints(path, truth, band):
    with h5py.File(path) as f:
        lat89 = f["Latitude of Observation Point for 89A"][...].astype(np.float64)
        lon89 = f["Longitude of Observation Point for 89A"][...].astype(np.float64)
    lat, lon = _coregister(lat89, lon89, truth.a1[band], truth.a2[band])
    true_lat, true_lon = truth.band_geolocation[band]
    assert _km(lat, lon, true_lat, true_lon).max() < 1.0


@pytest.mark.parametrize("band", LOW_BANDS)
def test_every_second_89a_pixel_misses_the_true_footprints(truth, band):
    true_lat, true_lon = truth.band_geolocation[band]
    error = _km(truth.lat_89a[:, ::2], truth.lon_89a[:, ::2], true_lat, true_lon)
    assert error.mean() > 2.0


# --- the synthetic Earth and the counts ----------------------------------------------------


def _ice_area(hemisphere: int, day: str) -> float:
    lat = np.arange(-89.5, 90.0, 1.0)[:, None] * np.ones((1, 360))
    lon = np.arange(-179.5, 180.0, 1.0)[None, :] * np.ones((180, 1))
    ice = earth.sea_ice_concentration(lat, lon, day) * np.cos(np.deg2rad(lat))
    return float(ice[hemisphere * lat > 0].sum())


def test_sea_ice_covers_the_winter_poles():
    assert earth.sea_ice_concentration(np.array([85.0]), np.array([0.0]), "2022-02-01")[0] > 0.9
    assert earth.sea_ice_concentration(np.array([-75.0]), np.array([40.0]), "2022-08-01")[0] > 0.9
    tropics = earth.sea_ice_concentration(np.array([20.0, -30.0]), np.zeros(2), "2022-02-01")
    assert tropics.max() == 0


def test_the_arctic_has_more_ice_in_march_than_september():
    assert _ice_area(+1, "2022-03-10") > 2 * _ice_area(+1, "2022-09-15")


def test_the_antarctic_has_more_ice_in_september_than_february():
    assert _ice_area(-1, "2022-09-20") > 2 * _ice_area(-1, "2022-02-20")


def test_winter_arctic_sea_ice_is_bright_at_36_ghz(truth):
    land = truth.datasets["Land_Ocean Flag 6 to 36"][3]
    lat = truth.band_geolocation["36G"][0]
    tb = truth.brightness_temperature("36.5H")
    ice_ocean = (land == 0) & (lat > 82.0) & np.isfinite(tb)
    assert ice_ocean.sum() > 100
    assert np.median(tb[ice_ocean]) > 190.0


def test_open_ocean_36h_is_cold_and_v_is_warmer():
    surf = earth.surface(np.array([0.0, -20.0]), np.array([-150.0, -120.0]), "2022-02-16")
    h = earth.surface_brightness("36.5H", surf)
    v = earth.surface_brightness("36.5V", surf)
    assert np.all((h > 120) & (h < 170)) and np.all(v > h)


def test_valid_counts_are_within_the_physical_range(truth):
    for counts in truth.counts.values():
        valid = counts[(counts != FILL_COUNT) & (counts != 0)]
        assert valid.min() >= 1 and valid.max() <= 35000


def test_some_pixels_and_whole_scans_are_missing(truth):
    assert len(truth.missing_scans) >= 1
    for counts in truth.counts.values():
        assert np.all(counts[truth.missing_scans] == FILL_COUNT)
        good_rows = np.delete(counts, truth.missing_scans, axis=0)
        assert (good_rows == FILL_COUNT).any() and (good_rows == 0).any()
        assert (good_rows == FILL_COUNT).mean() < 0.01
