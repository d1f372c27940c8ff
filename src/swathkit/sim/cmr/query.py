"""The simulated CMR's granule search: parameters (as CMR reads them) to catalogue rows.

:func:`parse` turns the repeated ``(key, value)`` pairs of a request (query
string and form body together) into a :class:`GranuleQuery`, raising
:class:`CmrError` (a 400 with CMR's message) on what CMR refuses; :func:`run`
applies it to a :class:`~swathkit.sim.cmr.alos.Catalogue` and sorts the rows.
Collections are named by ``shortName``/``short_name`` (asf_search 14) or by
``echo_collection_id[]``/``collection_concept_id[]`` (asf_search ≤ 12).
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from swathkit.sim.cmr.alos import Catalogue
from swathkit.sim.cmr.umm import COLLECTION_IDS, PROVIDER, SHORT_NAME

__all__ = ["MAX_PAGE_SIZE", "CmrError", "GranuleQuery", "parse", "query_shape", "run",
           "search_after_token", "temporal_range"]

I64 = npt.NDArray[np.int64]
MAX_PAGE_SIZE = 2000
DEFAULT_PAGE_SIZE = 10
_SORT_KEYS = ("start_date", "end_date", "granule_ur", "producer_granule_id",
              "readable_granule_name")
_IGNORED = {"provider", "include_facets", "echo_compatible", "pretty"}
_LISTS = {
    "short_name": ("shortName", "short_name", "short_name[]", "shortName[]"),
    "version": ("version", "version[]"),
    "collection": ("echo_collection_id[]", "echo_collection_id", "collection_concept_id[]",
                   "collection_concept_id", "concept_id[]"),
    "instrument": ("instrument[]", "instrument"),
    "platform": ("platform[]", "platform"),
    "attribute": ("attribute[]", "attribute"),
    "polygon": ("polygon", "polygon[]"),
    "bounding_box": ("bounding_box", "bounding_box[]"),
    "temporal": ("temporal", "temporal[]"),
    "granule": ("readable_granule_name[]", "readable_granule_name", "granule_ur[]", "granule_ur",
                "producer_granule_id[]"),
    "sort_key": ("sort_key[]", "sort_key"),
}
_KEY_OF = {name: key for key, names in _LISTS.items() for name in names}


class CmrError(Exception):
    """A request CMR refuses (400, with this message in ``{"errors": [...]}``)."""


@dataclass(frozen=True)
class GranuleQuery:
    """One parsed granule search."""

    values: dict[str, list[str]] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)
    page_size: int = DEFAULT_PAGE_SIZE
    page_num: int = 1
    provider: str | None = None

    def get(self, key: str) -> list[str]:
        return self.values.get(key, [])

    def option(self, name: str, flag: str) -> bool:
        return self.options.get(f"options[{name}][{flag}]", "").lower() == "true"


def parse(pairs: Sequence[tuple[str, str]]) -> GranuleQuery:
    """The search the pairs ask for.

    Raises:
        CmrError: an unknown parameter, a bad page size, polygon, box or time.
    """
    values: dict[str, list[str]] = {}
    options: dict[str, str] = {}
    page_size, page_num, provider = str(DEFAULT_PAGE_SIZE), "1", None
    for key, value in pairs:
        if key.startswith("options["):
            options[key] = value
        elif key == "page_size":
            page_size = value
        elif key == "page_num":
            page_num = value
        elif key == "provider":
            provider = value
        elif key in _KEY_OF:
            values.setdefault(_KEY_OF[key], []).append(value)
        elif key not in _IGNORED:
            raise CmrError(f"Parameter [{key}] was not recognized.")
    if not page_size.isdigit() or int(page_size) > MAX_PAGE_SIZE:
        raise CmrError(f"page_size must be a number between 0 and {MAX_PAGE_SIZE}")
    if not page_num.isdigit() or int(page_num) < 1:
        raise CmrError("page_num must be a number greater than or equal to 1")
    query = GranuleQuery(values, options, int(page_size), int(page_num), provider)
    _check(query)
    return query


def _check(query: GranuleQuery) -> None:
    """Refuse now what CMR refuses before searching (shapes, times, sort keys)."""
    for text in query.get("polygon"):
        _polygon(text)
    for text in query.get("bounding_box"):
        _box(text)
    for text in query.get("temporal"):
        temporal_range(text)
    for text in query.get("sort_key"):
        if text.lstrip("+-") not in _SORT_KEYS:
            raise CmrError(f"The sort key [{text.lstrip('+-')}] is not a valid sort key.")


def _numbers(text: str, what: str) -> list[float]:
    try:
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise CmrError(f"[{text}] is not a valid {what}: numbers separated by commas") from None


def _polygon(text: str) -> Polygon:
    numbers = _numbers(text, "polygon")
    if len(numbers) % 2 or len(numbers) < 8:
        raise CmrError(f"[{text}] is not a valid polygon: at least 4 lon,lat points, closed")
    points = list(zip(numbers[0::2], numbers[1::2], strict=True))
    if points[0] != points[-1]:
        raise CmrError("Spatial validation error: The polygon boundary is not closed: "
                       "the last point must equal the first")
    ring = Polygon(points)
    if not ring.is_valid:
        raise CmrError("Spatial validation error: The shape contained intersecting edges")
    if not ring.exterior.is_ccw:
        raise CmrError("Spatial validation error: The polygon boundary points are listed in "
                       "clockwise order instead of counter clockwise")
    return ring


def _box(text: str) -> Polygon:
    numbers = _numbers(text, "bounding box")
    if len(numbers) != 4 or not -90 <= numbers[1] <= numbers[3] <= 90:
        raise CmrError(f"[{text}] is not a valid bounding box: W,S,E,N with S <= N")
    west, south, east, north = numbers
    return box(west, south, east, north)


def _ms(text: str) -> int | None:
    if not text.strip():
        return None
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise CmrError(f"temporal datetime is invalid: [{text}]") from None
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when
    return int(when.timestamp() * 1000)


def temporal_range(text: str) -> tuple[int | None, int | None]:
    """``start,end[,…]`` as milliseconds since 1970 (None for an open end)."""
    parts = text.split(",")
    if len(parts) < 2:
        raise CmrError(f"temporal [{text}] must be start,end (either may be empty)")
    start, end = _ms(parts[0]), _ms(parts[1])
    if start is not None and end is not None and end < start:
        raise CmrError(f"temporal [{text}]: the end is before the start")
    return start, end


def _collection_matches(query: GranuleQuery) -> bool:
    names, ids = query.get("short_name"), query.get("collection")
    if query.provider not in (None, PROVIDER):
        return False
    if names and SHORT_NAME not in names:
        return False
    return not ids or bool(set(ids) & set(COLLECTION_IDS))


def query_shape(query: GranuleQuery) -> BaseGeometry | None:
    """The area the query's polygons and boxes name (their intersection, or union with
    ``options[spatial][or]``); None for no area."""
    shapes = [_polygon(t) for t in query.get("polygon")]
    shapes += [_box(t) for t in query.get("bounding_box")]
    if not shapes:
        return None
    if query.option("spatial", "or"):
        return shapely.union_all(shapes)
    result = shapes[0]
    for other in shapes[1:]:
        result = result.intersection(other)
    return result


def _attribute_mask(catalogue: Catalogue, rows: I64, text: str) -> npt.NDArray[np.bool_]:
    kind, _, rest = text.partition(",")
    name, _, value = rest.partition(",")
    if not value:
        raise CmrError(f"attribute [{text}] must be type,name,value")
    if name == "BEAM_MODE" or name == "BEAM_MODE_TYPE":
        return np.full(len(rows), value == "FBD")
    if name == "POLARIZATION":
        return np.full(len(rows), value == "HH+HV")
    if name == "PROCESSING_TYPE":
        return np.full(len(rows), value == "RTC_HI_RES")
    if name == "ASCENDING_DESCENDING":
        return np.asarray(catalogue.direction[rows] == value.upper()[:1])
    numeric = {"PATH_NUMBER": catalogue.path, "FRAME_NUMBER": catalogue.frame}
    if name in numeric and kind in ("int", "float"):
        low, sep, high = value.partition(",")
        column = numeric[name][rows]
        try:
            lo = float(low) if low else -np.inf
            hi = float(high) if high else (np.inf if sep else lo)
        except ValueError:
            raise CmrError(f"attribute [{text}]: {kind} values must be numbers") from None
        return np.asarray((column >= lo) & (column <= hi))
    return np.zeros(len(rows), dtype=bool)  # granules without that attribute never match


def _filtered(catalogue: Catalogue, query: GranuleQuery) -> I64:
    shape = query_shape(query)
    if shape is not None and shape.is_empty:
        return np.empty(0, np.int64)
    ranges = [temporal_range(t) for t in query.get("temporal")] or [(None, None)]
    bbox = shape.bounds if shape is not None else None
    parts = [catalogue.select(start, end, bbox) for start, end in ranges]
    if query.option("temporal", "and") and len(parts) > 1:
        rows = parts[0]
        for other in parts[1:]:
            rows = np.intersect1d(rows, other)
    else:
        rows = np.unique(np.concatenate(parts))
    if shape is not None and len(rows):
        rows = rows[shapely.intersects(shape, catalogue.footprints[rows])]
    for text in query.get("attribute"):
        rows = rows[_attribute_mask(catalogue, rows, text)]
    if query.get("instrument") and "PALSAR" not in {v.upper() for v in query.get("instrument")}:
        return np.empty(0, np.int64)
    if query.get("platform") and "ALOS" not in {v.upper() for v in query.get("platform")}:
        return np.empty(0, np.int64)
    names = query.get("granule")
    if names:
        rows = rows[_name_mask(catalogue, rows, names, query)]
    return rows


def _name_mask(catalogue: Catalogue, rows: I64, names: list[str],
               query: GranuleQuery) -> npt.NDArray[np.bool_]:
    ids = [f"ALPSRP{o:05d}{f:04d}" for o, f in zip(catalogue.orbit[rows], catalogue.frame[rows],
                                                   strict=True)]
    pattern = query.option("readable_granule_name", "pattern")
    wanted = {n.removesuffix("-RTC_HI_RES") for n in names}
    if pattern:
        return np.array([any(fnmatch.fnmatchcase(i, w) for w in wanted) for i in ids], bool)
    return np.array([i in wanted for i in ids], dtype=bool)


def _sort_columns(catalogue: Catalogue, rows: I64, keys: list[str]) -> list[I64]:
    """Columns to sort by, most significant first, each ascending (negated for ``-``)."""
    name_key = catalogue.orbit[rows] * 10_000 + catalogue.frame[rows]
    columns = {"start_date": catalogue.start_ms[rows], "end_date": catalogue.end_ms[rows],
               "granule_ur": name_key, "producer_granule_id": name_key,
               "readable_granule_name": name_key}
    out = [-columns[k[1:]] if k.startswith("-") else columns[k.lstrip("+")] for k in keys]
    return [*out, name_key]


def run(catalogue: Catalogue, query: GranuleQuery) -> tuple[I64, list[I64]]:
    """The matching rows in the requested order, and their sort columns (same order)."""
    if not _collection_matches(query):
        return np.empty(0, np.int64), []
    rows = _filtered(catalogue, query)
    keys = query.get("sort_key") or ["start_date"]
    columns = _sort_columns(catalogue, rows, keys)
    order = np.lexsort(columns[::-1])
    return rows[order], [c[order] for c in columns]


def search_after_token(columns: list[I64], position: int) -> str:
    """The ``CMR-Search-After`` value naming the item at ``position`` (JSON list)."""
    return json.dumps([int(c[position]) for c in columns])


def search_after_position(columns: list[I64], token: str) -> int:
    """The position just after the item a ``CMR-Search-After`` value names.

    Raises:
        CmrError: the value is not one this search produced.
    """
    try:
        values = [int(v) for v in json.loads(token)]
    except (ValueError, TypeError):
        raise CmrError(f"Invalid CMR-Search-After header value [{token}]") from None
    if len(values) != len(columns) or not columns:
        raise CmrError(f"Invalid CMR-Search-After header value [{token}]")
    matches = np.flatnonzero(columns[-1] == values[-1])
    if not len(matches):
        raise CmrError(f"Invalid CMR-Search-After header value [{token}]")
    return int(matches[0]) + 1
