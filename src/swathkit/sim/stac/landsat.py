"""When Landsat 5 and 7 imaged each ARD tile in 2006–2011: the simulated DSWE holdings.

The orbit is the WRS-2 one: 233 paths in a 16-day repeat, sun-synchronous
(inclination 98.2°), descending across the equator in the morning. Orbit ``k``
of a platform crosses the equator at ``t0 + k·(16 d / 233)`` over path
``(16·k mod 233) + 1`` (each orbit lands 16 paths, ~24.7°, west of the one
before), so every path is revisited every 16 days, and Landsat 5 flies the
same paths 8 days after Landsat 7. Path ``p`` crosses the equator at
longitude ``−64.6° − (p − 1)·360°/233`` (approximately WRS-2's). The ground
track of a descending pass is computed on a sphere (orbit plane plus Earth
rotation); the swath is 185 km wide. The epochs are invented (not the real
orbits' phase).

A tile is imaged by an overpass when the swath reaches it; its ``datetime`` is
when the satellite passes the tile's centre, so the tiles of one overpass
differ by seconds. Only tiles holding land (the synthetic Earth's) are listed.
Landsat 7 is SLC-off throughout (after 2003-05-31): stripes of fill widening
towards the swath edges, ~22 % of the swath.

Clouds come from a deterministic field: each acquisition has a cloud fraction
``f`` (weather correlated over a few degrees and the same day), and the cloudy
parts are the ``round(f·M)`` of the tile's ``M`` imaged 1.5 km blocks that a
smooth noise ranks first, so ``eo:cloud_cover`` (the block share) is the
raster's cloud share up to the blocks cut by the swath edge.

Everything is computed on demand and cached per path: nothing is stored.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import numpy.typing as npt

from swathkit.products.dswe.grid import REGIONS, TILE_METRES, ArdTile
from swathkit.products.dswe.names import TileId

__all__ = ["BLOCKS", "PLATFORMS", "Acquisition", "Platform", "TileTrack", "acquisitions",
           "land_tiles", "path_tracks", "unit_hash"]

REPEAT = timedelta(days=16)
ORBIT = REPEAT / 233
INCLINATION = math.radians(98.2)
HALF_SWATH_M = 92_500.0
EQUATOR_LON_PATH1 = -64.6
BLOCKS = 100  # cloud blocks per tile side (1.5 km)
SLC_PERIOD_M = 480.0  # one scan of 16 lines of 30 m
SLC_CENTRE_M = 11_000.0  # no gaps within this distance of the track
_EARTH_RATE = 2 * math.pi / 86_400.0  # Earth's rotation relative to a sun-synchronous plane
_ORBIT_S = ORBIT.total_seconds()


@dataclass(frozen=True)
class Platform:
    """One Landsat: its STAC name, operations, and the epoch of its orbit 0 (path 1)."""

    name: str  # LANDSAT_5, LANDSAT_7
    first: date
    last: date
    epoch: datetime
    slc_off: bool


_L7_EPOCH = datetime(2006, 1, 3, 14, 18, 24, tzinfo=UTC)  # path 1, 10:00 local solar time
PLATFORMS: dict[str, Platform] = {p.name: p for p in (
    Platform("LANDSAT_5", date(2006, 1, 1), date(2011, 11, 18),
             _L7_EPOCH + timedelta(days=8, minutes=-10), slc_off=False),
    Platform("LANDSAT_7", date(2006, 1, 1), date(2011, 12, 31), _L7_EPOCH, slc_off=True),
)}


@dataclass(frozen=True)
class TileTrack:
    """Where one path's ground track runs past a tile, in the tile's CRS (metres, seconds).

    ``origin`` is a point of the track, ``along`` the unit vector of the pass (southward),
    ``s0`` the along-track distance of ``origin`` from the northmost track point, ``dt`` the
    seconds from the equator crossing to the pass over the tile's centre (negative).
    """

    tile: ArdTile
    origin: tuple[float, float]
    along: tuple[float, float]
    s0: float
    dt: float
    blocks: int  # 1.5 km blocks of the tile whose centre is imaged

    def frame(self, x: npt.NDArray[np.float64],
              y: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64],
                                                   npt.NDArray[np.float64]]:
        """Along-track and signed cross-track distances (m) of points ``x``, ``y``."""
        dx, dy = x - self.origin[0], y - self.origin[1]
        ax, ay = self.along
        return self.s0 + dx * ax + dy * ay, dx * ay - dy * ax

    def block_mask(self) -> npt.NDArray[np.bool_]:
        """(BLOCKS, BLOCKS) whether each block's centre lies in the swath, row 0 north."""
        x, y = _block_centres(self.tile)
        return np.abs(self.frame(x, y)[1]) <= HALF_SWATH_M


