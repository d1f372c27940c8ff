"""Named grids: the :class:`Grid` type and the registry of the grids swathkit knows.

A :class:`Grid` is a regular raster in a projected CRS: ``shape`` (rows, cols) and a
GDAL affine ``transform`` ``(x0, dx, 0, y0, 0, dy)`` from the outer corner of cell
(0, 0), so cell centres are ``x0 + (i + 0.5)·dx`` and ``y0 + (j + 0.5)·dy``. North-up
grids (EASE-Grid 2.0) have ``dy < 0``: row 0 is the top. The Bremen ASI grids have
``dy > 0``: row 0 is the southern edge.

The registry (:func:`grid`, :data:`GRIDS`) holds, as a declarative table:

- ``ease2-m36``, ``ease2-m09``, ``ease2-m03``, ``ease2-m01`` (EPSG:6933, global),
  ``ease2-n36`` … ``ease2-n01`` (EPSG:6931) and ``ease2-s36`` … ``ease2-s01``
  (EPSG:6932): EASE-Grid 2.0 exactly as NSIDC's ``.gpd`` files define it (pyproj's
  EPSG codes plus these corners and cell sizes; the Python EASE packages round them);
- ``asi-n3125``, ``asi-n6250``, ``asi-s3125``, ``asi-s6250``: the NSIDC polar
  stereographic grids of the Bremen ASI sea-ice product, as published since
  2018-11-02 (WGS84, EPSG:3413 / 3976). Their short names (``n3125`` …), which the
  sea-ice commands take and cubes written before this registry stored, are aliases.

Some grids kept their x/y but changed CRS on a date (the ASI grids were on the Hughes
1980 ellipsoid, EPSG:3411 / 3412, until 2018-11-01): :func:`grid_on` gives the grid
as it was on a day, asking the product that knows (:mod:`swathkit.products.asi.grids`).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from swathkit.errors import InputError
from swathkit.types import Region

if TYPE_CHECKING:  # pyproj loads on first use: names and shapes need no projection
    import pyproj
    from pyresample.geometry import AreaDefinition

Transform = tuple[float, float, float, float, float, float]
"""GDAL geotransform ``(x0, dx, 0, y0, 0, dy)``: outer corner of cell (0, 0) and cell steps."""

CfParams = tuple[tuple[str, float | str], ...]
"""CF grid-mapping attributes as ordered pairs (hashable, so a Grid can key a cache)."""

WGS84 = (6378137.0, 298.257223563)  # (semi-major axis m, inverse flattening)
HUGHES_1980 = (6378273.0, 298.279411123064)


@dataclass(frozen=True)
class Grid:
    """A regular grid in a projected CRS.

    Attributes:
        name: Registry name, e.g. ``"ease2-n25"``, ``"asi-n3125"``.
        epsg: EPSG code of the CRS (:attr:`crs` is the ``pyproj.CRS``).
        shape: ``(rows, cols)``.
        transform: GDAL geotransform ``(x0, dx, 0, y0, 0, dy)``, metres.
        cf: CF grid-mapping attributes without ``crs_wkt``; empty: from pyproj.
    """

    name: str
    epsg: int
    shape: tuple[int, int]
    transform: Transform
    cf: CfParams = field(default=(), repr=False, compare=False)  # describes epsg: not identity

    def __post_init__(self) -> None:
        rows, cols = (int(n) for n in self.shape)
        x0, dx, rx, y0, ry, dy = (float(v) for v in self.transform)
        if rows <= 0 or cols <= 0 or dx <= 0 or dy == 0 or rx or ry:
            raise ValueError(f"grid {self.name}: shape {self.shape} and transform "
                             f"{self.transform} do not describe a regular, unrotated grid")
        object.__setattr__(self, "shape", (rows, cols))
        object.__setattr__(self, "transform", (x0, dx, 0.0, y0, 0.0, dy))
        cf = self.cf.items() if isinstance(self.cf, Mapping) else self.cf
        object.__setattr__(self, "cf", tuple((str(k), v) for k, v in cf))

    @property
    def rows(self) -> int:
        return self.shape[0]

    @property
    def cols(self) -> int:
        return self.shape[1]

    @property
    def crs(self) -> pyproj.CRS:
        """The projection (``pyproj.CRS``, built once per EPSG code)."""
        return _crs(self.epsg)

    @property
    def cell_size(self) -> tuple[float, float]:
        """``(dx, |dy|)`` in metres."""
        return self.transform[1], abs(self.transform[5])

    @property
    def resolution(self) -> float:
        """Cell size along x, metres (the cells of every registered grid are square)."""
        return self.transform[1]

    @property
    def north_up(self) -> bool:
        """Whether row 0 is the top (``dy < 0``), as in an image."""
        return self.transform[5] < 0

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """Outer edges ``(x_min, y_min, x_max, y_max)``, metres."""
        x0, dx, _, y0, _, dy = self.transform
        x1, y1 = x0 + self.cols * dx, y0 + self.rows * dy
        return x0, min(y0, y1), x1, max(y0, y1)

    @property
    def grid_mapping_name(self) -> str:
        """CF ``grid_mapping_name`` (also the name of the grid-mapping variable we write)."""
        return str(self.grid_mapping_attrs(wkt=False)["grid_mapping_name"])

    @property
    def hemisphere(self) -> str:
        """``"n"`` or ``"s"`` when the projection's origin is a pole, ``""`` otherwise."""
        return _pole(self.epsg)

    def x(self) -> np.ndarray:
        """Cell-centre x coordinates (m), column order, float64."""
        x0, dx = self.transform[0], self.transform[1]
        return x0 + dx * (np.arange(self.cols, dtype=np.float64) + 0.5)

    def y(self) -> np.ndarray:
        """Cell-centre y coordinates (m), row order (descending if :attr:`north_up`), float64."""
        y0, dy = self.transform[3], self.transform[5]
        return y0 + dy * (np.arange(self.rows, dtype=np.float64) + 0.5)

    def grid_mapping_attrs(self, *, wkt: bool = True) -> dict[str, Any]:
        """CF grid-mapping attributes, with ``crs_wkt`` and ``epsg_code`` unless ``wkt=False``."""
        attrs: dict[str, Any] = dict(self.cf or _pyproj_cf(self.epsg))
        if wkt:
            attrs["crs_wkt"] = self.crs.to_wkt()
            attrs["epsg_code"] = f"EPSG:{self.epsg}"
        return attrs

    def area_definition(self) -> AreaDefinition:
        """The grid as a pyresample ``AreaDefinition`` (same CRS, extent and shape).

        pyresample's row 0 is the top edge: on a south-up grid (the ASI grids,
        ``dy > 0``) its rows are this grid's rows reversed (``values[::-1]``).
        """
        from pyresample.geometry import AreaDefinition

        return AreaDefinition(self.name, self.name, self.name, self.crs, self.cols, self.rows,
                              self.bounds)

    def lonlat(self, *, rows: slice = slice(None), cols: slice = slice(None),
               dtype: type[np.floating] = np.float32) -> tuple[np.ndarray, np.ndarray]:
        """Longitude and latitude (degrees) of cell centres, ``(rows, cols)`` arrays.

        Computed with pyproj (``always_xy``) from :attr:`crs` to EPSG:4326, in float64,
        then given as ``dtype`` (float32 by default: it resolves a metre; pass
        ``np.float64`` for the exact values). The whole grid is computed once per
        process and returned read-only; a crop is computed on its own unless the whole
        grid is already cached.

        Args:
            rows: Row slice.
            cols: Column slice.
            dtype: ``np.float32`` or ``np.float64``.
        """
        key = np.dtype(dtype).name
        if (self, key) in _CACHED or (rows == slice(None) and cols == slice(None)):
            lon, lat = _full_lonlat(self, key)
            return lon[rows, cols], lat[rows, cols]
        return _lonlat(self, self.x()[cols], self.y()[rows], key)

    def window(self, x: tuple[float, float], y: tuple[float, float]) -> Region:
        """The cells whose centres lie in ``x_min <= x < x_max`` and ``y_min <= y < y_max``.

        Raises:
            InputError: no cell centre of the grid lies in the box.
        """
        rows = _inside(self.y(), y)
        cols = _inside(self.x(), x)
        if rows is None or cols is None:
            raise InputError(f"the box x {x[0]:,.0f} … {x[1]:,.0f} m, y {y[0]:,.0f} … "
                             f"{y[1]:,.0f} m holds no cell of grid {self.name} "
                             f"(bounds {', '.join(f'{v:,.0f}' for v in self.bounds)})")
        return Region(rows, cols)


