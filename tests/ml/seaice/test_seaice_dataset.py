"""SeaIceSequenceDataset and time_splits over a small hand-made grid cube.

The cube: a 40 x 30 grid, days 2020-01-01 .. 2020-01-24 (time axis from 2019-12-26),
2020-01-10 not published, 2020-01-15 never written, the fill computed through
2020-01-21. On day k (days since 2020-01-01) every observed pixel holds 10 + k percent,
so a frame tells which day it came from. Columns 0-4 are NaN (land), column 5 has
values but the land mask says land, row 0 is a gap the fill sets to 99 (flag 2), and on
2020-01-12 rows 1-20 are flagged "filled in time" (so that day is half filled).
"""

import gc
import multiprocessing
import os
from datetime import date, timedelta

import numpy as np
import pytest
import torch
from torch.utils.data import BatchSampler, DataLoader, RandomSampler

from swathkit.errors import InputError
from swathkit.ml.seaice.chunkread import ChunkReader
from swathkit.ml.seaice.dataset import (
    NAMED_REGIONS,
    SeaIceSequenceDataset,
    collate_sequences,
    resolve_region,
)
from swathkit.ml.seaice.splits import time_splits
from swathkit.ml.seaice.windows import SampleWindow
from swathkit.products.asi.grids import asi_grid
from swathkit.products.grids import Grid, grid
from swathkit.stores.grid_cube import GridCube
from swathkit.stores.grid_cube_writer import cube_writer
from swathkit.stores.location import as_location
from swathkit.types import Region

GRID = Grid("t40", 3413, (40, 30), (-93_750.0, 6250.0, 0.0, -125_000.0, 0.0, 6250.0))
D0 = date(2020, 1, 1)
N_DAYS = 24
NOT_PUBLISHED = date(2020, 1, 10)
ABSENT = date(2020, 1, 15)
HALF_FILLED = date(2020, 1, 12)
LAST_FILLED = date(2020, 1, 21)


def day(k: int) -> date:
    return D0 + timedelta(days=k)


def raw_field(k: int) -> np.ndarray:
    values = np.full(GRID.shape, 10.0 + k, np.float32)
    values[:, :5] = np.nan
    values[0, :] = np.nan
    return values


@pytest.fixture(scope="module")
def cube_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("cube") / "cube.zarr"
    fields = {day(k): raw_field(k) for k in range(N_DAYS) if day(k) not in (NOT_PUBLISHED,
                                                                           ABSENT)}
    land = np.zeros(GRID.shape, bool)
    land[:, :6] = True
    with cube_writer(path, grid=GRID) as writer:
        writer.upsert_days(fields)
        writer.mark_not_published([NOT_PUBLISHED])
        writer.write_mask(land, land.astype(np.float32), info={"threshold": 0.85})
        index = writer.index
        length = index.length
        filled = np.full((length, *GRID.shape), np.nan, np.float32)
        flags = np.full((length, *GRID.shape), 255, np.uint8)
        for d in fields:
            i = index.index_of(d)
            filled[i] = fields[d]
            filled[i, 0, 6:] = 99.0
            filled[i, :, :6] = np.nan
            flags[i] = 0
            flags[i, 0, 6:] = 2
            flags[i, :, :6] = 4
            if d == HALF_FILLED:
                flags[i, 1:21, 6:] = 1
        done = index.index_of(LAST_FILLED) + 1
        writer.start_fill({"done": 0})
        writer.write_filled(0, filled, flags)
        writer.commit_fill({"done": done})
    return path


def used(ds: SeaIceSequenceDataset, i: int) -> set[date]:
    inputs, targets = ds.sample_days(i)
    return {*inputs, *targets}


def frame_day(frame: torch.Tensor) -> date:
    """The day a cleaned frame came from (value 10 + k at an ocean pixel, scale 0.01)."""
    return day(round(float(frame[5, 10]) * 100) - 10)


def test_sample_days_follow_the_seed_geometry(cube_path):
    ds = SeaIceSequenceDataset(cube_path, start=day(0), end=day(8), input_length=2,
                               input_gap=2, pred_shift=3, pred_gap=2, pred_length=2,
                               samples_gap=1, variable="sic")
    # span 2 + 3 + 2 + 1 = 8 days; starts 01-01 and 01-02 fit in 01-01 .. 01-09
    assert len(ds) == 2
    assert ds.sample_days(0) == ([day(0), day(2)], [day(5), day(7)])
    assert ds.sample_days(1) == ([day(1), day(3)], [day(6), day(8)])


