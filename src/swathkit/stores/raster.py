"""Georeferenced rasters written as GeoTIFF or Cloud-Optimised GeoTIFF (rasterio).

A :class:`Raster` is bands on a :class:`~swathkit.products.grids.Grid`; the file gets
the grid's EPSG code and exact geotransform, nodata from the fill, band descriptions
(the dataset path), units, scale/offset and the source's attributes as tags. A grid
whose row 0 is its southern edge is written north-up (rows reversed, same cells).
COGs use GDAL's ``COG`` driver: 512 × 512 blocks, deflate, overviews by ``nearest``
for flags and categories, ``average`` for continuous values. Files are written to a
sibling temporary name and renamed into place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from swathkit.products.grids import Grid

__all__ = ["Raster", "write_raster"]


@dataclass(frozen=True)
class Raster:
    """Bands ``(n, rows, cols)`` on ``grid``, NaN (floats) or ``nodata`` where missing."""

    bands: np.ndarray
    grid: Grid
    nodata: float | int | None
    descriptions: tuple[str, ...]
    units: str = ""
    categorical: bool = False
    tags: dict[str, str] = field(default_factory=dict)


def write_raster(raster: Raster, out: Path, *, cog: bool = False) -> Path:
    """Write ``raster`` to ``out`` (GeoTIFF, or COG with ``cog``); returns ``out``."""
    import rasterio
    from rasterio.io import MemoryFile
    from rasterio.shutil import copy as rio_copy
    from rasterio.transform import Affine

    g = raster.grid
    bands = np.asarray(raster.bands)
    x0, dx, _, y0, _, dy = g.transform
    if dy > 0:  # south-up grid: write it north-up
        bands, y0, dy = bands[:, ::-1], y0 + g.rows * dy, -dy
    if bands.dtype.kind == "f" and raster.nodata is not None:
        bands = np.where(np.isnan(bands), raster.nodata, bands).astype(bands.dtype)
    profile = {"driver": "GTiff", "width": g.cols, "height": g.rows, "count": bands.shape[0],
               "dtype": bands.dtype.name, "crs": rasterio.crs.CRS.from_epsg(g.epsg),
               "transform": Affine.from_gdal(x0, dx, 0.0, y0, 0.0, dy),
               "nodata": raster.nodata, "compress": "deflate"}
    part = out.with_name(f".{out.name}.part")
    resampling = "NEAREST" if raster.categorical else "AVERAGE"
    try:
        with MemoryFile() as mem:
            with mem.open(**({**profile, "tiled": True, "blockxsize": 512, "blockysize": 512}
                             if not cog else profile)) as dst:
                dst.write(bands)
                _describe(dst, raster)
            if cog:
                with mem.open() as src:
                    rio_copy(src, part, driver="COG", compress="DEFLATE", blocksize=512,
                             overview_resampling=resampling)
            else:
                part.write_bytes(mem.read())
        part.replace(out)
    finally:
        part.unlink(missing_ok=True)
    return out


def _describe(dst: object, raster: Raster) -> None:
    scale = float(raster.tags.get("scale_factor", 1.0))
    offset = float(raster.tags.get("add_offset", 0.0))
    for i, text in enumerate(raster.descriptions, start=1):
        dst.set_band_description(i, text)  # type: ignore[attr-defined]
        dst.set_band_unit(i, raster.units)  # type: ignore[attr-defined]
    dst.scales = (scale,) * len(raster.descriptions)  # type: ignore[attr-defined]
    dst.offsets = (offset,) * len(raster.descriptions)  # type: ignore[attr-defined]
    dst.update_tags(**raster.tags, units=raster.units,  # type: ignore[attr-defined]
                    grid=raster.grid.name)
