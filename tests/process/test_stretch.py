"""Stretches: limits and normalised values computed independently of the module."""

import numpy as np
import pytest

from swathkit.process.stretch import stretch, valid_mask

FILL = -9999.0
# 0..100 with a fill, a NaN and two out-of-range values that must not count
RAW = np.array([*range(101), FILL, np.nan, 500.0, -5.0], dtype=np.float64)
VALID = (0.0, 100.0)


def test_percentile_2_98_of_0_to_100_is_2_and_98_and_invalid_cells_are_nan():
    s = stretch(RAW, "percentile", fill=FILL, valid_range=VALID)
    assert s.limits == (2.0, 98.0)
    assert s.values[50] == pytest.approx(48 / 96)
    assert s.values[0] == 0.0 and s.values[100] == 1.0  # clipped
    assert np.isnan(s.values[101:]).all()


def test_percentile_0_5_99_5_like_satpy():
    s = stretch(RAW, "percentile", fill=FILL, valid_range=VALID, percentiles=(0.5, 99.5))
    assert s.limits == (0.5, 99.5) and s.description == "0.5–99.5 %"


def test_stddev_is_mean_plus_minus_two_sigma():
    v = np.array([1.0, 2.0, 3.0, 4.0, FILL])
    s = stretch(v, "stddev", fill=FILL)
    sigma = np.sqrt(((np.array([1, 2, 3, 4]) - 2.5) ** 2).mean())  # population σ = √1.25
    assert s.limits == pytest.approx((2.5 - 2 * sigma, 2.5 + 2 * sigma))
    assert s.values[:4] == pytest.approx((np.array([1, 2, 3, 4]) - s.limits[0]) / (4 * sigma))


def test_minmax_and_limits_override():
    assert stretch(RAW, "minmax", fill=FILL, valid_range=VALID).limits == (0.0, 100.0)
    s = stretch(RAW, "minmax", fill=FILL, limits=(10.0, 30.0))
    assert s.limits == (10.0, 30.0) and s.values[20] == 0.5 and s.values[5] == 0.0


def test_histeq_is_the_rank_fraction_of_valid_values():
    v = np.array([10.0, 10.0, 20.0, 1000.0, FILL])
    s = stretch(v, "histeq", fill=FILL, valid_range=(0.0, 100.0))
    assert s.values[:3].tolist() == [2 / 3, 2 / 3, 1.0]
    assert np.isnan(s.values[3:]).all()


def test_gamma_two_is_square_root_of_linear():
    s = stretch(np.array([0.0, 25.0, 100.0]), "gamma", gamma=2.0)
    assert s.values.tolist() == [0.0, 0.5, 1.0]


def test_log_between_1_and_100_puts_10_in_the_middle():
    s = stretch(np.array([1.0, 10.0, 100.0, 0.0]), "log")
    assert s.limits == (1.0, 100.0)
    assert s.values[:3] == pytest.approx([0.0, 0.5, 1.0]) and s.values[3] == 0.0


@pytest.mark.parametrize(("kw", "msg"), [
    ({"method": "nope"}, "unknown stretch"),
    ({"limits": (3.0, 1.0)}, "must increase"),
    ({"method": "log", "limits": (-1.0, 1.0)}, "positive limits"),
])
def test_bad_requests_say_why(kw, msg):
    with pytest.raises(ValueError, match=msg):
        stretch(np.array([1.0, 2.0]), **kw)


def test_all_fill_is_refused():
    with pytest.raises(ValueError, match="no valid value"):
        stretch(np.full(4, FILL), fill=FILL)
    assert not valid_mask(np.full(4, FILL), fill=FILL).any()
