"""The four polar stereographic grids of the Bremen ASI AMSR2 daily product.

North grids (``n3125``, ``n6250``) are the NSIDC sea-ice polar stereographic north
projection (true scale at 70°N, central meridian -45°); south grids (``s3125``,
``s6250``) the NSIDC south projection (true scale at 70°S, central meridian 0°).
The ellipsoid changed on 2018-11-02: Hughes 1980 (EPSG:3411 / 3412) until
2018-11-01, WGS84 (EPSG:3413 / 3976) from then on; the x/y coordinates did not.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

from swathkit.errors import InputError

if TYPE_CHECKING:  # pyproj loads on first use: names and shapes need no projection
    import pyproj

RECORD_START = date(2012, 7, 2)
WGS84_FROM = date(2018, 11, 2)  # first day on the WGS84 ellipsoid

_ELLIPSOIDS = {  # (semi_major_axis m, inverse_flattening)
    "hughes1980": (6378273.0, 298.279411123064),
    "wgs84": (6378137.0, 298.257223563),
}
_EPSG = {("n", False): 3411, ("n", True): 3413, ("s", False): 3412, ("s", True): 3976}
_NORTH_EDGES = ((-3_850_000.0, 3_750_000.0), (-5_350_000.0, 5_850_000.0))
_SOUTH_EDGES = ((-3_950_000.0, 3_950_000.0), (-3_950_000.0, 4_350_000.0))


@dataclass(frozen=True)
class AsiGrid:
    """One ASI grid: its extent, resolution and projection.

    Row 0 is the southern edge (``y`` ascending), column 0 the western edge.
    """

    name: str
    hemisphere: str  # "n" | "s"
    resolution: float  # metres
    rows: int
    cols: int
    x_edges: tuple[float, float]
    y_edges: tuple[float, float]

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, cols)``, the shape of a day's field."""
        return (self.rows, self.cols)

    def x(self) -> np.ndarray:
        """Cell-centre x coordinates (m), ascending, float64."""
        return self.x_edges[0] + self.resolution * (np.arange(self.cols, dtype=np.float64) + 0.5)

    def y(self) -> np.ndarray:
        """Cell-centre y coordinates (m), ascending (row 0 = southern edge), float64."""
        return self.y_edges[0] + self.resolution * (np.arange(self.rows, dtype=np.float64) + 0.5)

    def epsg(self, day: date) -> int:
        """EPSG code in force on ``day`` (3411/3413 north, 3412/3976 south)."""
        return _EPSG[(self.hemisphere, _is_wgs84(day))]

    def crs(self, day: date) -> pyproj.CRS:
        """The projection in force on ``day``."""
        return _crs(self.epsg(day))

    def grid_mapping_attrs(self, day: date, *, wkt: bool = False) -> dict[str, Any]:
        """CF ``polar_stereographic`` grid-mapping attributes in force on ``day``.

        Args:
            day: The day of the field (the ellipsoid changed on 2018-11-02).
            wkt: Also give ``crs_wkt`` and ``epsg_code`` (``"EPSG:3413"``).
        """
        sign = 1.0 if self.hemisphere == "n" else -1.0
        semi_major, inverse_flattening = _ELLIPSOIDS["wgs84" if _is_wgs84(day) else "hughes1980"]
        attrs: dict[str, Any] = {
            "grid_mapping_name": "polar_stereographic",
            "straight_vertical_longitude_from_pole": -45.0 if self.hemisphere == "n" else 0.0,
            "latitude_of_projection_origin": 90.0 * sign,
            "standard_parallel": 70.0 * sign,
            "false_easting": 0.0,
            "false_northing": 0.0,
            "semi_major_axis": semi_major,
            "inverse_flattening": inverse_flattening,
        }
        if wkt:
            attrs["crs_wkt"] = self.crs(day).to_wkt()
            attrs["epsg_code"] = f"EPSG:{self.epsg(day)}"
        return attrs

    def lonlat(
        self, *, rows: slice = slice(None), cols: slice = slice(None)
    ) -> tuple[np.ndarray, np.ndarray]:
        """Longitude and latitude (degrees, float32) of cell centres, ``(rows, cols)`` arrays.

        Computed on the WGS84 ellipsoid (the Hughes 1980 positions differ by well under
        a cell). The whole grid is computed once per process and returned read-only;
        a crop of it is computed on its own unless the whole grid is already cached.

        Args:
            rows: Row slice (row 0 = southern edge).
            cols: Column slice.
        """
        if self in _CACHED or _is_full(rows, cols):
            lon, lat = _full_lonlat(self)
            return lon[rows, cols], lat[rows, cols]
        return _lonlat(self, self.x()[cols], self.y()[rows])


def _is_wgs84(day: date) -> bool:
    return day >= WGS84_FROM


def _is_full(rows: slice, cols: slice) -> bool:
    return rows == slice(None) and cols == slice(None)


@functools.cache
def _crs(epsg: int) -> pyproj.CRS:
    import pyproj

    return pyproj.CRS.from_epsg(epsg)


_CACHED: set[AsiGrid] = set()  # grids whose whole lon/lat is in memory


@functools.cache
def _full_lonlat(grid: AsiGrid) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _lonlat(grid, grid.x(), grid.y())
    lon.flags.writeable = False
    lat.flags.writeable = False
    _CACHED.add(grid)
    return lon, lat


def _lonlat(grid: AsiGrid, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import pyproj

    transformer = pyproj.Transformer.from_crs(grid.crs(WGS84_FROM), "EPSG:4326", always_xy=True)
    lon = np.empty((y.size, x.size), np.float32)
    lat = np.empty((y.size, x.size), np.float32)
    for r0 in range(0, y.size, 256):  # strips keep the float64 temporaries small
        xx, yy = np.meshgrid(x, y[r0:r0 + 256])
        lo, la = transformer.transform(xx, yy)
        lon[r0:r0 + 256] = lo
        lat[r0:r0 + 256] = la
    return lon, lat


def _grid(name: str, resolution: float) -> AsiGrid:
    hemisphere = name[0]
    x_edges, y_edges = _NORTH_EDGES if hemisphere == "n" else _SOUTH_EDGES
    cols = round((x_edges[1] - x_edges[0]) / resolution)
    rows = round((y_edges[1] - y_edges[0]) / resolution)
    return AsiGrid(name, hemisphere, resolution, rows, cols, x_edges, y_edges)


GRIDS: dict[str, AsiGrid] = {
    name: _grid(name, res)
    for name, res in (("n3125", 3125.0), ("n6250", 6250.0), ("s3125", 3125.0), ("s6250", 6250.0))
}


def asi_grid(name: str | AsiGrid) -> AsiGrid:
    """The grid called ``name`` (an :class:`AsiGrid` is returned as is).

    Raises:
        InputError: ``name`` is not one of ``n3125``, ``n6250``, ``s3125``, ``s6250``.
    """
    if isinstance(name, AsiGrid):
        return name
    try:
        return GRIDS[name]
    except KeyError:
        raise InputError(
            f"unknown ASI grid {name!r}; choose one of {', '.join(GRIDS)}") from None