def test_samples_gap_and_the_seed_index_formula_agree():
    w = SampleWindow(input_length=3, input_gap=2, pred_shift=2, pred_gap=3, pred_length=2,
                     samples_gap=4)
    n = 20
    # the seed: target = i + input_span + pred_shift - 1 + arange(0, pred_span, pred_gap)
    input_span, pred_span = 2 * 2 + 1, 3 * 1 + 1
    seed_starts = list(range(0, n - (input_span + 2 + pred_span - 1) + 1, 4))
    assert list(w.starts(n)) == seed_starts == [0, 4, 8]  # span 10: start 12 would end on 21
    assert list(w.input_offsets()) == [0, 2, 4]
    assert list(w.target_offsets()) == [input_span + 2 - 1, input_span + 2 - 1 + 3] == [6, 9]


def test_items_hold_the_frames_of_their_days(cube_path):
    ds = SeaIceSequenceDataset(cube_path, start=day(0), end=day(8), input_length=3,
                               input_gap=1, pred_shift=2, pred_length=2, pred_gap=2)
    x, y = ds[1]
    assert x.dtype == torch.float32 and x.shape == (3, 1, 40, 30) and y.shape == (2, 1, 40, 30)
    assert [frame_day(f[0]) for f in x] == [day(1), day(2), day(3)]
    assert [frame_day(f[0]) for f in y] == [day(5), day(7)]


def test_samples_with_a_missing_day_are_skipped(cube_path):
    # 8-day samples: those starting 01-03 .. 01-10 contain 01-10, 01-08 .. 01-15 contain 01-15
    ds = SeaIceSequenceDataset(cube_path, start=day(0), end=day(22), variable="sic")
    assert [ds.sample_days(i)[0][0] for i in range(len(ds))] == [day(0), day(1), day(15)]
    s = ds.summary
    assert (s.candidates, s.kept, s.skipped_missing, s.skipped_filled) == (16, 3, 13, 0)
    assert dict(s.missing_days) == {NOT_PUBLISHED: "not published", ABSENT: "absent"}
    assert dict(s.skipped)[day(9)] == "2020-01-10 not published; 2020-01-15 absent"
    none_left = SeaIceSequenceDataset(cube_path, start=day(4), end=day(17), variable="sic")
    assert len(none_left) == 0 and none_left.summary.candidates == 7


def test_days_the_fill_has_not_reached_are_missing_for_filled_values(cube_path):
    filled = SeaIceSequenceDataset(cube_path, start=day(15), end=day(23))
    raw = SeaIceSequenceDataset(cube_path, start=day(15), end=day(23), variable="sic")
    assert dict(filled.summary.missing_days)[day(21)] == "not filled"
    assert len(filled) == 0 and len(raw) == 2
    raw_by_share = SeaIceSequenceDataset(cube_path, start=day(15), end=day(23), variable="sic",
                                         max_filled_share=1.0)
    assert len(raw_by_share) == 0  # the filled share of a day the fill has not reached: unknown


def test_max_filled_share_skips_samples_with_a_mostly_filled_day(cube_path):
    kwargs = {"start": day(10), "end": day(20), "input_length": 2, "pred_length": 1}
    everything = SeaIceSequenceDataset(cube_path, **kwargs)
    strict = SeaIceSequenceDataset(cube_path, max_filled_share=0.05, **kwargs)
    # per frame: row 0 filled (24 of 960 ocean pixels); 01-12 adds 480: 3 frames with it
    # have share (2 * 24 + 504) / 2880 = 0.19; without it 0.025
    with_half = {i for i in range(len(everything))
                 if HALF_FILLED in used(everything, i)}
    assert with_half and strict.summary.skipped_filled == len(with_half)
    assert len(strict) == len(everything) - len(with_half)
    assert all(HALF_FILLED not in used(strict, i) for i in range(len(strict)))
    assert "filled share 0.19" in strict.summary.skipped[0][1]


