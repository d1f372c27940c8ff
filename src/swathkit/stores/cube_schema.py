"""The grid cube's layout and index: chunking, codecs, array attributes, per-day records.

The index's header lives in the root attributes (``swathkit``) and is replaced in
one atomic put at every commit (:mod:`swathkit.stores.commit`). From schema 3 on it
is of constant size: the per-day records live outside the root
(:mod:`swathkit.stores.cube_days`) and the root carries only those its last commit
changed (``last``); schema 1 and 2 kept every record in the root (``days``), which
grew with the cube and was rewritten at every commit. Each day of the dense calendar
is ``present``, ``not_published`` (404 upstream), ``pending`` (its time chunk was
being rewritten when a writer stopped; the next writer checks it) or absent (no
record).
"""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import numpy as np
from zarr.codecs import BloscCodec, BloscShuffle, Crc32cCodec

from swathkit.errors import StoreError
from swathkit.products.grids import WGS84, Grid, grid, nsidc_polar_stereographic

KIND = "asi-grid-cube"
SCHEMA = 3  # 3: per-day records outside the root (stores.cube_days), ``last`` in it
READABLE_SCHEMAS = (1, 2, 3)  # 2: a Grid record and every day in the root; 1: an ASI-style
# grid record (hemisphere, edges, resolution). A writer upgrades 1 and 2 when it opens them.
EPOCH = date(1970, 1, 1)
TIME_CHUNK = 8
SPACE_CHUNK = 256
FLAG_NOT_COMPUTED = 255  # fill_flag of a day the fill has not reached (never a real flag)
PRESENT, NOT_PUBLISHED, PENDING = "present", "not_published", "pending"
TIME_VARIABLES = ("sic", "sic_filled", "fill_flag")
SIC_ONLY = ("sic",)  # the day variables of a sea-ice cube (the default)


def data_codecs() -> dict[str, Any]:
    """Codecs of the (time, y, x) chunks: blosc-zstd (level 5, byte shuffle) → crc32c.

    Both are Zarr v3 spec codecs, so any v3 reader decodes the cube. Byte shuffle
    groups the float32 exponents and high mantissa bytes, which zstd then packs
    well (concentrations are smooth; NaN runs over land and gaps are long). On 64
    synthetic n6250 days in (8, 256, 256) chunks: 0.97 MB/day, day read 20 ms; zstd
    alone 1.17 MB; blosc-lz4 1.25 MB; bit-shuffle 1.12 MB and 3× slower reads;
    pcodec (not in the v3 spec) 0.93 MB but 2.4× slower reads. crc32c checksums
    each chunk so corruption fails loudly on read.
    """
    return {"compressors": (BloscCodec(cname="zstd", clevel=5, shuffle=BloscShuffle.shuffle),
                            Crc32cCodec())}


def day_number(day: date) -> int:
    """Days since 1970-01-01 (the ``time`` variable's values)."""
    return (day - EPOCH).days


def aligned_origin(day: date, time_chunk: int) -> date:
    """``day`` aligned down so time chunks start on multiples of ``time_chunk`` since 1970."""
    n = day_number(day)
    return EPOCH + timedelta(days=n - n % time_chunk)


def day_digest(values: np.ndarray) -> str:
    """sha256 of one stored day (float32, C order): what a pending day is checked against."""
    return hashlib.sha256(np.ascontiguousarray(values, dtype=np.float32).tobytes()).hexdigest()


def fields_digest(fields: Mapping[str, np.ndarray], variables: Sequence[str]) -> str:
    """sha256 of one day's stored fields: :func:`day_digest` for a sea-ice cube's ``sic``.

    With declared variables, every variable's bytes in order (name first), as stored.
    """
    if tuple(variables) == SIC_ONLY:
        return day_digest(fields["sic"])
    h = hashlib.sha256()
    for name in variables:
        h.update(name.encode() + b"\0")
        h.update(np.ascontiguousarray(fields[name]).tobytes())
    return h.hexdigest()


@dataclass(frozen=True)
class CubeVariable:
    """A declared (time, y, x) day variable of a cube: name, dtype, fill value, CF attributes.

    A sea-ice cube has one, ``sic``, implied; other cubes (the daily brightness
    temperatures of ``swathkit grid``) declare theirs when they are created.
    ``grid_mapping`` is added to ``attrs`` at creation.
    """

    name: str
    dtype: str
    fill: float | int
    attrs: Mapping[str, Any] = field(default_factory=dict)


