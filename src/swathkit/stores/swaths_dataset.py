"""``open_swaths``: a swath store as one lazy (dask) Dataset, with selection."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import numpy as np
import xarray as xr

from swathkit.process import footprint
from swathkit.process.scans import fix_scan_count
from swathkit.stores.location import StoreLocation, quiet_zarr
from swathkit.stores.schema import as_text
from swathkit.stores.swath_store import SwathStore

TimeLike = str | datetime | np.datetime64


def _open_lazy(store: SwathStore) -> xr.Dataset:
    with quiet_zarr():
        ds = xr.open_zarr(store.location.zarr_store(read_only=True), consolidated=True,
                          chunks={})
    rows = store.live_rows()  # ascending row numbers
    starts = ds["start_time"].values[rows]
    order = np.argsort(starts, kind="stable")  # rows of old stores are in commit order
    ds = ds.isel(granule=rows[order]).drop_vars("state", errors="ignore")
    ids = as_text(ds["granule_id"].values)
    ds = ds.assign_coords(granule=("granule", ids)).drop_vars("granule_id")
    layout = store.layout
    ds.attrs = {"title": "AMSR2 L1B swaths (swathkit swath store)", "platform": "GCOM-W1",
                "sensor": "AMSR2", "product": "AMSR2_L1B", "channels": ",".join(layout.channels),
                "scan_length": layout.scan_length, "source_store": str(store.location)}
    return cast(xr.Dataset, ds)


def _selection(ds: xr.Dataset, start: TimeLike | None, end: TimeLike | None,
               orbit: str | None, bbox: tuple[float, float, float, float] | None) -> np.ndarray:
    keep = np.ones(ds.sizes["granule"], bool)
    if start is not None:
        keep &= ds["end_time"].values >= np.datetime64(_naive(start), "ns")
    if end is not None:
        keep &= ds["start_time"].values < np.datetime64(_naive(end), "ns")
    if orbit is not None:
        if orbit.upper() not in ("A", "D"):
            raise ValueError(f"orbit must be A (ascending) or D (descending), not {orbit!r}")
        keep &= as_text(ds["orbit_direction"].values) == orbit.upper()
    if bbox is not None:
        query = footprint.bbox_coverage(*bbox)
        keep &= footprint.intersects(ds["coverage"].values, query)
    return np.flatnonzero(keep)


def _naive(value: TimeLike) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None) - (value.utcoffset() or value - value)
    if isinstance(value, str):
        return value.removesuffix("Z")
    return value


def open_swaths(store: str | StoreLocation, *, start: TimeLike | None = None,
                end: TimeLike | None = None, orbit: str | None = None,
                bbox: tuple[float, float, float, float] | None = None,
                scans: int | None = None,
                storage_options: dict[str, Any] | None = None) -> xr.Dataset:
    """Open a swath store lazily, decoded to Kelvin, one row per committed granule.

    Args:
        store: Local path or fsspec URL of the store.
        start, end: Keep granules overlapping ``[start, end)`` (UTC).
        orbit: ``"A"`` or ``"D"``.
        bbox: ``(west, south, east, north)`` in degrees; ``west > east`` crosses 180°.
            Granules are kept when their footprint touches the box (2° cells).
        scans: Crop or pad every swath to this many scans (the seed uses 2000).
        storage_options: fsspec options for a remote store.

    Returns:
        A dask-backed Dataset with dims ``granule``, ``scan``, ``pixel`` (and ``pixel89``),
        granules in time order; the ``granule`` coordinate holds granule ids.
    """
    sw = SwathStore.open(store, storage_options)
    ds = _open_lazy(sw)
    ds = ds.isel(granule=_selection(ds, start, end, orbit, bbox))
    return fix_scan_count(ds, scans) if scans else ds
