"""Synthetic ALOS PALSAR RTC zips: γ⁰ HH/HV, DEM, incidence, layover-shadow and ISO metadata.

The scene's box in UTM (the zone of its centre, EPSG:326xx) is cut into
``pixels`` columns (full size: 12.5 m pixels, ~6000 columns); pixels outside
the scene's footprint are no data (0 in γ⁰ and in the layover-shadow map).
Backscatter follows :func:`swathkit.sim.surface_water.surface_water` (water
dark, wetland in between, land bright) with a smooth texture and 4-look speckle
seeded by the scene, so the bytes are the same on every run. Members are written
with rasterio into memory and zipped in a fixed order with fixed timestamps.
:class:`ZipStore` keeps each zip once on disk with its size and MD5 (the CMR
record carries them).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import rasterio
from pyproj import Transformer
from rasterio.transform import Affine
from shapely import contains_xy
from shapely.geometry import Polygon

from swathkit.products.alos_rtc.layout import POLARIZATIONS
from swathkit.products.alos_rtc.names import RtcName
from swathkit.sim.cmr.alos import Scene
from swathkit.sim.surface_water import WATER, WETLAND, surface_water

__all__ = ["FULL_PIXEL_M", "ZipStore", "utm_epsg", "write_rtc_zip"]

F32 = npt.NDArray[np.float32]
FULL_PIXEL_M = 12.5


@dataclass(frozen=True)
class Levels:
    """Mean γ⁰ power of each surface in one polarization (land: a range over the texture)."""

    water: float
    wetland: float
    land_low: float
    land_high: float


GAMMA0 = {"HH": Levels(0.005, 0.03, 0.05, 0.3), "HV": Levels(0.0008, 0.006, 0.01, 0.06)}
LOOKS = 4


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the WGS 84 UTM zone of a point (326xx north, 327xx south)."""
    zone = min(60, int((lon + 180.0) // 6.0) + 1)
    return (32600 if lat >= 0 else 32700) + zone


@dataclass(frozen=True)
class _Grid:
    epsg: int
    transform: Affine
    shape: tuple[int, int]
    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]
    inside: npt.NDArray[np.bool_]
    across: npt.NDArray[np.float64]  # 0 at near range, 1 at far range


def _grid(scene: Scene, pixels: int | None) -> _Grid:
    epsg = utm_epsg(*scene.center)
    to_utm = Transformer.from_crs(4326, epsg, always_xy=True)
    xs, ys = to_utm.transform([p[0] for p in scene.ring], [p[1] for p in scene.ring])
    west, east, south, north = min(xs), max(xs), min(ys), max(ys)
    size = FULL_PIXEL_M if pixels is None else (east - west) / pixels
    cols = pixels or int(np.ceil((east - west) / size))
    rows = max(1, int(np.ceil((north - south) / size)))
    transform = Affine(size, 0.0, west, 0.0, -size, north)
    x = west + (np.arange(cols) + 0.5) * size
    y = north - (np.arange(rows) + 0.5) * size
    gx, gy = np.meshgrid(x, y)
    lon, lat = Transformer.from_crs(epsg, 4326, always_xy=True).transform(gx, gy)
    footprint = Polygon(list(zip(xs, ys, strict=True)))
    inside = contains_xy(footprint, gx, gy)
    near = np.array([(xs[0] + xs[3]) / 2, (ys[0] + ys[3]) / 2])  # edge of corners 0 and 3
    far = np.array([(xs[1] + xs[2]) / 2, (ys[1] + ys[2]) / 2])
    axis = far - near
    across = ((gx - near[0]) * axis[0] + (gy - near[1]) * axis[1]) / float(axis @ axis)
    return _Grid(epsg, transform, (rows, cols), np.asarray(lon), np.asarray(lat),
                 np.asarray(inside), np.clip(across, 0.0, 1.0))


def _texture(grid: _Grid, seed: int) -> npt.NDArray[np.float64]:
    """A smooth 0–1 field of the place (land brightness, terrain)."""
    phase = np.random.default_rng(seed).uniform(0, 2 * np.pi, 3)
    lon, lat = grid.lon, grid.lat
    wave = (np.sin(lon * 40 + phase[0]) * np.cos(lat * 35 + phase[1])
            + 0.5 * np.sin((lon + lat) * 90 + phase[2]))
    return np.asarray((wave + 1.5) / 3.0)


def _gamma0(grid: _Grid, surface: npt.NDArray[np.uint8], pol: str,
            rng: np.random.Generator) -> F32:
    levels = GAMMA0[pol]
    value = levels.land_low + (levels.land_high - levels.land_low) * _texture(grid, 7)
    value = np.where(surface == WATER, levels.water, value)
    value = np.where(surface == WETLAND, levels.wetland, value)
    speckle = rng.gamma(LOOKS, 1.0 / LOOKS, size=grid.shape)
    out: F32 = (value * speckle).astype(np.float32)
    out[~grid.inside] = 0.0
    return out


def _tif(grid: _Grid, data: npt.NDArray[np.generic], nodata: float | None) -> bytes:
    profile = {"driver": "GTiff", "width": grid.shape[1], "height": grid.shape[0], "count": 1,
               "dtype": data.dtype.name, "crs": f"EPSG:{grid.epsg}", "transform": grid.transform,
               "nodata": nodata, "compress": "deflate", "tiled": True, "blockxsize": 256,
               "blockysize": 256}
    with rasterio.MemoryFile() as memory:
        with memory.open(**profile) as dst:
            dst.write(data, 1)
        return bytes(memory.read())


def _iso_xml(scene: Scene) -> bytes:
    begin, end = (f"{t:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "Z" for t in (scene.start, scene.end))
    ring = " ".join(f"{lat:.6f} {lon:.6f}" for lon, lat in scene.ring)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd" \
xmlns:gco="http://www.isotc211.org/2005/gco" xmlns:gml="http://www.opengis.net/gml/3.2">
  <gmd:fileIdentifier><gco:CharacterString>{scene.name.stem}</gco:CharacterString>\
</gmd:fileIdentifier>
  <gmd:identificationInfo><gmd:MD_DataIdentification><gmd:extent><gmd:EX_Extent>
    <gmd:temporalElement><gmd:EX_TemporalExtent><gmd:extent>
      <gml:TimePeriod gml:id="acquisition"><gml:beginPosition>{begin}</gml:beginPosition>\
<gml:endPosition>{end}</gml:endPosition></gml:TimePeriod>
    </gmd:extent></gmd:EX_TemporalExtent></gmd:temporalElement>
    <gmd:geographicElement><gmd:EX_BoundingPolygon><gmd:polygon><gml:Polygon gml:id="fp">\
<gml:exterior><gml:LinearRing><gml:posList>{ring}</gml:posList></gml:LinearRing></gml:exterior>\
</gml:Polygon></gmd:polygon></gmd:EX_BoundingPolygon></gmd:geographicElement>
  </gmd:EX_Extent></gmd:extent></gmd:MD_DataIdentification></gmd:identificationInfo>
</gmd:MD_Metadata>
""".encode()


def rtc_members(scene: Scene, *, pixels: int | None = None,
                seed: int = 0) -> list[tuple[str, bytes]]:
    """The zip's members (path, bytes) in their order; ``pixels`` columns (None: 12.5 m)."""
    with rasterio.Env():  # one GDAL environment for the five rasters
        return _members(scene, _grid(scene, pixels), seed)


def _members(scene: Scene, grid: _Grid, seed: int) -> list[tuple[str, bytes]]:
    name: RtcName = scene.name
    rng = np.random.default_rng([seed, name.orbit, name.frame])
    surface = surface_water(grid.lon, grid.lat)
    members = [(f"_{pol}.tif", _tif(grid, _gamma0(grid, surface, pol, rng), 0.0))
               for pol in POLARIZATIONS[name.mode]]
    dem = np.where(surface == WATER, 0, 50 + 1500 * _texture(grid, 11) ** 2).astype(np.int16)
    incidence = (36.0 + 5.5 * grid.across + 3.0 * (_texture(grid, 13) - 0.5)).astype(np.float32)
    incidence[~grid.inside] = 0.0
    members += [(".dem.tif", _tif(grid, dem, None)),
                (".inc_map.tif", _tif(grid, incidence, 0.0)),
                (".ls_map.tif", _tif(grid, grid.inside.astype(np.uint8), None)),
                (".iso.xml", _iso_xml(scene))]
    return [(f"{name.stem}/{name.stem}{suffix}", data) for suffix, data in members]


def write_rtc_zip(scene: Scene, target: Path, *, pixels: int | None = None,
                  seed: int = 0) -> Path:
    """Write the scene's zip to ``target`` (deterministic bytes); returns ``target``."""
    with zipfile.ZipFile(target, "w") as archive:
        for path, data in rtc_members(scene, pixels=pixels, seed=seed):
            archive.writestr(member_info(scene, path), data)
    return target


def member_info(scene: Scene, path: str) -> zipfile.ZipInfo:
    """The zip entry of one member: deflated, mode 644, stamped with the scene's start."""
    info = zipfile.ZipInfo(path, date_time=scene.start.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


@dataclass(frozen=True)
class Digest:
    """Size in bytes and MD5 (hex) of one zip."""

    size: int
    md5: str


class ZipStore:
    """The datapool's zips on disk, each written once (thread-safe), with their digests.

    Args:
        directory: Where zips are kept (``seed<S>_px<N>/`` inside).
        pixels: Columns per raster (None: full size, 12.5 m).
        seed: Seed of the speckle.
        hostile: Zip names published as hostile zips, with their kind
            (:mod:`swathkit.sim.cmr.hostile_zip`).
    """

    def __init__(self, directory: Path, *, pixels: int | None, seed: int,
                 hostile: Mapping[str, str] | None = None) -> None:
        self.directory = Path(directory) / f"seed{seed}_px{pixels or 'full'}"
        self.pixels, self.seed = pixels, seed
        self.hostile = dict(hostile or {})
        self._locks: dict[str, threading.Lock] = {}
        self._digests: dict[str, Digest] = {}
        self._lock = threading.Lock()
        self.generated = 0

    def local(self, scene: Scene) -> Path:
        """The scene's zip, written first if needed (once across threads)."""
        kind = self.hostile.get(scene.name.zip_name)
        # a hostile zip has its own file, so a shared cache folder keeps the sound one
        target = self.directory / (f"{kind}-{scene.name.zip_name}" if kind else
                                   scene.name.zip_name)
        with self._lock:
            lock = self._locks.setdefault(target.name, threading.Lock())
        with lock:
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".writing-")
                os.close(fd)
                try:
                    self._write(scene, Path(tmp), kind)
                    Path(tmp).replace(target)
                finally:
                    Path(tmp).unlink(missing_ok=True)
                with self._lock:
                    self.generated += 1
        return target

    def _write(self, scene: Scene, target: Path, kind: str | None) -> None:
        if kind is None:
            write_rtc_zip(scene, target, pixels=self.pixels, seed=self.seed)
            return
        from swathkit.sim.cmr.hostile_zip import write_hostile_zip

        write_hostile_zip(scene, target, kind, pixels=self.pixels, seed=self.seed)

    def digest(self, scene: Scene) -> Digest:
        """Size and MD5 of the scene's zip (writing it first if needed)."""
        key = scene.name.zip_name
        with self._lock:
            found = self._digests.get(key)
        if found is not None:
            return found
        path = self.local(scene)
        md5 = hashlib.md5(usedforsecurity=False)
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                md5.update(block)
        digest = Digest(path.stat().st_size, md5.hexdigest())
        with self._lock:
            self._digests[key] = digest
        return digest


