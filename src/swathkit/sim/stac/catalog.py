"""The simulated stac-server's search: STAC items of the DSWE holdings, filtered and paged.

What LandsatLook's stac-server answers (see docs/formats/pairs.md): ``collections``,
``ids``, ``intersects`` xor ``bbox`` (both: 400), ``datetime`` (``a/b``, ``..`` open),
``query`` (``eq neq lt lte gt gte in startsWith endsWith contains``; numbers sent as
strings compare numerically), ``limit`` (default 10, at most 10000), ``sortby``
(default datetime desc, id desc), ``fields``, and an opaque ``next`` token, with the
deep-paging cap of the Elasticsearch behind it: no result past the 10,000th.
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from swathkit.products.dswe.grid import REGIONS, ArdTile, tiles_covering
from swathkit.products.dswe.names import LAYERS, PLATFORMS, asset_href
from swathkit.sim.stac.landsat import Acquisition, acquisitions, land_tiles

__all__ = ["COLLECTION", "MAX_LIMIT", "RESULT_WINDOW", "SearchError", "collection", "search"]

COLLECTION = "landsat-c2l3-dswe"
DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000
RESULT_WINDOW = 10_000  # Elasticsearch's max_result_window
DEFAULT_SORT = (("properties.datetime", True), ("id", True))
EXTENT = (datetime(2006, 1, 1, tzinfo=UTC), datetime(2012, 1, 1, tzinfo=UTC))
_INSTRUMENTS = {"LANDSAT_5": ["TM"], "LANDSAT_7": ["ETM"]}
_COG = "image/vnd.stac.geotiff; cloud-optimized=true"
_EXTENSIONS = ["https://stac-extensions.github.io/eo/v1.0.0/schema.json",
               "https://stac-extensions.github.io/projection/v1.0.0/schema.json",
               "https://landsat.usgs.gov/stac/landsat-extension/v1.1.1/schema.json"]


class SearchError(Exception):
    """A search the server refuses (HTTP 400), with stac-server's description."""


@dataclass(frozen=True)
class Search:
    """A normalised search: hashable, so the sorted matches of one are kept for paging."""

    collections: tuple[str, ...] | None
    ids: tuple[str, ...] | None
    tiles: frozenset[ArdTile]
    start: datetime
    end: datetime  # inclusive
    query: tuple[tuple[str, str, str], ...]  # (property, op, JSON value)
    sortby: tuple[tuple[str, bool], ...]  # (field, descending)


def collection(base: str) -> dict[str, Any]:
    """The ``landsat-c2l3-dswe`` collection document."""
    return {"type": "Collection", "stac_version": "1.0.0", "id": COLLECTION,
            "title": "Landsat Collection 2 Level-3 Dynamic Surface Water Extent (DSWE) "
                     "Science Product (simulated)",
            "description": "Synthetic DSWE tiles of the U.S. ARD grids, Landsat 5 and 7, "
                           "2006-2011", "license": "PDDL-1.0",
            "extent": {"spatial": {"bbox": [[-180.0, 14.0, 180.0, 72.0]]},
                       "temporal": {"interval": [[f"{EXTENT[0]:%Y-%m-%dT%H:%M:%SZ}",
                                                  f"{EXTENT[1]:%Y-%m-%dT%H:%M:%SZ}"]]}},
            "links": [{"rel": "self", "href": f"{base}/collections/{COLLECTION}"},
                      {"rel": "items", "href": f"{base}/collections/{COLLECTION}/items"},
                      {"rel": "root", "href": f"{base}/"}]}


def parse(body: dict[str, Any]) -> tuple[Search, int, int]:
    """``(search, limit, offset)`` of a POST body (GET parameters are turned into one first).

    Raises:
        SearchError: what stac-server answers 400 to.
    """
    if body.get("bbox") is not None and body.get("intersects") is not None:
        raise SearchError("Expected bbox OR intersects, not both")
    limit = _int(body.get("limit", DEFAULT_LIMIT), "limit")
    if limit < 1:
        raise SearchError("Invalid limit value, must be a number between 1 and 10000")
    offset = _token(body["next"]) if body.get("next") else 0
    start, end = _interval(body.get("datetime"))
    return Search(_names(body.get("collections")), _names(body.get("ids")), _tiles(body),
                  start, end, _query(body.get("query") or {}),
                  _sortby(body.get("sortby"))), min(limit, MAX_LIMIT), offset