def test_values_are_scaled_and_gaps_and_land_are_zero(cube_path):
    x, _ = SeaIceSequenceDataset(cube_path, start=day(0), end=day(7))[0]
    frame = x[0, 0].numpy()
    assert np.all(frame[:, :6] == 0)
    assert np.allclose(frame[0, 6:], 0.99) and np.allclose(frame[1:, 6:], 0.10)
    raw, _ = SeaIceSequenceDataset(cube_path, start=day(0), end=day(7), variable="sic",
                                   mask=None)[0]
    assert np.all(raw[0, 0, 0].numpy() == 0) and np.allclose(raw[0, 0, 1:, 5:].numpy(), 0.1)


def test_mask_apply_zeroes_land_that_has_values(cube_path):
    opts = {"start": day(0), "end": day(7), "variable": "sic"}
    kept, _ = SeaIceSequenceDataset(cube_path, mask=None, **opts)[0]
    applied, _ = SeaIceSequenceDataset(cube_path, mask="apply", **opts)[0]
    assert np.allclose(kept[0, 0, 1:, 5].numpy(), 0.10)
    assert np.all(applied[:, 0, :, 5].numpy() == 0)
    assert torch.equal(applied[:, :, :, 6:], kept[:, :, :, 6:])


@pytest.mark.parametrize("mode", ["channel", "both"])
def test_mask_channel_adds_the_land_mask_to_the_inputs(cube_path, mode):
    ds = SeaIceSequenceDataset(cube_path, start=day(0), end=day(7), variable="sic", mask=mode)
    x, y = ds[0]
    assert ds.channels == 2 and x.shape == (5, 2, 40, 30) and y.shape == (3, 1, 40, 30)
    assert torch.all(x[:, 1, :, :6] == 1) and torch.all(x[:, 1, :, 6:] == 0)
    land_value = float(x[0, 0, 5, 5])
    assert land_value == (0.0 if mode == "both" else pytest.approx(0.10))


def test_a_mask_or_filled_values_from_a_cube_without_them_is_an_error(tmp_path):
    with cube_writer(tmp_path / "c.zarr", grid=GRID) as writer:
        writer.upsert_days({day(k): raw_field(k) for k in range(8)})
    with pytest.raises(ValueError, match="no land mask"):
        SeaIceSequenceDataset(tmp_path / "c.zarr", variable="sic")
    with pytest.raises(ValueError, match="seaice fill"):
        SeaIceSequenceDataset(tmp_path / "c.zarr", mask=None)
    with pytest.raises(ValueError, match="seaice fill"):
        SeaIceSequenceDataset(tmp_path / "c.zarr", variable="sic", mask=None,
                              max_filled_share=0.5)
    assert len(SeaIceSequenceDataset(tmp_path / "c.zarr", variable="sic", mask=None)) == 1


def test_region_crops_rows_and_columns(cube_path):
    full, _ = SeaIceSequenceDataset(cube_path, start=day(0), end=day(7), mask="both")[0]
    crop, _ = SeaIceSequenceDataset(cube_path, start=day(0), end=day(7), mask="both",
                                    region=(0, 10, 3, 20))[0]
    assert crop.shape == (5, 2, 10, 17)
    assert torch.equal(crop, full[:, :, 0:10, 3:20])


def test_named_regions_resolve_inside_the_real_grids():
    for grid_name in ("n3125", "n6250", "s3125"):
        grid = asi_grid(grid_name)
        for name in NAMED_REGIONS[grid.hemisphere]:
            r = resolve_region(grid, name)
            (r0, r1), (c0, c1) = r.rows, r.cols
            assert 0 <= r0 < r1 <= grid.rows and 0 <= c0 < c1 <= grid.cols
    beaufort = resolve_region(asi_grid("n6250"), "beaufort")
    assert beaufort.shape == (256, 176)  # 1600 km x 1100 km at 6.25 km
    with pytest.raises(ValueError, match="weddell"):
        resolve_region(asi_grid("s6250"), "beaufort")
    with pytest.raises(ValueError, match="outside"):
        resolve_region(GRID, (0, 50, 0, 10))


def test_regions_are_the_one_region_type_in_every_form():
    want = Region((3, 37), (1, 29))
    for form in (want, (3, 37, 1, 29), "3:37,1:29", (slice(3, 37), slice(1, 29))):
        assert resolve_region(GRID, form) == want
    assert resolve_region(GRID, None) == Region((0, 40), (0, 30))


