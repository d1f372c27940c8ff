"""NASA SMAP: the product table, file names, and files read onto their EASE-Grid 2.0 grid.

The public face of the SMAP domain; ``from swathkit.smap import open`` stays valid however
the modules behind it move. Importing it is cheap: each name loads its home module on
first use.

Example:
    >>> import swathkit.smap as smap
    >>> ds = smap.open("SMAP_L3_SM_P_20170307_R14010_001.h5")  # doctest: +SKIP
    >>> am = ds.soil_moisture.sel(overpass="am")  # (y, x) on ease2-m36  # doctest: +SKIP
    >>> smap.parse_smap_name("SMAP_L2_SM_P_30058_D_20200916T194350_R19240_001.h5").orbit
    30058

``xr.open_dataset(path, engine="swathkit")`` gives the same Dataset.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = [
    "SMAP_PRODUCTS",
    "SmapName",
    "SmapProduct",
    "open",
    "open_smap",
    "parse_smap_name",
    "smap_product",
]

if TYPE_CHECKING:
    from swathkit.products.smap.names import SmapName, parse_smap_name
    from swathkit.products.smap.reader import open, open_smap
    from swathkit.products.smap.table import SMAP_PRODUCTS, SmapProduct, smap_product
else:
    from swathkit._lazy import lazy_exports

    __getattr__, __dir__ = lazy_exports(__name__, {
        "SMAP_PRODUCTS": "swathkit.products.smap.table",
        "SmapName": "swathkit.products.smap.names",
        "SmapProduct": "swathkit.products.smap.table",
        "open": "swathkit.products.smap.reader",
        "open_smap": "swathkit.products.smap.reader",
        "parse_smap_name": "swathkit.products.smap.names",
        "smap_product": "swathkit.products.smap.table",
    })
