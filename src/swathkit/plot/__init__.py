"""Offline maps and quicklooks (optional extra ``[plot]``: matplotlib).

Everything here works without a network: coastlines are traced from the land
grid that :mod:`swathkit.geodata` derives from the installed
``global-land-mask`` package.
"""

from __future__ import annotations

try:
    import contourpy  # noqa: F401  (a matplotlib dependency)
    import matplotlib  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised by blocking the import
    raise ImportError(
        "swathkit.plot needs matplotlib: pip install 'swathkit[plot]'"
    ) from exc

from swathkit.plot.coastlines import coastlines, split_at_antimeridian
from swathkit.plot.maps import (
    LonLatTransform,
    draw_coastlines,
    draw_graticule,
    draw_land,
    format_lat,
    format_lon,
    wrap_offsets,
)
from swathkit.plot.quicklook import quicklook_panel, quicklook_swath

__all__ = [
    "LonLatTransform",
    "coastlines",
    "draw_coastlines",
    "draw_graticule",
    "draw_land",
    "format_lat",
    "format_lon",
    "quicklook_panel",
    "quicklook_swath",
    "split_at_antimeridian",
    "wrap_offsets",
]
