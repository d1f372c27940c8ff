"""An extracted RTC scene on disk: its folder, its rasters and what its ISO metadata says.

``<stem>/`` as :func:`swathkit.transfer.extract.extract_zip` leaves it (the zip's one top
folder, :mod:`~swathkit.products.alos_rtc.layout`); a downloaded pair also holds its
DSWE INWAM tiles in ``<stem>/usgs_dswe/`` (the seed's layout). Only local files are read.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from swathkit.errors import FileNameError, InputError
from swathkit.products.alos_rtc.layout import POLARIZATIONS
from swathkit.products.alos_rtc.names import RtcName, parse_zip

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

__all__ = ["DSWE_FOLDER", "IsoMetadata", "RtcScene", "open_scene", "read_iso",
           "scene_footprint"]

DSWE_FOLDER = "usgs_dswe"
"""The sub-folder of a downloaded pair's scene holding its DSWE tiles (the seed's name)."""
_MASK_SIDE = 512  # pixels a side of the valid-data mask traced for a footprint
_MAX_XML = 16 << 20  # an ISO record larger than this is not one
# The two GML elements read, whatever their namespace prefix: a scan, not an XML parser,
# so a downloaded record cannot expand entities or reach out for external ones.
_BEGIN = re.compile(rb"<(?:[\w.-]+:)?beginPosition\b[^>]*>([^<]{1,64})<")
_POS_LIST = re.compile(rb"<(?:[\w.-]+:)?posList\b[^>]*>([^<]{1,1000000})<")


@dataclass(frozen=True)
class IsoMetadata:
    """What the ``.iso.xml`` gives: the acquisition start and the footprint ring (lon, lat)."""

    begin: datetime | None
    ring: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class RtcScene:
    """One extracted scene: its folder and product name."""

    folder: Path
    name: RtcName

    def raster(self, pol: str) -> Path | None:
        """The γ⁰ GeoTIFF of polarization ``pol`` (``"HH"``), or None if absent."""
        path = self.folder / f"{self.name.stem}_{pol}.tif"
        return path if path.is_file() else None

    @property
    def iso_xml(self) -> Path:
        return self.folder / f"{self.name.stem}.iso.xml"

    def dswe_tiles(self) -> list[Path]:
        """The INWAM tiles in ``usgs_dswe/`` (sorted by name; empty if none)."""
        return sorted((self.folder / DSWE_FOLDER).glob("*_INWAM.TIF"))


def open_scene(folder: str | os.PathLike[str]) -> RtcScene:
    """The extracted RTC scene in ``folder`` (named as its zip's stem, holding ``_HH.tif``).

    Raises:
        InputError: not a folder, not named like ``AP_10783_FBD_F0920_RT1``, or without
            its HH raster.
    """
    path = Path(folder)
    hint = ("give the folder of an extracted ALOS RTC scene, like "
            "scenes/AP_10783_FBD_F0920_RT1 (what 'swathkit pairs download' leaves)")
    if not path.is_dir():
        raise InputError(f"{path}: no such folder; {hint}")
    try:
        name = parse_zip(path.resolve().name)
    except FileNameError:
        raise InputError(f"{path}: not an extracted RTC scene (the folder is not named like "
                         f"AP_10783_FBD_F0920_RT1); {hint}") from None
    scene = RtcScene(path, name)
    if "HH" not in POLARIZATIONS[name.mode] or scene.raster("HH") is None:
        raise InputError(f"{path}: not an extracted RTC scene (no {name.stem}_HH.tif in it); "
                         f"{hint}")
    return scene


def read_iso(path: Path) -> IsoMetadata:
    """The acquisition start and footprint of an RTC ``.iso.xml`` (GML ``posList``: lat lon).

    What the record lacks is left empty (``begin`` None, ``ring`` ``()``).

    Raises:
        InputError: unreadable or larger than 16 MB.
    """
    try:
        if path.stat().st_size > _MAX_XML:
            raise InputError(f"{path}: larger than 16 MB; not an RTC ISO record")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror})") from None
    begin, pos = _BEGIN.search(data), _POS_LIST.search(data)
    return IsoMetadata(_time(begin[1].decode("ascii", "replace") if begin else None),
                       _ring(pos[1].decode("ascii", "replace") if pos else None))


def scene_footprint(scene: RtcScene) -> BaseGeometry:
    """The scene's lon/lat footprint: the ``.iso.xml`` ring, else the HH's valid pixels.

    The second is the convex hull of the HH's data pixels (read decimated to
    512 pixels a side), in lon/lat.

    Raises:
        InputError: no ring in the record and no valid pixel in the HH.
    """
    from shapely.geometry import Polygon

    ring = read_iso(scene.iso_xml).ring if scene.iso_xml.is_file() else ()
    if ring:
        return Polygon(ring)
    hh = scene.raster("HH")
    assert hh is not None  # open_scene checked it
    return _valid_hull(hh)


def _valid_hull(path: Path) -> BaseGeometry:
    import numpy as np
    import rasterio
    import shapely
    from affine import Affine
    from pyproj import Transformer

    with rasterio.open(path) as src:
        k = max(1, -(-max(src.width, src.height) // _MASK_SIDE))
        shape = (-(-src.height // k), -(-src.width // k))
        valid = src.read_masks(1, out_shape=shape) > 0
        transform = src.transform @ Affine.scale(src.width / shape[1], src.height / shape[0])
        crs = src.crs
    rows, cols = np.nonzero(valid)
    if rows.size == 0:
        raise InputError(f"{path}: no valid pixel, and the scene's .iso.xml gives no "
                         "footprint; is the scene complete?")
    corners = [(cols + dc, rows + dr) for dc, dr in ((0, 0), (1, 0), (0, 1), (1, 1))]
    x, y = (np.concatenate(v) for v in zip(*(transform @ c for c in corners), strict=True))
    hull = shapely.convex_hull(shapely.multipoints(np.column_stack([x, y])))
    to_lonlat = Transformer.from_crs(crs, 4326, always_xy=True)
    return shapely.transform(hull, lambda xy: np.column_stack(to_lonlat.transform(
        xy[:, 0], xy[:, 1])))


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def _ring(text: str | None) -> tuple[tuple[float, float], ...]:
    try:
        values = [float(v) for v in text.split()] if text else []
    except ValueError:
        return ()
    if len(values) < 8 or len(values) % 2:
        return ()
    return tuple((lon, lat) for lat, lon in zip(values[::2], values[1::2], strict=True))
