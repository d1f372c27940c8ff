"""Synthetic Seasat header truth: deterministic, faithful to the .hdr layout, one truth a line."""

from __future__ import annotations

import numpy as np

from swathkit.products.seasat.hdr import column
from swathkit.products.seasat.layout import MS_PER_LINE
from swathkit.sim.seasat.headers import CONSTANT_FIELDS, Corruption, TakeKind, synthetic_take

MSEC = column("msec")


def test_same_seed_same_tables() -> None:
    a, b = synthetic_take(5000, seed=2), synthetic_take(5000, seed=2)
    assert np.array_equal(a.observed, b.observed) and np.array_equal(a.reason, b.reason)
    assert not np.array_equal(a.observed, synthetic_take(5000, seed=3).observed)


def test_true_msec_rises_at_the_slope_with_lost_lines() -> None:
    take = synthetic_take(20_000, seed=1)
    msec = take.true[:, MSEC]
    lost = sum(n for _, n in take.lost)
    assert abs((msec[-1] - msec[0]) - (19_999 + lost) * MS_PER_LINE) <= 1
    assert take.true[:, column("bits_per_sample")].tolist() == [5] * 20_000
    assert set(take.true[:, column("frames")]) == {59, 60}


def test_observed_differs_from_truth_exactly_where_corrupted() -> None:
    take = synthetic_take(20_000, seed=4)
    differs = take.observed[:, MSEC] != take.true[:, MSEC]
    kept = (take.reason == Corruption.NONE) | (take.reason == Corruption.DISCONTINUITY)
    assert not differs[kept].any()
    for corruption in (Corruption.BIT_FLIP, Corruption.GLITCH, Corruption.STAIR):
        assert np.count_nonzero(take.reason == corruption) > 0
    flips = take.reason == Corruption.BIT_FLIP
    xor = take.observed[flips, MSEC] ^ take.true[flips, MSEC]
    assert all(bin(int(x)).count("1") == 1 for x in xor)
    fields = [column(name) for name in CONSTANT_FIELDS]
    assert np.array_equal(take.observed[:, fields] != take.true[:, fields],
                          take.field_errors[:, fields])


def test_whole_take_kinds() -> None:
    assert set(synthetic_take(1000, kind=TakeKind.CONSTANT_24).observed[:, MSEC]) == {2**24}
    assert set(synthetic_take(1000, kind=TakeKind.CONSTANT_27).observed[:, MSEC]) == {2**27 - 1}
    random = synthetic_take(1000, kind=TakeKind.RANDOM).observed[:, MSEC]
    assert np.unique(random).size > 900
