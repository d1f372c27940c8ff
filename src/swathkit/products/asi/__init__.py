"""University of Bremen ASI AMSR2 daily sea-ice concentration grids.

The grid table and file-name grammar load instantly; the reader (xarray, dask,
h5py) loads on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from swathkit.products.asi.grids import (
    ASI_GRIDS,
    RECORD_START,
    WGS84_FROM,
    asi_grid,
    asi_grid_name,
)
from swathkit.products.asi.names import (
    BREMEN_URL,
    AsiName,
    asi_file_name,
    asi_remote_path,
    asi_url,
    parse_asi_name,
)

_READER = {"open_asi", "check_asi_file"}

__all__ = [
    "ASI_GRIDS",
    "BREMEN_URL",
    "RECORD_START",
    "WGS84_FROM",
    "AsiName",
    "asi_file_name",
    "asi_grid",
    "asi_grid_name",
    "asi_remote_path",
    "asi_url",
    "check_asi_file",
    "open_asi",
    "parse_asi_name",
]


def __getattr__(name: str) -> Any:
    if name in _READER:
        return getattr(importlib.import_module("swathkit.products.asi.reader"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
