"""The U.S. Landsat ARD tile grids (CONUS, Alaska, Hawaii) that DSWE tiles sit on.

Each region is an Albers equal-area projection on the WGS84 datum, written in
the tiles as their own WKT with the spheroid 6378140 / 298.256999999996 (not
EPSG:5070, whose datum is NAD83: always use the tile's CRS, never an EPSG code).
A tile is 150 km square, 5000 × 5000 cells of 30 m; tile ``(h, v)`` has its
upper-left corner at ``(ulx + 150000·h, uly − 150000·v)``.

=======  ==========================  ============================  =========
region   origin (ulx, uly) m         Albers lat0 / lon0 / paralls  h × v
=======  ==========================  ============================  =========
``CU``   (−2565585, 3314805)         23 / −96 / 29.5, 45.5         33 × 22
``AK``   (−851715, 2474325)          50 / −154 / 55, 65            17 × 14
``HI``   (−444345, 2168895)          3 / −157 / 8, 18              5 × 3
=======  ==========================  ============================  =========

The origins and tile counts are USGS's ARD grid extents table; the Alaska and
Hawaii projection parameters are those of the USGS Alaska and Hawaii Albers
(NLCD's), on the same WGS84-datum spheroid as CONUS. Tiles of different regions
never share a CRS: never merge them.

``ArdTile`` is not a :class:`swathkit.products.grids.Grid`: a Grid names its CRS
by EPSG code, and these tiles have none.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from swathkit.errors import InputError
from swathkit.products.grids import Transform

if TYPE_CHECKING:
    import pyproj
    from shapely.geometry.base import BaseGeometry

__all__ = ["REGIONS", "TILE_METRES", "TILE_PIXELS", "ArdRegion", "ArdTile", "region",
           "tiles_covering"]

TILE_METRES = 150_000.0
TILE_PIXELS = 5000
_SPHEROID = (6378140.0, 298.256999999996)


@dataclass(frozen=True)
class ArdRegion:
    """One ARD grid: its projection, origin and tile counts."""

    code: str  # "CU", "AK", "HI"
    origin: tuple[float, float]  # upper-left corner of tile (0, 0), metres
    tiles: tuple[int, int]  # (h count, v count)
    albers: tuple[float, float, float, float]  # lat0, lon0, parallel 1, parallel 2

    @property
    def wkt(self) -> str:
        """The tiles' own WKT (WKT1, as GDAL writes the tiles' GeoTIFF keys)."""
        lat0, lon0, p1, p2 = self.albers
        a, rf = _SPHEROID
        return (f'PROJCS["Albers",GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",{a:.0f},'
                f'{rf!r}]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],'
                f'PROJECTION["Albers_Conic_Equal_Area"],PARAMETER["standard_parallel_1",{p1:g}],'
                f'PARAMETER["standard_parallel_2",{p2:g}],PARAMETER["latitude_of_center",'
                f'{lat0:g}],PARAMETER["longitude_of_center",{lon0:g}],'
                f'PARAMETER["false_easting",0],PARAMETER["false_northing",0],'
                f'UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH]]')

    @property
    def crs(self) -> pyproj.CRS:
        """The projection as a ``pyproj.CRS`` (built once)."""
        return _crs(self.wkt)

    @property
    def wkt2(self) -> str:
        """The projection as WKT2 (the STAC items' ``proj:wkt2``)."""
        return _wkt2(self.wkt)

    def lonlat(self, x: npt.ArrayLike,
               y: npt.ArrayLike) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Longitude and latitude (degrees) of points ``x``, ``y`` of the grid's CRS."""
        lon, lat = _transformer(self.wkt, True).transform(x, y)
        return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)

    def project(self, lon: npt.ArrayLike,
                lat: npt.ArrayLike) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Points ``lon``, ``lat`` (degrees) in the grid's CRS (metres)."""
        x, y = _transformer(self.wkt, False).transform(lon, lat)
        return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def tile(self, h: int, v: int) -> ArdTile:
        """Tile ``(h, v)``; ``InputError`` outside the grid."""
        return ArdTile(self.code, h, v)

    def all_tiles(self) -> list[ArdTile]:
        """Every tile of the grid, row by row."""
        return [ArdTile(self.code, h, v) for v in range(self.tiles[1])
                for h in range(self.tiles[0])]


REGIONS: dict[str, ArdRegion] = {r.code: r for r in (
    ArdRegion("CU", (-2565585.0, 3314805.0), (33, 22), (23.0, -96.0, 29.5, 45.5)),
    ArdRegion("AK", (-851715.0, 2474325.0), (17, 14), (50.0, -154.0, 55.0, 65.0)),
    ArdRegion("HI", (-444345.0, 2168895.0), (5, 3), (3.0, -157.0, 8.0, 18.0)),
)}
"""The ARD grids by region code."""


