"""AMSR2 L1B swaths: search G-Portal, fetch, extract, store, verify, export.

The public face of the swaths domain; ``from swathkit.swaths import collect`` stays
valid however the modules behind it move. Importing this module is cheap: each name
loads its home module on first use.

Example:
    >>> from swathkit.swaths import Query, collect, gportal_archive, open_swaths
    >>> report = collect(Query("amsr2-l1b", "2022-02-16", "2022-02-17"), "swaths.zarr",
    ...                  gportal_archive(), channels="36.5H", coords=True)  # doctest: +SKIP
    >>> ds = open_swaths("swaths.zarr", orbit="A")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = [
    "Archive",
    "Granule",
    "Query",
    "SwathStore",
    "collect",
    "compact",
    "export",
    "footprint_latlon",
    "gportal_archive",
    "grid",
    "ingest",
    "open_l1b",
    "open_swaths",
    "parse_channels",
    "verify",
]

if TYPE_CHECKING:
    from swathkit.archives.base import Archive
    from swathkit.archives.gportal import gportal_archive
    from swathkit.jobs.swaths.collect import collect
    from swathkit.jobs.swaths.compact import compact
    from swathkit.jobs.swaths.grid import grid
    from swathkit.jobs.swaths.ingest import ingest
    from swathkit.products.amsr2.channels import parse_channels
    from swathkit.products.amsr2.reader import footprint_latlon, open_l1b
    from swathkit.stores.export import export
    from swathkit.stores.swath_store import SwathStore
    from swathkit.stores.swaths_dataset import open_swaths
    from swathkit.stores.verify import verify
    from swathkit.types import Granule, Query
else:
    from swathkit._lazy import lazy_exports

    __getattr__, __dir__ = lazy_exports(__name__, {
        "Archive": "swathkit.archives.base",
        "Granule": "swathkit.types",
        "Query": "swathkit.types",
        "SwathStore": "swathkit.stores.swath_store",
        "collect": "swathkit.jobs.swaths.collect",
        "compact": "swathkit.jobs.swaths.compact",
        "export": "swathkit.stores.export",
        "footprint_latlon": "swathkit.products.amsr2.reader",
        "gportal_archive": "swathkit.archives.gportal",
        "grid": "swathkit.jobs.swaths.grid",
        "ingest": "swathkit.jobs.swaths.ingest",
        "open_l1b": "swathkit.products.amsr2.reader",
        "open_swaths": "swathkit.stores.swaths_dataset",
        "parse_channels": "swathkit.products.amsr2.channels",
        "verify": "swathkit.stores.verify",
    })
