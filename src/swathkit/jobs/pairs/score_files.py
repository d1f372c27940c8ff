"""Score a SAR footprint against local (or opener-served) DSWE tiles of one date.

The glue of ``swathkit pairs score-files``: parse the footprint the user gave (WKT,
GeoJSON, or a file holding either), read the window of each tile under the footprint's
box, merge them and score the footprint on the merged classes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.errors import GEOSException
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from swathkit.errors import InputError
from swathkit.process.overlap import OverlapScore, ScoreRules, footprint_in, read_bounds, score
from swathkit.products.dswe.window import Source, read_merged
from swathkit.types import Progress

__all__ = ["FileScore", "parse_footprint", "score_files"]

_MAX_TEXT = 10_000_000  # a footprint file larger than this is not a footprint


@dataclass(frozen=True)
class FileScore:
    """The score and what it took: pixels of the merged box, bytes read of the files."""

    score: OverlapScore
    tiles: tuple[str, ...]
    shape: tuple[int, int]
    bytes_read: int | None
    file_bytes: int | None

    def to_dict(self) -> dict[str, Any]:
        return {**self.score.to_dict(), "tiles": list(self.tiles), "shape": list(self.shape),
                "bytes_read": self.bytes_read, "file_bytes": self.file_bytes}


def score_files(paths: Sequence[Source], footprint: BaseGeometry | str, *,
                rules: ScoreRules | None = None, opener: Any = None,
                progress: Progress | None = None) -> FileScore:
    """Score a lon/lat footprint on the DSWE tiles ``paths`` (all of one date and grid).

    Args:
        paths: INWAM GeoTIFFs (paths, URLs with ``opener``, or open rasterio datasets).
        footprint: A shapely geometry in lon/lat, or text for :func:`parse_footprint`.
        rules: Classes and thresholds (the seed's by default; ``within`` footprint).
        opener: Given to rasterio to open the paths (see ``products.dswe.window``).
        progress: ``progress(done, total, tile)`` after each tile is read.

    Raises:
        InputError: a bad footprint, a file that is not a DSWE tile, tiles of different
            grids, or a footprint that meets none of the tiles.
    """
    polygon = parse_footprint(footprint) if isinstance(footprint, str) else footprint
    _check_lonlat(polygon, "the footprint")
    within = (rules or ScoreRules()).within
    merged = read_merged(paths, lambda crs: read_bounds(polygon, crs), opener=opener,
                         progress=progress,  # by footprint: only its internal tiles are read
                         region=(lambda crs: footprint_in(polygon, crs))
                         if within == "footprint" else None)
    projected = footprint_in(polygon, merged.crs_wkt)
    if not any(projected.intersects(shapely.box(*e)) for e in merged.extents):
        raise InputError(f"the footprint (bounds {_rounded(polygon.bounds)}) meets none of "
                         f"the tiles {', '.join(merged.sources)}; give the tiles under it")
    result = score(merged.classes, merged.transform, merged.crs_wkt, polygon, rules=rules)
    return FileScore(result, merged.sources, (int(merged.classes.shape[0]),
                                              int(merged.classes.shape[1])),
                     merged.bytes_read, merged.file_bytes)


def parse_footprint(text: str) -> BaseGeometry:
    """A lon/lat polygon from WKT, GeoJSON (geometry, Feature or a one-feature
    FeatureCollection) or the name of a file holding either.

    Raises:
        InputError: unreadable file, text that is neither, or not a valid polygon.
    """
    source = "the footprint"
    path = Path(text)
    if len(text) < 4096 and "(" not in text and "{" not in text:
        if not path.is_file():
            raise InputError(f"{text}: no such file, and not WKT or GeoJSON; give a polygon "
                             "like 'POLYGON((-90 30, -89 30, -89 31, -90 31, -90 30))'")
        text, source = _read_text(path), str(path)
    geometry = _from_json(text, source) if text.lstrip().startswith("{") else _from_wkt(
        text, source)
    if geometry.geom_type not in ("Polygon", "MultiPolygon") or geometry.is_empty:
        raise InputError(f"{source}: a {geometry.geom_type}, not a polygon; give the scene's "
                         "footprint as a polygon")
    if not geometry.is_valid:
        raise InputError(f"{source}: not a valid polygon ({shapely.is_valid_reason(geometry)})"
                         "; close the ring and avoid self-intersections")
    _check_lonlat(geometry, source)
    return geometry


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > _MAX_TEXT:
            raise InputError(f"{path}: larger than 10 MB; not a footprint file")
        return path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the footprint ({exc})") from None


def _from_wkt(text: str, source: str) -> BaseGeometry:
    try:
        geometry: BaseGeometry = shapely.from_wkt(text.strip())
    except GEOSException as exc:
        raise InputError(f"{source}: not WKT ({str(exc).splitlines()[0]}); write it like "
                         "'POLYGON((-90 30, -89 30, -89 31, -90 31, -90 30))'") from None
    return geometry


def _from_json(text: str, source: str) -> BaseGeometry:
    try:
        doc = json.loads(text)
        if doc.get("type") == "FeatureCollection":
            if len(doc.get("features", [])) != 1:
                raise InputError(f"{source}: a FeatureCollection of "
                                 f"{len(doc.get('features', []))} features; give one footprint")
            doc = doc["features"][0]
        if doc.get("type") == "Feature":
            doc = doc["geometry"]
        geometry: BaseGeometry = shape(doc)
    except (json.JSONDecodeError, AttributeError, KeyError, TypeError, ValueError,
            GEOSException) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{source}: not a GeoJSON geometry ({exc}); give a Polygon, a "
                         "Feature or WKT") from None
    return geometry


def _check_lonlat(geometry: BaseGeometry, source: str) -> None:
    west, south, east, north = geometry.bounds
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise InputError(f"{source}: bounds {_rounded(geometry.bounds)} are not lon/lat "
                         "degrees; give the footprint in longitude, latitude (EPSG:4326)")


def _rounded(bounds: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(round(b, 3) for b in bounds)
