"""Gap filling: equal to the naive reference for every option; flags; untouched observations."""

import numpy as np
import pytest
from gapfill_reference import reference_fill

from swathkit.process.gapfill import (
    FLAG_CONSTANT,
    FLAG_LAND,
    FLAG_OBSERVED,
    FLAG_SPACETIME,
    FLAG_TIME,
    FLAG_UNFILLED,
    FillOptions,
    fill_array,
)


def random_stack(shape=(8, 16, 20), *, seed=0, missing=0.35, with_land=True):
    """Random ice with scattered gaps, a block missing on every day, runs of several
    lengths touching both time edges, and (optionally) a land corner."""
    rng = np.random.default_rng(seed)
    nt, ny, nx = shape
    sic = rng.uniform(0, 100, shape).astype(np.float32)
    sic[rng.random(shape) < missing] = np.nan
    sic[:, 3:8, 4:11] = np.nan                       # nothing to interpolate in time
    for x, (a, b) in enumerate([(0, 2), (1, 3), (2, 7), (5, nt), (1, 6), (3, 4)]):
        sic[a:b, ny - 1, x] = np.nan                 # gaps of 1..6 days, some at the edges
    sic[0, 0, 0] = 0.0
    land = np.zeros((ny, nx), bool)
    if with_land:
        land[ny - 5:, nx - 6:] = True
        land[0, 7] = True
    return sic, land


OPTIONS = [
    pytest.param(FillOptions(), marks=pytest.mark.slow),  # the widest windows: over a second
    FillOptions(max_gap=2, time_window=1, space_window=3),
    FillOptions(max_gap=0, time_window=2, space_window=2, alpha=1.0, sigma=1.5),
    FillOptions(max_gap=3, time_window=0, space_window=4, alpha=0.0, sigma=2.0),
    FillOptions(max_gap=1, time_window=2, space_window=1, unfilled="repeat"),
    FillOptions(max_gap=1, time_window=1, space_window=1, unfilled="repeat", max_passes=2),
    FillOptions(max_gap=2, time_window=1, space_window=1, unfilled=-1.0),
    FillOptions(max_gap=4, time_window=3, space_window=2, alpha=4.0, sigma=3.0, unfilled=0),
]


@pytest.mark.parametrize("options", OPTIONS, ids=repr)
@pytest.mark.parametrize("with_land", [True, False])
def test_fill_equals_the_naive_reference(options, with_land):
    sic, land = random_stack(seed=len(repr(options)), with_land=with_land)
    land_arg = land if with_land else None
    values, flags = fill_array(sic, land=land_arg, options=options)
    expected, expected_flags = reference_fill(sic, land_arg, options)
    np.testing.assert_array_equal(flags, expected_flags)
    np.testing.assert_array_equal(np.isnan(values), np.isnan(expected))
    np.testing.assert_allclose(values, expected, rtol=1e-6, atol=1e-5)
    assert values.dtype == np.float32 and flags.dtype == np.uint8


def test_every_flag_occurs_where_expected():
    sic, land = random_stack()
    values, flags = fill_array(sic, land=land, options=FillOptions(space_window=1))
    assert set(np.unique(flags)) == {FLAG_OBSERVED, FLAG_TIME, FLAG_SPACETIME, FLAG_UNFILLED,
                                     FLAG_LAND}
    assert (flags[:, land] == FLAG_LAND).all() and np.isnan(values[:, land]).all()
    assert np.isnan(values[flags == FLAG_UNFILLED]).all()
    assert not np.isnan(values[(flags == FLAG_TIME) | (flags == FLAG_SPACETIME)]).any()
    _, flags = fill_array(sic, land=land, options=FillOptions(space_window=1, unfilled=7.0))
    assert FLAG_CONSTANT in flags and FLAG_UNFILLED not in flags


def test_observed_values_are_returned_bit_for_bit():
    sic, land = random_stack()
    sic[1, 1, 1] = np.float32(12.345678)
    values, flags = fill_array(sic, land=land, options=FillOptions(unfilled="repeat"))
    observed = flags == FLAG_OBSERVED
    assert observed.sum() == (~np.isnan(sic) & ~land[None]).sum()
    np.testing.assert_array_equal(values[observed].view(np.uint32),
                                  sic[observed].view(np.uint32))


def test_time_interpolation_is_linear_and_bounded_by_max_gap():
    series = np.array([10, np.nan, np.nan, 40, np.nan, np.nan, np.nan, 0, np.nan],
                      np.float32)[:, None, None]
    values, flags = fill_array(series, options=FillOptions(max_gap=2, space_window=0,
                                                           time_window=0))
    np.testing.assert_array_equal(values[:4, 0, 0], [10, 20, 30, 40])
    assert np.isnan(values[4:7, 0, 0]).all() and np.isnan(values[8, 0, 0])  # too long; edge
    assert list(flags[:, 0, 0]) == [0, 1, 1, 0, 3, 3, 3, 0, 3]


def test_repeat_reaches_pixels_beyond_one_window():
    sic = np.full((1, 1, 9), np.nan, np.float32)
    sic[0, 0, 0] = 50.0
    once, _ = fill_array(sic, options=FillOptions(space_window=2))
    values, flags = fill_array(sic, options=FillOptions(space_window=2, unfilled="repeat"))
    assert np.isnan(once).sum() == 6
    assert (values == 50.0).all() and (flags[0, 0, 1:] == FLAG_SPACETIME).all()
    capped, _ = fill_array(sic, options=FillOptions(space_window=2, unfilled="repeat",
                                                    max_passes=2))
    assert np.isnan(capped).sum() == 4


def test_stage2_reads_only_values_valid_before_the_pass():
    sic = np.array([[[0.0, np.nan, np.nan, 100.0, np.nan]]], np.float32)
    values, _ = fill_array(sic, options=FillOptions(space_window=2, sigma=1.0))
    w1, w2 = np.exp(-0.5), np.exp(-2.0)
    # x=2 sees x=0 (distance 2) and x=3 (distance 1), never the x=1 filled in this pass
    assert values[0, 0, 2] == pytest.approx((w2 * 0.0 + w1 * 100.0) / (w1 + w2), rel=1e-6)
    assert values[0, 0, 1] == pytest.approx((w1 * 0.0 + w2 * 100.0) / (w1 + w2), rel=1e-6)


def test_options_are_validated_and_parsed():
    assert FillOptions(unfilled="2.5").unfilled == 2.5
    assert FillOptions(unfilled=3).unfilled == 3.0
    for bad in ({"unfilled": "zero"}, {"sigma": 0.0}, {"max_gap": -1}, {"max_passes": 0},
                {"unfilled": float("nan")}):
        with pytest.raises(ValueError):
            FillOptions(**bad)
    with pytest.raises(ValueError):
        fill_array(np.zeros((3, 4)))
    with pytest.raises(ValueError):
        fill_array(np.zeros((3, 4, 5)), land=np.zeros((4, 4), bool))


def test_halo_sizes():
    assert FillOptions().halo_days() == 5 + 3
    assert FillOptions(unfilled="repeat", max_passes=4).halo_days() == 5 + 3 * 4
    assert FillOptions(unfilled="repeat", max_passes=4).halo_pixels() == 40
    assert FillOptions(unfilled=1.0).halo_pixels() == 10
