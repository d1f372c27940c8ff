"""``swathkit convert`` over many files: failures listed, the run goes on, reruns skip outputs
already written; files swathkit does not know convert on a grid the user names."""

import json

import h5py
import numpy as np
import pytest
import rasterio

from smap_files import smap_file
from swathkit.cli.main import main
from swathkit.products.grids import grid

LAYER = "Soil_Moisture_Retrieval_Data_AM/soil_moisture"


def _files(tmp_path_factory, tmp_path):
    good = smap_file(tmp_path_factory, "SPL3SMP")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / good.name).write_bytes(good.read_bytes())
    (folder / "SMAP_L3_SM_P_20150402_R19240_001.h5").write_text("not hdf5")
    return folder, good


@pytest.mark.slow  # the first conversion of the session (imports, an L3 file)
def test_a_bad_file_among_many_is_listed_and_the_rest_are_converted(tmp_path_factory,
                                                                     tmp_path, capsys):
    folder, _ = _files(tmp_path_factory, tmp_path)
    out = tmp_path / "out"
    assert main(["convert", str(folder), "--layer", LAYER, "--out", str(out), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["counts"] == {"found": 2, "converted": 1, "already_there": 0, "failed": 1}
    [failure] = report["failures"]
    assert failure["item"].endswith("SMAP_L3_SM_P_20150402_R19240_001.h5")
    assert "not an HDF5 file" in failure["reason"] and failure["kind"] == "bad_product"
    [written] = report["extras"]["written"]
    assert written["epsg"] == 6933 and written["grid"] == "ease2-m36"
    with rasterio.open(written["output"]) as src:
        assert src.crs.to_epsg() == 6933


def test_a_rerun_keeps_outputs_already_there_unless_overwrite(tmp_path_factory, tmp_path,
                                                              capsys):
    folder, _ = _files(tmp_path_factory, tmp_path)
    (folder / "SMAP_L3_SM_P_20150402_R19240_001.h5").unlink()
    out = tmp_path / "out.tif"
    assert main(["convert", str(folder), "--layer", LAYER, "--out", str(out)]) == 0
    first = out.read_bytes()
    out.write_bytes(b"kept")  # a rerun does not touch it
    capsys.readouterr()
    assert main(["convert", str(folder), "--layer", LAYER, "--out", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["already_there"] == 1
    assert out.read_bytes() == b"kept"
    assert main(["convert", str(folder), "--layer", LAYER, "--out", str(out),
                 "--overwrite"]) == 0
    assert out.read_bytes() == first  # same inputs, same bytes
    assert not list(tmp_path.glob(".*.part"))


def test_the_table_lists_each_output_with_its_grid(tmp_path_factory, tmp_path, capsys):
    folder, _ = _files(tmp_path_factory, tmp_path)
    assert main(["convert", str(folder), "--layer", LAYER, "--out", f"{tmp_path}/o/"]) == 1
    text = capsys.readouterr().out
    assert "ease2-m36" in text and "6933" in text and "failures (by kind)" in text


def _foreign(tmp_path, shape=(500, 500)):
    path = tmp_path / "foreign.h5"
    values = np.arange(shape[0] * shape[1], dtype=np.float32).reshape(shape)
    with h5py.File(path, "w") as f:
        ds = f.create_dataset("data/field", data=values)
        ds.attrs["_FillValue"] = np.float32(-1.0)
        ds.attrs["units"] = "K"
    return path, values


def test_a_layer_without_a_known_grid_offers_grid_and_takes_it(tmp_path, capsys):
    path, values = _foreign(tmp_path)
    assert main(["convert", str(path), "--layer", "data/field"]) == 2
    err = capsys.readouterr().err
    assert "has no grid swathkit knows" in err and "pass --grid NAME" in err
    assert "ease2-n36, ease2-s36" in err  # the registered grids of its shape
    out = tmp_path / "f.tif"
    assert main(["convert", str(path), "--layer", "data/field", "--grid", "ease2-s36",
                 "--out", str(out)]) == 0
    g = grid("ease2-s36")
    with rasterio.open(out) as src:
        assert src.crs.to_epsg() == 6932 and src.transform.to_gdal() == g.transform
        assert src.nodata == -1.0 and src.units == ("K",)
        assert np.array_equal(src.read(1), values)
    assert main(["convert", str(path), "--layer", "data/field", "--grid", "ease2-m36"]) == 2
    assert "not ease2-m36's (406, 964)" in capsys.readouterr().err


def test_an_unknown_grid_name_is_a_usage_error_listing_the_grids(tmp_path_factory, capsys):
    l3 = smap_file(tmp_path_factory, "SPL3SMP")
    assert main(["convert", str(l3), "--layer", LAYER, "--grid", "ease2-x"]) == 2
    assert "known grids: ease2-m36" in capsys.readouterr().err
    assert main(["convert", str(l3)]) == 2
    assert "--layer PATH" in capsys.readouterr().err
