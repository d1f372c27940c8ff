"""Read the window of each DSWE COG that meets a box, and merge the tiles of one date.

Tiles of one grid region share the CRS and sit on one 30 m lattice; each tile's window is
placed into the box's array at its offset, and where tiles overlap the first tile (in the
order given) with a valid value wins, so the result does not depend on read order. Only
the internal tiles of the COG under the window are read: a source is opened through a
Python opener (the caller's, e.g. a Range-reading file object over HTTP, or ``io.open``)
wrapped to count the bytes read.

No network here: the caller passes paths, already-open datasets or an ``opener``
(anything rasterio ≥ 1.4 accepts: a callable ``(path, mode) → file`` or a filesystem
object with ``open``, as fsspec's).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import rasterio
import shapely
from affine import Affine
from rasterio.errors import RasterioIOError
from rasterio.io import DatasetReader
from rasterio.windows import Window
from shapely.geometry.base import BaseGeometry

from swathkit.errors import FormatError, InputError
from swathkit.products.dswe.classes import FILL
from swathkit.types import Progress

__all__ = ["Merged", "Source", "read_merged", "window_box"]

Source: TypeAlias = "str | DatasetReader"  # a path or URL rasterio opens, or an open dataset
Bounds = tuple[float, float, float, float]
_EPS = 1e-6  # of a pixel: box edges on the lattice stay on it


@dataclass(frozen=True)
class Merged:
    """The merged classes over a box: array, its transform and CRS (WKT), what was read."""

    classes: npt.NDArray[np.uint8]
    transform: Affine
    crs_wkt: str
    bytes_read: int | None  # None when a source was an already-open dataset
    file_bytes: int | None  # total size of the files opened, when known
    sources: tuple[str, ...]
    extents: tuple[Bounds, ...]  # (left, bottom, right, top) of each tile, in sources order


def read_merged(sources: Sequence[Source], bounds: Bounds | Callable[[str], Bounds], *,
                opener: Any = None, progress: Progress | None = None,
                region: Callable[[str], BaseGeometry] | None = None) -> Merged:
    """Read the window meeting ``bounds`` (tile CRS) of every source and merge them.

    Args:
        sources: Paths/URLs or open rasterio datasets, all of one grid (CRS, 30 m lattice).
        bounds: ``(left, bottom, right, top)`` in the tiles' CRS, or a function of the
            tiles' CRS (WKT) giving them, called once the first tile is open.
        opener: Given to rasterio for the path sources (default: local files via ``io.open``).
        progress: ``progress(done, total, source)`` after each tile.
        region: A function of the tiles' CRS giving the area that matters (the footprint):
            only the internal tiles of each COG that meet it are read; the rest of the box
            stays fill. None: the whole box is read.

    Raises:
        InputError: a source is not a readable single-band GeoTIFF, or the tiles are not
            on one grid (CRS, resolution, lattice).
    """
    if not sources:
        raise InputError("no DSWE tile given; name at least one INWAM GeoTIFF")
    counter = _Counter()
    with ExitStack() as stack:
        names = tuple(_name(s) for s in sources)
        datasets = [_open(stack, s, n, opener, counter) for s, n in zip(sources, names,
                                                                         strict=True)]
        first = datasets[0]
        for ds, name in zip(datasets[1:], names[1:], strict=True):
            _check_same_grid(first, ds, names[0], name)
        crs_wkt = first.crs.to_wkt()
        box = bounds(crs_wkt) if callable(bounds) else bounds
        transform, shape = _box_grid(first.transform, box)
        out = np.full(shape, FILL, np.uint8)
        area = region(crs_wkt) if region is not None else None
        for done, (ds, name) in enumerate(zip(datasets, names, strict=True), 1):
            for window in _windows(ds, out.shape, transform, area):
                _place(ds, name, out, transform, window)
            if progress:
                progress(done, len(datasets), name)
        extents = tuple(_bounds(ds) for ds in datasets)
    opened_all = all(not isinstance(s, DatasetReader) for s in sources)
    return Merged(out, transform, crs_wkt, counter.read if opened_all else None,
                  counter.size if opened_all else None, names,
                  extents)


def _name(source: Source) -> str:
    return str(source.name) if isinstance(source, DatasetReader) else str(source)


def _open(stack: ExitStack, source: Source, name: str, opener: Any,
          counter: _Counter) -> DatasetReader:
    if isinstance(source, DatasetReader):
        ds = source
    else:
        try:
            ds = stack.enter_context(rasterio.open(source, opener=counter.wrap(opener)))
        except RasterioIOError as exc:
            raise InputError(f"{name}: not a readable GeoTIFF ({_first_line(exc)}); give "
                             "DSWE INWAM tiles (*_INWAM.TIF)") from None
    if ds.driver != "GTiff" or ds.count != 1 or ds.crs is None:
        raise InputError(f"{name}: not a DSWE INWAM tile (driver {ds.driver}, {ds.count} "
                         f"bands, CRS {ds.crs}); give single-band GeoTIFFs with a CRS")
    if ds.dtypes[0] != "uint8":
        raise InputError(f"{name}: data type {ds.dtypes[0]}, not uint8 DSWE classes")
    return ds


def _check_same_grid(first: DatasetReader, ds: DatasetReader, first_name: str,
                     name: str) -> None:
    a, b = first.transform, ds.transform
    if ds.crs != first.crs:
        raise InputError(f"{name}: its CRS differs from {first_name}'s; give tiles of one "
                         "grid region (CONUS, Alaska and Hawaii tiles cannot be merged)")
    if (a.a, a.b, a.d, a.e) != (b.a, b.b, b.d, b.e) or a.b or a.d:
        raise InputError(f"{name}: pixel size or rotation differs from {first_name}'s; "
                         "give tiles of one DSWE grid")
    cols, rows = (b.c - a.c) / a.a, (b.f - a.f) / a.e
    if abs(cols - round(cols)) > 1e-3 or abs(rows - round(rows)) > 1e-3:
        raise InputError(f"{name}: not on {first_name}'s pixel lattice; give tiles of one "
                         "DSWE grid")


def _box_grid(lattice: Affine, bounds: Bounds) -> tuple[Affine, tuple[int, int]]:
    """The pixels of ``lattice`` meeting ``bounds``: their transform and shape."""
    left, bottom, right, top = bounds
    if not (right > left and top > bottom):
        raise InputError(f"box {bounds} is empty; give a footprint with an area")
    res_x, res_y = lattice.a, -lattice.e
    c0 = math.floor((left - lattice.c) / res_x + _EPS)
    c1 = math.ceil((right - lattice.c) / res_x - _EPS)
    r0 = math.floor((lattice.f - top) / res_y + _EPS)
    r1 = math.ceil((lattice.f - bottom) / res_y - _EPS)
    origin = Affine(lattice.a, 0.0, lattice.c + c0 * lattice.a,
                    0.0, lattice.e, lattice.f + r0 * lattice.e)
    return origin, (r1 - r0, c1 - c0)


def _windows(ds: DatasetReader, shape: tuple[int, ...], transform: Affine,
             area: BaseGeometry | None) -> list[Window]:
    """The windows of ``ds`` to read for the box ``shape``/``transform``: the whole part
    under the box, or only its internal tiles that meet ``area``, a window per run of
    such tiles side by side in a row of tiles (one read each)."""
    col = round((transform.c - ds.transform.c) / transform.a)
    row = round((transform.f - ds.transform.f) / transform.e)
    c0, r0 = max(col, 0), max(row, 0)
    c1, r1 = min(col + shape[1], ds.width), min(row + shape[0], ds.height)
    if c1 <= c0 or r1 <= r0:
        return []  # this tile does not meet the box
    whole = Window(c0, r0, c1 - c0, r1 - r0)
    if area is None:
        return [whole]
    block_rows, block_cols = ds.block_shapes[0]
    windows = []
    for br in range(r0 // block_rows, (r1 - 1) // block_rows + 1):
        run: list[int] = []
        for bc in range(c0 // block_cols, (c1 - 1) // block_cols + 2):
            met = bc <= (c1 - 1) // block_cols and area.intersects(window_box(
                Window(bc * block_cols, br * block_rows, block_cols,
                       block_rows).intersection(whole), ds.transform))
            if met:
                run.append(bc)
            elif run:
                windows.append(Window(run[0] * block_cols, br * block_rows,
                                      len(run) * block_cols, block_rows).intersection(whole))
                run = []
    return windows


def window_box(window: Window, transform: Affine) -> BaseGeometry:
    """The box of a window of a north-up raster, in its CRS."""
    left = transform.c + float(window.col_off) * transform.a
    top = transform.f + float(window.row_off) * transform.e
    return shapely.box(left, top + float(window.height) * transform.e,
                       left + float(window.width) * transform.a, top)


def _place(ds: DatasetReader, name: str, out: npt.NDArray[np.uint8], transform: Affine,
           window: Window) -> None:
    """Read ``window`` of ``ds`` and fill ``out``'s still-fill pixels under it."""
    col = round((transform.c - ds.transform.c) / transform.a)
    row = round((transform.f - ds.transform.f) / transform.e)
    try:
        part = ds.read(1, window=window)
    except RasterioIOError as exc:
        raise FormatError(f"{name}: unreadable ({_first_line(exc)})") from None
    if ds.nodata is not None and ds.nodata != FILL:
        part = np.where(part == ds.nodata, FILL, part).astype(np.uint8)
    c0, r0 = int(window.col_off), int(window.row_off)
    view = out[r0 - row:r0 - row + part.shape[0], c0 - col:c0 - col + part.shape[1]]
    np.copyto(view, part, where=view == FILL)