@dataclass(frozen=True)
class Acquisition:
    """One DSWE tile: a platform's pass over a tile."""

    platform: Platform
    orbit: int
    path: int
    track: TileTrack
    datetime: datetime

    @property
    def tile(self) -> ArdTile:
        return self.track.tile

    @functools.cached_property
    def tile_id(self) -> TileId:
        acquired = self.datetime.date()
        shift = int(unit_hash(self.tile.h, self.tile.v, acquired.toordinal(), 11) * 300)
        return TileId("LT05" if self.platform.name == "LANDSAT_5" else "LE07", self.tile,
                      acquired, date(2021, 1, 1) + timedelta(days=shift))

    @functools.cached_property
    def cloud_blocks(self) -> int:
        """Cloudy blocks: ``round(f·M)`` of the tile's ``M`` imaged blocks."""
        return round(self.cloud_fraction * self.track.blocks)

    @functools.cached_property
    def cloud_cover(self) -> float:
        """``eo:cloud_cover``: per cent of the imaged blocks that are cloudy (2 decimals)."""
        return round(100.0 * self.cloud_blocks / self.track.blocks, 2)

    @functools.cached_property
    def cloud_fraction(self) -> float:
        return _cloud_fraction(self.tile, self.datetime.date())


def acquisitions(start: datetime, end: datetime, *, region: str = "CU",
                 tiles: frozenset[ArdTile] | None = None) -> Iterator[Acquisition]:
    """The tiles imaged from ``start`` (inclusive) to ``end`` (exclusive), by both platforms.

    In orbit order per platform (Landsat 5 first); ``tiles`` limits the tiles listed.
    """
    for platform in PLATFORMS.values():
        first = max(start, datetime.combine(platform.first, datetime.min.time(), UTC))
        last = min(end, datetime.combine(platform.last + timedelta(days=1),
                                         datetime.min.time(), UTC))
        margin = 0.5 * _ORBIT_S  # a pass starts up to ~25 min before its crossing
        k0 = math.floor(((first - platform.epoch).total_seconds() - margin) / _ORBIT_S)
        k1 = math.ceil(((last - platform.epoch).total_seconds() + margin) / _ORBIT_S)
        for k in range(k0, k1 + 1):
            path = (16 * k) % 233 + 1
            crossing = platform.epoch + k * ORBIT
            for track in path_tracks(path, region):
                if tiles is not None and track.tile not in tiles:
                    continue
                when = crossing + timedelta(seconds=round(track.dt, 3))
                if first <= when < last:
                    yield Acquisition(platform, k, path, track, when)


@functools.cache
def land_tiles(region: str) -> frozenset[ArdTile]:
    """The tiles of ``region`` with land of the synthetic Earth on a 16 × 16 sample."""
    from swathkit.sim.surface_water import LAND, surface_water

    tiles = REGIONS[region].all_tiles()
    ramp = (np.arange(16) + 0.5) / 16 * TILE_METRES
    x0 = np.array([t.bounds[0] for t in tiles])[:, None, None]
    y1 = np.array([t.bounds[3] for t in tiles])[:, None, None]
    xs = np.broadcast_to(x0 + ramp[None, None, :], (len(tiles), 16, 16))
    ys = np.broadcast_to(y1 - ramp[None, :, None], (len(tiles), 16, 16))
    lon, lat = REGIONS[region].lonlat(xs, ys)
    land = (surface_water(lon, lat) == LAND).any(axis=(1, 2))
    return frozenset(t for t, has in zip(tiles, land, strict=True) if has)


@functools.cache
def path_tracks(path: int, region: str) -> tuple[TileTrack, ...]:
    """The land tiles of ``region`` that a descending pass over ``path`` images."""
    x, y, seconds = _track(path, region)
    if x.size < 3:
        return ()
    along_cum = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))])
    tiles, centres = _land_centres(region)
    sx, sy = x[::10], y[::10]  # ~50 km apart: enough to rule tiles out
    gap = np.hypot(centres[:, 0:1] - sx[None, :], centres[:, 1:2] - sy[None, :]).min(axis=1)
    reach = HALF_SWATH_M + TILE_METRES + 50_000.0  # beyond: the swath cannot meet the tile
    tracks = []
    for tile in (t for t, g in zip(tiles, gap, strict=True) if g < reach):
        found = _tile_track(tile, x, y, seconds, along_cum)
        if found is not None:
            tracks.append(found)
    return tuple(tracks)


@functools.cache
def _land_centres(region: str) -> tuple[list[ArdTile], npt.NDArray[np.float64]]:
    tiles = sorted(land_tiles(region))
    centres = np.array([[(t.bounds[0] + t.bounds[2]) / 2, (t.bounds[1] + t.bounds[3]) / 2]
                        for t in tiles])
    return tiles, centres