def _inside(centres: np.ndarray, span: tuple[float, float]) -> tuple[int, int] | None:
    hits = np.flatnonzero((centres >= span[0]) & (centres < span[1]))
    return (int(hits[0]), int(hits[-1]) + 1) if hits.size else None


@functools.cache
def _crs(epsg: int) -> pyproj.CRS:
    import pyproj

    return pyproj.CRS.from_epsg(epsg)


@functools.cache
def _pole(epsg: int) -> str:
    import pyproj

    _, lat = pyproj.Transformer.from_crs(epsg, 4326, always_xy=True).transform(0.0, 0.0)
    return "" if abs(lat) < 89.999 else ("n" if lat > 0 else "s")


@functools.cache
def _pyproj_cf(epsg: int) -> CfParams:
    cf = _crs(epsg).to_cf()
    cf.pop("crs_wkt", None)
    return tuple(cf.items())


_CACHED: set[tuple[Grid, str]] = set()  # (grid, dtype) whose whole lon/lat is in memory


@functools.cache
def _full_lonlat(grid: Grid, dtype: str) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _lonlat(grid, grid.x(), grid.y(), dtype)
    lon.flags.writeable = False
    lat.flags.writeable = False
    _CACHED.add((grid, dtype))
    return lon, lat


def _lonlat(grid: Grid, x: np.ndarray, y: np.ndarray,
            dtype: str) -> tuple[np.ndarray, np.ndarray]:
    import pyproj

    transformer = pyproj.Transformer.from_crs(grid.crs, "EPSG:4326", always_xy=True)
    lon = np.empty((y.size, x.size), dtype)
    lat = np.empty((y.size, x.size), dtype)
    for r0 in range(0, y.size, 256):  # strips keep the float64 temporaries small
        xx, yy = np.meshgrid(x, y[r0:r0 + 256])
        lo, la = transformer.transform(xx, yy)
        lon[r0:r0 + 256] = lo
        lat[r0:r0 + 256] = la
    return lon, lat


