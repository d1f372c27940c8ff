"""The ALOS orbit and the PALSAR FBD scenes the simulated ASF holds over the USA.

ALOS flew a sun-synchronous circular orbit 692 km up at 98.16° inclination,
repeating its ground track every 46 days (671 revolutions), ascending at 22:30
local solar time (night) and descending at 10:30 (day). A revolution starts at
the ascending node; its frames count 0.05° of the argument of latitude (0–7199),
and standard scenes sit every 10 frames (~56 km along track). PALSAR looks right,
34.3° off nadir: a scene's centre is ``LOOK_KM`` ≈ 486 km right of the ground
track, and an FBD scene covers ~70 × 70 km.

The geometry is the one of :mod:`swathkit.sim.orbit` (GCOM-W1), generalised
to another orbit: the unit-vector helpers are reused. Because the ground track
repeats, which (path, frame) slots see US land is worked out once per
direction; the acquisition plan (:data:`FBD_SEASONS`, :data:`ACQUIRED_SHARE`)
then decides which of them were taken in each repeat cycle, deterministically.

:class:`Catalogue` holds every scene as columns (numpy), sorted by time, with a
coarse 1° grid index; :meth:`Catalogue.select` answers a time range and a box in
well under a millisecond.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache, cached_property

import numpy as np
import numpy.typing as npt
import shapely

from swathkit.geodata import land_fraction
from swathkit.geodata.usa import USA_PARTS
from swathkit.products.alos_rtc.names import RtcName
from swathkit.sim.orbit import EARTH_RADIUS_KM, to_latlon, to_unit

__all__ = ["Catalogue", "Scene", "catalogue", "frame_time", "orbit_at"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

ALTITUDE_KM = 692.0
INCLINATION_DEG = 98.16
REPEAT_DAYS, REPEAT_REVS = 46, 671
PERIOD_S = REPEAT_DAYS * 86_400 / REPEAT_REVS  # 5923.1 s
NODE_LOCAL_TIME_H = 22.5  # ascending node: night
FRAME_STEP = 10  # standard scenes every 10 frames (0.5° of argument of latitude)
FRAMES = 7200
SCENE_KM = 70.0
SCENE_S = 10.0  # seconds of data per scene
OFF_NADIR_DEG = 34.3
MISSION = (date(2006, 5, 16), date(2011, 4, 22))  # FBD RTC products, first and last day
EPOCH = datetime(2006, 1, 24, 1, 33, 0, tzinfo=UTC)  # ascending node of revolution 0
EPOCH_MS = int(EPOCH.timestamp() * 1000)
FBD_SEASONS = ((5, 16), (10, 15))
"""FBD was planned for the northern summer and autumn: month-day from, to (other
seasons went to FBS and ScanSAR)."""
_MAX_CELLS = 100  # boxes of more 1° cells are filtered by a scan of the period
ACQUIRED_SHARE = {"A": 0.351, "D": 0.03}
"""Share of the FBD-season slots over the USA actually taken, by pass direction."""


def _look_km() -> float:
    """Ground distance from the track to the scene centre for the off-nadir angle."""
    ratio = (EARTH_RADIUS_KM + ALTITUDE_KM) / EARTH_RADIUS_KM
    incidence = np.arcsin(ratio * np.sin(np.deg2rad(OFF_NADIR_DEG)))
    return float((incidence - np.deg2rad(OFF_NADIR_DEG)) * EARTH_RADIUS_KM)


LOOK_KM = _look_km()


@dataclass(frozen=True)
class Scene:
    """One FBD scene: its name, time, direction, centre and footprint (ccw, closed)."""

    name: RtcName
    start_ms: int  # epoch milliseconds (UTC)
    direction: str  # "A" or "D"
    path: int  # 1–671
    center: tuple[float, float]  # lon, lat
    ring: tuple[tuple[float, float], ...]  # five (lon, lat): four corners and the first again

    @property
    def start(self) -> datetime:
        return datetime.fromtimestamp(self.start_ms / 1000, UTC)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=SCENE_S)


def orbit_at(when: datetime) -> int:
    """The absolute orbit (revolution) flying at ``when``."""
    return int((when - EPOCH).total_seconds() // PERIOD_S)


def frame_time(orbit: int, frame: int) -> float:
    """Seconds after the epoch when the track passes ``frame`` of ``orbit``."""
    return (orbit + frame / FRAMES) * PERIOD_S


def path_of(orbit: int | I64) -> I64:
    """Path 1–671 of an orbit: the track's place in the repeat, westward from path 1."""
    return np.asarray((np.asarray(orbit) * 46) % REPEAT_REVS + 1, dtype=np.int64)


