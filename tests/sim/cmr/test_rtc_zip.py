"""Synthetic RTC zips: the layout, readable by rasterio, water dark where the truth says."""

import hashlib
import re
import zipfile

import numpy as np
import pytest
import rasterio
from pyproj import Transformer

from swathkit.products.alos_rtc.layout import members
from swathkit.sim.cmr.alos import catalogue
from swathkit.sim.cmr.rtc_zip import utm_epsg, write_rtc_zip
from swathkit.sim.surface_water import LAND, WATER, surface_water


def _coastal_scene():
    """A scene with both water and land (the truth decides)."""
    cat = catalogue()
    for i in range(0, len(cat), 211):
        lon, lat = cat.center[i]
        grid = np.mgrid[-0.3:0.3:9j, -0.3:0.3:9j]
        truth = surface_water(lon + grid[1], lat + grid[0])
        if 0.2 < (truth == WATER).mean() < 0.8:
            return cat.scene(i)
    raise AssertionError("no coastal scene")


@pytest.mark.slow  # the first to build the catalogue
def test_the_zip_has_one_top_folder_with_the_expected_members(tmp_path):
    scene = catalogue().scene(100)
    path = write_rtc_zip(scene, tmp_path / scene.name.zip_name, pixels=32)
    names = zipfile.ZipFile(path).namelist()
    expected = {n for n, layer in members(scene.name).items() if layer.required}
    assert set(names) == expected
    assert {n.split("/")[0] for n in names} == {scene.name.stem}


def test_the_bytes_are_the_same_on_every_run(tmp_path):
    scene = catalogue().scene(200)
    a = write_rtc_zip(scene, tmp_path / "a.zip", pixels=16).read_bytes()
    b = write_rtc_zip(scene, tmp_path / "b.zip", pixels=16).read_bytes()
    assert hashlib.md5(a).digest() == hashlib.md5(b).digest()


def test_rasters_are_utm_float32_gamma0_with_water_dark(tmp_path):
    scene = _coastal_scene()
    path = write_rtc_zip(scene, tmp_path / scene.name.zip_name, pixels=128)
    stem = scene.name.stem
    with rasterio.open(f"zip://{path}!{stem}/{stem}_HH.tif") as hh:
        data, transform, crs = hh.read(1), hh.transform, hh.crs
        assert hh.dtypes[0] == "float32" and hh.nodata == 0
    assert crs.to_epsg() == utm_epsg(*scene.center) and 32601 <= crs.to_epsg() <= 32660
    rows, cols = np.indices(data.shape)
    x, y = transform @ (cols + 0.5, rows + 0.5)
    lon, lat = Transformer.from_crs(crs.to_epsg(), 4326, always_xy=True).transform(x, y)
    truth = surface_water(lon, lat)
    valid = data > 0
    water = np.median(data[valid & (truth == WATER)])
    land = np.median(data[valid & (truth == LAND)])
    assert water < 0.02 < 0.05 < land
    with rasterio.open(f"zip://{path}!{stem}/{stem}.dem.tif") as dem:
        assert dem.dtypes[0] == "int16"
    with rasterio.open(f"zip://{path}!{stem}/{stem}.ls_map.tif") as ls:
        assert np.array_equal(ls.read(1) == 1, valid)


def test_the_iso_xml_gives_the_acquisition_start(tmp_path):
    scene = catalogue().scene(300)
    path = write_rtc_zip(scene, tmp_path / "x.zip", pixels=16)
    stem = scene.name.stem
    xml = zipfile.ZipFile(path).read(f"{stem}/{stem}.iso.xml").decode()
    begin = re.search(r"<gml:beginPosition>([^<]+)</gml:beginPosition>", xml)[1]
    assert begin == f"{scene.start:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "Z"
