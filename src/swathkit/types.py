"""Typed values between the archive, transfer and process stages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from swathkit.errors import InputError

BBox = tuple[float, float, float, float]  # west, south, east, north (degrees)


def utc(value: datetime | str) -> datetime:
    """Normalise an ISO string or datetime to an aware UTC datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class Query:
    """What to search for: a product over a period, optionally an area and orbit direction."""

    product: str  # "amsr2-l1b"
    start: datetime
    end: datetime
    bbox: BBox | None = None
    orbit: str | None = None  # "A" or "D"

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", utc(self.start))
        object.__setattr__(self, "end", utc(self.end))
        if self.end <= self.start:
            raise ValueError(f"end {self.end:%Y-%m-%dT%H:%M}Z is not after start "
                             f"{self.start:%Y-%m-%dT%H:%M}Z")
        if self.orbit is not None and self.orbit.upper() not in ("A", "D"):
            raise ValueError(f"orbit must be A or D, not {self.orbit!r}")


@dataclass(frozen=True)
class Granule:
    """One file of an archive, as its catalogue describes it (STAC-like)."""

    id: str  # file name without extension
    product: str
    start: datetime
    end: datetime
    remote_path: str  # path on the file server, e.g. "standard/GCOM-W/.../x.h5"
    size: int | None = None  # catalogue size; may be rounded (not an integrity check)
    checksum: str | None = None  # "sha256:<hex>" when the archive gives one
    footprint: dict[str, Any] | None = None  # GeoJSON geometry
    properties: dict[str, Any] = field(default_factory=dict)

    @property
    def file_name(self) -> str:
        return self.remote_path.rsplit("/", 1)[-1]


# --- Region: a window of grid indices -------------------------------------------------------

SpanLike = slice | tuple[int, int]
"""One axis of a window: a ``slice`` (step 1) or a half-open ``(start, stop)`` pair."""

_REGION_TEXT = re.compile(r"^\s*(\d+)\s*:\s*(\d+)\s*,\s*(\d+)\s*:\s*(\d+)\s*$")


@dataclass(frozen=True)
class Region:
    """A half-open window of grid indices: rows ``[rows[0], rows[1])`` × columns ``cols``.

    Indices, not coordinates: row 0 is the grid's first row (the southern edge on the ASI
    grids, the top on north-up grids such as EASE-Grid 2.0). Written ``R0:R1,C0:C1`` on
    the command line (ends excluded, like Python slices). Boxes in projected metres are
    a grid's business (:meth:`swathkit.products.grids.Grid.window` gives their Region).

    Raises:
        InputError: a negative start or an empty window.
    """

    rows: tuple[int, int]
    cols: tuple[int, int]

    def __post_init__(self) -> None:
        for axis in ("rows", "cols"):
            start, stop = (int(v) for v in getattr(self, axis))
            if not 0 <= start < stop:
                raise InputError(f"region {self.rows[0]}:{self.rows[1]},{self.cols[0]}:"
                                 f"{self.cols[1]} is empty or negative: each end must exceed "
                                 "its start, e.g. 100:200,300:400")
            object.__setattr__(self, axis, (start, stop))

    @classmethod
    def of(cls, rows: SpanLike, cols: SpanLike,
           shape: tuple[int, int] | None = None) -> Region:
        """The window ``[rows, cols]``; open slice ends need ``shape`` (then checked too)."""
        region = cls(_span(rows, shape[0] if shape else None),
                     _span(cols, shape[1] if shape else None))
        return region.within(shape) if shape is not None else region

    @classmethod
    def whole(cls, shape: tuple[int, int]) -> Region:
        """Every cell of a grid of ``shape``."""
        return cls((0, int(shape[0])), (0, int(shape[1])))

    @classmethod
    def parse(cls, text: str, shape: tuple[int, int] | None = None) -> Region:
        """``"R0:R1,C0:C1"`` (rows, then columns; ends excluded), checked against ``shape``.

        Raises:
            InputError: not of that form, empty, or outside ``shape``.
        """
        match = _REGION_TEXT.match(text)
        if not match:
            raise InputError(f"region {text!r} is not R0:R1,C0:C1 (row and column indices, "
                             "ends excluded), e.g. 100:200,300:400")
        r0, r1, c0, c1 = (int(g) for g in match.groups())
        region = cls((r0, r1), (c0, c1))
        return region.within(shape) if shape is not None else region

    def within(self, shape: tuple[int, int], *, grid: str = "") -> Region:
        """This window, after checking it lies inside a grid of ``shape``.

        Raises:
            InputError: it is outside the grid (the message names ``grid`` if given).
        """
        rows, cols = int(shape[0]), int(shape[1])
        if self.rows[1] > rows or self.cols[1] > cols:
            name = f"grid {grid} " if grid else "the grid "
            raise InputError(f"region {self} is outside {name}({rows} rows × {cols} "
                             f"columns); give rows within 0:{rows} and columns within 0:{cols}")
        return self

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, cols)`` of the window."""
        return self.rows[1] - self.rows[0], self.cols[1] - self.cols[0]

    @property
    def size(self) -> int:
        """Cells in the window."""
        return self.shape[0] * self.shape[1]

    def slices(self) -> tuple[slice, slice]:
        """``(rows, cols)`` slices, to index a ``(..., y, x)`` array with."""
        return slice(*self.rows), slice(*self.cols)

    def __str__(self) -> str:
        return f"{self.rows[0]}:{self.rows[1]},{self.cols[0]}:{self.cols[1]}"


RegionLike = Region | tuple[SpanLike, SpanLike] | tuple[int, int, int, int] | str
"""What :func:`as_region` accepts."""


def as_region(value: RegionLike, shape: tuple[int, int] | None = None, *, grid: str = "") -> Region:
    """Normalise what a caller gives as a region, once, at the boundary.

    Args:
        value: A :class:`Region`; ``(rows, cols)`` as slices or ``(start, stop)`` pairs;
            ``(r0, r1, c0, c1)``; or ``"R0:R1,C0:C1"``.
        shape: The grid's ``(rows, cols)``: resolves open slices and checks the bounds.
        grid: The grid's name, for messages.

    Raises:
        InputError: not a region, empty, or outside ``shape``.
    """
    if isinstance(value, str):
        region = Region.parse(value)
    elif isinstance(value, Region):
        region = value
    elif isinstance(value, tuple) and len(value) == 4:
        region = Region((value[0], value[1]), (value[2], value[3]))
    elif isinstance(value, tuple) and len(value) == 2:
        region = Region.of(value[0], value[1], shape)
    else:
        raise InputError(f"region {value!r} is not R0:R1,C0:C1, (rows, cols) or "
                         "(r0, r1, c0, c1)")
    return region.within(shape, grid=grid) if shape is not None else region


def _span(span: SpanLike, size: int | None) -> tuple[int, int]:
    if isinstance(span, slice):
        if span.step not in (None, 1):
            raise InputError(f"a region takes every row and column: slice step {span.step} "
                             "is not allowed")
        if size is None:
            if span.start is None or span.stop is None:
                raise InputError(f"slice {span} has an open end: give the grid's shape")
            return int(span.start), int(span.stop)
        start, stop, _ = span.indices(size)
        return start, stop
    start, stop = span
    return int(start), int(stop)
