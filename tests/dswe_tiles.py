"""Small DSWE-like INWAM GeoTIFFs for the pairs tests: the DSWE Albers, a 30 m lattice."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
import shapely
from affine import Affine
from pyproj import CRS, Transformer

# CONUS Albers as the DSWE tiles carry it: WGS84 datum, spheroid 6378140 / 298.256999999996
ALBERS = CRS.from_proj4("+proj=aea +lat_0=23 +lon_0=-96 +lat_1=29.5 +lat_2=45.5 +x_0=0 "
                        "+y_0=0 +a=6378140 +rf=298.256999999996 +towgs84=0,0,0 +units=m "
                        "+no_defs").to_wkt()
RES = 30.0
# a point on the ARD lattice in the lower Mississippi (tile h19 v13's upper-left corner)
X0 = -2565585.0 + 150000.0 * 19
Y0 = 3314805.0 - 150000.0 * 13


def origin(x: float, y: float, res: float = RES) -> Affine:
    """The north-up transform with upper-left corner (x, y) (affine's `*` warns now)."""
    return Affine(res, 0.0, x, 0.0, -res, y)


def write_tile(path: Path, classes: np.ndarray, *, col: int = 0, row: int = 0,
               crs: str = ALBERS, res: float = RES, block: int = 256) -> Path:
    """``classes`` (uint8) as a tiled, deflated GeoTIFF whose upper-left pixel is (row, col)
    of the lattice starting at (X0, Y0)."""
    height, width = classes.shape
    tiled = height >= block and width >= block
    profile = {"driver": "GTiff", "width": width, "height": height, "count": 1,
               "dtype": "uint8", "crs": crs, "nodata": 255, "compress": "deflate",
               "transform": origin(X0 + col * res, Y0 - row * res, res)}
    if tiled:
        profile |= {"tiled": True, "blockxsize": block, "blockysize": block}
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(classes.astype(np.uint8), 1)
    return path


def lonlat(polygon_xy: shapely.Polygon, crs: str = ALBERS) -> shapely.Polygon:
    """A polygon given in the tile CRS, its vertices in lon/lat."""
    inv = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    xs, ys = np.asarray(polygon_xy.exterior.coords).T
    return shapely.Polygon(np.column_stack(inv.transform(xs, ys)))


def pixel_box(r0: int, c0: int, r1: int, c1: int) -> shapely.Polygon:
    """The box of lattice rows r0..r1-1 and columns c0..c1-1, in the tile CRS."""
    return shapely.box(X0 + c0 * RES, Y0 - r1 * RES, X0 + c1 * RES, Y0 - r0 * RES)


def rotated(r0: int, c0: int, r1: int, c1: int, degrees: float = 10.0) -> shapely.Polygon:
    """``pixel_box`` rotated about its centre (a SAR scene's tilt), in the tile CRS."""
    from shapely import affinity

    return affinity.rotate(pixel_box(r0, c0, r1, c1), degrees, origin="centroid")