def test_named_regions_need_a_grid_on_their_plane():
    with pytest.raises(InputError, match="grid ease2-n25 is lambert_azimuthal_equal_area"):
        resolve_region(grid("ease2-n25"), "beaufort")


def test_preload_gives_the_same_items_as_lazy_reads(cube_path):
    opts = {"start": day(0), "end": day(23), "input_gap": 2, "input_length": 3,
            "pred_length": 2, "mask": "both", "region": (1, 30, 2, 28)}
    lazy = SeaIceSequenceDataset(cube_path, **opts)
    preloaded = SeaIceSequenceDataset(cube_path, preload=True, **opts)
    uncached = SeaIceSequenceDataset(cube_path, cache_bytes=0, **opts)
    assert len(lazy) == len(preloaded) == len(uncached) > 0
    for i in reversed(range(len(lazy))):
        for a, b, c in zip(lazy[i], preloaded[i], uncached[i], strict=True):
            assert torch.equal(a, b) and torch.equal(a, c)


def test_batched_reads_equal_single_items(cube_path):
    ds = SeaIceSequenceDataset(cube_path, start=day(0), end=day(23), input_gap=2,
                               input_length=2, pred_gap=3, pred_length=2, variable="sic")
    order = [3, 0, 2]
    batch = ds.__getitems__(order)
    for i, (x, y) in zip(order, batch, strict=True):
        assert torch.equal(x, ds[i][0]) and torch.equal(y, ds[i][1])


def test_splits_never_share_a_day(cube_path):
    splits = time_splits(cube_path, train=(day(0), day(9)), val=("2020-01-11", "2020-01-16"),
                         test=(20200117, 20200123), input_length=2, pred_length=1,
                         variable="sic")
    seen: dict[date, str] = {}
    for name, ds in splits.items():
        assert len(ds) > 0
        for d in ds.days():
            assert ds.start <= d <= ds.end, (name, d)
            assert seen.setdefault(d, name) == name, f"{d} in {seen[d]} and {name}"
    assert splits["train"].end == day(9) and splits["val"].start == day(10)


def test_overlapping_or_too_close_splits_are_errors(cube_path):
    with pytest.raises(ValueError, match="overlap"):
        time_splits(cube_path, train=(day(0), day(10)), val=(day(10), day(15)))
    with pytest.raises(ValueError, match="buffer_days"):
        time_splits(cube_path, train=(day(0), day(9)), val=(day(12), day(20)), buffer_days=3)
    assert set(time_splits(cube_path, train=(day(0), day(9)), val=(day(13), day(20)),
                           buffer_days=3, variable="sic")) == {"train", "val"}


def test_the_dataset_carries_no_open_store_into_workers(cube_path):
    ds = SeaIceSequenceDataset(cube_path, start=day(0), end=day(8))
    assert isinstance(ds._handle(), GridCube)
    assert ds.__getstate__()["_cube"] is None


@pytest.mark.parametrize("context", [None, pytest.param("spawn", marks=pytest.mark.slow)])
def test_dataloader_workers_give_the_same_batches(cube_path, context):
    ds = SeaIceSequenceDataset(cube_path, start=day(15), end=day(23), input_length=2,
                               pred_length=2, mask="both", variable="sic")
    assert len(ds) >= 4
    serial = list(DataLoader(ds, batch_size=2, num_workers=0))
    parallel = list(DataLoader(ds, batch_size=2, num_workers=2, multiprocessing_context=context))
    assert len(serial) == len(parallel)
    for (xs, ys), (xp, yp) in zip(serial, parallel, strict=True):
        assert xs.shape[0:3] == (xs.shape[0], 2, 2)
        assert torch.equal(xs, xp) and torch.equal(ys, yp)


