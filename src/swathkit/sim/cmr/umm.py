"""UMM-G granule records of the simulated CMR, as ASF publishes ALOS RTC scenes.

:func:`umm_item` gives one ``{"meta": …, "umm": …}`` entry of a
``granules.umm_json`` answer: GranuleUR, TemporalExtent, a closed GPolygon,
RelatedUrls (GET DATA → the datapool), DataGranule (size in MiB labelled "MB",
no checksum), AdditionalAttributes (MD5SUM and BYTES as strings, among others)
and Platforms.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from swathkit.sim.cmr.alos import OFF_NADIR_DEG, Scene
from swathkit.sim.cmr.rtc_zip import Digest

__all__ = ["COLLECTION_IDS", "SHORT_NAME", "concept_id", "umm_item"]

SHORT_NAME = "ALOS_PSR_RTC_HIGH"
COLLECTION_IDS = ("C1206487504-ASF", "C1207181535-ASF")
"""Concept ids of the RTC high-resolution collection (asf_search ≤ 12 sends both)."""
PROVIDER = "ASF"
PRODUCED_AFTER = timedelta(days=2900)  # ASF made the RTC products in 2014–2015


def concept_id(scene: Scene) -> str:
    """``G<number>-ASF``: unique per scene (orbit and frame)."""
    return f"G{1_200_000_000 + scene.name.orbit * 10_000 + scene.name.frame}-{PROVIDER}"


def _time(value: datetime) -> str:
    return f"{value:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "Z"


def _attributes(scene: Scene, digest: Digest) -> list[dict[str, Any]]:
    lon, lat = scene.center
    values = {
        "PROCESSING_TYPE": "RTC_HI_RES", "BEAM_MODE": "FBD", "BEAM_MODE_TYPE": "FBD",
        "POLARIZATION": "HH+HV",
        "ASCENDING_DESCENDING": "ASCENDING" if scene.direction == "A" else "DESCENDING",
        "PATH_NUMBER": str(scene.path), "FRAME_NUMBER": str(scene.name.frame),
        "CENTER_ESA_FRAME": str(scene.name.frame), "GROUP_ID": scene.name.scene,
        "MD5SUM": digest.md5, "BYTES": f"{float(digest.size):.1f}",
        "CENTER_LAT": f"{lat:.4f}", "CENTER_LON": f"{lon:.4f}",
        "OFF_NADIR_ANGLE": f"{OFF_NADIR_DEG:.1f}", "LOOK_DIRECTION": "R",
        "ASF_PLATFORM": "ALOS", "GRANULE_TYPE": "SAR_FRAME",
    }
    return [{"Name": name, "Values": [value]} for name, value in values.items()]


def umm_item(scene: Scene, digest: Digest, *, datapool_url: str) -> dict[str, Any]:
    """The CMR entry of ``scene``, whose zip (``digest``) is at ``datapool_url``/RTC_HI_RES/A3/."""
    name = scene.name
    url = f"{datapool_url.rstrip('/')}/RTC_HI_RES/A3/{name.zip_name}"
    browse = url.removesuffix(".zip")
    points = [{"Longitude": round(lon, 6), "Latitude": round(lat, 6)} for lon, lat in scene.ring]
    produced = _time(scene.start + PRODUCED_AFTER)
    umm = {
        "GranuleUR": name.granule_ur,
        "CollectionReference": {"ShortName": SHORT_NAME, "Version": "1"},
        "TemporalExtent": {"RangeDateTime": {"BeginningDateTime": _time(scene.start),
                                             "EndingDateTime": _time(scene.end)}},
        "SpatialExtent": {"HorizontalSpatialDomain": {"Geometry": {"GPolygons": [
            {"Boundary": {"Points": points}}]}}},
        "OrbitCalculatedSpatialDomains": [{"OrbitNumber": name.orbit}],
        "RelatedUrls": [{"URL": url, "Type": "GET DATA"},
                        {"URL": f"{browse}.jpg", "Type": "GET RELATED VISUALIZATION"},
                        {"URL": f"{browse}.kmz", "Type": "GET RELATED VISUALIZATION"}],
        "DataGranule": {
            "Identifiers": [{"Identifier": name.scene, "IdentifierType": "ProducerGranuleId"}],
            "ProductionDateTime": produced, "DayNightFlag": "Unspecified",
            "ArchiveAndDistributionInformation": [
                {"Name": name.zip_name, "Size": round(digest.size / 2**20, 6), "SizeUnit": "MB"}],
        },
        "AdditionalAttributes": _attributes(scene, digest),
        "Platforms": [{"ShortName": "ALOS", "Instruments": [{"ShortName": "PALSAR"}]}],
    }
    meta = {"concept-type": "granule", "concept-id": concept_id(scene), "revision-id": 1,
            "native-id": name.granule_ur, "provider-id": PROVIDER,
            "format": "application/echo10+xml",
            "revision-date": produced, "collection-concept-id": COLLECTION_IDS[0]}
    return {"meta": meta, "umm": umm}
