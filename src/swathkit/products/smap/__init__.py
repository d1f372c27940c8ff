"""NASA SMAP products: the product table, file-name grammar and the reader to xarray.

The table and the name grammar load instantly; the reader (xarray, dask, h5py) loads on
first use. The grids are the registry's EASE-Grid 2.0 grids
(:mod:`swathkit.products.grids`: ``ease2-m36``, ``ease2-m09``, ``ease2-n36`` …).
"""

from __future__ import annotations

import importlib
from typing import Any

from swathkit.products.smap.names import SmapName, parse_smap_name
from swathkit.products.smap.table import (
    SMAP_PRODUCTS,
    SmapGroup,
    SmapProduct,
    smap_product,
    smap_product_of_level,
)

_READER = {"open_smap"}

__all__ = [
    "SMAP_PRODUCTS",
    "SmapGroup",
    "SmapName",
    "SmapProduct",
    "open_smap",
    "parse_smap_name",
    "smap_product",
    "smap_product_of_level",
]


def __getattr__(name: str) -> Any:
    if name in _READER:
        return getattr(importlib.import_module("swathkit.products.smap.reader"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
