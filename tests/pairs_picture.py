"""A downloaded pair in the seed's layout, built from the simulators' own writers.

``AP_13392_FBD_F0680_RT1`` (a catalogue scene over the Atlantic coast of North Carolina,
2008-07-30 03:38 UTC) and the Landsat 5 DSWE tile imaged the day before: water, land,
clouds and fill (the edge of the Landsat swath) all inside the footprint. The RTC zip is
extracted with the transfer engine's safe extraction; the tile goes into ``usgs_dswe/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from shapely.geometry import Polygon

from swathkit.products.alos_rtc.layout import members
from swathkit.products.alos_rtc.names import RtcName
from swathkit.products.alos_rtc.scene import DSWE_FOLDER
from swathkit.products.dswe.grid import tiles_covering
from swathkit.sim.cmr.alos import Scene, catalogue
from swathkit.sim.cmr.rtc_zip import write_rtc_zip
from swathkit.sim.stac.dswe_cog import write_inwam
from swathkit.sim.stac.landsat import Acquisition, acquisitions
from swathkit.transfer.extract import extract_zip

NAME = RtcName(13392, 680)
DSWE_DAY = date(2008, 7, 29)


@dataclass(frozen=True)
class Pair:
    scene: Scene
    folder: Path  # <out>/<stem>/
    tiles: list[Path]  # <out>/<stem>/usgs_dswe/*_INWAM.TIF
    acquisitions: list[Acquisition]

    @property
    def footprint(self) -> Polygon:
        return Polygon(self.scene.ring)


def catalogue_scene(name: RtcName = NAME) -> Scene:
    cat = catalogue()
    row = cat.find(name)
    assert row is not None, f"{name.stem} is not in the catalogue"
    return cat.scene(row)


def extract_scene(scene: Scene, out: Path, *, pixels: int) -> Path:
    """The scene's zip written and extracted into ``out``; returns ``out/<stem>``."""
    out.mkdir(parents=True, exist_ok=True)
    zipped = write_rtc_zip(scene, out / scene.name.zip_name, pixels=pixels)
    layout = members(scene.name)
    result = extract_zip(zipped, out, expected=set(layout),
                         required={n for n, layer in layout.items() if layer.required},
                         max_member_bytes=1 << 30, max_total_bytes=1 << 32)
    zipped.unlink()
    return result.directory


def build_pair(out: Path, *, pixels: int = 200, dswe_pixels: int = 500,
               scene: Scene | None = None, day: date = DSWE_DAY) -> Pair:
    """The pair in ``out`` (RTC ``pixels`` columns, DSWE tiles ``dswe_pixels`` a side)."""
    scene = scene or catalogue_scene()
    folder = extract_scene(scene, out, pixels=pixels)
    tiles = frozenset(tiles_covering(Polygon(scene.ring)))
    found = [a for a in acquisitions(scene.start - timedelta(days=2),
                                     scene.start + timedelta(days=2), tiles=tiles)
             if a.datetime.date() == day]
    assert found, f"no DSWE tile of {day} meets {scene.name.stem}"
    (folder / DSWE_FOLDER).mkdir()
    paths = [write_inwam(a, folder / DSWE_FOLDER / f"{a.tile_id}_INWAM.TIF",
                         pixels=dswe_pixels) for a in found]
    return Pair(scene, folder, paths, found)
