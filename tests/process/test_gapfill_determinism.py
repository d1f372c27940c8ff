"""Gap filling gives the same bytes whatever the threads, tiles, chunks and time blocks."""

import hashlib

import dask.array as da
import numba
import numpy as np
import pytest
import xarray as xr

from swathkit.process.gapfill import (
    FLAG_MEANINGS,
    FillOptions,
    _fill,
    fill_array,
    fill_gaps,
)

OPTIONS = [FillOptions(max_gap=2, time_window=2, space_window=3, alpha=2.0, sigma=2.0),
           FillOptions(max_gap=1, time_window=1, space_window=2, unfilled="repeat",
                       max_passes=3),
           FillOptions(max_gap=2, time_window=1, space_window=3, unfilled=5.0)]


def stack(shape=(24, 70, 90), seed=0):
    rng = np.random.default_rng(seed)
    sic = rng.uniform(0, 100, shape).astype(np.float32)
    sic[rng.random(shape) < 0.3] = np.nan
    sic[:, 20:45, 30:60] = np.nan                     # a pole hole: needs space and repeats
    sic[rng.random(shape) < 0.002] = np.nan
    land = np.zeros(shape[1:], bool)
    land[50:, 70:] = True
    return sic, land


def digest(values, flags):
    return hashlib.sha256(values.tobytes() + flags.tobytes()).hexdigest()


@pytest.mark.parametrize("options", OPTIONS, ids=repr)
def test_same_bytes_with_one_and_two_threads(options):
    sic, land = stack()
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = digest(*fill_array(sic, land=land, options=options))
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = digest(*fill_array(sic, land=land, options=options))
    finally:
        numba.set_num_threads(before)
    assert one == two


@pytest.mark.parametrize("options", OPTIONS, ids=repr)
def test_same_bytes_for_tile_sizes_and_strategies(options):
    sic, land = stack()
    expected = digest(*fill_array(sic, land=land, options=options))
    for tile, strategy in [(64, 1), (64, 2), (64, 3), (7, 0), (7, 2), (32, 1), (32, 3)]:
        assert digest(*_fill(sic, land, options, tile=tile, strategy=strategy)) == expected


@pytest.mark.slow
@pytest.mark.parametrize("options", OPTIONS, ids=repr)
def test_dask_chunkings_equal_the_in_memory_fill(options):
    sic, land = stack()
    values, flags = fill_array(sic, land=land, options=options)
    for chunks in [(5, 35, 45), (24, 23, 90), (3, 70, 4)]:
        ds = xr.Dataset({"sic": (("time", "y", "x"), da.from_array(sic, chunks=chunks))})
        out = fill_gaps(ds, land=land, options=options)
        assert out["sic_filled"].chunks is not None
        assert digest(out["sic_filled"].values, out["fill_flag"].values) == \
            digest(values, flags)


@pytest.mark.parametrize("options", OPTIONS, ids=repr)
def test_a_block_with_halo_days_equals_the_whole_fill(options):
    sic, land = stack()
    values, flags = fill_array(sic, land=land, options=options)
    halo = options.halo_days()
    for start, stop in [(0, 4), (8, 13), (17, 24), (10, 11)]:
        lo, hi = max(start - halo, 0), min(stop + halo, sic.shape[0])
        part_v, part_f = fill_array(sic[lo:hi], land=land, options=options)
        keep = slice(start - lo, stop - lo)
        assert digest(part_v[keep], part_f[keep]) == digest(values[start:stop],
                                                            flags[start:stop])


def test_a_shorter_halo_is_not_enough():
    sic, land = stack()
    options = OPTIONS[0]
    values, _ = fill_array(sic, land=land, options=options)
    short = options.halo_days() - 1
    part, _ = fill_array(sic[8 - short:13 + short], land=land, options=options)
    assert not np.array_equal(part[short:short + 5], values[8:13], equal_nan=True)


def test_fill_gaps_on_numpy_adds_cf_variables():
    sic, land = stack((6, 20, 25))
    ds = xr.Dataset({"sic": (("time", "y", "x"), sic, {"units": "percent",
                                                       "grid_mapping": "polar_stereographic"})})
    out = fill_gaps(ds, land=xr.DataArray(land, dims=("y", "x")), options=OPTIONS[0])
    values, flags = fill_array(sic, land=land, options=OPTIONS[0])
    assert isinstance(out["sic_filled"].data, np.ndarray)
    np.testing.assert_array_equal(out["sic_filled"].values, values)
    np.testing.assert_array_equal(out["fill_flag"].values, flags)
    assert out["sic_filled"].attrs["units"] == "percent"
    assert out["fill_flag"].attrs["flag_meanings"].split() == list(FLAG_MEANINGS)
    assert list(out["fill_flag"].attrs["flag_values"]) == list(range(6))
    assert "sic_filled" not in ds


def test_dask_halo_longer_than_the_array():
    sic, land = stack((4, 30, 40))
    options = FillOptions(max_gap=3, time_window=2, space_window=2)
    values, flags = fill_array(sic, land=land, options=options)
    ds = xr.Dataset({"sic": (("time", "y", "x"), da.from_array(sic, chunks=(2, 15, 20)))})
    out = fill_gaps(ds, land=land, options=options)
    assert digest(out["sic_filled"].values, out["fill_flag"].values) == digest(values, flags)
