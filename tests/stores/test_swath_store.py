import numpy as np
import pytest
import xarray as xr

from swathkit.errors import StoreError, StoreLockedError
from swathkit.stores.schema import Layout
from swathkit.stores.swath_store import SwathStore, swath_writer
from swathkit.stores.swaths_dataset import open_swaths

LAYOUT = Layout.of("36.5H", coords=True, scan_length=64)


def _write(path, records, layout=LAYOUT):
    with swath_writer(path, layout) as w:
        return w.write(records)


def test_written_counts_read_back_exactly(tmp_path, record):
    rec = record(1)
    _write(tmp_path / "s.zarr", [rec])
    raw = SwathStore.open(tmp_path / "s.zarr").read_raw("G0001")
    assert raw["tb_36_5h"].dtype == np.uint16
    assert (raw["tb_36_5h"][:40] == rec.counts["tb_36_5h"]).all()
    assert (raw["tb_36_5h"][40:] == 65535).all()  # padded to the store's scan length


def test_xarray_open_zarr_decodes_kelvin_with_nan(tmp_path, record):
    rec = record(2)
    _write(tmp_path / "s.zarr", [rec])
    ds = xr.open_zarr(tmp_path / "s.zarr", consolidated=True)
    tb = ds["tb_36_5h"].isel(granule=0).values
    assert np.isnan(tb[0, 0]) and np.isnan(tb[50, 0])
    assert tb[1, 0] == pytest.approx(rec.counts["tb_36_5h"][1, 0] * 0.01)
    assert ds["scan_time"].dtype.kind == "M"


def test_rewriting_the_same_granules_changes_nothing(tmp_path, record):
    first = _write(tmp_path / "s.zarr", [record(1), record(2)])
    again = _write(tmp_path / "s.zarr", [record(2), record(1)])
    assert first.added == ("G0001", "G0002")
    assert again.added == () and set(again.unchanged) == {"G0001", "G0002"}
    assert len(SwathStore.open(tmp_path / "s.zarr")) == 2


def test_changed_granule_replaces_the_old_row(tmp_path, record):
    _write(tmp_path / "s.zarr", [record(1), record(2)])
    summary = _write(tmp_path / "s.zarr", [record(1, offset=7)])
    store = SwathStore.open(tmp_path / "s.zarr")
    assert summary.replaced == ("G0001",)
    assert store.retired == 1 and store.live_rows().tolist() == [1, 2] and len(store) == 2
    ds = open_swaths(tmp_path / "s.zarr")
    assert list(ds["granule"].values) == ["G0001", "G0002"]  # time order, not row order
    expected = record(1, offset=7).counts["tb_36_5h"][1, 0] * 0.01
    assert float(ds["tb_36_5h"].sel(granule="G0001").values[1, 0]) == pytest.approx(expected)


def test_second_writer_is_refused(tmp_path, record):
    with swath_writer(tmp_path / "s.zarr", LAYOUT), pytest.raises(
            StoreLockedError, match="another writer"), swath_writer(tmp_path / "s.zarr", LAYOUT):
        pass


def test_other_layout_is_refused(tmp_path, record):
    _write(tmp_path / "s.zarr", [record(1)])
    with pytest.raises(StoreError, match=r"keeps channels 36\.5H"):
        _write(tmp_path / "s.zarr", [record(2)], Layout.of("89.0AH", scan_length=64))


def test_open_swaths_selects_by_time_orbit_and_area(tmp_path, record):
    _write(tmp_path / "s.zarr", [record(i) for i in range(6)])
    s = tmp_path / "s.zarr"
    assert open_swaths(s).sizes["granule"] == 6
    assert list(open_swaths(s, orbit="D")["granule"].values) == ["G0001", "G0003", "G0005"]
    late = open_swaths(s, start="2022-02-16T01:40:30", end="2022-02-16T03:30")  # overlaps
    assert list(late["granule"].values) == ["G0002", "G0003", "G0004"]
    # record i spans lon 20*i ± 10: a box at 60–65°E holds only G0003
    assert list(open_swaths(s, bbox=(60, -10, 65, 10))["granule"].values) == ["G0003"]


def test_open_swaths_crops_and_pads_scans(tmp_path, record):
    _write(tmp_path / "s.zarr", [record(1)])
    assert open_swaths(tmp_path / "s.zarr", scans=30).sizes["scan"] == 30
    padded = open_swaths(tmp_path / "s.zarr", scans=80)
    assert padded.sizes["scan"] == 80 and np.isnan(padded["tb_36_5h"].values[0, 70]).all()


def test_read_swath_is_decoded_and_cut_to_n_scans(tmp_path, record):
    _write(tmp_path / "s.zarr", [record(3)])
    ds = SwathStore.open(tmp_path / "s.zarr").read_swath("G0003")
    assert ds.sizes["scan"] == 40 and ds["tb_36_5h"].dtype.kind == "f"
    assert ds.attrs["orbit_direction"] == "D" and ds.attrs["start_time"].startswith("2022-02-16")


def test_opening_a_missing_store_says_how_to_make_one(tmp_path):
    with pytest.raises(StoreError, match="swathkit ingest"):
        SwathStore.open(tmp_path / "nothing.zarr")


def test_fsspec_url_store_round_trips(record):
    url = "memory://bucket/test-fsspec.zarr"
    _write(url, [record(1), record(2)])
    store = SwathStore.open(url)
    assert store.granule_ids == ["G0001", "G0002"]
    assert np.array_equal(store.read_raw("G0002")["tb_36_5h"][:40],
                          record(2).counts["tb_36_5h"])
    assert open_swaths(url).sizes["granule"] == 2


def test_fsspec_store_refuses_a_second_writer(record):
    url = "memory://bucket/test-fsspec-lock.zarr"
    with swath_writer(url, LAYOUT), pytest.raises(StoreLockedError), \
            swath_writer(url, LAYOUT):
        pass
