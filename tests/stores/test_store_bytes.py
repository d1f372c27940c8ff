"""Same granules, same rows, same bytes: whatever the batches and the order they come in."""

import hashlib
import random

import pytest

from swathkit.stores.schema import Layout
from swathkit.stores.swath_store import SwathStore, swath_writer

LAYOUT = Layout.of("36.5H", coords=True, scan_length=16)
IDS = list(range(10))


def store_files(path):
    """sha256 of every file of a store (its writer lock, which names a process, aside)."""
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file() and p.name != ".swathkit-writer.lock"}


def _reserved_run(path, record, seed):
    """As collect does: rows reserved in time order first, granules arriving in any order."""
    order = IDS[:]
    random.Random(seed).shuffle(order)
    rows = {f"G{i:04d}": i for i in IDS}
    with swath_writer(path, LAYOUT) as w:
        w.reserve(len(IDS))
        for first in range(0, len(order), 4):
            w.write([record(i, 12) for i in order[first:first + 4]], rows=rows)
    return path


@pytest.mark.slow
def test_reserved_rows_give_identical_bytes_in_any_completion_order(tmp_path, record):
    a = _reserved_run(tmp_path / "a.zarr", record, seed=1)
    b = _reserved_run(tmp_path / "b.zarr", record, seed=2)
    assert store_files(a) == store_files(b)
    assert SwathStore.open(a).granule_ids == [f"G{i:04d}" for i in IDS]  # rows in time order


@pytest.mark.slow
def test_a_batch_of_new_granules_takes_rows_in_time_order(tmp_path, record):
    with swath_writer(tmp_path / "s.zarr", LAYOUT) as w:
        w.write([record(i, 12) for i in (7, 3, 9, 1)])
    assert SwathStore.open(tmp_path / "s.zarr").granule_ids == ["G0001", "G0003", "G0007",
                                                                "G0009"]


@pytest.mark.slow
def test_a_reserved_row_already_used_is_not_taken_again(tmp_path, record):
    with swath_writer(tmp_path / "s.zarr", LAYOUT) as w:
        w.reserve(2)
        w.write([record(1, 12)], rows={"G0001": 0})
        w.write([record(2, 12)], rows={"G0002": 0})  # a stale reservation
    sw = SwathStore.open(tmp_path / "s.zarr")
    assert (sw.row_of("G0001"), sw.row_of("G0002")) == (0, 2)
