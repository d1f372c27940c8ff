"""The area of a pairs search: a file or text (WKT, GeoJSON) or ``usa``, as polygon parts.

``usa`` is three coarse boxes (CONUS, Alaska, Hawaii), searched part by part so that no
search spans the Pacific; CMR keeps a scene when its footprint meets a part.
"""

from __future__ import annotations

from shapely.geometry import Polygon, box
from shapely.geometry.base import BaseGeometry

from swathkit.errors import InputError
from swathkit.jobs.pairs.score_files import parse_footprint

__all__ = ["USA_BOXES", "parse_aoi"]

USA_BOXES: dict[str, Polygon] = {
    "CONUS": box(-125.0, 24.0, -66.5, 49.5),
    "Alaska": box(-172.0, 51.0, -129.5, 71.5),
    "Hawaii": box(-161.0, 18.5, -154.5, 22.5),
}


def parse_aoi(text: str) -> list[Polygon]:
    """The polygons of ``text``: ``usa``, WKT, GeoJSON or a file holding either.

    Raises:
        InputError: the text or file is not a lon/lat polygon (the message says why).
    """
    if text.strip().lower() == "usa":
        return list(USA_BOXES.values())
    try:
        geometry: BaseGeometry = parse_footprint(text)
    except InputError as exc:
        raise InputError(f"--aoi: {exc}") from None
    parts = list(getattr(geometry, "geoms", [geometry]))
    return [Polygon(p.exterior) for p in parts]