def _bounds(ds: DatasetReader) -> Bounds:
    b = ds.bounds
    return float(b.left), float(b.bottom), float(b.right), float(b.top)


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


class _Counter:
    """Counts the bytes read through the openers it wraps, and the sizes of the files."""

    def __init__(self) -> None:
        self.read = 0
        self.sizes: dict[str, int] = {}

    @property
    def size(self) -> int:
        return sum(self.sizes.values())

    def wrap(self, opener: Any) -> Callable[[str, str], _CountingFile]:
        base = _callable(opener)

        def open_counted(path: str, mode: str = "rb") -> _CountingFile:
            handle = base(path, mode)
            if not hasattr(handle, "read") and hasattr(handle, "open"):
                handle = handle.open()  # an fsspec OpenFile
            counted = _CountingFile(handle, self)
            self.sizes[str(path)] = counted.size()
            return counted

        return open_counted


def _callable(opener: Any) -> Callable[..., Any]:
    if opener is None:
        return io.open
    if callable(opener):
        return opener  # type: ignore[no-any-return]
    if hasattr(opener, "open"):
        return opener.open  # type: ignore[no-any-return]
    raise InputError(f"opener {opener!r} is neither a callable (path, mode) → file nor a "
                     "filesystem with open()")


class _CountingFile(io.RawIOBase):
    """A read-only file object that counts the bytes it hands out."""

    def __init__(self, inner: Any, counter: _Counter) -> None:
        super().__init__()
        self._inner = inner
        self._counter = counter

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data: bytes = self._inner.read(size)
        self._counter.read += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(memoryview(buffer)))
        memoryview(buffer).cast("B")[:len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return int(self._inner.seek(offset, whence))

    def tell(self) -> int:
        return int(self._inner.tell())

    def size(self) -> int:
        here = self.tell()
        end = self.seek(0, io.SEEK_END)
        self.seek(here)
        return end

    def close(self) -> None:
        if not self.closed:
            self._inner.close()
        super().close()

    def __iter__(self) -> Iterator[bytes]:
        raise io.UnsupportedOperation("not a text file")
