"""A soil-moisture cube of ``smap consolidate`` read by what reads sea-ice cubes.

``open_cube``, the gap filler (``fill_gaps`` on a chosen variable, its valid range from
the cube's attributes) and the PyTorch sequence dataset work on ``soil_moisture_am``
as on ``sic``.
"""

from datetime import date, datetime

import numpy as np
import pytest
import torch

from smap_files import folder_of, l3_days
from swathkit.errors import InputError
from swathkit.jobs.smap.consolidate import consolidate
from swathkit.ml.seaice.dataset import SeaIceSequenceDataset
from swathkit.process.gapfill import (
    FLAG_OBSERVED,
    FLAG_SPACETIME,
    FLAG_TIME,
    FillOptions,
    fill_gaps,
)
from swathkit.stores.grid_cube import open_cube

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

DAYS = [date(2015, 4, 1), date(2015, 4, 2), date(2015, 4, 3)]
OPTIONS = FillOptions(max_gap=2, time_window=1, space_window=2)


@pytest.fixture(scope="module")
def cube(tmp_path_factory):
    files = l3_days(tmp_path_factory, datetime(2015, 4, 1), 3)
    root = tmp_path_factory.mktemp("smcube")
    consolidate(folder_of(files, root / "in"), root / "sm.zarr", layers="soil_moisture")
    return root / "sm.zarr"


def _present(cube):
    ds = open_cube(cube, variables=["soil_moisture_am", "soil_moisture_pm"])
    return ds.isel(time=ds.present.values).load()


def test_open_cube_gives_the_days_am_and_pm(cube):
    ds = _present(cube)
    assert [str(t)[:10] for t in ds.time.values] == [d.isoformat() for d in DAYS]
    assert ds.soil_moisture_am.dims == ("time", "y", "x")
    assert ds.attrs["product"] == "smap-spl3smp" and ds.attrs["grid"] == "ease2-m36"


def test_the_gap_filler_fills_soil_moisture_within_its_valid_range(cube):
    ds = _present(cube)
    out = fill_gaps(ds, variable="soil_moisture_am", options=OPTIONS)
    source = ds.soil_moisture_am.values
    filled = out.soil_moisture_am_filled.values
    flags = out.soil_moisture_am_fill_flag.values
    observed = flags == FLAG_OBSERVED
    assert np.array_equal(filled[observed], source[observed])  # bit for bit
    gained = np.isin(flags, (FLAG_TIME, FLAG_SPACETIME))
    assert gained.sum() > 1000 and np.isnan(source[gained]).all()
    low, high = ds.soil_moisture_am.attrs["valid_min"], ds.soil_moisture_am.attrs["valid_max"]
    assert (filled[gained] >= np.float32(low)).all() and (filled[gained] <= high).all()
    attrs = out.soil_moisture_am_filled.attrs
    assert attrs["units"] == "cm**3/cm**3" and attrs["valid_max"] == high
    assert "soil_moisture_pm_filled" not in out and "sic_filled" not in out


def test_a_constant_outside_the_valid_range_is_refused(cube):
    ds = _present(cube)
    with pytest.raises(InputError, match="valid range"):
        fill_gaps(ds, variable="soil_moisture_pm", options=FillOptions(unfilled=50.0))
    with pytest.raises(InputError, match="no float variable 'sic'"):
        fill_gaps(ds, options=OPTIONS)


def test_the_dataset_serves_soil_moisture_unscaled(cube):
    data = SeaIceSequenceDataset(cube, variable="soil_moisture_am", mask=None,
                                 input_length=2, pred_length=1, pred_shift=1)
    assert len(data) == 1 and data.scale == 1.0
    x, y = data[0]
    assert x.shape == (2, 1, 406, 964) and y.shape == (1, 1, 406, 964)
    stored = _present(cube).soil_moisture_am.values
    expect = torch.from_numpy(np.nan_to_num(stored, nan=0.0))
    assert torch.equal(x[:, 0], expect[:2]) and torch.equal(y[:, 0], expect[2:])
    batch_x, _ = next(iter(data.loader(batch_size=1)))
    assert torch.equal(batch_x[0], x)
