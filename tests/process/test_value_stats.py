"""ValueStats: the block kernel gives the figures of plain numpy on the valid values."""

import numpy as np
import pytest

from swathkit.process.stats import Validity, ValueStats


@pytest.mark.parametrize("dtype", ["float32", "float64", "int16", "uint16"])
def test_the_kernel_agrees_with_masking_and_numpy(dtype):
    rng = np.random.default_rng(7)
    kind = np.dtype(dtype).kind
    values = rng.normal(30.0, 20.0, 50_001).astype(dtype)
    values[::7] = 65534 if kind == "u" else -9999
    if kind == "f":
        values[::11] = np.nan
        values[::13] = np.inf
    validity = Validity((-9999.0, 65534.0), 0.0, 50.0)
    acc = ValueStats(scale=0.5, offset=1.0)
    for block in np.array_split(values.reshape(-1, 3)[:16_667], 5):
        acc.add(block, validity)
    kept = values.reshape(-1, 3)[:16_667]
    good = kept[validity.mask(kept)].astype(np.float64) * 0.5 + 1.0
    assert good.size > 0
    assert (acc.count, acc.total) == (good.size, kept.size)
    assert (acc.minimum, acc.maximum) == (good.min(), good.max())
    assert acc.mean == pytest.approx(good.mean(), rel=1e-12)
    assert acc.std == pytest.approx(good.std(), rel=1e-12)


def test_a_float32_limit_is_compared_as_stored():
    # valid_max 0.1 given as a Python float: numpy compares float32 values with float32(0.1)
    values = np.array([np.float32(0.1), 0.05, 0.2], np.float32)
    validity = Validity((), 0.0, 0.1)
    acc = ValueStats()
    acc.add(values, validity)
    assert acc.count == int(validity.mask(values).sum()) == 2
    assert acc.maximum == pytest.approx(0.1)


def test_a_block_without_valid_values_changes_nothing():
    acc = ValueStats()
    acc.add(np.full((3, 4), -9999.0, np.float32), Validity((-9999.0,)))
    assert (acc.count, acc.total) == (0, 12)
    assert np.isnan(acc.mean) and np.isnan(acc.std)