# --- the registry ----------------------------------------------------------------------------


def nsidc_polar_stereographic(hemisphere: str, ellipsoid: tuple[float, float]) -> CfParams:
    """CF attributes of the NSIDC sea-ice polar stereographic projection (70° true scale)."""
    sign = 1.0 if hemisphere == "n" else -1.0
    return (("grid_mapping_name", "polar_stereographic"),
            ("straight_vertical_longitude_from_pole", -45.0 if hemisphere == "n" else 0.0),
            ("latitude_of_projection_origin", 90.0 * sign), ("standard_parallel", 70.0 * sign),
            ("false_easting", 0.0), ("false_northing", 0.0),
            ("semi_major_axis", ellipsoid[0]), ("inverse_flattening", ellipsoid[1]))


def _ease2_cf(kind: str) -> CfParams:
    ellipsoid = (("semi_major_axis", WGS84[0]), ("inverse_flattening", WGS84[1]))
    if kind == "m":
        return (("grid_mapping_name", "lambert_cylindrical_equal_area"),
                ("longitude_of_central_meridian", 0.0), ("standard_parallel", 30.0),
                ("false_easting", 0.0), ("false_northing", 0.0), *ellipsoid)
    return (("grid_mapping_name", "lambert_azimuthal_equal_area"),
            ("longitude_of_projection_origin", 0.0),
            ("latitude_of_projection_origin", 90.0 if kind == "n" else -90.0),
            ("false_easting", 0.0), ("false_northing", 0.0), *ellipsoid)


