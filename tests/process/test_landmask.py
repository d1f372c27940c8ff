"""Land mask from NaN frequency, and agreement with a reference coastline."""

import math

import numpy as np
import pytest

from swathkit.process.landmask import (
    NanCounter,
    coastline_agreement,
    land_mask_from_frequency,
    nan_frequency,
    pole_disk,
)


def _days(n=20, seed=0):
    rng = np.random.default_rng(seed)
    days = rng.uniform(0, 100, (n, 6, 8)).astype(np.float32)
    days[:, :2, :3] = np.nan                       # land: always missing
    days[rng.random(days.shape) < 0.1] = np.nan     # swath gaps
    return days


def test_counts_over_blocks_equal_counts_at_once():
    days = _days()
    whole, parts = NanCounter((6, 8)), NanCounter((6, 8))
    whole.add(days)
    parts.add(days[:7])
    for day in days[7:]:
        parts.add(day)
    assert parts.days == whole.days == 20
    np.testing.assert_array_equal(parts.frequency(), whole.frequency())
    np.testing.assert_array_equal(whole.frequency(), np.isnan(days).mean(axis=0, dtype=np.float32))


def test_merge_adds_counts():
    days = _days()
    a, b, whole = NanCounter((6, 8)), NanCounter((6, 8)), NanCounter((6, 8))
    a.add(days[:5])
    b.add(days[5:])
    whole.add(days)
    a.merge(b)
    np.testing.assert_array_equal(a.nan_count, whole.nan_count)


def test_counter_rejects_wrong_shape_and_empty():
    c = NanCounter((6, 8))
    with pytest.raises(ValueError):
        c.frequency()
    with pytest.raises(ValueError):
        c.add(np.zeros((2, 5, 8)))


def test_threshold_is_strict_and_exclude_is_never_land():
    freq = np.array([[1.0, 0.86, 0.85], [0.2, 1.0, 0.0]], np.float32)
    exclude = np.array([[False, False, False], [False, True, False]])
    mask = land_mask_from_frequency(freq, 0.85, exclude=exclude)
    np.testing.assert_array_equal(mask, [[True, True, False], [False, False, False]])
    with pytest.raises(ValueError):
        land_mask_from_frequency(freq, 1.5)


def test_mask_from_days_finds_the_land_block():
    c = NanCounter((6, 8))
    c.add(_days())
    mask = land_mask_from_frequency(c.frequency())
    expected = np.zeros((6, 8), bool)
    expected[:2, :3] = True
    np.testing.assert_array_equal(mask, expected)


def test_pole_disk():
    x = y = np.arange(-2.0, 3.0)
    disk = pole_disk(x, y, 1.0)
    assert disk.sum() == 5 and disk[2, 2]


def test_coastline_agreement_counts():
    mask = np.array([[1, 1, 0, 0]], bool)
    ref = np.array([[1, 0, 1, 0]], bool)
    stats = coastline_agreement(mask, ref)
    assert stats["agreement"] == 0.5
    assert stats["land_precision"] == 0.5 and stats["land_recall"] == 0.5
    assert stats["iou"] == pytest.approx(1 / 3)
    assert coastline_agreement(ref, ref)["iou"] == 1.0
    assert math.isnan(coastline_agreement(np.zeros(3, bool), np.zeros(3, bool))["iou"])


def test_nan_frequency_of_blocks():
    days = _days()
    np.testing.assert_array_equal(nan_frequency([days[:3], days[3], *days[4:]]),
                                  np.isnan(days).mean(axis=0, dtype=np.float32))
    with pytest.raises(ValueError):
        nan_frequency([])