def search(body: dict[str, Any], base: str, assets_base: str) -> dict[str, Any]:
    """The FeatureCollection answering ``body`` (``base``: the stac-server's URL).

    Raises:
        SearchError: a malformed search, or a page past the 10,000th result.
    """
    query, limit, offset = parse(body)
    if offset + limit > RESULT_WINDOW:
        raise SearchError(f"Result window is too large, from + size must be less than or "
                          f"equal to: [{RESULT_WINDOW}] but was [{offset + limit}]; narrow the "
                          "search (datetime, intersects) instead of paging deeper")
    found = _matches(query)
    page = found[offset:offset + limit]
    fields = body.get("fields") or {}
    features = [_fields(item(a, base, assets_base), fields) for a in page]
    links: list[dict[str, Any]] = [{"rel": "root", "href": f"{base}/"}]
    if offset + limit < len(found):
        following = {k: v for k, v in body.items() if k != "next"}
        following["next"] = _make_token(offset + limit)
        links.append({"rel": "next", "method": "POST", "merge": False, "type":
                      "application/geo+json", "href": f"{base}/search", "body": following})
    return {"type": "FeatureCollection", "numberMatched": len(found),
            "numberReturned": len(features), "features": features, "links": links}


def item(acq: Acquisition, base: str, assets_base: str) -> dict[str, Any]:
    """The STAC item of one acquisition."""
    tid = acq.tile_id
    props = properties(acq)
    ring = acq.tile.footprint()["coordinates"][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    assets = {layer: {"href": asset_href(assets_base, tid, layer), "type": _COG,
                      "title": f"DSWE {layer.upper()}", "roles": ["data"]} for layer in LAYERS}
    return {"type": "Feature", "stac_version": "1.0.0", "stac_extensions": _EXTENSIONS,
            "id": tid.item_id, "collection": COLLECTION, "bbox": [min(lons), min(lats),
                                                                   max(lons), max(lats)],
            "geometry": acq.tile.footprint(),
            "properties": {**props, "proj:wkt2": acq.tile.grid.wkt2},
            "assets": assets,
            "links": [{"rel": "self", "href": f"{base}/collections/{COLLECTION}/items/"
                                             f"{tid.item_id}"},
                      {"rel": "collection", "href": f"{base}/collections/{COLLECTION}"},
                      {"rel": "root", "href": f"{base}/"}]}


def properties(acq: Acquisition) -> dict[str, Any]:
    """An item's properties (all but the long ``proj:wkt2``)."""
    tile = acq.tile
    x0, dx, _, y0, _, dy = tile.transform()
    return {"datetime": _iso(acq.datetime), "eo:cloud_cover": acq.cloud_cover,
            "platform": acq.platform.name, "instruments": _INSTRUMENTS[acq.platform.name],
            "landsat:grid_region": tile.region, "landsat:grid_horizontal": f"{tile.h:02d}",
            "landsat:grid_vertical": f"{tile.v:02d}", "landsat:correction": "L3",
            "created": f"{acq.tile_id.processed:%Y-%m-%d}T00:00:00.000Z",
            "proj:epsg": None, "proj:shape": [5000, 5000],
            "proj:transform": [dx, 0.0, x0, 0.0, dy, y0]}


@functools.lru_cache(maxsize=16)
def _matches(query: Search) -> list[Acquisition]:
    """The acquisitions matching ``query``, sorted (kept while a client pages through)."""
    if query.collections is not None and COLLECTION not in query.collections:
        return []
    found: list[Acquisition] = []
    for code in REGIONS:
        tiles = frozenset(t for t in query.tiles if t.region == code)
        if tiles:
            found += acquisitions(query.start, query.end + timedelta(microseconds=1),
                                  region=code, tiles=tiles)
    if query.ids is not None:
        wanted = set(query.ids)
        found = [a for a in found if a.tile_id.item_id in wanted]
    tests = [_test(*q) for q in query.query]
    if tests:
        found = [a for a in found if all(t(a) for t in tests)]
    if query.sortby == DEFAULT_SORT:  # datetime desc, id desc: one sort
        found.sort(key=_sort_key("datetime"), reverse=True)
        return found
    for field, descending in reversed(query.sortby):  # stable sorts, last key first
        found.sort(key=_sort_key(field), reverse=descending)
    return found


def _sort_key(field: str) -> Callable[[Acquisition], Any]:
    name = field.removeprefix("properties.")
    if name == "id":
        return lambda a: a.tile_id.item_id
    if name == "datetime":  # ties (never seen) broken as the ids would
        return lambda a: (a.datetime, PLATFORMS[a.platform.name], a.tile.region, a.tile.h,
                          a.tile.v)
    return lambda a: (_value(a, name) is not None, _value(a, name) or 0)


_CHEAP: dict[str, Callable[[Acquisition], Any]] = {
    "eo:cloud_cover": lambda a: a.cloud_cover, "platform": lambda a: a.platform.name,
    "landsat:grid_region": lambda a: a.tile.region,
    "landsat:grid_horizontal": lambda a: f"{a.tile.h:02d}",
    "landsat:grid_vertical": lambda a: f"{a.tile.v:02d}", "id": lambda a: a.tile_id.item_id}


def _value(acq: Acquisition, name: str) -> Any:
    """One property of an item (the common ones without building them all)."""
    cheap = _CHEAP.get(name)
    return cheap(acq) if cheap is not None else properties(acq).get(name)


def _test(name: str, op: str, raw: str) -> Callable[[Acquisition], bool]:
    wanted = json.loads(raw)

    def check(acq: Acquisition) -> bool:
        value = _value(acq, name)
        if value is None:
            return False
        if op in ("startsWith", "endsWith", "contains"):
            text = str(value)
            return bool({"startsWith": text.startswith, "endsWith": text.endswith,
                         "contains": text.__contains__}[op](str(wanted)))
        if op == "in":
            return any(_same(value, w) for w in wanted)
        left, right = _comparable(value, wanted)
        return bool({"eq": left == right, "neq": left != right, "lt": left < right,
                     "lte": left <= right, "gt": left > right, "gte": left >= right}[op])
    return check


def _comparable(value: Any, wanted: Any) -> tuple[Any, Any]:
    """Numbers sent as strings compare numerically (pystac-client sends ``"30"``)."""
    if isinstance(value, int | float) and isinstance(wanted, str):
        try:
            return value, float(wanted)
        except ValueError:
            return str(value), wanted
    if isinstance(value, str) and isinstance(wanted, int | float):
        return value, str(wanted)
    return value, wanted


def _same(value: Any, wanted: Any) -> bool:
    left, right = _comparable(value, wanted)
    return bool(left == right)


_OPS = ("eq", "neq", "lt", "lte", "gt", "gte", "in", "startsWith", "endsWith", "contains")


def _query(query: Any) -> tuple[tuple[str, str, str], ...]:
    if isinstance(query, str):
        query = _json(query, "query")
    if not isinstance(query, dict):
        raise SearchError("query must be an object of property: {operator: value}")
    out = []
    for name, ops in sorted(query.items()):
        if not isinstance(ops, dict):
            raise SearchError(f"query on {name} must be an object of operator: value")
        for op, value in sorted(ops.items()):
            if op not in _OPS:
                raise SearchError(f"unknown query operator {op!r}; use one of {', '.join(_OPS)}")
            out.append((name, op, json.dumps(value, sort_keys=True)))
    return tuple(out)


def _sortby(sortby: Any) -> tuple[tuple[str, bool], ...]:
    if not sortby:
        return DEFAULT_SORT
    if isinstance(sortby, str):
        sortby = [{"field": f.lstrip("+-"), "direction": "desc" if f.startswith("-") else "asc"}
                  for f in sortby.split(",") if f]
    try:
        return tuple((str(s["field"]), str(s.get("direction", "asc")).lower() == "desc")
                     for s in sortby)
    except (TypeError, KeyError):
        raise SearchError("sortby must be a list of {field, direction}") from None


def _tiles(body: dict[str, Any]) -> frozenset[ArdTile]:
    geometry = body.get("intersects")
    bbox = body.get("bbox")
    if isinstance(geometry, str):
        geometry = _json(geometry, "intersects")
    if bbox is not None:
        values = [float(v) for v in (bbox.split(",") if isinstance(bbox, str) else bbox)]
        if len(values) not in (4, 6):
            raise SearchError("bbox must have 4 or 6 numbers")
        w, s, e, n = values[:2] + values[-3:-1] if len(values) == 6 else values
        geometry = {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}
    every = [land_tiles(code) for code in REGIONS]
    if geometry is None:
        return frozenset().union(*every)
    try:
        hits = [t for code in REGIONS for t in tiles_covering(geometry, code)]
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        raise SearchError(f"intersects is not a valid GeoJSON geometry: {exc}") from None
    land = frozenset().union(*every)
    return frozenset(t for t in hits if t in land)


def _interval(text: Any) -> tuple[datetime, datetime]:
    if not text:
        return EXTENT[0], EXTENT[1] - timedelta(microseconds=1)
    parts = str(text).split("/")
    if len(parts) > 2:
        raise SearchError(f"datetime {text!r}: write an instant or start/end")
    if len(parts) == 1:
        moment = _time(parts[0])
        return moment, moment
    start = EXTENT[0] if parts[0] in ("", "..") else _time(parts[0])
    end = EXTENT[1] if parts[1] in ("", "..") else _time(parts[1])
    if end < start:
        raise SearchError(f"datetime {text!r}: the end is before the start")
    return start, end


def _time(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise SearchError(f"{text!r} is not an RFC 3339 datetime") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _names(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return tuple(v for v in value.split(",") if v)
    return tuple(str(v) for v in value)


def _fields(feature: dict[str, Any], fields: Any) -> dict[str, Any]:
    """The fields extension: ``include`` keeps only those (dotted) keys, ``exclude`` drops."""
    if isinstance(fields, str):
        items = [f for f in fields.split(",") if f]
        fields = {"include": [f.lstrip("+") for f in items if not f.startswith("-")],
                  "exclude": [f[1:] for f in items if f.startswith("-")]}
    include, exclude = fields.get("include") or [], fields.get("exclude") or []
    if include:
        kept: dict[str, Any] = {k: feature[k] for k in ("type", "stac_version", "id")}
        for path in include:
            _copy_path(feature, kept, path.split("."))
        feature = kept
    for path in exclude:
        *parents, last = path.split(".")
        node: Any = feature
        for key in parents:
            node = node.get(key, {}) if isinstance(node, dict) else {}
        if isinstance(node, dict):
            node.pop(last, None)
    return feature


def _copy_path(src: dict[str, Any], dst: dict[str, Any], keys: list[str]) -> None:
    head = keys[0]
    if head not in src:
        return
    if len(keys) == 1 or not isinstance(src[head], dict):
        dst[head] = src[head]
        return
    _copy_path(src[head], dst.setdefault(head, {}), keys[1:])


def _make_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"from": offset}).encode()).decode()


def _token(token: Any) -> int:
    try:
        offset = json.loads(base64.urlsafe_b64decode(str(token).encode()))["from"]
    except (ValueError, KeyError, TypeError):
        raise SearchError("next: not a token this server gave") from None
    if not isinstance(offset, int) or offset < 0:
        raise SearchError("next: not a token this server gave")
    return offset


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SearchError(f"{name} must be an integer, not {value!r}") from None


def _json(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise SearchError(f"{name} is not JSON") from None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
