"""Typed values between the archive, transfer and process stages.

Also the values every job shares: the progress callback (:data:`Progress`), an
inclusive range of days (:class:`DayRange`) and the record of an item that
failed (:class:`Failure`, whose :class:`FailureKind` is read off the error tree
of :mod:`swathkit.errors` in one place, :func:`failure_kind`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any, TypeAlias

from swathkit import errors
from swathkit.errors import InputError

BBox = tuple[float, float, float, float]  # west, south, east, north (degrees)


def utc(value: datetime | str) -> datetime:
    """Normalise an ISO string or datetime to an aware UTC datetime.

    Raises:
        InputError: ``value`` is a string that is not an ISO time.
    """
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise InputError(f"{value!r} is not an ISO time; write it like "
                             "2022-02-16T00:00 (UTC) or 2022-02-16") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# --- the progress callback ------------------------------------------------------------------

Progress: TypeAlias = Callable[[int, int, str], None]
"""``progress(done, total, label)``: called by a job after each item (label: its name)."""


# --- ranges of time and days ----------------------------------------------------------------

def check_time_range(start: datetime, end: datetime) -> None:
    """Refuse a period whose (exclusive) ``end`` is not after its ``start``.

    Raises:
        InputError: ``end <= start``.
    """
    if end <= start:
        raise InputError(f"end {end:%Y-%m-%dT%H:%M}Z is not after start {start:%Y-%m-%dT%H:%M}Z;"
                         " give an end later than the start")


def as_day(value: date | datetime | str) -> date:
    """A day from a ``date``, a ``datetime`` (its date) or ``"YYYY-MM-DD"``.

    Raises:
        InputError: ``value`` is a string that is not a day.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"{value!r} is not a day; write it like 2024-04-01") from None


@dataclass(frozen=True)
class DayRange:
    """Every day from ``start`` to ``end``, both included; checked once, iterable.

    Example:
        >>> [d.day for d in DayRange("2024-02-28", "2024-03-01")]
        [28, 29, 1]

    Raises:
        InputError: ``end`` is before ``start`` (or either is not a day).
    """

    start: date
    end: date

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", as_day(self.start))
        object.__setattr__(self, "end", as_day(self.end))
        if self.end < self.start:
            raise InputError(f"end {self.end} is before start {self.start}; give an end on "
                             "or after the start (both days are included)")

    def __iter__(self) -> Iterator[date]:
        return (self.start + timedelta(days=k) for k in range(len(self)))

    def __len__(self) -> int:
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= as_day(day) <= self.end

    def __str__(self) -> str:
        return f"{self.start}..{self.end}"


# --- what failed, and why -------------------------------------------------------------------

class FailureKind(StrEnum):
    """Why an item failed, in the terms a user acts on."""

    TRANSIENT = "transient"  # retries ran out (timeouts, 5xx, throttling): run again later
    PERMANENT = "permanent"  # the archive refused this item for good
    AUTH = "auth"  # credentials refused
    NOT_PUBLISHED = "not_published"  # the archive has no such item (404): an answer
    BAD_PRODUCT = "bad_product"  # the bytes are not a sound product (verification, format)
    BAD_INPUT = "bad_input"  # the user asked for something impossible


# Most specific first: the first class an error is an instance of gives its kind.
_KINDS: tuple[tuple[type[BaseException], FailureKind], ...] = (
    (errors.NotPublishedError, FailureKind.NOT_PUBLISHED),
    (errors.AuthError, FailureKind.AUTH),
    (errors.InputError, FailureKind.BAD_INPUT),
    (errors.VerificationError, FailureKind.BAD_PRODUCT),
    (errors.ProductError, FailureKind.BAD_PRODUCT),
    (errors.TransientFetchError, FailureKind.TRANSIENT),
    (errors.ArchiveUnavailableError, FailureKind.TRANSIENT),
    (errors.PermanentFetchError, FailureKind.PERMANENT),
)


def failure_kind(error: BaseException | type[BaseException], *,
                 default: FailureKind = FailureKind.PERMANENT) -> FailureKind:
    """The kind of failure an error (or error class) of :mod:`swathkit.errors` stands for.

    Errors outside the tree (``OSError``, ``ValueError`` from a reader …) get ``default``.
    """
    cls = error if isinstance(error, type) else type(error)
    return next((kind for base, kind in _KINDS if issubclass(cls, base)), default)


@dataclass(frozen=True)
class Failure:
    """One item a job could not finish, and why.

    Attributes:
        kind: What kind of failure (decides what the user should do).
        item: The item's key: a granule id or a file name.
        reason: The message of the last error.
        attempts: Attempts made (0 when nothing was fetched, e.g. a file that did not extract).
    """

    kind: FailureKind
    item: str
    reason: str
    attempts: int = 0

    @classmethod
    def from_error(cls, item: str, error: BaseException, *, attempts: int = 0,
                   default: FailureKind = FailureKind.PERMANENT) -> Failure:
        """The failure of ``item`` that ``error`` ended (kind from :func:`failure_kind`)."""
        return cls(failure_kind(error, default=default), item, str(error), attempts)


@dataclass(frozen=True)
class Query:
    """What to search for: a product over a period, optionally an area, orbit direction, grid.

    ``end`` is exclusive. ``grid`` names the grid of a gridded product (Bremen ASI:
    ``n3125``, ``n6250``, ``s3125``, ``s6250``); swath archives ignore it.
    """

    product: str  # "amsr2-l1b", "asi-amsr2"
    start: datetime
    end: datetime
    bbox: BBox | None = None
    orbit: str | None = None  # "A" or "D"
    grid: str | None = None

    def __post_init__(self) -> None:
        """Normalise the times; refuse an empty period, a bad bbox or orbit (``InputError``)."""
        object.__setattr__(self, "start", utc(self.start))
        object.__setattr__(self, "end", utc(self.end))
        check_time_range(self.start, self.end)
        if self.bbox is not None:
            object.__setattr__(self, "bbox", _checked_bbox(self.bbox))
        if self.orbit is not None and self.orbit.upper() not in ("A", "D"):
            raise InputError(f"orbit must be A (ascending) or D (descending), not {self.orbit!r}")


def _checked_bbox(bbox: BBox) -> BBox:
    west, south, east, north = (float(v) for v in bbox)
    if not (-180 <= west <= 180 and -180 <= east <= 180):
        raise InputError(f"bbox {bbox}: west and east must be longitudes in -180..180")
    if not -90 <= south < north <= 90:
        raise InputError(f"bbox {bbox}: south and north must be latitudes in -90..90 with "
                         "south < north; write west,south,east,north")
    return west, south, east, north


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
