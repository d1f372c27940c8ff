"""An extracted RTC scene on disk: found by its folder, its footprint from the ISO record or
its valid pixels, its DSWE tiles; mistakes are one-line input errors."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import Polygon

from pairs_picture import extract_scene
from swathkit.errors import InputError
from swathkit.products.alos_rtc.names import RtcName
from swathkit.products.alos_rtc.scene import DSWE_FOLDER, open_scene, read_iso, scene_footprint
from swathkit.sim.cmr.alos import Scene


def _scene() -> Scene:
    ring = ((-90.3, 29.8), (-89.6, 29.9), (-89.7, 30.5), (-90.4, 30.4), (-90.3, 29.8))
    start = int(datetime(2010, 6, 1, 16, 30, 5, 250_000, tzinfo=UTC).timestamp() * 1000)
    return Scene(RtcName(23456, 600), start, "A", 160, (-90.0, 30.15), ring)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return extract_scene(_scene(), tmp_path / "scenes", pixels=64)


@pytest.mark.timeout(30)
def test_the_iso_record_gives_the_start_and_the_footprint(folder: Path) -> None:
    scene = open_scene(folder)
    assert scene.name == _scene().name and scene.raster("HV") is not None
    meta = read_iso(scene.iso_xml)
    assert meta.begin == _scene().start
    np.testing.assert_allclose(meta.ring, _scene().ring, atol=1e-6)  # 6 decimals written


@pytest.mark.timeout(30)
def test_without_the_record_the_footprint_is_the_valid_pixels_hull(folder: Path) -> None:
    scene = open_scene(folder)
    truth = Polygon(_scene().ring)
    assert scene_footprint(scene).equals_exact(truth, 1e-6)
    scene.iso_xml.unlink()
    traced = scene_footprint(scene)
    pixel = 0.015  # degrees: a little over one of the 64 columns (~1.1 km)
    assert traced.buffer(1e-9).contains(truth.buffer(-pixel))
    assert truth.buffer(pixel).contains(traced)


@pytest.mark.timeout(30)
def test_a_record_without_the_elements_gives_nothing(tmp_path: Path) -> None:
    path = tmp_path / "x.iso.xml"
    path.write_text("<?xml version='1.0'?><gmd:MD_Metadata/>")
    meta = read_iso(path)
    assert meta.begin is None and meta.ring == ()


@pytest.mark.timeout(30)
def test_the_dswe_tiles_are_listed_in_name_order(folder: Path) -> None:
    scene = open_scene(folder)
    assert scene.dswe_tiles() == []
    (folder / DSWE_FOLDER).mkdir()
    for name in ("b_INWAM.TIF", "a_INWAM.TIF", "a_INTR.TIF"):
        (folder / DSWE_FOLDER / name).write_bytes(b"")
    assert [p.name for p in scene.dswe_tiles()] == ["a_INWAM.TIF", "b_INWAM.TIF"]


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("make", "words"), [
    (lambda f: f / "missing", "no such folder"),
    (lambda f: f.parent, "not named like AP_10783_FBD_F0920_RT1"),
    (lambda f: next(f.glob("*_HH.tif")).unlink() or f, "no AP_23456_FBD_F0600_RT1_HH.tif"),
])
def test_a_folder_that_is_not_a_scene_is_named(folder: Path, make, words: str) -> None:
    path = make(folder)
    with pytest.raises(InputError, match=words) as caught:
        open_scene(path)
    assert str(caught.value).startswith(str(path)) and "\n" not in str(caught.value)
