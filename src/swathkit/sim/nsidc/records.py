"""SMAP granules as CMR records: the search and the UMM-G items of the simulated CMR.

An item is what NSIDC (or, for the radar, ASF) publishes: ``GranuleUR``
``SC:<short>.<version>:<id>``, the file name as ``ProducerGranuleId``, ``TemporalExtent``,
a ``BoundingRectangles`` footprint, ``RelatedUrls`` (GET DATA → the file on its provider's
datapool, the ``.iso.xml`` and ``.qa`` sidecars as metadata links), and ``DataGranule.
ArchiveAndDistributionInformation`` with ``SizeInBytes`` and the MD5 ``Checksum``.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import shapely
from shapely.geometry import box

from swathkit.errors import FileNameError
from swathkit.products.smap.names import parse_smap_name
from swathkit.products.smap.table import smap_product, smap_product_of_level
from swathkit.sim.cmr.query import GranuleQuery, query_shape, temporal_range
from swathkit.sim.cmr.server import I64
from swathkit.sim.nsidc.files import SmapFiles
from swathkit.sim.nsidc.granules import (
    COLLECTIONS,
    SmapGranule,
    granule_of_row,
    granules_of_slot,
    slots_between,
)

__all__ = ["NsidcRecords", "umm_item"]

_NAME_KEYS = ("granule_ur", "producer_granule_id", "readable_granule_name")


def _time(value: datetime) -> str:
    return f"{value:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "Z"


_INSTRUMENTS = {"NSIDC_ECS": "SMAP L-BAND RADIOMETER", "ASF": "SMAP L-BAND RADAR"}
_CONCEPT_BASE = {"NSIDC_ECS": 3_000_000_000, "ASF": 4_000_000_000}


def umm_item(g: SmapGranule, size: int, md5: str, *, datapool_url: str) -> dict[str, Any]:
    """The CMR entry of granule ``g`` (its file of ``size`` bytes and MD5 ``md5``, on the
    datapool at ``datapool_url``)."""
    url = f"{datapool_url.rstrip('/')}/{g.path}"
    west, south, east, north = g.bounds
    short, name = g.product.short_name, g.name.file_name
    umm = {
        "GranuleUR": f"SC:{short}.{g.version}:{g.row}",
        "CollectionReference": {"ShortName": short, "Version": g.version},
        "TemporalExtent": {"RangeDateTime": {"BeginningDateTime": _time(g.start),
                                             "EndingDateTime": _time(g.end)}},
        "SpatialExtent": {"HorizontalSpatialDomain": {"Geometry": {"BoundingRectangles": [
            {"WestBoundingCoordinate": west, "SouthBoundingCoordinate": south,
             "EastBoundingCoordinate": east, "NorthBoundingCoordinate": north}]}}},
        "RelatedUrls": [{"URL": url, "Type": "GET DATA"},
                        {"URL": f"{url}.iso.xml", "Type": "EXTENDED METADATA"},
                        {"URL": url.removesuffix(".h5") + ".qa",
                         "Type": "VIEW RELATED INFORMATION"}],
        "DataGranule": {
            "Identifiers": [{"Identifier": name, "IdentifierType": "ProducerGranuleId"}],
            "DayNightFlag": "Unspecified",
            "ArchiveAndDistributionInformation": [
                {"Name": name, "SizeInBytes": size, "Size": round(size / 2**20, 6),
                 "SizeUnit": "MB", "Format": "HDF5",
                 "Checksum": {"Value": md5, "Algorithm": "MD5"}}]},
        "Platforms": [{"ShortName": "SMAP",
                       "Instruments": [{"ShortName": _INSTRUMENTS[g.provider]}]}],
    }
    meta = {"concept-type": "granule",
            "concept-id": f"G{_CONCEPT_BASE[g.provider] + g.row}-{g.provider}",
            "revision-id": 1, "native-id": umm["GranuleUR"], "provider-id": g.provider,
            "format": "application/echo10+xml"}
    return {"meta": meta, "umm": umm}


@dataclass(frozen=True)
class NsidcRecords:
    """The SMAP collections of NSIDC and ASF (:class:`~swathkit.sim.cmr.server.CmrRecords`).

    Attributes:
        files: The granules' files.
        datapool_urls: CMR provider → the root of its datapool.
    """

    files: SmapFiles
    datapool_urls: dict[str, str]

    def search(self, query: GranuleQuery) -> tuple[I64, list[I64]]:
        found = [g for short in self._collections(query) for g in self._matching(short, query)]
        found = self._named(found, query)
        starts = np.array([int(g.start.timestamp() * 1000) for g in found], np.int64)
        ends = np.array([int(g.end.timestamp() * 1000) for g in found], np.int64)
        rows = np.array([g.row for g in found], np.int64)
        columns = {"start_date": starts, "end_date": ends} | dict.fromkeys(_NAME_KEYS, rows)
        keys = query.get("sort_key") or ["start_date"]
        cols = [-columns[k[1:]] if k.startswith("-") else columns[k.lstrip("+")] for k in keys]
        cols.append(rows)
        order = np.lexsort(cols[::-1])
        return rows[order], [c[order] for c in cols]

    def item(self, row: int) -> dict[str, Any]:
        g = granule_of_row(row)
        digest = self.files.digest(g)
        return umm_item(g, digest.size, digest.md5,
                        datapool_url=self.datapool_urls[g.provider])

    def granule_at(self, path: str, provider: str) -> SmapGranule | None:
        """The granule of ``provider`` whose file the datapool path ``path`` names (None if
        none)."""
        path = path.strip("/")
        try:
            name = parse_smap_name(path.rpartition("/")[2])
        except FileNameError:
            return None
        product = smap_product_of_level(name.level)
        if product is None or COLLECTIONS.get(product.short_name, ("", ""))[1] != provider:
            return None
        when = (datetime.combine(name.day, datetime.min.time(), UTC) if name.day is not None
                else (name.start or datetime.min).replace(tzinfo=UTC))
        ms = int(when.timestamp() * 1000)  # a name's start is cut to the second
        for slot in slots_between(product, ms, ms + 999):
            for g in granules_of_slot(product.short_name, slot):
                if g.path == path:
                    return g
        return None

    def _collections(self, query: GranuleQuery) -> list[str]:
        names, versions = query.get("short_name"), query.get("version")
        out = []
        for short, (version, provider) in COLLECTIONS.items():
            if query.provider not in (None, provider) or (names and short not in names):
                continue
            if versions and not {v.lstrip("0") for v in versions} & {version.lstrip("0")}:
                continue
            out.append(short)
        if query.get("collection"):
            return []  # the simulated NSIDC names its collections by short name only
        return out

    def _matching(self, short: str, query: GranuleQuery) -> list[SmapGranule]:
        product = smap_product(short)
        shape = query_shape(query)
        ranges = [temporal_range(t) for t in query.get("temporal")] or [(None, None)]
        out: dict[int, SmapGranule] = {}
        for lo, hi in ranges:
            for slot in slots_between(product, lo, hi):
                for g in granules_of_slot(short, slot):
                    if _meets(g, lo, hi) and (shape is None or shapely.intersects(
                            shape, box(*g.bounds))):
                        out[g.row] = g
        return list(out.values())

    def _named(self, found: list[SmapGranule], query: GranuleQuery) -> list[SmapGranule]:
        names = query.get("granule")
        if not names:
            return found
        pattern = query.option("readable_granule_name", "pattern")

        def wanted(g: SmapGranule) -> bool:
            ids = (g.name.file_name, g.name.granule_id, f"SC:{g.product.short_name}."
                   f"{g.version}:{g.row}")
            if pattern:
                return any(fnmatch.fnmatchcase(i, n) for i in ids for n in names)
            return any(i in names for i in ids)

        return [g for g in found if wanted(g)]


def _meets(g: SmapGranule, lo: int | None, hi: int | None) -> bool:
    start, end = g.start.timestamp() * 1000, g.end.timestamp() * 1000
    return (lo is None or end >= lo) and (hi is None or start <= hi)
