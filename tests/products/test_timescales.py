import numpy as np
import pytest

from swathkit.products.timescales import j2000_to_utc, tai93_to_utc, utc_to_j2000, utc_to_tai93


def test_epoch_and_leap_seconds():
    # 2022: ten leap seconds inserted since 1993-01-01 (TAI-UTC 27 s → 37 s).
    t = np.array(["1993-01-01T00:00:00", "2022-02-16T00:40:51.967"], dtype="datetime64[ns]")
    tai = utc_to_tai93(t)
    assert tai[0] == 0
    naive = (t[1] - t[0]).astype(np.int64) / 1e9
    assert tai[1] - naive == 10
    back = tai93_to_utc(tai)
    assert np.abs((back - t).astype(np.int64)).max() < 1000  # below a microsecond


def test_fill_becomes_nat():
    assert np.isnat(tai93_to_utc(np.array([-9999.0, np.nan]))).all()


# --- J2000 (SMAP tb_time_seconds) ------------------------------------------------------------


@pytest.mark.timeout(10)
def test_j2000_epoch_is_noon_tt_which_is_11_58_55_816_utc():
    assert j2000_to_utc(np.array([0.0]))[0] == np.datetime64("2000-01-01T11:58:55.816", "ns")


@pytest.mark.timeout(10)
def test_j2000_counts_the_leap_seconds_since_2000():
    # CDF TT2000 of 2017-01-01T00:00:00 UTC: 536500869.184 s (five leap seconds since 2000)
    t = np.array(["2016-12-31T23:59:59", "2017-01-01T00:00:00"], dtype="datetime64[ns]")
    seconds = utc_to_j2000(t)
    assert seconds[1] == pytest.approx(536500869.184, abs=1e-6)
    assert seconds[1] - seconds[0] == pytest.approx(2.0, abs=1e-6)  # 23:59:60 in between
    np.testing.assert_array_equal(j2000_to_utc(seconds), t)


@pytest.mark.timeout(10)
def test_j2000_fills_become_nat():
    out = j2000_to_utc(np.array([-9999.0, np.nan, 4.8e8]))
    assert np.isnat(out[:2]).all() and not np.isnat(out[2])