def region(code: str) -> ArdRegion:
    """The ARD grid ``code`` (``CU``, ``AK``, ``HI``, any case).

    Raises:
        InputError: an unknown code.
    """
    found = REGIONS.get(code.strip().upper())
    if found is None:
        raise InputError(f"unknown ARD grid region {code!r}; choose one of {', '.join(REGIONS)}")
    return found


@dataclass(frozen=True, order=True)
class ArdTile:
    """One 150 km ARD tile: ``region``, horizontal index ``h`` and vertical index ``v``."""

    region: str
    h: int
    v: int

    def __post_init__(self) -> None:
        grid = region(self.region)
        if not (0 <= self.h < grid.tiles[0] and 0 <= self.v < grid.tiles[1]):
            raise InputError(f"ARD tile h{self.h} v{self.v} is outside the {grid.code} grid "
                             f"(h 0..{grid.tiles[0] - 1}, v 0..{grid.tiles[1] - 1})")

    @property
    def grid(self) -> ArdRegion:
        return REGIONS[self.region]

    @property
    def upper_left(self) -> tuple[float, float]:
        ulx, uly = self.grid.origin
        return ulx + TILE_METRES * self.h, uly - TILE_METRES * self.v

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(x_min, y_min, x_max, y_max)`` in the tile's CRS, metres."""
        x0, y0 = self.upper_left
        return x0, y0 - TILE_METRES, x0 + TILE_METRES, y0

    def transform(self, pixels: int = TILE_PIXELS) -> Transform:
        """GDAL geotransform of the tile at ``pixels`` × ``pixels`` (30 m at 5000)."""
        x0, y0 = self.upper_left
        step = TILE_METRES / pixels
        return x0, step, 0.0, y0, 0.0, -step

    def footprint(self) -> dict[str, Any]:
        """The tile's outline in longitude/latitude, a GeoJSON Polygon (edges densified)."""
        return _footprint(self)

    def __str__(self) -> str:
        return f"{self.region}_{self.h:03d}{self.v:03d}"


def tiles_covering(geometry: BaseGeometry | dict[str, Any], code: str = "CU") -> list[ArdTile]:
    """The tiles of grid ``code`` whose square meets ``geometry`` (lon/lat, GeoJSON or shapely).

    Raises:
        InputError: an unknown region code.
    """
    import shapely
    from shapely.geometry import box, shape

    grid = region(code)
    geom = shape(geometry) if isinstance(geometry, dict) else geometry
    projected = shapely.transform(geom, lambda x, y: grid.project(x, y), interleaved=False)
    if projected.is_empty:
        return []
    x_min, y_min, x_max, y_max = projected.bounds
    ulx, uly = grid.origin
    h0, h1 = int((x_min - ulx) // TILE_METRES), int((x_max - ulx) // TILE_METRES)
    v0, v1 = int((uly - y_max) // TILE_METRES), int((uly - y_min) // TILE_METRES)
    found = []
    for v in range(max(v0, 0), min(v1, grid.tiles[1] - 1) + 1):
        for h in range(max(h0, 0), min(h1, grid.tiles[0] - 1) + 1):
            tile = ArdTile(grid.code, h, v)
            if projected.intersects(box(*tile.bounds)):
                found.append(tile)
    return found


@functools.cache
def _crs(wkt: str) -> pyproj.CRS:
    import pyproj

    return pyproj.CRS.from_wkt(wkt)


@functools.cache
def _wkt2(wkt: str) -> str:
    return str(_crs(wkt).to_wkt("WKT2_2019"))


@functools.cache
def _transformer(wkt: str, inverse: bool) -> pyproj.Transformer:
    import pyproj

    src, dst = (_crs(wkt), pyproj.CRS.from_epsg(4326))
    return pyproj.Transformer.from_crs(dst if not inverse else src, src if not inverse else dst,
                                       always_xy=True)


@functools.cache
def _footprint(tile: ArdTile) -> dict[str, Any]:
    x0, y0, x1, y1 = tile.bounds
    edge = np.linspace(0.0, 1.0, 11)
    xs = np.concatenate([x0 + (x1 - x0) * edge, np.full(11, x1), x1 - (x1 - x0) * edge,
                         np.full(11, x0)])
    ys = np.concatenate([np.full(11, y1), y1 - (y1 - y0) * edge, np.full(11, y0),
                         y0 + (y1 - y0) * edge])
    lon, lat = tile.grid.lonlat(xs, ys)
    ring = [[round(float(a), 6), round(float(b), 6)] for a, b in zip(lon, lat, strict=True)]
    ring = [p for i, p in enumerate(ring) if i == 0 or p != ring[i - 1]]
    ring[-1] = ring[0]
    # counter-clockwise (GeoJSON): the square above runs clockwise in x/y
    return {"type": "Polygon", "coordinates": [ring[::-1]]}
