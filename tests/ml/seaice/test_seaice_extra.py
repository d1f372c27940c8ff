"""Extra input channels from a daily TB cube beside the sea-ice concentration."""

from datetime import date, timedelta

import numpy as np
import pytest

from swathkit.errors import InputError
from swathkit.ml.seaice.dataset import SeaIceSequenceDataset, TBCube
from swathkit.products.grids import Grid
from swathkit.stores.cube_schema import CubeVariable
from swathkit.stores.grid_cube_writer import cube_writer

GRID = Grid("t20", 3413, (20, 16), (-50_000.0, 6250.0, 0.0, -60_000.0, 0.0, 6250.0))
D0 = date(2021, 3, 1)
TB_VARS = [CubeVariable("tb_a", "float32", np.nan, {"units": "K"}),
           CubeVariable("tb_d", "float32", np.nan, {"units": "K"})]
TB_GAP = D0 + timedelta(days=6)  # a day the TB cube lacks
pytestmark = pytest.mark.slow  # cubes written, frame kernels compiled: 1-10 s each


def _sic_cube(path, days=12):
    with cube_writer(path, grid=GRID) as w:
        w.upsert_days({D0 + timedelta(days=k): np.full(GRID.shape, 10.0 + k, np.float32)
                       for k in range(days)})
    return path


def _tb_cube(path, grid=GRID, days=12):
    fields = {}
    for k in range(days):
        d = D0 + timedelta(days=k)
        if d == TB_GAP:
            continue
        a = np.full(grid.shape, 150.0 + k, np.float32)
        a[0, 0] = np.nan  # a cell without observation
        fields[d] = {"tb_a": a, "tb_d": np.full(grid.shape, 250.0 + k, np.float32)}
    with cube_writer(path, grid=grid, variables=TB_VARS, product="test-tb") as w:
        w.upsert_days(fields)
    return path


def test_extra_channels_follow_the_input_days(tmp_path):
    sic, tb = _sic_cube(tmp_path / "sic.zarr"), _tb_cube(tmp_path / "tb.zarr")
    ds = SeaIceSequenceDataset(sic, variable="sic", mask=None, input_length=3,
                               pred_length=1, extra=TBCube(tb, ["tb_a", "tb_d"], scale=0.01))
    assert ds.channels == 3
    x, y = ds[0]
    assert x.shape == (3, 3, *GRID.shape) and y.shape == (1, 1, *GRID.shape)
    inputs, _ = ds.sample_days(0)
    for t, d in enumerate(inputs):
        k = (d - D0).days
        np.testing.assert_allclose(x[t, 0].numpy(), (10.0 + k) * 0.01, rtol=1e-6)
        assert x[t, 1, 0, 0] == 0.0  # NaN → 0
        np.testing.assert_allclose(x[t, 1, 1:].numpy(), (150.0 + k) * 0.01, rtol=1e-6)
        np.testing.assert_allclose(x[t, 2].numpy(), (250.0 + k) * 0.01, rtol=1e-6)


def test_samples_whose_inputs_lack_a_tb_day_are_skipped_and_said_why(tmp_path):
    sic, tb = _sic_cube(tmp_path / "sic.zarr"), _tb_cube(tmp_path / "tb.zarr")
    plain = SeaIceSequenceDataset(sic, variable="sic", mask=None, input_length=3,
                                  pred_length=1)
    ds = SeaIceSequenceDataset(sic, variable="sic", mask=None, input_length=3, pred_length=1,
                               extra=TBCube(tb, ["tb_a"]))
    assert len(ds) == len(plain) - 3  # TB_GAP is an input of three samples
    assert all(TB_GAP not in ds.sample_days(i)[0] for i in range(len(ds)))
    reasons = [why for _, why in ds.summary.skipped]
    assert sum("absent from the extra cube" in why for why in reasons) == 3


def test_an_extra_cube_on_another_grid_is_refused_naming_both(tmp_path):
    other = Grid("t20-shifted", 3413, GRID.shape, (0.0, 6250.0, 0.0, 0.0, 0.0, 6250.0))
    sic, tb = _sic_cube(tmp_path / "sic.zarr"), _tb_cube(tmp_path / "tb.zarr", grid=other)
    with pytest.raises(InputError, match=r"grid t20-shifted .* sea-ice cube is on t20 "):
        SeaIceSequenceDataset(sic, variable="sic", mask=None, extra=TBCube(tb, ["tb_a"]))
    with pytest.raises(InputError, match="no variable tb_x"):
        SeaIceSequenceDataset(sic, variable="sic", mask=None,
                              extra=TBCube(_tb_cube(tmp_path / "tb2.zarr"), ["tb_x"]))
