"""GeoParquet files of lon/lat geometries (the pair table, the DSWE harvest cache).

Written by geopandas (GeoParquet metadata, WKB, the CRS as PROJJSON). Read back with
pyarrow and shapely: ``geopandas.read_parquet`` parses the PROJJSON into a pyproj CRS on
every read (~40 ms a file, most of a small file's read), where these files hold only
EPSG:4326, checked here from the metadata's CRS id.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pandas as pd

from swathkit.errors import StoreError

__all__ = ["read_lonlat", "write_lonlat"]

_CRS84 = {"id": {"authority": "OGC", "code": "CRS84"}}
_LONLAT_IDS = ({"authority": "EPSG", "code": 4326}, _CRS84["id"])


def write_lonlat(frame: pd.DataFrame, path: Path, **options: Any) -> None:
    """Write ``frame`` (shapely lon/lat geometries in ``geometry``) to ``path`` atomically
    (a temporary file renamed into place); ``options`` go to ``to_parquet``."""
    import geopandas as gpd

    geo = gpd.GeoDataFrame(frame, geometry="geometry", crs=_lonlat())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    geo.to_parquet(tmp, index=False, **options)
    tmp.replace(path)


def read_lonlat(path: Path, what: str, advice: str) -> pd.DataFrame:
    """The frame of a file :func:`write_lonlat` wrote, its geometry columns as shapely.

    Args:
        path: The file.
        what: What the file is, for errors (``"pair table"``).
        advice: What to do when it is unreadable, for errors.

    Raises:
        StoreError: unreadable, not GeoParquet, or not lon/lat (EPSG:4326).
    """
    import pyarrow.parquet as pq
    import shapely

    try:
        table = pq.read_table(path)
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: not a readable {what} ({exc}); {advice}") from None
    try:
        geo = json.loads((table.schema.metadata or {})[b"geo"])
        columns = geo["columns"]
    except (KeyError, ValueError, TypeError):
        raise StoreError(f"{path}: not a {what} (no GeoParquet metadata); {advice}") from None
    frame = table.to_pandas()
    for name, column in columns.items():
        crs = column.get("crs", _CRS84)  # GeoParquet: no crs key means OGC:CRS84
        if column.get("encoding") != "WKB" or (crs or {}).get("id") not in _LONLAT_IDS:
            raise StoreError(f"{path}: not a {what} (column {name} is not lon/lat WKB); "
                             f"{advice}")
        frame[name] = shapely.from_wkb(frame[name].to_numpy())
    return frame


@functools.cache
def _lonlat() -> Any:
    from pyproj import CRS

    return CRS.from_epsg(4326)