def _node_longitude(seconds: F64) -> F64:
    """Longitude (degrees) where the local solar time is 22:30 at ``seconds`` after EPOCH."""
    epoch_h = EPOCH.hour + EPOCH.minute / 60 + EPOCH.second / 3600
    hours = (epoch_h + seconds / 3600.0) % 24.0
    return np.asarray((15.0 * (NODE_LOCAL_TIME_H - hours) + 180.0) % 360.0 - 180.0)


def _track(u_deg: F64, node_lon: F64) -> F64:
    """Unit vectors of the ground track at argument of latitude ``u`` (the Earth turning)."""
    u, inc = np.deg2rad(u_deg), np.deg2rad(INCLINATION_DEG)
    lat = np.rad2deg(np.arcsin(np.sin(inc) * np.sin(u)))
    lon = node_lon + np.rad2deg(np.arctan2(np.cos(inc) * np.sin(u), np.cos(u)))
    lon -= 360.0 * (u_deg / 360.0) * PERIOD_S / 86_400.0  # the plane turns west, seen from Earth
    return np.asarray(to_unit(lat, lon), dtype=np.float64)


@dataclass(frozen=True)
class _Slots:
    """Scene centres and corners of every frame slot, node at longitude 0 (lon, lat)."""

    frame: I64
    center: F64  # (n, 2)
    corners: F64  # (n, 4, 2)


@cache
def _slot_pattern() -> _Slots:
    frames = np.arange(0, FRAMES, FRAME_STEP, dtype=np.int64)
    u = frames / (FRAMES / 360.0)
    here, ahead = _track(u, np.zeros(len(u))), _track(u + 0.01, np.zeros(len(u)))
    fwd = ahead - here
    fwd /= np.linalg.norm(fwd, axis=1, keepdims=True)
    right = np.cross(fwd, here)
    centre = _move(here, right, LOOK_KM)
    half = SCENE_KM / 2
    corners = [_move(_move(centre, fwd, a), right, b)
               for a, b in ((-half, -half), (-half, half), (half, half), (half, -half))]
    return _Slots(frames, _lonlat(centre), np.stack([_lonlat(c) for c in corners], axis=1))


def _move(points: F64, direction: F64, km: float) -> F64:
    step = km / EARTH_RADIUS_KM
    moved = points * np.cos(step) + direction * np.sin(step)
    return np.asarray(moved / np.linalg.norm(moved, axis=1, keepdims=True))


def _lonlat(points: F64) -> F64:
    lat, lon = to_latlon(points[:, 0], points[:, 1], points[:, 2])
    return np.column_stack([lon, lat])


def _wrap(lon: F64) -> F64:
    return np.asarray((lon + 180.0) % 360.0 - 180.0)


def _near_usa(centre: F64) -> npt.NDArray[np.bool_]:
    """Whether a scene centre is within 1° of the box of a US outline (a cheap first cut)."""
    near = np.zeros(len(centre), dtype=bool)
    for part in USA_PARTS.values():
        w, s, e, n = part.bounds
        near |= ((centre[:, 0] > w - 1) & (centre[:, 0] < e + 1)
                 & (centre[:, 1] > s - 1) & (centre[:, 1] < n + 1))
    return near


def _over_usa(centre: F64, corners: F64) -> npt.NDArray[np.bool_]:
    """Whether any of a scene's nine sample points is land inside a US outline."""
    mid = (corners + np.roll(corners, -1, axis=1)) / 2  # edge midpoints
    points = np.concatenate([centre[:, None, :], corners, mid], axis=1)  # (n, 9, 2)
    lon, lat = points[..., 0], points[..., 1]
    inside = np.zeros(lon.shape, dtype=bool)
    for part in USA_PARTS.values():
        inside |= shapely.contains_xy(part, lon, lat)
    land = land_fraction(lat, lon) >= 0.5
    return np.asarray((inside & land).any(axis=1))