def test_the_loader_gives_the_default_batches_without_restacking(cube_path):
    ds = SeaIceSequenceDataset(cube_path, start=day(15), end=day(23), input_length=2,
                               pred_length=2, mask="channel", variable="sic")
    default = list(DataLoader(ds, batch_size=3, shuffle=False))
    ours = list(ds.loader(batch_size=3, num_workers=2))
    assert len(default) == len(ours) == 2
    for (xd, yd), (xo, yo) in zip(default, ours, strict=True):
        assert torch.equal(xd, xo) and torch.equal(yd, yo)
    samples = ds.__getitems__([0, 1])
    x, _ = collate_sequences(samples)
    assert x.data_ptr() == samples[0][0].data_ptr()  # the batch buffer itself
    separate = [ds[0], ds[1]]
    assert torch.equal(collate_sequences(separate)[0], x)  # stacked as default_collate does


@pytest.mark.parametrize("cache_bytes", [0, 2**20])
def test_the_thread_loader_gives_the_dataloader_batches(cube_path, cache_bytes):
    ds = SeaIceSequenceDataset(cube_path, start=day(0), end=day(23), input_length=2,
                               pred_length=1, variable="sic", cache_bytes=cache_bytes)
    expected = list(DataLoader(ds, batch_size=3))
    threaded = ds.thread_loader(batch_size=3, threads=2)
    assert len(threaded) == len(expected) > 3
    for (xe, ye), (xt, yt) in zip(expected, threaded, strict=True):
        assert torch.equal(xe, xt) and torch.equal(ye, yt)
    order = list(BatchSampler(RandomSampler(range(len(ds)), generator=torch.Generator()
                                            .manual_seed(7)), 3, False))
    shuffled = ds.thread_loader(batch_size=3, shuffle=True, threads=2,
                                generator=torch.Generator().manual_seed(7))
    for indices, (x, _) in zip(order, shuffled, strict=True):
        assert torch.equal(x, torch.stack([ds[i][0] for i in indices]))


# -- the shared-memory batch ring of loader() -----------------------------------------

def ring_dataset(cube_path, **kwargs) -> SeaIceSequenceDataset:
    """19 one-frame-in, one-frame-out samples (more batches of 1 than ring slots)."""
    return SeaIceSequenceDataset(cube_path, start=day(0), end=day(23), input_length=1,
                                 pred_length=1, variable="sic", mask="channel", **kwargs)


def from_ring(loader, batch) -> bool:
    ptrs = {t.data_ptr() for t in (*loader.ring.x, *loader.ring.y)}
    return batch[0].data_ptr() in ptrs and batch[1].data_ptr() in ptrs


def torch_shm() -> set[str]:
    return {name for name in os.listdir("/dev/shm") if "torch" in name}


# spawned workers import torch and the stack afresh: minutes on a loaded 2-core machine
@pytest.mark.slow
@pytest.mark.parametrize("context", [None, pytest.param("spawn", marks=pytest.mark.timeout(300))])
def test_ring_batches_equal_the_batches_without_workers(cube_path, context):
    ds = ring_dataset(cube_path)
    assert len(ds) == 19
    before = torch_shm()
    for shuffle in (False, True):
        expected = list(ds.loader(batch_size=3, shuffle=shuffle, num_workers=0,
                                  generator=torch.Generator().manual_seed(5)))
        loader = ds.loader(batch_size=3, shuffle=shuffle, num_workers=2,
                           multiprocessing_context=context,
                           generator=torch.Generator().manual_seed(5))
        assert len(loader) == len(expected) == 7
        served = 0
        for (xe, ye), (x, y) in zip(expected, loader, strict=True):
            assert from_ring(loader, (x, y))
            assert x.shape == (xe.shape[0], 1, 2, 40, 30)
            assert torch.equal(xe, x) and torch.equal(ye, y)
            served += 1
            del x, y
        assert served == 7 and loader.ring.fallbacks == 0
        assert loader.ring.free_slots() == loader.ring.slots == 2 * 2 + 2
        del loader
    gc.collect()
    assert torch_shm() <= before  # the segments were unlinked: nothing left behind


