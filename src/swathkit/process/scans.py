"""Scan-axis shaping of swath Datasets: pure functions."""

from __future__ import annotations

import xarray as xr


def fix_scan_count(ds: xr.Dataset, scans: int) -> xr.Dataset:
    """Crop or pad the ``scan`` axis to exactly ``scans`` (padding is missing data).

    The seed crops every swath to 2000 scans so swaths stack into one tensor.
    """
    if scans <= 0:
        raise ValueError(f"scans must be positive, not {scans}")
    have = ds.sizes["scan"]
    if scans <= have:
        return ds.isel(scan=slice(0, scans))
    return ds.pad(scan=(0, scans - have))