@dataclass(frozen=True)
class _UsSlots:
    """The (path, frame) slots over the USA: offsets into the orbit and geometry."""

    orbit_offset: I64  # revolutions after the cycle's first (0–670)
    frame: I64
    center: F64  # (n, 2) lon, lat
    corners: F64  # (n, 4, 2)


@cache
def _us_slots() -> _UsSlots:
    """Every slot of one repeat cycle whose scene sees US land."""
    pattern = _slot_pattern()
    node = _node_longitude(np.arange(REPEAT_REVS, dtype=np.float64) * PERIOD_S)
    rev, slot = np.divmod(np.arange(REPEAT_REVS * len(pattern.frame), dtype=np.int64),
                          len(pattern.frame))
    centre = pattern.center[slot]
    centre[:, 0] = _wrap(centre[:, 0] + node[rev])
    near = np.flatnonzero(_near_usa(centre))
    rev, slot, centre = rev[near], slot[near], centre[near]
    corners = pattern.corners[slot]
    corners[..., 0] = _wrap(corners[..., 0] + node[rev][:, None])
    keep = _over_usa(centre, corners) & (np.abs(corners[..., 0]).max(axis=1) < 179)
    return _UsSlots(rev[keep], pattern.frame[slot[keep]], centre[keep], corners[keep])


def _direction(frame: I64) -> npt.NDArray[np.str_]:
    return np.where((frame >= 1800) & (frame < 5400), "D", "A")


def _in_season(ms: I64) -> npt.NDArray[np.bool_]:
    days = ms.astype("datetime64[ms]").astype("datetime64[D]")
    month_day = ((days.astype("datetime64[M]").astype(np.int64) % 12 + 1) * 100
                 + (days - days.astype("datetime64[M]")).astype(np.int64) + 1)
    (m0, d0), (m1, d1) = FBD_SEASONS
    start, stop = date.fromisoformat(MISSION[0].isoformat()), MISSION[1]
    first = np.datetime64(start) <= days
    last = days <= np.datetime64(stop)
    return np.asarray(first & last & (month_day >= m0 * 100 + d0) & (month_day <= m1 * 100 + d1))


def _drawn(orbit: I64, frame: I64, seed: int) -> F64:
    """A uniform [0, 1) per (orbit, frame-group): scenes are taken in runs along a pass."""
    group = frame // 80  # ~8 scenes a run
    keys = (orbit * 100 + group) ^ (seed * 0x9E3779B1)
    digest = [hashlib.blake2b(int(k).to_bytes(8, "big", signed=True), digest_size=8).digest()
              for k in keys]
    return np.frombuffer(b"".join(digest), dtype=">u8").astype(np.float64) / 2.0**64


