"""swathkit: satellite passive-microwave archives to verified, analysis-ready datasets.

The public API is re-exported here and loaded lazily, so ``import swathkit`` is cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

from swathkit._version import __version__

_EXPORTS = {
    "open_swaths": "swathkit.stores.swaths_dataset",
    "SwathStore": "swathkit.stores.swath_store",
    "ingest": "swathkit.jobs.swaths.ingest",
    "verify": "swathkit.stores.verify",
    "export": "swathkit.stores.export",
    "inspect": "swathkit.stores.inspect",
    "open_l1b": "swathkit.products.amsr2.reader",
    "open_asi": "swathkit.products.asi.reader",
    "open_cube": "swathkit.stores.grid_cube",
    "GridCube": "swathkit.stores.grid_cube",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'swathkit' has no attribute {name!r}")
