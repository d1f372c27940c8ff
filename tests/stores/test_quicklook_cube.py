"""``swathkit quicklook`` of one day of a grid cube."""

from datetime import date

import numpy as np
import pytest
from grid_cube_helpers import TINY, fields

from swathkit.errors import InputError
from swathkit.jobs.quicklook import quicklook_layer
from swathkit.stores.grid_cube import GridCube
from swathkit.stores.grid_cube_writer import cube_writer


@pytest.mark.slow
def test_a_grid_cube_day_is_drawn_with_its_minmax(tmp_path):
    store = tmp_path / "c.zarr"
    day = date(2024, 3, 5)
    with cube_writer(store, grid=TINY, space_chunk=16) as w:
        w.upsert_days(fields(day, 3))
    want = GridCube.open(str(store)).read_days([day], variable="sic")
    got = quicklook_layer(store, "sic", tmp_path / "s.png", stretch="minmax", day=day)
    assert got["limits"] == [float(np.nanmin(want)), float(np.nanmax(want))]
    assert (tmp_path / "s.png").stat().st_size > 1000
    with pytest.raises(InputError, match="its variables: sic"):
        quicklook_layer(store, "nope", tmp_path / "x.png", day=day)