def float_fill_attr(value: float) -> str:
    """A float ``_FillValue`` attribute as xarray writes it in Zarr (base64 of a ``<d``).

    JSON has no NaN, so xarray's Zarr backend keeps float fill values this way and
    decodes them on open: the variable's ``encoding["_FillValue"]`` is then ``value``.
    """
    return base64.standard_b64encode(struct.pack("<d", value)).decode()


def grid_to_json(g: Grid) -> dict[str, Any]:
    """The cube's record of its grid: enough to rebuild it without the registry."""
    return {"name": g.name, "epsg": g.epsg, "shape": list(g.shape),
            "transform": list(g.transform), "grid_mapping": g.grid_mapping_attrs(wkt=False)}


def grid_from_json(data: dict[str, Any]) -> Grid:
    """The registered grid the record names, or the ad-hoc grid it describes.

    Also reads the schema-1 record of cubes written before the grid registry
    (``n3125`` etc. with hemisphere, resolution and edges; row 0 = southern edge).
    """
    made = _legacy_grid(data) if "hemisphere" in data else _stored_grid(data)
    try:
        known = grid(made.name)
    except ValueError:  # not a registered name: an ad-hoc grid (tests use small ones)
        return made
    same = (known.shape, known.transform) == (made.shape, made.transform)
    return known if same else made


def _stored_grid(data: dict[str, Any]) -> Grid:
    x0, dx, _, y0, _, dy = (float(v) for v in data["transform"])
    return Grid(str(data["name"]), int(data["epsg"]),
                (int(data["shape"][0]), int(data["shape"][1])), (x0, dx, 0.0, y0, 0.0, dy),
                tuple(data.get("grid_mapping", {}).items()))


def _legacy_grid(data: dict[str, Any]) -> Grid:
    hemisphere, cell = str(data["hemisphere"]), float(data["resolution"])
    x0, y0 = float(data["x_edges"][0]), float(data["y_edges"][0])
    return Grid(str(data["name"]), 3413 if hemisphere == "n" else 3976,
                (int(data["rows"]), int(data["cols"])), (x0, cell, 0.0, y0, 0.0, cell),
                nsidc_polar_stereographic(hemisphere, WGS84))


@dataclass(frozen=True)
class Source:
    """Where a day came from: file name, size and mtime (cheap change detection)."""

    name: str = ""
    size: int = -1
    mtime: float = -1.0


@dataclass(frozen=True)
class DayRecord:
    """One day's entry in the index."""

    state: str
    rev: int  # commit number at which the day's content or state last changed
    digest: str = ""
    crs: str = ""
    source: Source = field(default_factory=Source)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["source"] = asdict(self.source)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DayRecord:
        return cls(data["state"], int(data["rev"]), data.get("digest", ""), data.get("crs", ""),
                   Source(**data.get("source", {})))


class DayView(Mapping[date, DayRecord]):
    """The per-day records of a cube: a mapping by day, plus the listing by state.

    This one holds its records in memory (a schema-2 root's ``days``);
    :class:`swathkit.stores.cube_days.DayTable` reads a schema-3 cube's on demand.
    """

    def __init__(self, records: Mapping[date, DayRecord] | None = None) -> None:
        self._records = dict(records or {})

    def __getitem__(self, day: date) -> DayRecord:
        return self._records[day]

    def __iter__(self) -> Iterator[date]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def in_state(self, state: str) -> list[date]:
        """Days whose record is in ``state``, in order."""
        return sorted(d for d, rec in self.items() if rec.state == state)

    def updated(self, updates: Mapping[date, DayRecord]) -> DayView:
        """These records with ``updates`` laid over them."""
        return DayView({**self._records, **updates})