def test_a_kept_batch_is_not_overwritten_and_slots_are_recycled(cube_path):
    ds = ring_dataset(cube_path)
    expected = list(DataLoader(ds, batch_size=1))
    loader = ds.loader(batch_size=1, num_workers=2, prefetch_factor=1)  # a ring of 4
    kept = {}
    for i, batch in enumerate(loader):
        assert loader.ring.slots == 4  # the ring never grows
        if i in (0, 1, 7):
            kept[i] = batch  # keep them while 16 more are drawn
        del batch
    assert loader.ring.fallbacks > 0  # with slots held, some batches went the usual way
    in_ring = {i: from_ring(loader, b) for i, b in kept.items()}
    assert in_ring[0] and in_ring[1]
    for i, (x, y) in kept.items():
        assert torch.equal(x, expected[i][0]) and torch.equal(y, expected[i][1])
    del x, y
    assert loader.ring.free_slots() == 4 - sum(in_ring.values())
    first = kept.pop(0)
    view = first[0][0, 0, 0]  # a view outlives the batch it came from
    del first
    assert loader.ring.free_slots() == 4 - sum(in_ring.values())
    del kept
    assert loader.ring.free_slots() == 3
    del view
    assert loader.ring.free_slots() == 4
    # a second pass with every batch dropped: all through the ring, slots recycled
    fallbacks = loader.ring.fallbacks
    for i, (x, y) in enumerate(loader):
        assert from_ring(loader, (x, y)) and torch.equal(x, expected[i][0])
    del x, y
    assert loader.ring.fallbacks == fallbacks and loader.ring.free_slots() == 4


def test_keeping_every_batch_gives_the_same_batches(cube_path):
    ds = ring_dataset(cube_path)
    expected = list(DataLoader(ds, batch_size=2))
    kept = list(ds.loader(batch_size=2, num_workers=2))
    assert len(kept) == len(expected) == 10
    for (xe, ye), (x, y) in zip(expected, kept, strict=True):
        assert torch.equal(xe, x) and torch.equal(ye, y)


def test_persistent_workers_and_an_early_break(cube_path):
    ds = ring_dataset(cube_path)
    expected = list(DataLoader(ds, batch_size=4))
    loader = ds.loader(batch_size=4, num_workers=2, persistent_workers=True)
    for x, _ in loader:  # stop after one batch: the rest in flight is discarded
        assert torch.equal(x, expected[0][0])
        break
    del x
    for _ in range(2):
        got = [x.clone() for x, _ in loader]
        assert all(torch.equal(a, b[0]) for a, b in zip(got, expected, strict=True))
        assert loader.ring.free_slots() == loader.ring.slots and loader.ring.fallbacks == 0
    children = set(multiprocessing.active_children())  # the persistent workers
    non_persistent = ds.loader(batch_size=4, num_workers=2)
    for _ in non_persistent:
        assert len(set(multiprocessing.active_children()) - children) == 2
        break
    assert not set(multiprocessing.active_children()) - children  # workers joined


def test_the_chunk_reader_equals_zarr_and_the_pool_decodes_each_chunk_once(cube_path):
    cube = GridCube.open(cube_path)
    region = resolve_region(GRID, (3, 37, 1, 29))
    for variable in ("sic", "sic_filled"):
        reader = ChunkReader.for_array(cube.location, variable,
                                       cube.array(variable).metadata.to_dict(), region)
        assert reader is not None
        out = np.empty((8, *region.shape), np.float32)
        for k in range(cube.index.length // 8):
            reader.read_into(k, out)
            ref = cube.read_block(8 * k, 8 * k + 8, variable=variable, region=region.slices())
            # days the cube does not hold (zarr blanks them; the dataset never uses them)
            valid = ~np.isnan(ref).all(axis=(1, 2))
            assert np.array_equal(out[:len(ref)][valid], ref[valid], equal_nan=True)
    ds = ring_dataset(cube_path, region=(3, 37, 1, 29))
    lazy = [ds[i] for i in range(len(ds))]
    chunks = {cube.time_index(d) // 8 for d in ds.days()}
    assert ds._pools[0].decoded == len(chunks) == 4  # each chunk decoded once
    preloaded = ring_dataset(cube_path, region=(3, 37, 1, 29), preload=True)
    small = ring_dataset(cube_path, region=(3, 37, 1, 29), cache_bytes=0)
    for i, (x, y) in enumerate(lazy):
        assert torch.equal(x, preloaded[i][0]) and torch.equal(y, preloaded[i][1])
        assert torch.equal(x, small[i][0]) and torch.equal(y, small[i][1])
    assert ChunkReader.for_array(as_location("memory://x.zarr"), "sic",
                                 cube.array("sic").metadata.to_dict(), region) is None
