"""Typed values between the archive, transfer and process stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

BBox = tuple[float, float, float, float]  # west, south, east, north (degrees)


def utc(value: datetime | str) -> datetime:
    """Normalise an ISO string or datetime to an aware UTC datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


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
