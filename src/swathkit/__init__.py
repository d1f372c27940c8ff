"""swathkit: satellite passive-microwave archives to verified, analysis-ready datasets.

The names here and in the domain facades, :mod:`swathkit.swaths` (AMSR2 L1B swaths)
and :mod:`swathkit.seaice` (Bremen ASI sea ice), are the public API: files behind
them may move, these imports stay. ``import swathkit`` is cheap: each name loads its
home module on first use, and type checkers see the real objects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from swathkit._version import __version__

__all__ = [
    "Granule",
    "GridCube",
    "InputError",
    "Query",
    "SwathStore",
    "SwathkitError",
    "__version__",
    "export",
    "ingest",
    "inspect",
    "open_asi",
    "open_cube",
    "open_l1b",
    "open_swaths",
    "verify",
]

if TYPE_CHECKING:
    from swathkit.errors import InputError, SwathkitError
    from swathkit.jobs.swaths.ingest import ingest
    from swathkit.products.amsr2.reader import open_l1b
    from swathkit.products.asi.reader import open_asi
    from swathkit.stores.export import export
    from swathkit.stores.grid_cube import GridCube, open_cube
    from swathkit.stores.inspect import inspect
    from swathkit.stores.swath_store import SwathStore
    from swathkit.stores.swaths_dataset import open_swaths
    from swathkit.stores.verify import verify
    from swathkit.types import Granule, Query
else:
    from swathkit._lazy import lazy_exports

    __getattr__, __dir__ = lazy_exports(__name__, {
        "Granule": "swathkit.types",
        "GridCube": "swathkit.stores.grid_cube",
        "InputError": "swathkit.errors",
        "Query": "swathkit.types",
        "SwathStore": "swathkit.stores.swath_store",
        "SwathkitError": "swathkit.errors",
        "export": "swathkit.stores.export",
        "ingest": "swathkit.jobs.swaths.ingest",
        "inspect": "swathkit.stores.inspect",
        "open_asi": "swathkit.products.asi.reader",
        "open_cube": "swathkit.stores.grid_cube",
        "open_l1b": "swathkit.products.amsr2.reader",
        "open_swaths": "swathkit.stores.swaths_dataset",
        "verify": "swathkit.stores.verify",
    })
