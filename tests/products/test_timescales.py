import numpy as np

from swathkit.products.timescales import tai93_to_utc, utc_to_tai93


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
