"""NASA CMR granule search (ASF, NSIDC) as a :class:`~swathkit.archives.base.Catalog`.

``POST /search/granules.umm_json`` with a form (keys repeated), paged with the
``CMR-Search-After`` header, counted with ``page_size=0``. An area of several
parts (CONUS, Alaska, Hawaii) is searched part by part, each as its own
counter-clockwise polygon (asf_search would send one convex hull across the
Pacific), and every record is kept only if its footprint meets the part's true
geometry; a scene found by two parts is given once. Records become
:class:`~swathkit.types.Granule` s: id = GranuleUR, size from ``BYTES``,
checksum ``md5:`` from ``MD5SUM`` (NSIDC: from ``ArchiveAndDistributionInformation``),
``remote_path`` relative to the product's datapool. :data:`PRODUCTS` names what can be
asked for: ``alos-rtc-fbd`` at ASF, and the SMAP short names (``SPL3SMP``, …) at NSIDC
(radiometer, L2–L4) or ASF (radar), each with its provider and collection version.

::

    catalog = CmrCatalog(aoi=usa_parts)         # the real CMR by default
    catalog.matched(Query("alos-rtc-fbd", "2008-06-01", "2008-07-01"))
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry import Polygon, box, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

from swathkit.archives.http import HttpClient
from swathkit.config import settings
from swathkit.errors import InputError, TransientFetchError
from swathkit.transfer.retry import RetryPolicy
from swathkit.types import Granule, Query, utc

__all__ = ["ALOS_RTC_FBD", "PRODUCTS", "CmrCatalog", "CmrProduct", "cmr_product", "granule_of"]

log = logging.getLogger(__name__)

GRANULES_PATH = "/search/granules.umm_json"
MAX_PAGE = 2000
_MAX_POINTS = 500  # CMR rejects very long polygons; parts are simplified below this


@dataclass(frozen=True)
class CmrProduct:
    """What a product name means in CMR: collection, provider, attribute filters, datapool.

    Attributes:
        short_name: The collection's short name.
        attributes: ``attribute[]`` filters (``type,NAME,value``).
        instrument: An ``instrument[]`` filter, or None.
        provider: The CMR provider holding the collection (``ASF``, ``NSIDC_ECS``).
        version: The collection version (``"009"``), or None for any.
        datapool: The settings endpoint its GET DATA URLs start with (``remote_path`` is
            relative to it).
    """

    short_name: str
    attributes: tuple[str, ...] = ()
    instrument: str | None = None
    provider: str = "ASF"
    version: str | None = None
    datapool: str = "asf_datapool"


ALOS_RTC_FBD = CmrProduct("ALOS_PSR_RTC_HIGH",
                          ("string,BEAM_MODE,FBD", "string,POLARIZATION,HH+HV"), "PALSAR")


def _nsidc(short_name: str, version: str) -> CmrProduct:
    return CmrProduct(short_name, provider="NSIDC_ECS", version=version,
                      datapool="nsidc_datapool")


PRODUCTS: dict[str, CmrProduct] = {
    "alos-rtc-fbd": ALOS_RTC_FBD,
    "SPL3SMP": _nsidc("SPL3SMP", "009"),
    "SPL3SMP_E": _nsidc("SPL3SMP_E", "006"),
    "SPL2SMP": _nsidc("SPL2SMP", "009"),
    "SPL2SMP_E": _nsidc("SPL2SMP_E", "006"),
    "SPL1CTB": _nsidc("SPL1CTB", "006"),
    "SPL1BTB": _nsidc("SPL1BTB", "006"),
    "SPL1CS0": CmrProduct("SPL1CS0", version="003"),
}
"""Product names → their CMR collection (SMAP products by their short name)."""


def cmr_product(name: str) -> CmrProduct:
    """The CMR collection of product ``name``.

    Raises:
        InputError: an unknown name; the message lists the known ones.
    """
    product = PRODUCTS.get(name)
    if product is None:
        raise InputError(f"unknown CMR product {name!r}; choose one of {', '.join(PRODUCTS)}")
    return product


def _attribute(umm: dict[str, Any], name: str) -> str | None:
    for entry in umm.get("AdditionalAttributes", []):
        if entry.get("Name") == name and entry.get("Values"):
            return str(entry["Values"][0])
    return None


def _footprint(umm: dict[str, Any]) -> dict[str, Any] | None:
    try:
        geometry = umm["SpatialExtent"]["HorizontalSpatialDomain"]["Geometry"]
    except (KeyError, TypeError):
        return None
    try:
        points = geometry["GPolygons"][0]["Boundary"]["Points"]
    except (KeyError, IndexError, TypeError):
        return _rectangle(geometry)
    ring = [[float(p["Longitude"]), float(p["Latitude"])] for p in points]
    return {"type": "Polygon", "coordinates": [ring]}


def _rectangle(geometry: dict[str, Any]) -> dict[str, Any] | None:
    """A ``BoundingRectangles`` footprint (NSIDC's global L3 records) as a polygon."""
    try:
        r = geometry["BoundingRectangles"][0]
        w, s, e, n = (float(r[k]) for k in ("WestBoundingCoordinate", "SouthBoundingCoordinate",
                                            "EastBoundingCoordinate", "NorthBoundingCoordinate"))
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def _distribution(umm: dict[str, Any], url: str) -> tuple[str | None, str | None]:
    """Size in bytes and MD5 of the file ``url`` names, from ``ArchiveAndDistributionInformation``
    (where NSIDC publishes them: ``SizeInBytes`` and ``Checksum {Value, Algorithm}``)."""
    name = url.rsplit("/", 1)[-1]
    for entry in umm.get("DataGranule", {}).get("ArchiveAndDistributionInformation", []):
        if entry.get("Name") != name:
            continue
        checksum = entry.get("Checksum") or {}
        md5 = checksum.get("Value") if str(checksum.get("Algorithm", "")).upper() == "MD5" \
            else None
        size = entry.get("SizeInBytes")
        return (None if size is None else str(size)), md5
    return None, None


def granule_of(item: dict[str, Any], *, product: str, datapool_url: str) -> Granule:
    """A :class:`~swathkit.types.Granule` from one ``granules.umm_json`` item.

    Raises:
        TransientFetchError: the record lacks its times or download URL (a broken answer).
    """
    umm = item.get("umm", {})
    try:
        times = umm["TemporalExtent"]["RangeDateTime"]
        start, end = utc(times["BeginningDateTime"]), utc(times["EndingDateTime"])
        url = next(u["URL"] for u in umm["RelatedUrls"] if u.get("Type") == "GET DATA")
    except (KeyError, StopIteration, TypeError, InputError) as exc:
        raise TransientFetchError(f"CMR record {umm.get('GranuleUR')!r} lacks its times or "
                                  f"GET DATA URL ({exc!r})") from exc
    base = datapool_url.rstrip("/") + "/"
    remote = url[len(base):] if url.startswith(base) else url
    size, md5 = _attribute(umm, "BYTES"), _attribute(umm, "MD5SUM")
    if size is None or md5 is None:  # NSIDC: in the distribution information instead
        published_size, published_md5 = _distribution(umm, url)
        size, md5 = size or published_size, md5 or published_md5
    return Granule(
        id=str(umm["GranuleUR"]), product=product, start=start, end=end, remote_path=remote,
        size=int(float(size)) if size else None, checksum=f"md5:{md5}" if md5 else None,
        footprint=_footprint(umm),
        properties={"url": url, "concept_id": item.get("meta", {}).get("concept-id"),
                    "orbit_direction": (_attribute(umm, "ASCENDING_DESCENDING") or "?")[0],
                    "path": _attribute(umm, "PATH_NUMBER"),
                    "frame": _attribute(umm, "FRAME_NUMBER")})


def _parts(aoi: BaseGeometry | Sequence[BaseGeometry] | None) -> list[Polygon]:
    if aoi is None:
        return []
    geoms = list(aoi) if isinstance(aoi, Sequence) else [aoi]
    parts: list[Polygon] = []
    for geom in geoms:
        parts += list(getattr(geom, "geoms", [geom]))
    out = []
    for part in parts:
        if not isinstance(part, Polygon) or part.is_empty:
            raise InputError(f"AOI part {part.geom_type} is not a polygon: give polygons")
        if len(part.exterior.coords) > _MAX_POINTS:
            part = part.simplify(0.01, preserve_topology=True)
        out.append(orient(Polygon(part.exterior), sign=1.0))  # CMR wants counter-clockwise
    return out


@dataclass
class CmrCatalog:
    """CMR's granules of a product, over an optional multi-part area.

    Args:
        url: The CMR root (default ``settings().endpoint("cmr")``).
        datapool_url: Root that ``remote_path`` is relative to (default: the product's
            datapool endpoint, e.g. the ASF datapool).
        aoi: Polygons (or a MultiPolygon) searched part by part; None: the query's bbox.
        page_size: Items per page (≤ 2000).
        retry: Retry policy of each page request.
        ca_bundle: PEM file of the CAs to trust.
        timeout: Seconds to wait for a connection or the next bytes.
    """

    url: str | None = None
    datapool_url: str | None = None
    aoi: BaseGeometry | Sequence[BaseGeometry] | None = None
    page_size: int = MAX_PAGE
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    ca_bundle: str | os.PathLike[str] | None = None
    timeout: float | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.page_size <= MAX_PAGE:
            raise InputError(f"page_size {self.page_size} must be 1–{MAX_PAGE}")
        self._parts = _parts(self.aoi)
        self._client = HttpClient(ca_bundle=self.ca_bundle, timeout=self.timeout)

    @property
    def endpoint(self) -> str:
        return (self.url or settings().endpoint("cmr")).rstrip("/") + GRANULES_PATH

    def close(self) -> None:
        self._client.close()

    def matched(self, query: Query) -> int:
        """Hits CMR counts, summed over the parts (before the true-geometry filter)."""
        return sum(self._page(form, 0, None)[0] for _, form in self._forms(query))

    def pages(self, query: Query) -> Iterator[list[Granule]]:
        """Pages of granules, part after part; each kept granule meets its part's geometry."""
        seen: set[str] = set()
        for part, form in self._forms(query):
            after: str | None = None
            while True:
                _, items, after = self._page(form, self.page_size, after)
                page = [g for g in (self._granule(query, i) for i in items)
                        if g.id not in seen and _meets(g, part)]
                seen.update(g.id for g in page)
                yield page
                if not items or after is None or len(items) < self.page_size:
                    break

    def search(self, query: Query) -> Iterator[Granule]:
        for page in self.pages(query):
            yield from page

    def _granule(self, query: Query, item: dict[str, Any]) -> Granule:
        pool = self.datapool_url or settings().endpoint(cmr_product(query.product).datapool)
        return granule_of(item, product=query.product, datapool_url=pool)

    def _forms(self, query: Query) -> Iterator[tuple[BaseGeometry | None, list[tuple[str, str]]]]:
        product = cmr_product(query.product)
        form = [("shortName", product.short_name), ("provider", product.provider)]
        if product.version:
            form.append(("version", product.version))
        form += [("attribute[]", a) for a in product.attributes]
        if product.instrument:
            form.append(("instrument[]", product.instrument))
        end = query.end.strftime("%Y-%m-%dT%H:%M:%SZ")
        form += [("temporal", f"{query.start:%Y-%m-%dT%H:%M:%SZ},{end},"),
                 ("sort_key[]", "start_date"), ("sort_key[]", "granule_ur")]
        if query.bbox is not None and not self._parts:
            yield box(*query.bbox), [*form, ("bounding_box", ",".join(map(str, query.bbox)))]
            return
        if not self._parts:
            yield None, form
        for part in self._parts:
            clipped = part if query.bbox is None else part.intersection(box(*query.bbox))
            if clipped.is_empty:
                continue
            ring = ",".join(f"{x:.6f},{y:.6f}" for x, y in part.exterior.coords)
            yield clipped, [*form, ("polygon", ring)]

    def _page(self, form: list[tuple[str, str]], size: int,
              after: str | None) -> tuple[int, list[dict[str, Any]], str | None]:
        headers = {"CMR-Search-After": after} if after else None
        data = [*form, ("page_size", str(size))]

        def ask() -> Any:
            answer = self._client.request("POST", self.endpoint, data=data, headers=headers)
            try:
                return answer.json(), answer.headers.get("CMR-Search-After")
            except json.JSONDecodeError as exc:
                raise TransientFetchError(f"{self.endpoint}: answer is not JSON ({exc})") from exc

        body, token = self.retry.call(ask)
        return int(body.get("hits", 0)), list(body.get("items", [])), token


def _meets(granule: Granule, part: BaseGeometry | None) -> bool:
    if part is None or granule.footprint is None:
        return True
    return bool(shapely.intersects(part, shape(granule.footprint)))
