"""Harvest the DSWE footprints of an area and period once, in time windows, cached on disk.

The period is cut into chunks of ``chunk_days`` (default 128: a third of a year, a few
requests for a region-sized box); each chunk is searched for each AOI part's bounding box,
its count read from the first page (no separate count request). A window whose
``numberMatched`` exceeds ``cap`` (LandsatLook's deep-paging limit, 10,000 results) is
split in two halves, again until each is under it.
Each chunk's items are written as one GeoParquet file in the cache folder (named by a
hash of the catalogue, collection, box, window and cloud limit) and read back on re-run:
a harvested chunk costs no request again.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from shapely.geometry import Polygon, shape

from swathkit.archives.stac import StacCatalog
from swathkit.errors import InputError
from swathkit.process.coincidence import DsweFootprint
from swathkit.products.dswe.names import TileId
from swathkit.stores.geoparquet import read_lonlat, write_lonlat
from swathkit.types import Granule, Progress, Query

__all__ = ["DEEP_PAGING_CAP", "Harvest", "harvest"]

DEEP_PAGING_CAP = 10_000
CHUNK_DAYS = 128
_MIN_WINDOW = timedelta(hours=1)
_COLUMNS = ("id", "time", "cloud_cover", "region", "h", "v", "date")


@dataclass(frozen=True)
class Harvest:
    """The footprints harvested (sorted by id) and what it took."""

    footprints: tuple[DsweFootprint, ...]
    requests: int  # STAC searches sent (counts and pages)
    windows: int  # time windows searched (after splitting)
    splits: int  # windows split for exceeding the cap
    chunks: int
    cached_chunks: int  # chunks read from the cache


@dataclass
class _Tally:
    requests: int = 0
    windows: int = 0
    splits: int = 0


def harvest(catalog: StacCatalog, parts: Sequence[Polygon], start: datetime, end: datetime,
            cache_dir: Path, *, chunk_days: int = CHUNK_DAYS, cap: int = DEEP_PAGING_CAP,
            progress: Progress | None = None) -> Harvest:
    """The DSWE footprints meeting the boxes of ``parts`` between ``start`` and ``end``.

    Raises:
        InputError: a window of under an hour still matches more than ``cap`` items.
        StoreError: a cache file is unreadable.
    """
    if chunk_days < 1 or cap < 1:
        raise InputError(f"chunk of {chunk_days} days, cap {cap}: give 1 or more")
    chunks = [(part.bounds, a, b) for part in parts
              for a, b in _chunks(start, end, timedelta(days=chunk_days))]
    tally, found, cached = _Tally(), {}, 0
    for done, (bounds, a, b) in enumerate(chunks, 1):
        path = cache_dir / f"{_key(catalog, bounds, a, b)}.parquet"
        if path.exists():
            rows, cached = _read(path), cached + 1
        else:
            rows = _search(catalog, bounds, a, b, cap, tally)
            _write(path, rows)
        found.update({f.id: f for f in rows})
        if progress is not None:
            progress(done, len(chunks), f"{a:%Y-%m-%d}")
    footprints = tuple(found[k] for k in sorted(found))
    return Harvest(footprints, tally.requests, tally.windows, tally.splits, len(chunks), cached)


def _chunks(start: datetime, end: datetime,
            step: timedelta) -> list[tuple[datetime, datetime]]:
    out, at = [], start
    while at < end:
        out.append((at, min(at + step, end)))
        at += step
    return out


def _search(catalog: StacCatalog, bounds: tuple[float, ...], start: datetime, end: datetime,
            cap: int, tally: _Tally) -> list[DsweFootprint]:
    query = Query("dswe", start, end, bbox=(bounds[0], bounds[1], bounds[2], bounds[3]))
    matched, pages = catalog.counted_pages(query)  # the count comes with the first page
    tally.requests += 1
    if matched > cap:
        if end - start < _MIN_WINDOW * 2:
            raise InputError(f"DSWE search {start:%Y-%m-%dT%H:%M} – {end:%H:%M} over "
                             f"{bounds} matches more than {cap} items even in one hour; "
                             "give a smaller --aoi")
        tally.splits += 1
        middle = start + (end - start) / 2
        return (_search(catalog, bounds, start, middle, cap, tally)
                + _search(catalog, bounds, middle, end, cap, tally))
    tally.windows += 1
    rows: list[DsweFootprint] = []
    for n, page in enumerate(pages):
        if n:  # the first page was counted above
            tally.requests += 1
        rows += [_footprint(g) for g in page]
    return rows


def _footprint(g: Granule) -> DsweFootprint:
    p = g.properties
    return DsweFootprint(id=g.id, time=g.start, polygon=shape(g.footprint),
                         cloud_cover=float(p.get("eo:cloud_cover", 0.0)),
                         region=str(p.get("landsat:grid_region", "")),
                         h=int(p.get("landsat:grid_horizontal", 0)),
                         v=int(p.get("landsat:grid_vertical", 0)),
                         date=TileId.parse(g.id).acquired)


def _key(catalog: StacCatalog, bounds: tuple[float, ...], start: datetime,
         end: datetime) -> str:
    text = "|".join([catalog.url, catalog.collection, str(catalog.max_cloud),
                     ",".join(f"{b:.6f}" for b in bounds), start.isoformat(), end.isoformat()])
    return f"{start:%Y%m%dT%H%M}-" + hashlib.sha256(text.encode()).hexdigest()[:20]


def _write(path: Path, rows: list[DsweFootprint]) -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {"id": [f.id for f in rows], "time": [f.time for f in rows],
         "cloud_cover": [f.cloud_cover for f in rows], "region": [f.region for f in rows],
         "h": [f.h for f in rows], "v": [f.v for f in rows],
         "date": [f.date.isoformat() for f in rows],
         "geometry": [f.polygon for f in rows]})
    write_lonlat(frame, path)


def _read(path: Path) -> list[DsweFootprint]:
    import pandas as pd

    frame = read_lonlat(path, "DSWE harvest cache", "delete it to harvest that window again")
    records: list[dict[str, Any]] = frame.to_dict("records")
    return [DsweFootprint(id=str(r["id"]), time=pd.Timestamp(r["time"]).to_pydatetime(),
                          polygon=r["geometry"], cloud_cover=float(r["cloud_cover"]),
                          region=str(r["region"]), h=int(r["h"]), v=int(r["v"]),
                          date=datetime.fromisoformat(str(r["date"])).date())
            for r in records]


def per_scene_requests(items: int, page: int = 10) -> int:
    """Searches the per-scene method makes for a scene with ``items`` matches (10 a page)."""
    return max(1, math.ceil(items / page))
