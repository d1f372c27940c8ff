"""``swathkit convert``: SMAP layers as GeoTIFF / COG on their exact EASE-Grid 2.0 grid."""

import h5py
import numpy as np
import pyproj
import pytest
import rasterio

from smap_files import copy_of, smap_file
from swathkit.cli.main import main
from swathkit.products.smap import open_smap

M36 = (-17367530.4451615, 36032.220840584, 0.0, 7314540.8306386, 0.0, -36032.220840584)
LAYER = "Soil_Moisture_Retrieval_Data_AM/soil_moisture"


@pytest.mark.timeout(120)
@pytest.mark.parametrize("to", ["geotiff", "cog"])
def test_an_l3_layer_has_the_facts_grid_and_the_readers_values(tmp_path_factory, tmp_path, to):
    path = smap_file(tmp_path_factory, "SPL3SMP")
    out = tmp_path / "sm.tif"
    assert main(["convert", str(path), "--layer", LAYER, "--to", to, "--out", str(out)]) == 0
    with rasterio.open(out) as src:
        assert src.crs.to_epsg() == 6933
        assert np.allclose(src.transform.to_gdal(), M36, rtol=0, atol=1e-6)
        assert src.descriptions == (LAYER,) and src.nodata == -9999.0
        got = src.read(1, masked=True)
        x, y = src.xy(0, 0)
    want = open_smap(path, group="Soil_Moisture_Retrieval_Data_AM")["soil_moisture"].values
    assert np.array_equal(got.mask, np.isnan(want))
    assert np.array_equal(got.filled(np.nan), want, equal_nan=True)
    lon, lat = pyproj.Transformer.from_crs(6933, 4326, always_xy=True).transform(x, y)
    assert abs(lat - 83.63197527895065) < 1e-9 and abs(lon + 179.81327800829868) < 1e-9


@pytest.mark.timeout(120)
def test_a_pm_layer_is_named_as_in_the_file_and_holds_the_pm_values(tmp_path_factory, tmp_path):
    path = smap_file(tmp_path_factory, "SPL3SMP")
    layer = "Soil_Moisture_Retrieval_Data_PM/retrieval_qual_flag_pm"
    out = tmp_path / "flag_pm.tif"
    assert main(["convert", str(path), "--layer", layer, "--out", str(out)]) == 0
    with rasterio.open(out) as src:
        assert src.descriptions == (layer,) and src.dtypes[0] == "uint16"
        got = src.read(1)
    with h5py.File(path) as f:
        assert np.array_equal(got, f[layer][()])


@pytest.mark.timeout(120)
def test_an_l2_cell_list_is_placed_and_landcover_becomes_three_bands(tmp_path_factory, tmp_path):
    l2 = smap_file(tmp_path_factory, "SPL2SMP")
    out = tmp_path / "l2.tif"
    assert main(["convert", str(l2), "--layer", "Soil_Moisture_Retrieval_Data/soil_moisture",
                 "--out", str(out)]) == 0
    with rasterio.open(out) as src:
        assert src.shape == (406, 964) and src.read(1, masked=True).count() > 0
    l3 = smap_file(tmp_path_factory, "SPL3SMP")
    out3 = tmp_path / "lc.tif"
    assert main(["convert", str(l3), "--layer",
                 "Soil_Moisture_Retrieval_Data_AM/landcover_class", "--out", str(out3)]) == 0
    with rasterio.open(out3) as src:
        assert src.count == 3 and src.dtypes[0] == "uint8" and src.nodata == 254


@pytest.mark.timeout(120)
def test_bad_input_is_one_line_and_exit_2(tmp_path_factory, tmp_path, capsys):
    l3 = smap_file(tmp_path_factory, "SPL3SMP")
    assert main(["convert", str(l3), "--layer", "nope"]) == 2
    assert "its layers: Soil_Moisture_Retrieval_Data_AM/" in capsys.readouterr().err
    text = tmp_path / "x.h5"
    text.write_text("not hdf5")
    assert main(["convert", str(text), "--layer", LAYER]) == 2
    assert "not an HDF5 file" in capsys.readouterr().err
    cut = copy_of(l3, tmp_path)
    cut.write_bytes(cut.read_bytes()[:4096])
    assert main(["convert", str(cut), "--layer", LAYER]) == 2
    assert "truncated" in capsys.readouterr().err
    l1b = smap_file(tmp_path_factory, "SPL1BTB")
    assert main(["convert", str(l1b), "--layer", "Brightness_Temperature/tb_h"]) == 2
    assert "--grid" in capsys.readouterr().err


def test_an_out_path_ending_in_a_slash_is_a_folder(tmp_path_factory, tmp_path):
    path = smap_file(tmp_path_factory, "SPL3SMP")
    folder = tmp_path / "cogs"
    assert main(["convert", str(path), "--layer", LAYER, "--out", f"{folder}/"]) == 0
    [written] = folder.iterdir()
    assert written.name == f"{path.stem}_soil_moisture.tif"
    with rasterio.open(written) as ds:
        assert ds.crs.to_epsg() == 6933
