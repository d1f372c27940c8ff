"""fill: streamed in blocks, bit-identical to one in-memory fill, resumable."""

from datetime import date, timedelta

import numpy as np
import pytest

from swathkit.jobs.seaice.fill import fill
from swathkit.process.gapfill import FLAG_LAND, FillOptions, fill_array
from swathkit.products.grids import Grid
from swathkit.stores.grid_cube import GridCube
from swathkit.stores.grid_cube_writer import cube_writer

TINY = Grid("t40", 3413, (40, 30), (-93_750.0, 6250.0, 0.0, -125_000.0, 0.0, 6250.0))
D0 = date(2024, 3, 5)
LAND = np.zeros(TINY.shape, bool)
LAND[:6, :9] = True


def _day(i: int) -> np.ndarray:
    """Smooth ice with 30 % random gaps, a hole that is always missing, and land."""
    rng = np.random.default_rng(i)
    yy, xx = np.mgrid[0:40, 0:30]
    values = (50 + 40 * np.sin(yy / 7 + i / 9) * np.cos(xx / 5)).astype(np.float32)
    values[rng.random(values.shape) < 0.3] = np.nan
    values[(yy - 25) ** 2 + (xx - 15) ** 2 < 30] = np.nan
    values[LAND] = np.nan
    return values


@pytest.fixture
def cube(tmp_path):
    path = tmp_path / "c.zarr"
    days = {D0 + timedelta(days=i): _day(i) for i in range(43) if i not in (9, 10, 11, 30)}
    with cube_writer(path, grid=TINY, space_chunk=8) as w:
        w.upsert_days(days)
        w.write_mask(LAND, np.zeros(TINY.shape, np.float32), info={"threshold": 0.85})
    return path


def _stored(path):
    c = GridCube.open(path)
    n = c.index.length
    return c.read_block(0, n, variable="sic_filled"), c.read_block(0, n, variable="fill_flag")


def _reference(path, options):
    c = GridCube.open(path)
    return fill_array(c.read_block(0, c.index.length), land=c.land_mask(), options=options)


OPTIONS = [FillOptions(), FillOptions(unfilled="repeat", space_window=2, time_window=1),
           FillOptions(unfilled=7.5, space_window=1, max_gap=2)]


CASES = [(OPTIONS[0], 8, 1 << 30), (OPTIONS[0], 16, 30_000), (OPTIONS[1], 24, 1 << 30),
         (OPTIONS[1], 16, 30_000), (OPTIONS[2], 8, 1 << 30)]


@pytest.mark.slow
@pytest.mark.parametrize(("options", "block_days", "memory"), CASES,
                         ids=["nan-8d", "nan-16d-bands", "repeat-24d", "repeat-16d-bands",
                              "constant-8d"])
def test_blocks_equal_one_in_memory_fill(cube, options, block_days, memory):
    report = fill(cube, options=options, block_days=block_days, memory_bytes=memory)
    ref, ref_flag = _reference(cube, options)
    got, flag = _stored(cube)
    assert got.tobytes() == ref.tobytes()
    assert np.array_equal(flag, ref_flag)
    assert report.extras.pixels["land"] == LAND.sum() * ref.shape[0]
    assert sum(report.extras.pixels.values()) == ref.size
    assert report.extras.pixels["unfilled"] == int((ref_flag == 3).sum())


@pytest.mark.slow
def test_a_rerun_does_nothing(cube):
    fill(cube)
    root = (cube / "zarr.json").read_bytes()
    report = fill(cube)
    assert report.extras.days_filled_now == 0 and (cube / "zarr.json").read_bytes() == root
    assert sum(report.extras.pixels.values()) == GridCube.open(cube).index.length * 40 * 30


@pytest.mark.slow
def test_an_interrupted_fill_resumes_where_it_stopped(cube):
    seen = []

    def stop_after_two_blocks(done, total, day):
        seen.append(done)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fill(cube, block_days=8, progress=stop_after_two_blocks)
    assert GridCube.open(cube).fill_info["done"] == 16
    report = fill(cube, block_days=8)
    assert report.extras.resumed_from == 16 and report.extras.days_filled_now == GridCube.open(
        cube).index.length - 16
    ref, ref_flag = _reference(cube, FillOptions())
    got, flag = _stored(cube)
    assert got.tobytes() == ref.tobytes() and np.array_equal(flag, ref_flag)
    assert sum(report.extras.pixels.values()) == ref.size  # counts cover every day once


@pytest.mark.slow
def test_a_replaced_day_refills_from_the_block_it_influences(cube):
    fill(cube, block_days=8)
    changed = D0 + timedelta(days=40)
    with cube_writer(cube) as w:
        w.upsert_days({changed: _day(99)})
    report = fill(cube, block_days=8)
    halo = FillOptions().halo_days()
    index_of = GridCube.open(cube).time_index(changed)
    assert 0 < report.extras.resumed_from <= index_of - halo
    ref, ref_flag = _reference(cube, FillOptions())
    got, flag = _stored(cube)
    assert got.tobytes() == ref.tobytes() and np.array_equal(flag, ref_flag)
    assert sum(report.extras.pixels.values()) == ref.size  # counts cover every day once


@pytest.mark.slow
def test_new_options_refill_everything(cube):
    fill(cube)
    report = fill(cube, options=FillOptions(max_gap=1))
    assert report.extras.resumed_from == 0
    ref, _ = _reference(cube, FillOptions(max_gap=1))
    assert _stored(cube)[0].tobytes() == ref.tobytes()


def test_without_a_mask_it_warns_and_fills_land(tmp_path, caplog):
    path = tmp_path / "c.zarr"
    with cube_writer(path, grid=TINY, space_chunk=8) as w:
        w.upsert_days({D0 + timedelta(days=i): _day(i) for i in range(10)})
    report = fill(path)
    assert "no land mask" in caplog.text
    assert not report.extras.land_mask and report.extras.pixels["land"] == 0
    assert not (_stored(path)[1] == FLAG_LAND).any()


@pytest.mark.slow
def test_the_dataset_shows_filled_days(cube):
    fill(cube)
    ds = GridCube.open(cube).dataset()
    assert set(ds.data_vars) >= {"sic", "sic_filled", "fill_flag", "land_mask"}
    assert ds["fill_flag"].attrs["flag_meanings"].startswith("observed")
    assert ds["sic_filled"].isel(time=12).notnull().sum() > 0
