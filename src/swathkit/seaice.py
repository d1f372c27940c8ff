"""Bremen ASI sea ice: download daily grids, consolidate a cube, mask, fill, report, train.

The public face of the sea-ice domain; ``from swathkit.seaice import fill`` stays valid
however the modules behind it move. Importing this module is cheap (no zarr, torch or
matplotlib): each name loads its home module on first use, so only
``SeaIceSequenceDataset`` and ``time_splits`` need the ``[ml]`` extra, and only
``roi_map`` the ``[plot]`` extra when called.

Example:
    >>> from datetime import date
    >>> from swathkit.seaice import build_mask, consolidate, download_asi, fill
    >>> download_asi("n3125", date(2024, 4, 1), date(2024, 4, 30), "data/")  # doctest: +SKIP
    >>> consolidate("data/", "sic.zarr")  # doctest: +SKIP
    >>> build_mask("sic.zarr", start=date(2024, 4, 1), end=date(2024, 4, 30))  # doctest: +SKIP
    >>> fill("sic.zarr")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = [
    "ASI_GRIDS",
    "FillOptions",
    "Grid",
    "GridCube",
    "Region",
    "SeaIceSequenceDataset",
    "TBCube",
    "asi_grid",
    "build_mask",
    "consolidate",
    "download_asi",
    "fill",
    "fill_gaps",
    "grid",
    "open_asi",
    "open_cube",
    "roi_map",
    "roi_report",
    "time_splits",
]

if TYPE_CHECKING:
    from swathkit.jobs.seaice.consolidate import consolidate
    from swathkit.jobs.seaice.download import download_asi
    from swathkit.jobs.seaice.fill import fill
    from swathkit.jobs.seaice.mask import build_mask
    from swathkit.jobs.seaice.report import roi_map, roi_report
    from swathkit.ml.seaice.dataset import SeaIceSequenceDataset
    from swathkit.ml.seaice.extra import TBCube
    from swathkit.ml.seaice.splits import time_splits
    from swathkit.process.gapfill import FillOptions, fill_gaps
    from swathkit.products.asi.grids import ASI_GRIDS, asi_grid
    from swathkit.products.asi.reader import open_asi
    from swathkit.products.grids import Grid, grid
    from swathkit.stores.grid_cube import GridCube, open_cube
    from swathkit.types import Region
else:
    from swathkit._lazy import lazy_exports

    __getattr__, __dir__ = lazy_exports(__name__, {
        "ASI_GRIDS": "swathkit.products.asi.grids",
        "Grid": "swathkit.products.grids",
        "Region": "swathkit.types",
        "FillOptions": "swathkit.process.gapfill",
        "GridCube": "swathkit.stores.grid_cube",
        "SeaIceSequenceDataset": "swathkit.ml.seaice.dataset",
        "TBCube": "swathkit.ml.seaice.extra",
        "asi_grid": "swathkit.products.asi.grids",
        "build_mask": "swathkit.jobs.seaice.mask",
        "consolidate": "swathkit.jobs.seaice.consolidate",
        "download_asi": "swathkit.jobs.seaice.download",
        "fill": "swathkit.jobs.seaice.fill",
        "fill_gaps": "swathkit.process.gapfill",
        "grid": "swathkit.products.grids",
        "open_asi": "swathkit.products.asi.reader",
        "open_cube": "swathkit.stores.grid_cube",
        "roi_map": "swathkit.jobs.seaice.report",
        "roi_report": "swathkit.jobs.seaice.report",
        "time_splits": "swathkit.ml.seaice.splits",
    })
