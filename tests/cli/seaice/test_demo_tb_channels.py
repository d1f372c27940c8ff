"""The demo's ML step: sea ice from the simulated Bremen archive, a day of swaths gridded
onto the sea-ice grid, and the PyTorch dataset serving both, aligned by day."""

from datetime import datetime

import numpy as np
import pytest
from PIL import Image

from swath_grid_helpers import day_records, make_store
from swathkit.cli.main import build_parser
from swathkit.cli.seaice import demo_tb
from swathkit.stores.grid_cube import GridCube
from swathkit.stores.location import LOCK_NAME

DAY = datetime(2022, 2, 16)
pytestmark = pytest.mark.slow  # three ASI n6250 days and a gridding: ~20 s, twice


def _parse(argv):
    return build_parser(argv[0]).parse_args(argv)


def test_the_dataset_stacks_the_gridded_day_beside_the_concentration_and_reruns(tmp_path):
    pytest.importorskip("torch")
    store = make_store(tmp_path / "s.zarr", day_records(DAY))
    code, png = demo_tb.run(tmp_path, store, DAY.date(), _parse)
    assert code == 0 and png is not None
    tb = GridCube.open(tmp_path / "ml" / "tb_asi-n6250.zarr")
    sic = GridCube.open(tmp_path / "ml" / "sic_n6250.zarr")
    assert tb.grid.shape == sic.grid.shape and tb.days == [DAY.date()]
    assert len(sic.days) == 3
    with Image.open(png) as picture:  # four panels in a row: inputs and the target
        assert picture.width > 2.5 * picture.height

    from swathkit.ml.seaice.dataset import SeaIceSequenceDataset, TBCube
    dataset = SeaIceSequenceDataset(tmp_path / "ml" / "sic_n6250.zarr", input_length=1,
                                    pred_length=1, variable="sic", mask=None,
                                    extra=TBCube(tmp_path / "ml" / "tb_asi-n6250.zarr",
                                                 demo_tb.TB_VARIABLES))
    assert len(dataset) == 1  # the second day has no swaths: its sample is skipped
    assert [why for _, why in dataset.summary.skipped] == ["2022-02-17 absent from the extra cube"]
    inputs, _ = dataset[0]
    stored = tb.read_days([DAY.date()], variable="tb_36_5h_asc")[0]
    seen = np.isfinite(stored)
    assert seen.any()
    np.testing.assert_allclose(inputs[0, 1].numpy()[seen], stored[seen] / 300.0, rtol=1e-6)

    before = _files(tmp_path / "ml" / "tb_asi-n6250.zarr")
    assert demo_tb.run(tmp_path, store, DAY.date(), _parse)[0] == 0  # a re-run adds nothing
    assert _files(tmp_path / "ml" / "tb_asi-n6250.zarr") == before


def _files(cube):
    return {p: p.read_bytes() for p in sorted(cube.rglob("*"))
            if p.is_file() and p.name != LOCK_NAME}
