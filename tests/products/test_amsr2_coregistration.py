import numpy as np

from swathkit.products.amsr2.coregistration import coregister, great_circle_km, subsample


def _pairs():
    lat = np.array([[10.0, 10.0, 10.0, 10.0]])
    lon = np.array([[20.0, 20.1, 20.2, 20.3]])
    return lat, lon


def test_a1_zero_a2_zero_is_the_first_of_the_pair():
    lat, lon = _pairs()
    la, lo = coregister(lat, lon, 0.0, 0.0)
    assert np.allclose(la, lat[:, ::2]) and np.allclose(lo, lon[:, ::2])


def test_a1_one_is_the_second_of_the_pair():
    lat, lon = _pairs()
    la, lo = coregister(lat, lon, 1.0, 0.0)
    assert np.allclose(la, lat[:, 1::2], atol=1e-9) and np.allclose(lo, lon[:, 1::2], atol=1e-9)


def test_a2_moves_off_the_great_circle_by_a2_theta():
    lat, lon = _pairs()
    la, lo = coregister(lat, lon, 0.0, 1.0)
    step = great_circle_km(lat[:, 0], lon[:, 0], lat[:, 1], lon[:, 1])
    moved = great_circle_km(lat[:, 0], lon[:, 0], la[:, 0], lo[:, 0])
    assert np.allclose(moved, step, rtol=1e-6)


def test_subsample_takes_even_columns():
    lat, lon = _pairs()
    assert subsample(lat, lon)[1].tolist() == [[20.0, 20.2]]


def test_missing_points_stay_missing():
    lat, lon = _pairs()
    lat[0, 0] = np.nan
    la, _ = coregister(lat, lon, 0.5, 0.1)
    assert np.isnan(la[0, 0]) and np.isfinite(la[0, 1])
