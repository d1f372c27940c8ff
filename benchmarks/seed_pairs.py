"""The seed's ALOS × DSWE pair search, written from the seed's text (shared/seeds/002_*).

Reproduced for comparison (never used by swathkit), cell by cell:

- ``asf.search_generator`` for ALOS PALSAR RTC high-res FBD HH+HV scenes intersecting the
  region, in 60-day windows, ``maxResults`` 2000; the scenes' UMM records are kept;
- per scene (``return_nearest_dswe_search``): ``Client.open`` of the stac-server, one
  search (the footprint as ``intersects``, ``landsat-c2l3-dswe``, the scene's date ± 1 day
  as ``YYYY-MM-DD/YYYY-MM-DD``, ``eo:cloud_cover < 30``, ``max_items`` 100); items grouped
  by their exact ``datetime``, the group nearest the scene's date (whole days, Python's
  stable sort for ties) gives the INWAM hrefs;
- ``download_asset``: a ``requests.Session`` per call, the ERS login page scraped for its
  ``csrf`` (BeautifulSoup when installed, else the standard library's ``html.parser``),
  credentials posted, then each whole tile fetched into a folder in the seed's loop,
  ``while respb != 200 and count < 10`` (a ``Response`` is never equal to ``200``, so
  every tile is fetched 10 times; ``fixed_loop=True`` compares ``respb.status_code``);
- ``return_pixel_stats``: ``rasterio.merge`` of the tiles over the scene's lon/lat bounds
  (``transform_bounds`` to the tiles' CRS), valid = 1 − (n(nodata) + n(9))/N, water =
  (n(1) + n(2))/N (a first file that does not open scores 0, 0);
- kept (valid ≥ 0.5 and water ≥ 0.05): the tiles move to ``scenes/<scene>/usgs_dswe``
  (the seed then downloads and unzips the ALOS zip: left out here, both methods download
  the same zips); else the tiles are deleted. A scene whose folder exists is skipped.

What differs, only to point it at the simulators and the benchmark's period: the CMR
host (``opts``), the stac-server and login URLs, the ERS account passed in rather than
read from netrc, the tiles downloaded into ``work/dswe`` rather than the notebook's
folder, and 60-day windows over the period asked (the last one cut at its end) rather
than 38 from 2006.
"""

from __future__ import annotations

import datetime
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import asf_search as asf
import numpy as np
import rasterio
import requests
from dateutil.tz import tzutc
from pystac_client import Client
from rasterio.crs import CRS
from rasterio.merge import merge
from rasterio.warp import transform_bounds
from shapely.geometry import shape


@dataclass(frozen=True)
class SeedScene:
    """What the seed decided for one ALOS scene (tiles: the INWAM file names it merged)."""

    name: str
    tiles: tuple[str, ...]
    valid: float
    water: float
    kept: bool


@dataclass(frozen=True)
class SeedTarget:
    """Where the seed's hard-coded URLs and netrc entry point instead."""

    cmr_host: str
    stac_url: str
    login_url: str
    username: str
    password: str


def return_coordinates(c_list: list[dict[str, float]]) -> Any:
    coordinates = [[c["Longitude"], c["Latitude"]] for c in c_list]
    return shape({"type": "Polygon", "coordinates": [coordinates]})


def return_nearest_dswe_search(result: dict[str, Any], stac_url: str, *,
                               by_date: bool = False) -> list[str]:
    """The INWAM hrefs of the DSWE items of the scene's nearest datetime (the seed's).

    ``by_date`` groups the items by their date instead of their exact datetime (not the
    seed: the tiles of one overpass differ by seconds, so the seed keeps one of them).
    """
    geometry = return_coordinates(_points(result))
    start_time = result["TemporalExtent"]["RangeDateTime"]["BeginningDateTime"]
    year, month, day = (int(x) for x in start_time.split("T")[0].split("-"))
    ref_date = datetime.datetime(year=year, month=month, day=day, tzinfo=tzutc())
    start_day, end_day = ref_date - timedelta(days=1), ref_date + timedelta(days=1)
    search_date_str = f"{start_day.strftime('%Y-%m-%d')}/{end_day.strftime('%Y-%m-%d')}"
    catalog = Client.open(stac_url)
    search = catalog.search(intersects=geometry, collections="landsat-c2l3-dswe",
                            datetime=search_date_str, max_items=100,
                            query={"eo:cloud_cover": {"lt": 30}})
    collated: dict[Any, list[str]] = defaultdict(list)
    for r in search.item_collection():
        key = r.datetime.replace(hour=0, minute=0, second=0, microsecond=0) if by_date \
            else r.datetime
        if r.assets["inwam"].href not in collated[key]:
            collated[key].append(r.assets["inwam"].href)
    if not collated:
        return []
    sorted_keys = sorted(collated.keys(), key=lambda x: abs((x - ref_date).days))
    return collated[sorted_keys[0]]


