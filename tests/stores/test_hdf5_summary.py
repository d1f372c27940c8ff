"""``swathkit inspect --stats``: fill-aware figures read block by block, flags bit by bit."""

import json

import h5py
import numpy as np
import pytest

from smap_files import smap_file
from swathkit.cli.main import main
from swathkit.stores.hdf5_summary import blocks, dataset_stats
from swathkit.stores.inspect import inspect


@pytest.mark.timeout(60)
def test_statistics_exclude_fills_and_out_of_range_values(tmp_path):
    path = tmp_path / "any.h5"
    values = np.array([[1.0, 2.0, -9999.0], [4.0, 99.0, 3.0]], np.float32)
    with h5py.File(path, "w") as f:
        ds = f.create_dataset("g/v", data=values, chunks=(1, 3), compression="gzip")
        ds.attrs["_FillValue"] = np.float32(-9999.0)
        ds.attrs["valid_max"] = np.float32(10.0)
    with h5py.File(path) as f:
        acc = dataset_stats(f["g/v"])
    good = np.array([1.0, 2.0, 4.0, 3.0])
    assert (acc.minimum, acc.maximum, acc.count) == (1.0, 4.0, 4)
    assert acc.mean == pytest.approx(good.mean(), abs=1e-12)
    assert acc.std == pytest.approx(good.std(), abs=1e-12)
    assert acc.valid_share == pytest.approx(4 / 6)


@pytest.mark.timeout(60)
def test_blocks_are_whole_chunks_and_cover_the_dataset_once(tmp_path):
    path = tmp_path / "rows.h5"
    data = np.arange(100 * 7, dtype=np.int32).reshape(100, 7)
    with h5py.File(path, "w") as f:
        f.create_dataset("a", data=data, chunks=(3, 7))
    with h5py.File(path) as f:
        pieces = list(blocks(f["a"], budget=7 * 4 * 10))
    assert [p.shape[0] for p in pieces][:-1] == [9] * (len(pieces) - 1)
    assert np.array_equal(np.concatenate(pieces), data)


@pytest.mark.timeout(120)
def test_an_smap_file_shows_product_grids_statistics_and_flag_bits(tmp_path_factory, capsys):
    path = smap_file(tmp_path_factory, "SPL3SMP")
    assert main(["inspect", str(path), "--stats", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["facts"]["product"].startswith("SPL3SMP")
    groups = {r["group"]: r["grid"] for r in summary["tables"]["product_groups"]}
    assert groups["Soil_Moisture_Retrieval_Data_AM"] == "ease2-m36"
    rows = {r["dataset"]: r for r in summary["tables"]["statistics"]}
    with h5py.File(path) as f:
        sm = f["Soil_Moisture_Retrieval_Data_AM/soil_moisture"][()]
        lat = f["Soil_Moisture_Retrieval_Data_AM/latitude"][()]
    good = sm[(sm != -9999.0) & (sm >= 0.02) & (sm <= 0.5)]
    sm_row = rows["Soil_Moisture_Retrieval_Data_AM/soil_moisture"]
    assert float(sm_row["min"]) == pytest.approx(float(good.min()), rel=1e-5)
    assert float(sm_row["mean"]) == pytest.approx(float(good.mean()), rel=1e-5)
    lat_good = lat[lat != -9999.0]  # latitude has no _FillValue: the SMAP fill still counts
    lat_row = rows["Soil_Moisture_Retrieval_Data_AM/latitude"]
    assert float(lat_row["min"]) == pytest.approx(float(lat_good.min()), rel=1e-5)
    bits = [r for r in summary["tables"]["flag_bits"]
            if r["dataset"] == "Soil_Moisture_Retrieval_Data_AM/retrieval_qual_flag"]
    assert bits[0]["meaning"] == "retrieval_recommended"


@pytest.mark.timeout(60)
def test_an_unknown_hdf5_file_lists_chunks_and_compression(tmp_path):
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=np.zeros((4, 4)), chunks=(2, 4), compression="gzip",
                         compression_opts=4, shuffle=True)
    rows = inspect(path).tables["datasets"][1]
    assert rows[0][3:5] == ["(2, 4)", "gzip 4 + shuffle"]
