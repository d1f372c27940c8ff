"""The area of a pairs search: a file or text (WKT, GeoJSON) or ``usa``, as polygon parts.

``usa`` is the outline of the USA in three parts (CONUS, Alaska, Hawaii,
:mod:`swathkit.geodata.usa`), searched part by part so that no search spans the Pacific
(asf_search's one hull of all three does); CMR keeps a scene when its footprint meets a
part, so scenes over Canada, Mexico and the open sea are not searched for.
"""

from __future__ import annotations

from shapely.geometry import Polygon
from shapely.geometry.base import BaseGeometry

from swathkit.errors import InputError
from swathkit.geodata.usa import USA_PARTS
from swathkit.jobs.pairs.score_files import parse_footprint

__all__ = ["parse_aoi"]


def parse_aoi(text: str) -> list[Polygon]:
    """The polygons of ``text``: ``usa``, WKT, GeoJSON or a file holding either.

    Raises:
        InputError: the text or file is not a lon/lat polygon (the message says why).
    """
    if text.strip().lower() == "usa":
        return list(USA_PARTS.values())
    try:
        geometry: BaseGeometry = parse_footprint(text)
    except InputError as exc:
        raise InputError(f"--aoi: {exc}") from None
    parts = list(getattr(geometry, "geoms", [geometry]))
    return [Polygon(p.exterior) for p in parts]
