"""``pairs search``: ALOS RTC scenes from CMR, DSWE footprints harvested once, joined locally.

1. the SAR scenes of the area and period (CMR, part by part, paged), searched while
2. the DSWE footprints of the area and the period widened by the window are harvested
   (:mod:`.harvest`: time windows under the deep-paging cap, cached as GeoParquet);
3. :func:`swathkit.process.coincidence.join` (footprint, ``|Δt| ≤ window``, cloud limit,
   nearest date, one grid region per candidate);
4. new candidates are added to the pair table with their scene's zip (path, size, MD5
   from the CMR record, for ``pairs download``; rows already there are left as they are,
   but get their zip if they lack it);
   the ids of the scenes found go to its sidecar (:func:`.status.record_scenes`).

The report says how many catalogue requests were made, and how many the seed's
per-scene method would have needed: one STAC search per SAR scene, one more per further
10 items of that scene (its items: those meeting the footprint within ± the window
days of the scene's date, below the cloud limit).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath

import numpy as np
import shapely
from shapely.geometry import Polygon, shape

from swathkit.archives.cmr import CmrCatalog
from swathkit.archives.stac import StacCatalog
from swathkit.config import settings
from swathkit.errors import InputError
from swathkit.jobs.pairs.harvest import (
    CHUNK_DAYS,
    DEEP_PAGING_CAP,
    Harvest,
    harvest,
    per_scene_requests,
)
from swathkit.jobs.pairs.status import record_scenes
from swathkit.jobs.report import JobReport
from swathkit.process.coincidence import DsweFootprint, SarFootprint, join
from swathkit.stores.pair_table import PairTable, SceneFile
from swathkit.transfer.retry import RetryPolicy
from swathkit.types import Granule, Progress, Query, utc

__all__ = ["SAR_PRODUCT", "SearchExtras", "search_pairs"]

SAR_PRODUCT = "alos-rtc-fbd"


@dataclass(frozen=True)
class SearchExtras:
    """What ``pairs search`` asked and found, beside the counts."""

    cmr_requests: int
    stac_requests: int
    per_scene_stac_requests: int  # what one STAC search per SAR scene would have sent
    harvest_windows: int
    harvest_splits: int
    harvest_chunks: int
    cached_chunks: int
    candidates_by_region: dict[str, int]


def search_pairs(table: str | Path, parts: Sequence[Polygon], start: datetime | str,
                 end: datetime | str, *, window_days: int = 1, max_cloud: float = 30.0,
                 cache_dir: str | Path | None = None, chunk_days: int = CHUNK_DAYS,
                 cap: int = DEEP_PAGING_CAP, retry: RetryPolicy | None = None,
                 progress: Progress | None = None) -> JobReport[SearchExtras]:
    """Find the SAR × DSWE candidates of ``parts`` in [start, end) and add them to ``table``.

    ``retry`` is the policy of every catalogue request (default :class:`RetryPolicy`'s).

    Raises:
        InputError: an empty period, a negative window, a bad cloud limit.
        FetchError: a catalogue kept failing after its retries.
    """
    begun = time.monotonic()
    first, last = utc(start), utc(end)
    Query(SAR_PRODUCT, first, last)  # checks the period
    if window_days < 0 or not 0 <= max_cloud <= 100:
        raise InputError(f"--window-days {window_days}, --max-cloud {max_cloud}: give 0 or "
                         "more days and a cloud limit of 0–100 per cent")
    window = timedelta(days=window_days)
    folder = Path(cache_dir) if cache_dir else settings().cache_dir / "pairs" / "dswe-harvest"
    stac = StacCatalog(max_cloud=max_cloud, page_size=1000, retry=retry)
    with ThreadPoolExecutor(1, thread_name_prefix="pairs-cmr") as pool:
        # the SAR scenes (CMR) and the DSWE footprints (STAC) are searched at once: two
        # archives, and neither search needs the other's answer
        sar = pool.submit(_scenes, parts, first, last, retry or RetryPolicy())
        found = harvest(stac, parts, first - window, last + window, folder,
                        chunk_days=chunk_days, cap=cap, progress=progress)
        scenes, files, cmr_requests = sar.result()
    record_scenes(table, (s.id for s in scenes))
    candidates = join(scenes, found.footprints, window=window, max_cloud=max_cloud)
    added = PairTable(table).add_candidates(candidates, files)
    regions: dict[str, int] = {}
    for c in candidates:
        regions[c.region] = regions.get(c.region, 0) + 1
    extras = _extras(cmr_requests, found, _per_scene(scenes, found.footprints, window_days),
                     dict(sorted(regions.items())))
    return JobReport(job="pairs search", target=str(table), unit="items",
                     counts={"scenes": len(scenes), "dswe_tiles": len(found.footprints),
                             "candidates": len(candidates), "added": added},
                     seconds=time.monotonic() - begun, extras=extras)


def _extras(cmr_requests: int, found: Harvest, per_scene: int,
            regions: dict[str, int]) -> SearchExtras:
    return SearchExtras(cmr_requests, found.requests, per_scene, found.windows, found.splits,
                        found.chunks, found.cached_chunks, regions)


def _scenes(parts: Sequence[Polygon], start: datetime, end: datetime,
            retry: RetryPolicy) -> tuple[list[SarFootprint], dict[str, SceneFile], int]:
    """The scenes (by id), their zips as CMR publishes them, and the requests made."""
    catalog = CmrCatalog(aoi=list(parts), retry=retry)
    scenes: dict[str, SarFootprint] = {}
    files: dict[str, SceneFile] = {}
    requests = 0
    try:
        for page in catalog.pages(Query(SAR_PRODUCT, start, end)):
            requests += 1
            for g in page:
                if g.footprint is not None:
                    name = PurePosixPath(g.file_name).stem
                    scenes[g.id] = SarFootprint(g.id, g.start, shape(g.footprint), name)
                    file = _scene_file(g)
                    if file is not None:
                        files[g.id] = file
    finally:
        catalog.close()
    return [scenes[k] for k in sorted(scenes)], files, requests


def _scene_file(granule: Granule) -> SceneFile | None:
    """The zip of a CMR record with its exact size and MD5 (None if it lacks one)."""
    algorithm, _, digest = (granule.checksum or "").partition(":")
    if granule.size is None or algorithm != "md5" or not digest:
        return None
    return SceneFile(granule.remote_path, granule.size, digest)


def _per_scene(scenes: Sequence[SarFootprint], tiles: Sequence[DsweFootprint],
               window_days: int) -> int:
    """Searches of the seed's method: per scene, its date ± the window, items of 10 a page."""
    if not tiles:
        return len(scenes)
    tree = shapely.STRtree([t.polygon for t in tiles])
    seconds = np.array([t.time.timestamp() for t in tiles])
    total = 0
    for s in scenes:
        day = datetime(s.time.year, s.time.month, s.time.day, tzinfo=s.time.tzinfo)
        low = (day - timedelta(days=window_days)).timestamp()
        high = (day + timedelta(days=window_days)).timestamp()
        near = tree.query(s.polygon, predicate="intersects")
        n = int(np.count_nonzero((seconds[near] >= low) & (seconds[near] <= high)))
        total += per_scene_requests(n)
    return total
