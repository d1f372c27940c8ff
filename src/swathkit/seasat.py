"""Seasat SAR telemetry: repair the time tags of decoded takes, the processing funnel.

The public face of the Seasat domain; ``from swathkit.seasat import clean`` stays valid
however the modules behind it move. Importing this module is cheap: each name loads its
home module on first use (``plot_repair`` needs the ``[plot]`` extra).

Example:
    >>> from swathkit.seasat import clean, repair_series
    >>> report = clean(["take.hdr"])  # doctest: +SKIP
    >>> report.extras.funnel.stages  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = [
    "MS_PER_LINE",
    "Reason",
    "SeriesRepair",
    "TrendParams",
    "clean",
    "plot_repair",
    "read_hdr",
    "repair_series",
    "rolling_mode",
    "write_hdr",
]

if TYPE_CHECKING:
    from swathkit.jobs.seasat.clean import clean
    from swathkit.plot.seasat import plot_repair
    from swathkit.process.timeseries import (
        Reason,
        SeriesRepair,
        TrendParams,
        repair_series,
        rolling_mode,
    )
    from swathkit.products.seasat.hdr import read_hdr, write_hdr
    from swathkit.products.seasat.layout import MS_PER_LINE
else:
    from swathkit._lazy import lazy_exports

    __getattr__, __dir__ = lazy_exports(__name__, {
        "MS_PER_LINE": "swathkit.products.seasat.layout",
        "Reason": "swathkit.process.timeseries",
        "SeriesRepair": "swathkit.process.timeseries",
        "TrendParams": "swathkit.process.timeseries",
        "clean": "swathkit.jobs.seasat.clean",
        "plot_repair": "swathkit.plot.seasat",
        "read_hdr": "swathkit.products.seasat.hdr",
        "repair_series": "swathkit.process.timeseries",
        "rolling_mode": "swathkit.process.timeseries",
        "write_hdr": "swathkit.products.seasat.hdr",
    })
