"""JAXA GCOM-W/AMSR2 Level 1B/1R brightness temperatures.

The channel table and file-name grammar load instantly; the reader (xarray,
dask, h5py) loads on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from swathkit.products.amsr2.channels import CHANNELS, Channel, channel, parse_channels
from swathkit.products.amsr2.names import GranuleName, parse_name

_READER = {"footprint_latlon", "open_l1b", "parse_coregistration"}

__all__ = [
    "CHANNELS",
    "Channel",
    "GranuleName",
    "channel",
    "footprint_latlon",
    "open_l1b",
    "parse_channels",
    "parse_coregistration",
    "parse_name",
]


def __getattr__(name: str) -> Any:
    if name in _READER:
        return getattr(importlib.import_module("swathkit.products.amsr2.reader"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