class Catalogue:
    """Every simulated FBD scene over the USA, as columns sorted by start time.

    Args:
        seed: Seeds the acquisition plan (which slots were taken).
    """

    def __init__(self, seed: int = 0) -> None:
        slots = _us_slots()
        first = orbit_at(datetime(MISSION[0].year, MISSION[0].month, MISSION[0].day, tzinfo=UTC))
        last = orbit_at(datetime(MISSION[1].year, MISSION[1].month, MISSION[1].day, 23, 59,
                                 tzinfo=UTC))
        cycle0 = first - first % REPEAT_REVS
        cycles = np.arange(cycle0, last + 1, REPEAT_REVS, dtype=np.int64)
        orbit = (cycles[:, None] + slots.orbit_offset[None]).ravel()
        index = np.tile(np.arange(len(slots.frame)), len(cycles))
        frame = slots.frame[index]
        ms = EPOCH_MS + np.round(((orbit + frame / FRAMES) * PERIOD_S - SCENE_S / 2)
                                 * 1000).astype(np.int64)
        direction = _direction(frame)
        share = np.where(direction == "A", ACQUIRED_SHARE["A"], ACQUIRED_SHARE["D"])
        keep = _in_season(ms)
        keep[keep] = _drawn(orbit[keep], frame[keep], seed) < share[keep]
        order = np.flatnonzero(keep)[np.argsort(ms[keep], kind="stable")]
        self.seed = seed
        self.orbit, self.frame, self.start_ms = orbit[order], frame[order], ms[order]
        self.direction = direction[order]
        self.center, self.corners = slots.center[index[order]], slots.corners[index[order]]
        self.west = self.corners[..., 0].min(axis=1)
        self.east = self.corners[..., 0].max(axis=1)
        self.south = self.corners[..., 1].min(axis=1)
        self.north = self.corners[..., 1].max(axis=1)
        self._cells = _grid_index(self.west, self.south, self.east, self.north)

    def __len__(self) -> int:
        return len(self.orbit)

    @cached_property
    def footprints(self) -> npt.NDArray[np.object_]:
        """Shapely polygons of every scene (made on first use)."""
        return np.asarray(shapely.polygons(self.corners))

    @property
    def end_ms(self) -> I64:
        return np.asarray(self.start_ms + int(SCENE_S * 1000), dtype=np.int64)

    @property
    def path(self) -> I64:
        return path_of(self.orbit)

    def scene(self, i: int) -> Scene:
        """The scene at row ``i``."""
        ring = tuple((float(x), float(y)) for x, y in self.corners[i])
        return Scene(RtcName(int(self.orbit[i]), int(self.frame[i])), int(self.start_ms[i]),
                     str(self.direction[i]), int(path_of(self.orbit[i])),
                     (float(self.center[i, 0]), float(self.center[i, 1])), (*ring, ring[0]))

    def find(self, name: RtcName) -> int | None:
        """The row of a scene by name (None if the catalogue has none)."""
        rows = np.flatnonzero((self.orbit == name.orbit) & (self.frame == name.frame))
        return int(rows[0]) if len(rows) and name.mode == "FBD" else None

    def select(self, start_ms: int | None = None, end_ms: int | None = None,
               bbox: tuple[float, float, float, float] | None = None) -> I64:
        """Rows overlapping ``[start_ms, end_ms]`` (inclusive) whose box meets ``bbox``."""
        lo = 0 if start_ms is None else int(np.searchsorted(
            self.start_ms, start_ms - int(SCENE_S * 1000), "left"))
        hi = len(self) if end_ms is None else int(np.searchsorted(self.start_ms, end_ms, "right"))
        if bbox is None:
            rows = np.arange(lo, hi, dtype=np.int64)
        else:
            w, s, e, n = bbox
            cells = (np.floor(e) - np.floor(w) + 1) * (np.floor(n) - np.floor(s) + 1)
            if cells <= _MAX_CELLS:
                rows = self._cells_rows(bbox)
                rows = rows[(rows >= lo) & (rows < hi)]
            else:  # a big box: scanning the period is quicker than merging cells
                rows = np.arange(lo, hi, dtype=np.int64)
            rows = rows[(self.east[rows] >= w) & (self.west[rows] <= e)
                        & (self.north[rows] >= s) & (self.south[rows] <= n)]
        if start_ms is not None:
            rows = rows[self.start_ms[rows] + int(SCENE_S * 1000) >= start_ms]
        return rows

    def _cells_rows(self, bbox: tuple[float, float, float, float]) -> I64:
        w, s, e, n = (int(np.floor(v)) for v in bbox)
        found = [self._cells[(x, y)] for x in range(w, e + 1) for y in range(s, n + 1)
                 if (x, y) in self._cells]
        return np.unique(np.concatenate(found)) if found else np.empty(0, np.int64)


def _grid_index(west: F64, south: F64, east: F64, north: F64) -> dict[tuple[int, int], I64]:
    """Rows of the scenes touching each 1° cell (keys: floor of lon, floor of lat)."""
    cells: dict[tuple[int, int], list[int]] = {}
    for i, (w, s, e, n) in enumerate(zip(np.floor(west).astype(int), np.floor(south).astype(int),
                                         np.floor(east).astype(int), np.floor(north).astype(int),
                                         strict=True)):
        for x in range(w, e + 1):
            for y in range(s, n + 1):
                cells.setdefault((x, y), []).append(i)
    return {key: np.asarray(rows, dtype=np.int64) for key, rows in cells.items()}


@cache
def catalogue(seed: int = 0) -> Catalogue:
    """The catalogue of ``seed`` (built once per process)."""
    return Catalogue(seed)
