"""The simulated G-Portal catalogue: CSW GetRecords answered as GeoJSON over HTTPS.

``GET /csw/csw?service=CSW&version=3.0.0&request=GetRecords&outputFormat=application/json
&datasetId=11001001&startTime=…&endTime=…[&bbox=w,s,e,n][&count=N][&startIndex=K]``
answers a FeatureCollection of the AMSR2 L1B granules (half orbits of
:mod:`swathkit.sim.orbit`, about 29 a day) whose served time span overlaps
``[startTime, endTime)`` and whose swath comes near the bbox, in start-time
order, one page of ``count`` from the 1-based ``startIndex``. Records describe
the files the simulated SFTP server serves: with ``scans`` set, their end time
and footprint are those of the first ``scans`` scans. Bad parameters get a 400
with a message; a :class:`~swathkit.sim.faults.FaultPlan` adds 503/429 answers
with ``Retry-After`` and slow answers. The server is the simulators' base
(:mod:`swathkit.sim._server`): HTTPS with a CA made at start-up by default.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
from numpy.typing import NDArray

from swathkit.products.amsr2.names import GranuleName
from swathkit.sim._server import SimHandler, SimServer
from swathkit.sim.faults import FaultPlan
from swathkit.sim.gportal.amsr2_l1b import GranuleSlot, granule_slot, synthetic_granule
from swathkit.sim.orbit import (
    GRANULE_NS,
    SCAN_NS,
    SCANS_PER_GRANULE,
    FloatArray,
    granule_geometry,
    half_orbit,
    half_orbit_at,
    to_datetime64,
)
from swathkit.sim.wan import LOOPBACK, Link

log = logging.getLogger(__name__)

CSW_PATH = "/csw/csw"
L1B_DATASET_ID = "11001001"
DOWNLOAD_URL = "https://gportal.jaxa.jp/download/"
BROWSE_URL = "https://gportal.jaxa.jp/gpr/img/browse/"
MAX_COUNT = 1000
DEFAULT_COUNT = 100
_FIXED = {"service": "CSW", "version": "3.0.0", "request": "GetRecords",
          "outputFormat": "application/json"}
_DAY_NS = 86_400 * 10**9
_BBOX_MARGIN_DEG = 1.5  # more than half the spacing of the swath samples tested
_SAMPLE_SCANS, _SAMPLE_PIXELS = 25, 24  # ~250 km along track, ~85 km across
_CACHED_QUERIES = 64


class BadRequest(ValueError):
    """A catalogue request with a missing or malformed parameter.

    Args:
        locator: The offending parameter.
        message: What is wrong with it.
    """

    def __init__(self, locator: str, message: str) -> None:
        super().__init__(f"{locator}: {message}")
        self.locator = locator


@dataclass(frozen=True)
class CatalogQuery:
    """A parsed GetRecords request."""

    dataset_ids: tuple[str, ...]
    start: np.datetime64  # UTC, ns
    end: np.datetime64
    bbox: tuple[float, float, float, float] | None  # west, south, east, north
    count: int
    start_index: int  # 1-based


def remote_path(name: GranuleName) -> str:
    """Archive path of an L1B file: ``standard/GCOM-W/GCOM-W.AMSR2/L1B/2/YYYY/MM/<name>.h5``."""
    return f"standard/GCOM-W/GCOM-W.AMSR2/{name.level}/2/{name.start:%Y/%m}/{name.file_name}"


def parse_query(params: dict[str, list[str]]) -> CatalogQuery:
    """Validate GetRecords parameters (as from :func:`urllib.parse.parse_qs`).

    Raises:
        BadRequest: a parameter is missing or malformed; the message says which.
    """
    for key, expected in _FIXED.items():
        if _one(params, key) != expected:
            raise BadRequest(key, f"must be {expected!r}")
    ids = tuple(i.strip() for i in _one(params, "datasetId").split(","))
    if not all(i.isdigit() for i in ids):
        raise BadRequest("datasetId", "must be comma-separated numeric dataset ids")
    start, end = _time(params, "startTime"), _time(params, "endTime")
    if end <= start:
        raise BadRequest("endTime", "must be after startTime")
    bbox = _bbox(_one(params, "bbox")) if "bbox" in params else None
    count = _int(params, "count", DEFAULT_COUNT, 0, MAX_COUNT)
    start_index = _int(params, "startIndex", 1, 1, None)
    return CatalogQuery(ids, start, end, bbox, count, start_index)


class GranuleCatalog:
    """The records of the simulated archive, served as files of ``scans`` scans.

    Args:
        scans: Scans per served granule (1–1978); all by default.
        reprocessed: Days added to every ``processingDate``, as if the archive had
            reprocessed its records (the files stay the same).
    """

    def __init__(self, *, scans: int | None = None, reprocessed: int = 0) -> None:
        self.nscan = SCANS_PER_GRANULE if scans is None else scans
        self.reprocessed = np.timedelta64(reprocessed, "D")
        self._footprints = _Footprints(self.nscan)
        self._bytes_per_scan: int | None = None
        self._matches: OrderedDict[tuple[Any, ...], NDArray[np.int64]] = OrderedDict()
        self._lock = threading.Lock()

    def answer(self, query: CatalogQuery) -> dict[str, Any]:
        """The GeoJSON FeatureCollection answering ``query``."""
        indices = self.matching(query)
        first = query.start_index - 1
        page = indices[first:first + query.count]
        return {
            "type": "FeatureCollection",
            "properties": {"numberOfRecordsMatched": len(indices),
                           "numberOfRecordsReturned": len(page)},
            "features": [self.feature(granule_slot(half_orbit(int(k)).start)) for k in page],
        }

    def matching(self, query: CatalogQuery) -> NDArray[np.int64]:
        """Half-orbit indices of the matching granules, in start-time order."""
        if L1B_DATASET_ID not in query.dataset_ids:
            return np.empty(0, np.int64)
        key = (query.start, query.end, query.bbox)
        with self._lock:
            if key in self._matches:
                self._matches.move_to_end(key)
                return self._matches[key]
        indices = self._in_time(query.start, query.end)
        if query.bbox is not None:
            indices = self._footprints.near(indices, query.bbox)
        with self._lock:
            self._matches[key] = indices
            while len(self._matches) > _CACHED_QUERIES:
                self._matches.popitem(last=False)
        return indices

    def feature(self, slot: GranuleSlot) -> dict[str, Any]:
        """The GeoJSON feature of one granule."""
        name = slot.name
        begin = slot.start
        end = begin + np.timedelta64(self.nscan * SCAN_NS, "ns")
        path = remote_path(name)
        return {
            "type": "Feature",
            "geometry": self._footprints.geometry(slot.start),
            "properties": {
                "identifier": name.granule_id,
                "beginPosition": _stamp(begin),
                "endPosition": _stamp(end),
                "orbitNumber": slot.orbit_number,
                "platformShortName": "GCOM-W1",
                "instrumentShortName": "AMSR2",
                "processingDate": _stamp(end + np.timedelta64(2, "h") + self.reprocessed),
                "product": {"fileName": DOWNLOAD_URL + path, "size": self.approximate_size(),
                            "version": name.product_version},
                "browse": _browse(path, name),
                "gpp": {
                    "datasetId": L1B_DATASET_ID,
                    "orbitDirection": "ASCENDING" if name.orbit_direction == "A" else "DESCENDING",
                    "startPathNumber": name.path_number,
                    "totalQualityCode": "Good",
                    "algorithmVersion": name.algorithm_version,
                },
            },
        }

    def approximate_size(self) -> int:
        """File size to three significant digits, as the catalogue rounds it."""
        if self._bytes_per_scan is None:
            truth = synthetic_granule(half_orbit(0).start, scans=1)
            arrays = [*truth.counts.values(), *truth.datasets.values()]
            self._bytes_per_scan = sum(a.nbytes for a in arrays)
        size = self._bytes_per_scan * self.nscan + 17_000  # HDF5 headers and attributes
        return int(round(size, 2 - len(str(size)) + 1))

    def _in_time(self, start: np.datetime64, end: np.datetime64) -> NDArray[np.int64]:
        """Indices of granules whose served span (their first ``nscan`` scans) meets the range."""
        first = half_orbit_at(start)
        duration = np.timedelta64(self.nscan * SCAN_NS, "ns")
        skip = int(first.start + duration <= start)
        last = half_orbit_at(end - np.timedelta64(1, "ns")).index
        return np.arange(first.index + skip, last + 1, dtype=np.int64)


class _Footprints:
    """Swath outlines and samples of every granule, from one reference per direction.

    Every ascending (descending) granule is the same swath turned in longitude
    by the Earth's rotation between their start times, so a granule's points are
    the reference's plus a constant longitude offset.
    """

    def __init__(self, nscan: int) -> None:
        self._nscan = nscan
        self._refs: dict[int, tuple[FloatArray, FloatArray, FloatArray]] = {}
        self._lock = threading.Lock()

    def geometry(self, start: np.datetime64) -> dict[str, Any]:
        """GeoJSON Polygon (MultiPolygon across the antimeridian) of the swath outline."""
        index = half_orbit_at(start).index
        ring, _, _ = self._reference(index % 2)
        lon = np.unwrap(ring[:, 0] + self._offsets(np.array([index]))[0], period=360.0)
        lon -= 360.0 * np.floor((lon.mean() + 180.0) / 360.0)  # centre the ring in [-180, 180)
        lat = ring[:, 1]
        if lon.min() >= -180.0 and lon.max() <= 180.0:
            return {"type": "Polygon", "coordinates": [_ring(lon, lat)]}
        shift = 360.0 if lon.min() < -180.0 else -360.0
        parts = [[_ring(np.clip(x, -180.0, 180.0), lat)] for x in (lon, lon + shift)]
        return {"type": "MultiPolygon", "coordinates": parts}

    def near(
        self, indices: NDArray[np.int64], bbox: tuple[float, float, float, float]
    ) -> NDArray[np.int64]:
        """The ``indices`` whose swath samples come within a margin of ``bbox``."""
        keep = np.zeros(len(indices), bool)
        for parity in (0, 1):
            mine = np.flatnonzero(indices % 2 == parity)
            _, lat, lon = self._reference(parity)
            for chunk in np.array_split(mine, max(1, len(mine) // 500)):
                lons = lon[None, :] + self._offsets(indices[chunk])[:, None]
                keep[chunk] = _near_bbox(lat[None, :], lons, bbox).any(axis=1)
        return indices[keep]

    def _offsets(self, indices: NDArray[np.int64]) -> FloatArray:
        """Longitude turn (degrees) of each granule relative to its direction's reference."""
        elapsed = (indices - indices % 2) * GRANULE_NS % _DAY_NS  # reference: index 0 or 1
        return np.asarray(-15.0 * elapsed / 3.6e12, dtype=np.float64)

    def _reference(self, parity: int) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Outline ring, sample latitudes and longitudes of half orbit 0 or 1."""
        with self._lock:
            if parity not in self._refs:
                geometry = granule_geometry(half_orbit(parity), scans=self._nscan)
                lat, lon = geometry.geolocation["89A"]
                rows = np.unique(np.r_[0:self._nscan:_SAMPLE_SCANS, self._nscan - 1])
                cols = np.unique(np.r_[0:lat.shape[1]:_SAMPLE_PIXELS, lat.shape[1] - 1])
                grid = np.ix_(rows, cols)
                self._refs[parity] = (geometry.footprint(step=100), lat[grid].ravel(),
                                      lon[grid].ravel())
            return self._refs[parity]


def _near_bbox(
    lat: FloatArray, lon: FloatArray, bbox: tuple[float, float, float, float]
) -> NDArray[np.bool_]:
    """Points within the margin of a lon/lat box (which may cross the antimeridian)."""
    west, south, east, north = bbox
    width = east - west if east >= west else east - west + 360.0
    centre = west + width / 2.0
    outside = np.abs((lon - centre + 180.0) % 360.0 - 180.0) - width / 2.0
    lon_margin = _BBOX_MARGIN_DEG / np.maximum(np.cos(np.deg2rad(lat)), 1e-3)
    near_lat = (lat >= south - _BBOX_MARGIN_DEG) & (lat <= north + _BBOX_MARGIN_DEG)
    return np.asarray(near_lat & (outside <= lon_margin), dtype=bool)


def _ring(lon: FloatArray, lat: FloatArray) -> list[list[float]]:
    return [[round(float(x), 4), round(float(y), 4)] for x, y in zip(lon, lat, strict=True)]


def _browse(path: str, name: GranuleName) -> list[dict[str, str]]:
    folder = path.rsplit("/", 1)[0]
    return [{"type": kind, "fileName": f"{BROWSE_URL}{folder}/{name.granule_id}_{suffix}.png"}
            for kind, suffix in (("QUICKLOOK", "QL"), ("THUMBNAIL", "TN"))]


def _stamp(t: np.datetime64) -> str:
    return str(np.datetime_as_string(t, unit="ms")) + "Z"


def _one(params: dict[str, list[str]], key: str) -> str:
    values = params.get(key)
    if not values:
        raise BadRequest(key, "is required")
    if len(values) > 1:
        raise BadRequest(key, "given more than once")
    return values[0]


def _time(params: dict[str, list[str]], key: str) -> np.datetime64:
    text = _one(params, key)
    try:
        if not text[:4].isdigit():  # numpy would also take "now" and "today"
            raise ValueError(text)
        return to_datetime64(text)
    except ValueError:
        raise BadRequest(key, f"{text!r} is not an ISO 8601 time") from None


def _int(params: dict[str, list[str]], key: str, default: int, low: int, high: int | None) -> int:
    if key not in params:
        return default
    text = _one(params, key)
    try:
        value = int(text)
    except ValueError:
        raise BadRequest(key, f"{text!r} is not an integer") from None
    if value < low or (high is not None and value > high):
        raise BadRequest(key, f"must be between {low} and {high or 'any'}, got {value}")
    return value


def _bbox(text: str) -> tuple[float, float, float, float]:
    try:
        west, south, east, north = (float(v) for v in text.split(","))
    except ValueError:
        raise BadRequest("bbox", f"{text!r} is not 'west,south,east,north' in degrees") from None
    if not (-180.0 <= west <= 180.0 and -180.0 <= east <= 180.0):
        raise BadRequest("bbox", "longitudes must be between -180 and 180")
    if not -90.0 <= south <= north <= 90.0:
        raise BadRequest("bbox", "latitudes must satisfy -90 <= south <= north <= 90")
    return west, south, east, north


class CatalogServer(SimServer):
    """The server answering the CSW catalogue on ``CSW_PATH`` (HTTPS by default).

    Args:
        catalog: The records to serve.
        plan: Faults to inject (503/429 with ``Retry-After``, slow answers).
        tls: Serve HTTPS with a CA made at start-up (``ca_file``); plain HTTP if False.
        link: How far away it is (latency, bandwidth); loopback by default.
    """

    def __init__(self, catalog: GranuleCatalog, plan: FaultPlan, *, tls: bool = True,
                 link: Link = LOOPBACK) -> None:
        super().__init__(_Handler, plan=plan, tls=tls, bandwidth=link.bandwidth,
                         latency=link.latency, name="sim-gportal-csw")
        self.catalog = catalog

    @property
    def catalog_url(self) -> str:
        """``https://127.0.0.1:PORT/csw/csw``."""
        return self.base_url.rstrip("/") + CSW_PATH

    @property
    def requests_served(self) -> int:
        """Requests answered so far, faults included."""
        return self.counts.get("requests")


class _Handler(SimHandler):
    server: CatalogServer

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if not self.begin("&".join(sorted(url.query.split("&")))):
            return
        if url.path != CSW_PATH:
            self._send(HTTPStatus.NOT_FOUND, {"message": f"no such path {url.path!r}"})
            return
        try:
            query = parse_query(parse_qs(url.query, keep_blank_values=True))
        except BadRequest as exc:
            self._send(HTTPStatus.BAD_REQUEST, {"code": "InvalidParameterValue",
                                                "locator": exc.locator, "message": str(exc)})
            return
        self._send(HTTPStatus.OK, self.server.catalog.answer(query))

    def send_error_page(self, status: HTTPStatus, message: str,
                        headers: dict[str, str] | None = None) -> None:
        self._send(status, {"message": f"{status.phrase}: {message}"}, headers)

    def _send(self, status: HTTPStatus, body: dict[str, Any],
              headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body, separators=(",", ":")).encode()
        self.send_bytes(status, data, "application/json; charset=utf-8", headers)