def download_asset(item: str | Iterable[str], download_path: Path, target: SeedTarget, *,
                   fixed_loop: bool = False) -> list[Path]:
    """Log in to ERS and fetch each whole tile into ``download_path`` (the seed's loop)."""
    items = [item] if isinstance(item, str) else list(item)
    download_path.mkdir(exist_ok=True)
    with requests.Session() as s:
        r = s.get(target.login_url)
        sval = _csrf(r.content)
        s.post(target.login_url, data={"username": target.username,
                                       "password": target.password, "csrf": sval})
        downloaded_filepaths = []
        for _item in items:
            filename = _item.split("/")[-1]
            respb: Any = None
            count = 0
            while _status(respb, fixed_loop) != 200 and count < 10:
                respb = s.get(_item, allow_redirects=True, headers={"content-type": "image/tiff"})
                with open(download_path / filename, "wb") as src:
                    src.write(respb.content)
                count += 1
            downloaded_filepaths.append(download_path / filename)
    return downloaded_filepaths


def return_pixel_stats(filepaths: list[Path], bounds: tuple[float, ...],
                       cloud_val: int = 9) -> tuple[float, float]:
    crs = CRS.from_epsg(4326)
    try:
        with rasterio.open(filepaths[0]) as ds:
            nodata = ds.profile["nodata"]
            dst_crs = ds.crs
    except Exception:  # the seed's bare except: an HTML login page scores 0, 0
        return 0, 0
    box = transform_bounds(crs, dst_crs, *bounds)
    merged_raster, _ = merge(filepaths, bounds=box, nodata=nodata)
    invalid = np.sum(merged_raster == nodata) + np.sum(merged_raster == cloud_val)
    valid_fraction = 1 - invalid / merged_raster.size
    water_fraction = (np.sum(merged_raster == 1) + np.sum(merged_raster == 2)) / merged_raster.size
    return float(valid_fraction), float(water_fraction)


def search_scenes(region_wkt: str, start: datetime.datetime, end: datetime.datetime,
                  cmr_host: str) -> list[dict[str, Any]]:
    """The seed's ASF search in 60-day windows (the last one cut at ``end``)."""
    opts = asf.ASFSearchOptions(host=cmr_host)
    results: list[dict[str, Any]] = []
    window = timedelta(days=60)
    while start < end:
        alos_opts = {"maxResults": 2000, "platform": asf.PLATFORM.ALOS,
                     "instrument": asf.INSTRUMENT.PALSAR,
                     "processingLevel": asf.PRODUCT_TYPE.RTC_HIGH_RES,
                     "polarization": asf.POLARIZATION.HH_HV, "beamMode": asf.BEAMMODE.FBD,
                     "intersectsWith": region_wkt, "start": start.strftime("%Y-%m-%d"),
                     "end": min(start + window, end).strftime("%Y-%m-%d")}
        start += window
        for page in asf.search_generator(**alos_opts, opts=opts):
            results.extend([product.umm for product in page])
    return results


def seed_pairs(results: list[dict[str, Any]], work: Path, target: SeedTarget, *,
               fixed_loop: bool = False, by_date: bool = False) -> list[SeedScene]:
    """The seed's loop over the scenes: search, download, score, keep or delete."""
    sar_output_path = work / "scenes"
    sar_output_path.mkdir(parents=True, exist_ok=True)
    already_downloaded = [x.name for x in sar_output_path.iterdir() if x.is_dir()]
    decided = []
    for r in results:
        filename = r["RelatedUrls"][0]["URL"].split("/")[-1]
        if filename[:-4] in already_downloaded:
            continue
        r_shape = return_coordinates(_points(r))
        dswe_results = return_nearest_dswe_search(r, target.stac_url, by_date=by_date)
        if len(dswe_results) == 0:
            decided.append(SeedScene(filename[:-4], (), 0.0, 0.0, False))
            continue
        filepaths = download_asset(dswe_results, work / "dswe", target, fixed_loop=fixed_loop)
        valid, water = return_pixel_stats(filepaths, r_shape.bounds)
        kept = valid >= 0.5 and water >= 0.05
        if kept:  # the seed downloads and unzips the ALOS zip here (left out)
            folder = sar_output_path / filename[:-4] / "usgs_dswe"
            folder.mkdir(parents=True)
            for x in filepaths:
                os.rename(str(x), folder / x.name)
        else:
            for x in filepaths:
                x.unlink()
        decided.append(SeedScene(filename[:-4], tuple(p.name for p in filepaths), valid,
                                 water, kept))
    return decided


def _status(respb: Any, fixed_loop: bool) -> Any:
    """What the seed compares with 200: the response itself (never equal), or its status."""
    return respb.status_code if fixed_loop and respb is not None else respb


def _points(result: dict[str, Any]) -> list[dict[str, float]]:
    polygons = result["SpatialExtent"]["HorizontalSpatialDomain"]["Geometry"]["GPolygons"]
    points: list[dict[str, float]] = polygons[0]["Boundary"]["Points"]
    return points


def _csrf(page: bytes) -> str:
    """The login form's ``csrf`` value: BeautifulSoup as the seed, else html.parser."""
    try:
        from bs4 import BeautifulSoup
    except ImportError:
        finder = _CsrfFinder()
        finder.feed(page.decode("utf-8", "replace"))
        if finder.value is None:
            raise ValueError("no csrf input on the login page") from None
        return finder.value
    value: str = BeautifulSoup(page, "html.parser").find("input", attrs={"name": "csrf"})["value"]
    return value


class _CsrfFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("name") == "csrf" and self.value is None:
            self.value = found.get("value")
