"""Counter and time repair against the truth of synthetic Seasat takes."""

from __future__ import annotations

import numpy as np
import pytest

from swathkit.process.timeseries import (
    Reason,
    Rejection,
    TrendParams,
    estimate_slope,
    repair_series,
    rolling_mode,
)
from swathkit.products.seasat.hdr import column
from swathkit.products.seasat.layout import MS_PER_LINE
from swathkit.sim.seasat.headers import Corruption, TakeKind, synthetic_take

# the first test compiles the numba kernels (~15 s of CPU; minutes on a loaded machine)
pytestmark = pytest.mark.timeout(300)

MSEC = column("msec")
EXPECTED = {Corruption.BIT_FLIP: Reason.BIT_FLIP, Corruption.GLITCH: Reason.GLITCH,
            Corruption.RANDOM: Reason.TREND, Corruption.STAIR: Reason.STAIR,
            Corruption.BAD_START: Reason.START, Corruption.DISCONTINUITY: Reason.OK}


@pytest.fixture(scope="module")
def takes() -> list:
    return [synthetic_take(20_000, seed=seed) for seed in range(4)]


def _restored(takes: list, corruption: Corruption, slope: float | None = MS_PER_LINE) -> float:
    hit = total = 0
    for take in takes:
        repair = repair_series(take.observed[:, MSEC], expected_slope=slope)
        lines = take.reason == corruption
        hit += int(np.count_nonzero(repair.values[lines] == take.true[lines, MSEC]))
        total += int(np.count_nonzero(lines))
    assert total > 0
    return hit / total


@pytest.mark.parametrize("corruption", [Corruption.GLITCH, Corruption.RANDOM, Corruption.STAIR,
                                        Corruption.BAD_START, Corruption.DISCONTINUITY])
def test_every_corruption_of_these_kinds_is_restored_exactly(takes: list,
                                                              corruption: Corruption) -> None:
    assert _restored(takes, corruption) >= 0.99


def test_bit_flips_are_restored_except_some_in_the_two_lowest_bits(takes: list) -> None:
    # a flip of bit 0 or 1 moves MSEC by 1–2 ms: inside ASF's 2 ms tolerance, not seen
    assert _restored(takes, Corruption.BIT_FLIP) >= 27 / 30


def test_true_lines_are_left_alone(takes: list) -> None:
    assert _restored(takes, Corruption.NONE) == 1.0


def test_reasons_name_the_corruption_outside_the_start(takes: list) -> None:
    take = takes[0]
    repair = repair_series(take.observed[:, MSEC], expected_slope=MS_PER_LINE)
    start = TrendParams().for_length(take.reason.size).start_samples
    outside = np.arange(take.reason.size) >= start
    for corruption in (Corruption.GLITCH, Corruption.RANDOM, Corruption.STAIR):
        lines = outside & (take.reason == corruption)
        # a stair line whose stuck value happens to be true is left as it is
        named = repair.reasons[lines] == EXPECTED[corruption]
        assert named.mean() >= 0.95, corruption


def test_the_original_is_kept_and_counts_match_the_reasons(takes: list) -> None:
    observed = takes[1].observed[:, MSEC].copy()
    repair = repair_series(observed, expected_slope=MS_PER_LINE)
    assert np.array_equal(repair.original, observed)
    assert sum(repair.counts.values()) == repair.repaired == int(np.count_nonzero(repair.reasons))


def test_discontinuities_are_kept_and_sized_in_lines(takes: list) -> None:
    take = takes[2]
    repair = repair_series(take.observed[:, MSEC], expected_slope=MS_PER_LINE)
    assert [d.index for d in repair.discontinuities] == [start for start, _ in take.lost]
    for found, (_, lost) in zip(repair.discontinuities, take.lost, strict=True):
        assert abs(found.samples - lost) <= 1.0


