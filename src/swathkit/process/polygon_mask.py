"""The pixels of a north-up grid whose centres lie inside a polygon, by scanlines in numpy.

GDAL's rule without ``all_touched`` (what ``rasterio.features.geometry_mask`` gives):
a pixel is in when its centre is inside. Each row's centre line is crossed with every
edge of every ring (exterior and holes, all parts; a crossing counts when the line is
in ``[y0, y1)`` of the edge, so a vertex on the line is counted once), the crossings
are sorted, and the columns whose centres fall in ``[x_2k, x_2k+1)`` are set (the
even-odd rule, which holes follow). No GDAL dataset is made, so it is safe in any
thread, and it costs O(rows × edges) plus the pixels set.

::

    inside = polygon_mask(area, (height, width), transform)
    for row, start, stop in polygon_spans(area, (height, width), transform): ...
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely
from affine import Affine
from shapely.geometry.base import BaseGeometry

from swathkit.errors import InputError

__all__ = ["Spans", "polygon_mask", "polygon_spans"]


Spans = list[tuple[int, int, int]]
"""Runs of pixels inside: ``(row, first column, column after the last)``."""


def polygon_mask(geometry: BaseGeometry, shape: tuple[int, ...],
                 transform: Affine) -> npt.NDArray[np.bool_]:
    """True where the pixel centre of a ``shape`` grid with ``transform`` is inside.

    Raises:
        InputError: the transform is rotated or sheared (DSWE and RTC grids are north-up).
    """
    mask = np.zeros(shape[:2], dtype=bool)
    for row, start, stop in polygon_spans(geometry, shape, transform):
        mask[row, start:stop] = True  # a slice per row: faster than any 2-D pass
    return mask


def polygon_spans(geometry: BaseGeometry, shape: tuple[int, ...], transform: Affine) -> Spans:
    """The runs of pixels of a ``shape`` grid whose centres are inside, row by row
    (rows in order; a row's runs left to right in pixel units).

    Raises:
        InputError: the transform is rotated or sheared.
    """
    if transform.b != 0 or transform.d != 0 or transform.a == 0 or transform.e == 0:
        raise InputError(f"a rotated or sheared grid ({tuple(transform)[:6]}): "
                         "polygon_mask needs a north-up transform")
    height, width = shape[:2]
    edges = _edges(geometry)
    if edges.size == 0 or height == 0 or width == 0:
        return []
    # in pixel units (centre of row r at r + 0.5, of column c at c + 0.5), whatever the signs
    ys = (edges[:, [1, 3]] - transform.f) / transform.e
    xs = (edges[:, [0, 2]] - transform.c) / transform.a
    y0, y1 = ys[:, 0], ys[:, 1]
    low, high = np.minimum(y0, y1), np.maximum(y0, y1)
    first = max(0, int(np.floor(low.min() - 0.5)))
    last = min(height, int(np.ceil(high.max() - 0.5)) + 1)
    if first >= last:
        return []
    centre = np.arange(first, last, dtype=np.float64)[:, None] + 0.5
    crosses = (low[None, :] <= centre) & (centre < high[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        t = (centre - y0[None, :]) / (y1 - y0)[None, :]
    at = np.where(crosses, xs[:, 0][None, :] + t * (xs[:, 1] - xs[:, 0])[None, :], np.inf)
    at.sort(axis=1)
    count = crosses.sum(axis=1)
    spans: Spans = []
    for k in range(0, int(count.max()) - 1, 2):
        has = np.flatnonzero(count > k + 1)  # the rows with a k-th span
        starts, stops = _column(at[has, k], width), _column(at[has, k + 1], width)
        spans.extend(span for span in zip((has + first).tolist(), starts.tolist(),
                                          stops.tolist(), strict=True) if span[2] > span[1])
    spans.sort()
    return spans


def _column(x: npt.NDArray[np.float64], width: int) -> npt.NDArray[np.intp]:
    """The first column whose centre is at or right of ``x`` (pixel units), in 0…width."""
    return np.clip(np.ceil(x - 0.5), 0, width).astype(np.intp)


def _edges(geometry: BaseGeometry) -> npt.NDArray[np.float64]:
    """Every ring edge of ``geometry`` as rows ``x0, y0, x1, y1``."""
    rings = []
    for part in shapely.get_parts(geometry):
        if part.geom_type != "Polygon":
            continue
        rings.append(np.asarray(part.exterior.coords))
        rings.extend(np.asarray(hole.coords) for hole in part.interiors)
    if not rings:
        return np.empty((0, 4))
    return np.concatenate([np.column_stack([r[:-1, :2], r[1:, :2]]) for r in rings])
