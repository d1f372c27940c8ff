"""Opening, reading one swath and committing a batch touch the same metadata at any size.

Counted, not timed: a wrapper logs every key the store reads and writes.
"""

import json

import pytest
import xarray as xr
from store_counting import CountingLocation, is_chunk

from conftest import make_record
from swathkit.stores.location import quiet_zarr
from swathkit.stores.schema import Layout
from swathkit.stores.swath_store import SwathStore, swath_writer

LAYOUT = Layout.of("36.5H", coords=True, scan_length=16)
SIZES = (4, 120)


def _build(path, n):
    with swath_writer(path, LAYOUT) as w:
        for first in range(0, n, 50):
            w.write([make_record(i, 12) for i in range(first, min(first + 50, n))])
    return path


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    return {n: _build(tmp_path_factory.mktemp(f"s{n}") / "s.zarr", n) for n in SIZES}


def _costs(path, n, new=5000):
    loc = CountingLocation(str(path))
    store = SwathStore.open(loc)
    opened = loc.taken()
    store.read_swath(f"G{n // 2:04d}")
    read = loc.taken()
    with swath_writer(loc, LAYOUT) as w:
        w.write([make_record(i, 12) for i in range(new, new + 8)])
    committed = loc.taken()
    return opened, read, committed


def _meta_bytes(log, op):
    return sum(size for kind, key, size in log if kind == op and not is_chunk(key))


@pytest.mark.slow
def test_open_read_and_commit_touch_as_many_keys_whatever_the_size(stores, tmp_path):
    small, big = (_costs(stores[n], n) for n in SIZES)
    for (s_log, b_log) in zip(small, big, strict=True):
        assert len(s_log) == len(b_log)  # the same number of keys read and written
        assert _meta_bytes(b_log, "get") - _meta_bytes(s_log, "get") < 512
        assert _meta_bytes(b_log, "set") - _meta_bytes(s_log, "set") < 512
    opened = big[0]
    assert [key for _, key, _ in opened] == ["zarr.json"]  # one small document
    assert opened[0][2] < 40_000


@pytest.mark.slow
def test_a_commit_writes_one_small_root_and_only_its_own_buckets(stores):
    *_, committed = _costs(stores[SIZES[1]], SIZES[1], new=6000)
    roots = [size for kind, key, size in committed if kind == "set" and key == "zarr.json"]
    assert 1 <= len(roots) <= 2 and max(roots) < 40_000  # the commit, and the settle at close
    buckets = {key for kind, key, _ in committed if kind == "set" and key.startswith("_index/e")}
    assert 1 <= len(buckets) <= 8  # eight new granules: at most eight buckets


@pytest.mark.slow
def test_xarray_attributes_stay_small(stores):
    with quiet_zarr():
        ds = xr.open_zarr(stores[SIZES[1]], consolidated=True)
    assert len(json.dumps(ds.attrs)) < 1024
    assert ds.sizes["granule"] >= SIZES[1] and "state" in ds  # other tests add granules
