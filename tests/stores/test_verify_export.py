import numpy as np
import pytest
import xarray as xr

from swathkit.stores.export import export
from swathkit.stores.schema import Layout
from swathkit.stores.swath_store import SwathStore, swath_writer
from swathkit.stores.verify import verify

LAYOUT = Layout.of("36.5H", coords=True, scan_length=64)


@pytest.fixture
def store(tmp_path, record):
    path = tmp_path / "s.zarr"
    with swath_writer(path, LAYOUT) as w:
        w.write([record(i) for i in range(5)])
    return path


def test_sound_store_verifies(store):
    report = verify(store)
    assert report.ok and report.checked == 5 and report.success_rate == 1.0


def test_a_flipped_byte_in_a_chunk_is_found(store):
    chunk = store / "tb_36_5h" / "c" / "2" / "0" / "0"
    data = bytearray(chunk.read_bytes())
    data[len(data) // 2] ^= 0xFF
    chunk.write_bytes(bytes(data))
    report = verify(store)
    assert list(report.damaged) == ["G0002"] and report.success_rate == pytest.approx(0.8)
    assert "unreadable" in report.damaged["G0002"]


def test_a_rewritten_chunk_with_valid_crc_is_found_by_the_recorded_sha256(store):
    import zarr

    sw = SwathStore.open(store)
    tb = zarr.open_array(sw.location.zarr_store(read_only=False), path="tb_36_5h", mode="r+")
    row = sw.array("tb_36_5h")[3]
    row[10, 10] = 20000 if row[10, 10] != 20000 else 20001
    tb[3] = row
    report = verify(store)
    assert list(report.damaged) == ["G0003"]
    assert "sha256" in report.damaged["G0003"]


def test_npz_export_loads_without_pickle(store, tmp_path, record):
    paths = export(store, tmp_path / "npz", fmt="npz", parts=2)
    assert len(paths) == 3 and paths[0].name.endswith("_part_1of3.npz")
    with np.load(paths[0], allow_pickle=False) as npz:
        assert npz["tb_36_5h"].dtype == np.uint16 and npz["tb_36_5h"].shape == (2, 64, 243)
        assert np.array_equal(npz["tb_36_5h"][1, :40], record(1).counts["tb_36_5h"])
        assert float(npz["tb_36_5h_scale_factor"]) == pytest.approx(0.01)
        assert list(npz["granule_id"]) == ["G0000", "G0001"]
        assert npz["n_scans"].tolist() == [40, 40]


def test_netcdf_export_is_cf(store, tmp_path, record):
    paths = export(store, tmp_path / "nc", fmt="netcdf", parts=10)
    assert len(paths) == 1
    raw = xr.open_dataset(paths[0], decode_cf=False)
    assert raw["tb_36_5h"].dtype == np.uint16 and raw.attrs["Conventions"] == "CF-1.8"
    assert raw["tb_36_5h"].attrs["scale_factor"] == pytest.approx(0.01)
    ds = xr.open_dataset(paths[0])
    assert np.isnan(ds["tb_36_5h"].values[0, 0, 0])
    assert ds["tb_36_5h"].values[1, 1, 0] == pytest.approx(
        record(1).counts["tb_36_5h"][1, 0] * 0.01)