# EASE-Grid 2.0 (NSIDC .gpd): (name, cols, rows, cell m); corners in _EASE2_CORNER.
_EASE2_GLOBAL = (("m36", 964, 406, 36032.220840584), ("m09", 3856, 1624, 9008.055210146),
                 ("m03", 11568, 4872, 3002.6850700487),
                 ("m01", 34704, 14616, 1000.89502334956))
_EASE2_POLAR = (("36", 500, 36000.0), ("25", 720, 25000.0), ("12.5", 1440, 12500.0),
                ("09", 2000, 9000.0), ("03", 6000, 3000.0), ("01", 18000, 1000.0))
_EASE2_CORNER = {"m": (-17367530.4451615, 7314540.8306386), "n": (-9000000.0, 9000000.0),
                 "s": (-9000000.0, 9000000.0)}
_EASE2_EPSG = {"m": 6933, "n": 6931, "s": 6932}

# Bremen ASI: (name, cell m); edges (x0, x1), (y0, y1) per hemisphere; row 0 = south.
_ASI = (("n3125", 3125.0), ("n6250", 6250.0), ("s3125", 3125.0), ("s6250", 6250.0))
_ASI_EDGES = {"n": ((-3_850_000.0, 3_750_000.0), (-5_350_000.0, 5_850_000.0)),
              "s": ((-3_950_000.0, 3_950_000.0), (-3_950_000.0, 4_350_000.0))}
_ASI_EPSG = {"n": 3413, "s": 3976}


def _ease2(kind: str, suffix: str, cols: int, rows: int, cell: float) -> Grid:
    x0, y0 = _EASE2_CORNER[kind]
    return Grid(f"ease2-{kind}{suffix}", _EASE2_EPSG[kind], (rows, cols),
                (x0, cell, 0.0, y0, 0.0, -cell), _ease2_cf(kind))


def _asi(short: str, cell: float) -> Grid:
    hemisphere = short[0]
    (x0, x1), (y0, y1) = _ASI_EDGES[hemisphere]
    shape = (round((y1 - y0) / cell), round((x1 - x0) / cell))
    return Grid(f"asi-{short}", _ASI_EPSG[hemisphere], shape, (x0, cell, 0.0, y0, 0.0, cell),
                nsidc_polar_stereographic(hemisphere, WGS84))


_TABLE: dict[str, Grid] = {g.name: g for g in (
    *(_ease2("m", name[1:], cols, rows, cell) for name, cols, rows, cell in _EASE2_GLOBAL),
    *(_ease2(kind, suffix, n, n, cell) for kind in "ns" for suffix, n, cell in _EASE2_POLAR),
    *(_asi(short, cell) for short, cell in _ASI),
)}
_ALIASES = {short: f"asi-{short}" for short, _ in _ASI}
# Grids whose CRS changed on a date (x/y kept): name prefix → module with grid_on(grid, day).
_DATED = {"asi-": "swathkit.products.asi.grids"}

GRIDS: tuple[str, ...] = tuple(_TABLE)
"""Names of the registered grids."""


def grid(name: str | Grid) -> Grid:
    """The registered grid called ``name`` (a :class:`Grid` is returned as is).

    Names are case-insensitive; the ASI short names (``n3125`` …) are accepted.

    Raises:
        InputError: no grid of that name; the message lists the known ones.
    """
    if isinstance(name, Grid):
        return name
    key = name.strip().lower()
    found = _TABLE.get(_ALIASES.get(key, key))
    if found is None:
        raise InputError(f"unknown grid {name!r}; known grids: {', '.join(GRIDS)}")
    return found


def grid_on(g: Grid, day: date) -> Grid:
    """``g`` as defined on ``day``: the same cells, in the CRS in force that day.

    Most grids never changed; for those that did the product gives the answer.
    """
    for prefix, module in _DATED.items():
        if g.name.startswith(prefix):
            dated: Grid = importlib.import_module(module).grid_on(g, day)
            return dated
    return g