def test_a_take_at_0486_is_reported_not_bent() -> None:
    take = synthetic_take(20_000, seed=7, slope=0.486)
    repair = repair_series(take.observed[:, MSEC], expected_slope=MS_PER_LINE)
    assert repair.slope_mismatch
    assert repair.slope_used == pytest.approx(0.486, rel=1e-5)
    assert not repair.discontinuities or all(d.index >= 12_000 for d in repair.discontinuities)
    assert np.mean(repair.values == take.true[:, MSEC]) >= 0.999


def test_a_matching_slope_uses_the_expected_one(takes: list) -> None:
    repair = repair_series(takes[0].observed[:, MSEC], expected_slope=MS_PER_LINE)
    assert not repair.slope_mismatch and repair.slope_used == MS_PER_LINE
    assert repair.slope == pytest.approx(MS_PER_LINE, rel=1e-5)


@pytest.mark.parametrize("slope", [MS_PER_LINE, None])
def test_repairing_the_repair_changes_nothing(takes: list, slope: float | None) -> None:
    first = repair_series(takes[3].observed[:, MSEC], expected_slope=slope)
    again = repair_series(first.values, expected_slope=slope)
    assert np.array_equal(again.values, first.values)
    assert again.counts == {}


@pytest.mark.parametrize(("kind", "why"), [(TakeKind.CONSTANT_24, Rejection.SENTINEL),
                                           (TakeKind.CONSTANT_27, Rejection.SENTINEL),
                                           (TakeKind.RANDOM, Rejection.RANDOM)])
def test_whole_takes_asf_rejected(kind: TakeKind, why: Rejection) -> None:
    take = synthetic_take(12_000, seed=3, kind=kind)
    repair = repair_series(take.observed[:, MSEC], expected_slope=MS_PER_LINE)
    assert repair.rejected is why and repair.detail
    assert np.array_equal(repair.values, take.observed[:, MSEC])


def test_a_short_take_is_rejected_unless_allowed() -> None:
    take = synthetic_take(3000, seed=4)
    assert repair_series(take.observed[:, MSEC]).rejected is Rejection.TOO_SHORT
    short = repair_series(take.observed[:, MSEC], params=TrendParams(min_length=1000))
    assert short.rejected is None
    assert np.mean(short.values == take.true[:, MSEC]) >= 0.995


def test_a_constant_series_is_rejected() -> None:
    assert repair_series(np.full(20_000, 1234)).rejected is Rejection.CONSTANT


def test_a_gap_above_the_maximum_rejects_the_take() -> None:
    truth = np.floor(1e6 + np.arange(20_000) * MS_PER_LINE).astype(np.int64)
    truth[15_000:] += 9000  # 9 s lost: more than the 4 s ASF allowed
    repair = repair_series(truth, expected_slope=MS_PER_LINE)
    assert repair.rejected is Rejection.GAP and "15000" in repair.detail


def test_generic_counter_with_a_slope_above_one() -> None:
    rng = np.random.default_rng(5)
    truth = np.floor(17.25 + np.arange(30_000) * 1500.0).astype(np.int64)  # ms, 1.5 s scans
    observed = truth.copy()
    bad = rng.choice(np.arange(100, 30_000, 10), size=40, replace=False)
    observed[bad] = rng.integers(0, 2**40, size=bad.size)
    params = TrendParams(threshold=750.0, bits=48, start_samples=0, min_length=1000,
                         max_gap=10 * 1500.0)
    repair = repair_series(observed, expected_slope=1500.0, params=params)
    assert np.array_equal(repair.values, truth)


def test_estimate_slope_is_robust_to_outliers() -> None:
    v = np.floor(np.arange(50_000) * 0.486).astype(np.int64)
    v[::97] = 2**27 - 1
    assert estimate_slope(v) == pytest.approx(0.486, abs=2e-3)


def test_rolling_mode_keeps_changes_and_fixes_flips() -> None:
    truth = np.full(5000, 33, np.int64)
    truth[2500:] = 34  # the delay changes once
    observed = truth.copy()
    observed[[10, 700, 2600, 4999]] ^= 8
    values, reasons = rolling_mode(observed)
    assert np.array_equal(values, truth)
    assert np.flatnonzero(reasons == Reason.MODE).tolist() == [10, 700, 2600, 4999]
