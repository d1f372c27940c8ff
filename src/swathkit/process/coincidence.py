"""The bulk coincidence join: SAR scenes × DSWE tiles by footprint, time and cloud cover.

The seed asks the STAC server once per SAR scene (~30,000 searches). Here the DSWE
footprints of a region and period are harvested once and joined locally: a shapely
``STRtree`` per SAR acquisition day (only the DSWE footprints within the time window of
that day go into it, so the spatial query never meets footprints of other years), then
numpy for the time and selection rules.

Rules, for each SAR scene:

* a DSWE footprint qualifies if it intersects the scene, ``|Δt| ≤ window`` (Δt = DSWE
  time − SAR time) and its cloud cover is below ``max_cloud`` (percent);
* qualifying tiles are grouped by (acquisition date, grid region): tiles of one
  overpass differ by seconds, and CONUS, Alaska and Hawaii tiles are never merged;
* the group whose date is nearest the SAR scene's date (in whole days) is kept; ties go
  to the earlier date, then to the grid region's name (AK < CU < HI).

The output lists one :class:`Candidate` per SAR scene with a match, ordered by SAR id;
the tiles of a candidate are ordered by DSWE id. Same inputs, same output.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from swathkit.errors import InputError

__all__ = ["GRID_REGIONS", "Candidate", "DsweFootprint", "SarFootprint", "join"]

GRID_REGIONS: tuple[str, ...] = ("AK", "CU", "HI")
"""The Landsat ARD grid regions (``landsat:grid_region``), in tie-breaking order."""

_DAY = 86_400
_EPOCH = date(1970, 1, 1)

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class SarFootprint:
    """One SAR scene: its id, start time (UTC) and lon/lat footprint.

    ``name`` is the scene's product name (the zip stem, ``AP_07211_FBD_F0700_RT1``) written
    in the seed's CSV; it defaults to ``id``.
    """

    id: str
    time: datetime
    polygon: BaseGeometry
    name: str = ""


@dataclass(frozen=True)
class DsweFootprint:
    """One DSWE tile (a STAC item of ``landsat-c2l3-dswe``).

    ``date`` is the acquisition date (from the tile id); ``time`` the item's datetime.
    """

    id: str
    time: datetime
    polygon: BaseGeometry
    cloud_cover: float
    region: str
    h: int
    v: int
    date: date


@dataclass(frozen=True)
class Candidate:
    """A SAR scene and the DSWE tiles of its nearest date, all of one grid region.

    ``dt_seconds`` is the Δt (DSWE − SAR) of the tile nearest in time.
    """

    sar_id: str
    sar_name: str
    sar_time: datetime
    sar_polygon: BaseGeometry
    dswe_date: date
    region: str
    dswe_ids: tuple[str, ...]
    dswe_times: tuple[datetime, ...]
    tiles: tuple[tuple[int, int], ...]  # (h, v) of each tile, in dswe_ids order
    dt_seconds: float


def join(sar: Sequence[SarFootprint], dswe: Sequence[DsweFootprint], *,
         window: timedelta = timedelta(days=1), max_cloud: float = 30.0) -> list[Candidate]:
    """Join SAR scenes with DSWE tiles (see the module's rules).

    Args:
        sar: The SAR scenes (lon/lat footprints).
        dswe: The DSWE tiles (lon/lat footprints).
        window: Largest ``|Δt|`` between a SAR scene and a DSWE tile.
        max_cloud: Tiles with cloud cover at or above this (percent) are left out.

    Returns:
        One candidate per SAR scene with a match, sorted by SAR id.

    Raises:
        InputError: a negative window or an unknown grid region.
    """
    if window < timedelta(0):
        raise InputError(f"time window {window} is negative; give a window of 0 or more")
    tiles = _Tiles.of(dswe, max_cloud)
    scenes = _Scenes.of(sar)
    pairs = _matches(scenes, tiles, int(window.total_seconds()))
    return _nearest(scenes, tiles, pairs)


@dataclass(frozen=True)
class _Scenes:
    items: Sequence[SarFootprint]
    polygons: npt.NDArray[np.object_]
    seconds: IntArray
    days: IntArray

    @classmethod
    def of(cls, sar: Sequence[SarFootprint]) -> _Scenes:
        seconds = np.array([_seconds(s.time) for s in sar], np.int64)
        return cls(sar, _polygons([s.polygon for s in sar]), seconds, seconds // _DAY)


@dataclass(frozen=True)
class _Tiles:
    items: Sequence[DsweFootprint]  # the tiles below the cloud limit, sorted by time
    polygons: npt.NDArray[np.object_]
    seconds: IntArray
    days: IntArray  # acquisition date, days since 1970-01-01
    region: IntArray  # index in GRID_REGIONS
    rank: IntArray  # rank of the id among the tiles

    @classmethod
    def of(cls, dswe: Sequence[DsweFootprint], max_cloud: float) -> _Tiles:
        kept = [d for d in dswe if d.cloud_cover < max_cloud]
        for d in kept:
            if d.region not in GRID_REGIONS:
                raise InputError(f"DSWE tile {d.id}: grid region {d.region!r} is not one of "
                                 f"{', '.join(GRID_REGIONS)}")
        seconds = np.array([_seconds(d.time) for d in kept], np.int64)
        order = np.argsort(seconds, kind="stable")
        items = [kept[i] for i in order]
        ids = np.array([d.id for d in items], dtype=object)
        rank = np.empty(len(items), np.int64)
        rank[np.argsort(ids, kind="stable")] = np.arange(len(items))
        return cls(items, _polygons([d.polygon for d in items]), seconds[order],
                   np.array([(d.date - _EPOCH).days for d in items], np.int64),
                   np.array([GRID_REGIONS.index(d.region) for d in items], np.int64), rank)


def _matches(scenes: _Scenes, tiles: _Tiles, window: int) -> tuple[IntArray, IntArray]:
    """Every (scene, tile) index pair that intersects within ``window`` seconds."""
    found_s: list[IntArray] = []
    found_t: list[IntArray] = []
    for day in np.unique(scenes.days):
        s_idx = np.flatnonzero(scenes.days == day)
        lo = np.searchsorted(tiles.seconds, scenes.seconds[s_idx].min() - window, "left")
        hi = np.searchsorted(tiles.seconds, scenes.seconds[s_idx].max() + window, "right")
        if hi <= lo:
            continue
        tree = shapely.STRtree(tiles.polygons[lo:hi])
        q_s, q_t = tree.query(scenes.polygons[s_idx], predicate="intersects")
        s, t = s_idx[q_s], q_t.astype(np.int64) + lo
        near = np.abs(tiles.seconds[t] - scenes.seconds[s]) <= window
        found_s.append(s[near])
        found_t.append(t[near])
    if not found_s:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate(found_s), np.concatenate(found_t)


def _nearest(scenes: _Scenes, tiles: _Tiles, pairs: tuple[IntArray, IntArray]
             ) -> list[Candidate]:
    """Keep, per scene, the pairs of the nearest (date, region); one candidate each."""
    s, t = pairs
    if len(s) == 0:
        return []
    gap = np.abs(tiles.days[t] - scenes.days[s])
    sar_rank = _rank([x.id for x in scenes.items])
    # sort by scene, then nearest date, earlier date, region, tile id
    order = np.lexsort((tiles.rank[t], tiles.region[t], tiles.days[t], gap, sar_rank[s]))
    s, t, gap = s[order], t[order], gap[order]
    first = np.ones(len(s), bool)
    first[1:] = s[1:] != s[:-1]
    head = np.cumsum(first) - 1  # index of each pair's scene group
    best = np.flatnonzero(first)[head]
    same = (tiles.days[t] == tiles.days[t[best]]) & (tiles.region[t] == tiles.region[t[best]])
    s, t = s[same], t[same]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    return [_candidate(scenes, tiles, int(s[a]), t[a:b])
            for a, b in zip(starts, np.r_[starts[1:], len(s)], strict=True)]


def _candidate(scenes: _Scenes, tiles: _Tiles, s: int, t: IntArray) -> Candidate:
    scene = scenes.items[s]
    group = [tiles.items[i] for i in t]
    dt = tiles.seconds[t] - scenes.seconds[s]
    return Candidate(
        sar_id=scene.id, sar_name=scene.name or scene.id, sar_time=scene.time,
        sar_polygon=scene.polygon, dswe_date=group[0].date, region=group[0].region,
        dswe_ids=tuple(d.id for d in group), dswe_times=tuple(d.time for d in group),
        tiles=tuple((d.h, d.v) for d in group),
        dt_seconds=float(dt[np.argmin(np.abs(dt))]))


def _rank(ids: Sequence[str]) -> IntArray:
    rank = np.empty(len(ids), np.int64)
    rank[np.argsort(np.array(ids, dtype=object), kind="stable")] = np.arange(len(ids))
    return rank


def _polygons(geoms: Sequence[BaseGeometry]) -> npt.NDArray[np.object_]:
    out = np.empty(len(geoms), dtype=object)
    out[:] = list(geoms)
    return out


def _seconds(when: datetime) -> int:
    """Whole seconds since 1970 (naive times are taken as UTC)."""
    aware = when.replace(tzinfo=UTC) if when.tzinfo is None else when
    return int(aware.timestamp())