def _track(path: int, region: str) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64],
                                            npt.NDArray[np.float64]]:
    """The descending ground track north of the equator, in the region's CRS, 5 km steps."""
    u = np.radians(np.arange(90.0, 180.0 + 1e-9, 0.045))
    lat = np.degrees(np.arcsin(np.sin(INCLINATION) * np.sin(u)))
    inertial = np.arctan2(np.cos(INCLINATION) * np.sin(u), np.cos(u)) - math.pi
    inertial = (inertial + math.pi) % (2 * math.pi) - math.pi
    seconds = (u - math.pi) / (2 * math.pi) * _ORBIT_S
    lon0 = EQUATOR_LON_PATH1 - (path - 1) * 360.0 / 233
    lon = lon0 + np.degrees(inertial - _EARTH_RATE * seconds)
    lon = (lon + 180.0) % 360.0 - 180.0
    near = _near_region(region, lon, lat)
    x, y = REGIONS[region].project(lon[near], lat[near])
    return np.asarray(x), np.asarray(y), seconds[near]


def _near_region(region: str, lon: npt.NDArray[np.float64],
                 lat: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """Track points within ~5° of the region's lon/lat box (projections stay sane there)."""
    west, south, east, north = _lonlat_box(region)
    return np.asarray((lat > south - 5) & (lat < north + 5) & (lon > west - 8)
                      & (lon < east + 8))


@functools.cache
def _lonlat_box(region: str) -> tuple[float, float, float, float]:
    lons, lats = [], []
    for tile in REGIONS[region].all_tiles():
        ring = tile.footprint()["coordinates"][0]
        lons += [p[0] for p in ring]
        lats += [p[1] for p in ring]
    return min(lons), min(lats), max(lons), max(lats)


def _tile_track(tile: ArdTile, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64],
                seconds: npt.NDArray[np.float64],
                along_cum: npt.NDArray[np.float64]) -> TileTrack | None:
    x0, y0, x1, y1 = tile.bounds
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    j = int(np.argmin(np.hypot(x - cx, y - cy)))
    j = min(max(j, 1), x.size - 2)
    ax, ay = x[j + 1] - x[j - 1], y[j + 1] - y[j - 1]
    norm = math.hypot(ax, ay)
    if norm == 0 or math.hypot(x[j] - cx, y[j] - cy) > 2 * TILE_METRES:
        return None
    along = (float(ax / norm), float(ay / norm))
    speed = (along_cum[j + 1] - along_cum[j - 1]) / (seconds[j + 1] - seconds[j - 1])
    probe = TileTrack(tile, (float(x[j]), float(y[j])), along, float(along_cum[j]), 0.0, 0)
    _, corners_c = probe.frame(np.array([x0, x1, x1, x0]), np.array([y0, y0, y1, y1]))
    if corners_c.min() > HALF_SWATH_M or corners_c.max() < -HALF_SWATH_M:
        return None
    s_centre = probe.frame(np.array([cx]), np.array([cy]))[0][0] - along_cum[j]
    dt = float(seconds[j] + s_centre / speed)
    blocks = int(probe.block_mask().sum())
    if blocks == 0:
        return None
    return TileTrack(tile, probe.origin, along, probe.s0, dt, blocks)


def unit_hash(*keys: int) -> float:
    """A uniform [0, 1) value per integer key tuple (splitmix64, as surface_water's, on ints)."""
    h = 0x9E3779B97F4A7C15
    for key in keys:
        h ^= (key + 0x9E3779B97F4A7C15) & _MASK
        h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & _MASK
        h ^= h >> 31
    return (h >> 11) / float(1 << 53)


_MASK = (1 << 64) - 1


@functools.cache
def _block_centres(tile: ArdTile) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    x0, _, _, y1 = tile.bounds
    step = TILE_METRES / BLOCKS
    centres = (np.arange(BLOCKS) + 0.5) * step
    xx, yy = np.meshgrid(x0 + centres, y1 - centres)
    return xx, yy


def _cloud_fraction(tile: ArdTile, day: date) -> float:
    """The weather of a tile on a day: correlated over ~4° and a day, then a tile's own draw."""
    lon, lat = _tile_centre(tile)
    fx, fy = lon / 4.0, lat / 4.0
    ix, iy = math.floor(fx), math.floor(fy)
    wx, wy = fx - ix, fy - iy
    d = day.toordinal()
    corners = [unit_hash(ix + i, iy + j, d, 21) for j in (0, 1) for i in (0, 1)]
    smooth = (corners[0] * (1 - wx) * (1 - wy) + corners[1] * wx * (1 - wy)
              + corners[2] * (1 - wx) * wy + corners[3] * wx * wy)
    own = unit_hash(tile.h, tile.v, d, 22) - 0.5
    return min(max(1.6 * smooth - 0.45 + 0.3 * own, 0.0), 1.0)


@functools.cache
def _tile_centre(tile: ArdTile) -> tuple[float, float]:
    x0, y0, x1, y1 = tile.bounds
    lon, lat = REGIONS[tile.region].lonlat((x0 + x1) / 2, (y0 + y1) / 2)
    return float(lon), float(lat)
