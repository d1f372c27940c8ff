"""Fetch, in a few Range requests, the internal tiles of DSWE COGs that a pair's read needs.

GDAL reads a window of a tiled GeoTIFF one internal tile (256 × 256) at a time, each a
separate small read: through :class:`~swathkit.archives.http_range.RangeOpener` that is
one request per block touched. Here each COG is opened first (its header comes from the
opener's cache), the internal tiles meeting the footprint's box are listed with their
byte offsets (GDAL's ``BLOCK_OFFSET_x_y`` / ``BLOCK_SIZE_x_y`` items), and the opener
fetches the blocks covering them, runs merged (:meth:`RangeOpener.prefetch`). The read
that follows finds every byte in the cache. Nothing here changes what is read or scored,
only how many requests bring it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rasterio.io import DatasetReader
from rasterio.windows import Window
from shapely.geometry.base import BaseGeometry

from swathkit.archives.http_range import RangeOpener
from swathkit.process.overlap import footprint_in, read_bounds
from swathkit.products.dswe.window import window_box

__all__ = ["prefetch_tiles", "tile_ranges"]


def prefetch_tiles(urls: Sequence[str], footprint: BaseGeometry, opener: RangeOpener, *,
                   gap: int = 1, within: str = "footprint") -> int:
    """Prefetch the internal tiles of each COG in ``urls`` that the scoring reads: those
    meeting the footprint (``within="footprint"``) or its box (``"bbox"``).

    A URL that does not open as a GeoTIFF is left alone: the read that follows reports it.

    Returns:
        The Range requests sent for the tiles.
    """
    import rasterio
    from rasterio.errors import RasterioIOError

    sent = 0
    for url in urls:
        try:
            with rasterio.open(url, opener=opener) as ds:
                crs = ds.crs.to_wkt()
                area = footprint_in(footprint, crs) if within == "footprint" else None
                ranges = tile_ranges(ds, read_bounds(footprint, crs), area)
        except RasterioIOError:
            continue
        sent += opener.prefetch(url, ranges, gap=gap)
    return sent


def tile_ranges(ds: DatasetReader, box: tuple[float, float, float, float],
                area: BaseGeometry | None = None) -> list[tuple[int, int]]:
    """Byte ranges ``[start, end)`` of band 1's internal tiles meeting ``box`` (dataset CRS)
    and, when given, ``area`` (dataset CRS)."""
    block_rows, block_cols = ds.block_shapes[0]
    left, bottom, right, top = box
    t = ds.transform  # north-up, as DSWE tiles are
    c0, c1 = (left - t.c) / t.a, (right - t.c) / t.a
    r0, r1 = (top - t.f) / t.e, (bottom - t.f) / t.e
    cols = range(max(0, math.floor(min(c0, c1)) // block_cols),
                 min(ds.width, math.ceil(max(c0, c1))) // block_cols + 1)
    rows = range(max(0, math.floor(min(r0, r1)) // block_rows),
                 min(ds.height, math.ceil(max(r0, r1))) // block_rows + 1)
    ranges = []
    for row in rows:
        for col in cols:
            block = Window(col * block_cols, row * block_rows, block_cols, block_rows)
            if area is not None and not area.intersects(window_box(block, t)):
                continue
            offset = ds.get_tag_item(f"BLOCK_OFFSET_{col}_{row}", "TIFF", bidx=1)
            size = ds.get_tag_item(f"BLOCK_SIZE_{col}_{row}", "TIFF", bidx=1)
            if offset and size:
                ranges.append((int(offset), int(offset) + int(size)))
    return ranges