@dataclass(frozen=True)
class CubeIndex:
    """The committed state of a cube (root attribute ``swathkit``).

    ``days`` is every record (read on demand in a schema-3 cube); ``last`` the
    records the last commit changed, the only ones the root holds.
    ``stored_schema`` is the schema of the root it was read from (a writer
    upgrades an older one).
    """

    grid: Grid
    origin: date
    length: int  # days on the time axis, from origin
    time_chunk: int = TIME_CHUNK
    space_chunk: tuple[int, int] = (SPACE_CHUNK, SPACE_CHUNK)
    days: DayView = field(default_factory=DayView)
    mask: dict[str, Any] | None = None
    fill: dict[str, Any] | None = None
    commits: int = 0
    variables: tuple[str, ...] = SIC_ONLY  # day variables, in write order
    product: str = "asi-amsr2"  # what a declared-variable cube holds (its Dataset's attr)
    last: Mapping[date, DayRecord] = field(default_factory=dict)
    stored_schema: int = SCHEMA

    @property
    def chunks(self) -> tuple[int, int, int]:
        return (self.time_chunk, *self.space_chunk)

    def day_at(self, i: int) -> date:
        return self.origin + timedelta(days=i)

    def index_of(self, day: date) -> int:
        return (day - self.origin).days

    def in_state(self, state: str) -> list[date]:
        return self.days.in_state(state)

    def with_days(self, updates: Mapping[date, DayRecord], **changes: Any) -> CubeIndex:
        """The next commit: ``updates`` laid over the records and carried as ``last``."""
        return replace(self, days=self.days.updated(updates), last=dict(updates),
                       commits=self.commits + 1, **changes)

    def to_attrs(self) -> dict[str, Any]:
        info = {
            "kind": KIND, "schema": SCHEMA, "grid": grid_to_json(self.grid),
            "origin": self.origin.isoformat(), "length": self.length,
            "time_chunk": self.time_chunk, "space_chunk": list(self.space_chunk),
            "last": {d.isoformat(): rec.to_json() for d, rec in sorted(self.last.items())},
            "mask": self.mask, "fill": self.fill, "commits": self.commits}
        if self.variables != SIC_ONLY:  # sea-ice cubes keep their documents as they were
            info.update(variables=list(self.variables), product=self.product)
        return {"swathkit": info}

    @classmethod
    def from_attrs(cls, attrs: dict[str, Any]) -> CubeIndex:
        """The index of a root; a schema-3 one's ``days`` holds only ``last`` (see
        :func:`swathkit.stores.grid_cube.load_index`, which lays it over the documents)."""
        info = attrs.get("swathkit")
        if not isinstance(info, dict) or info.get("kind") != KIND:
            raise StoreError("not a swathkit grid cube (no 'swathkit' root attribute of kind "
                             f"{KIND!r})")
        if info.get("schema") not in READABLE_SCHEMAS:
            raise StoreError(f"cube schema {info.get('schema')} is not one of "
                             f"{READABLE_SCHEMAS}; upgrade swathkit or build a new cube")
        schema = int(info["schema"])
        records = {date.fromisoformat(k): DayRecord.from_json(v)
                   for k, v in info["last" if schema >= 3 else "days"].items()}
        return cls(grid_from_json(info["grid"]), date.fromisoformat(info["origin"]),
                   int(info["length"]), int(info["time_chunk"]),
                   (int(info["space_chunk"][0]), int(info["space_chunk"][1])),
                   DayView(records), info.get("mask"), info.get("fill"), int(info["commits"]),
                   tuple(info.get("variables", SIC_ONLY)), info.get("product", "asi-amsr2"),
                   records if schema >= 3 else {}, schema)


def sic_attrs(long_name: str, g: Grid) -> dict[str, Any]:
    return {"units": "percent", "standard_name": "sea_ice_area_fraction",
            "long_name": long_name, "grid_mapping": g.grid_mapping_name,
            "valid_min": 0.0, "valid_max": 100.0}


def flag_attrs(g: Grid) -> dict[str, Any]:
    return {"long_name": "how each sic_filled value was obtained",
            "flag_values": [0, 1, 2, 3, 4, 5],
            "flag_meanings": "observed filled_in_time filled_in_space_time unfilled land "
                             "set_to_constant",
            "grid_mapping": g.grid_mapping_name,
            "comment": f"{FLAG_NOT_COMPUTED} (fill value): day not reached by the fill yet"}


TIME_ATTRS: dict[str, Any] = {"units": "days since 1970-01-01", "calendar": "proleptic_gregorian",
              "standard_name": "time", "axis": "T"}


def coord_attrs(axis: str, g: Grid) -> dict[str, Any]:
    projection = g.grid_mapping_name.replace("_", " ")
    return {"standard_name": f"projection_{axis}_coordinate", "units": "m",
            "axis": axis.upper(), "long_name": f"{axis} of the cell centre ({projection})"}
