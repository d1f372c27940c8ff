"""Seasat SAR (1978) telemetry: decode raw frames into range lines; repair their time tags.

The public face of the Seasat domain; ``from swathkit.seasat import decode, clean`` stays
valid however the modules behind it move. Importing it is cheap: each name loads its home
module (numba kernels included) on first use (``plot_repair`` needs the ``[plot]`` extra).

Example:
    >>> from swathkit.seasat import clean, decode
    >>> report = decode("SEASAT_tape1.018", "decoded/")  # doctest: +SKIP
    >>> [s.dat.name for s in report.extras.segments]  # doctest: +SKIP
    ['SEASAT_tape1_000.dat', 'SEASAT_tape1_001.dat']
    >>> cleaned = clean(sorted(Path("decoded").glob("*.hdr")))  # doctest: +SKIP
    >>> cleaned.extras.funnel.stages  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = [
    "HDR_COLUMNS",
    "MS_PER_LINE",
    "DecodeCounts",
    "Reason",
    "SeriesRepair",
    "TelemetryDecoder",
    "TrendParams",
    "clean",
    "decode",
    "plot_repair",
    "read_hdr",
    "repair_series",
    "rolling_mode",
    "write_hdr",
]

if TYPE_CHECKING:
    from swathkit.jobs.seasat.clean import clean
    from swathkit.jobs.seasat.decode import decode
    from swathkit.plot.seasat import plot_repair
    from swathkit.process.telemetry import DecodeCounts, TelemetryDecoder
    from swathkit.process.timeseries import (
        Reason,
        SeriesRepair,
        TrendParams,
        repair_series,
        rolling_mode,
    )
    from swathkit.products.seasat.hdr import HDR_COLUMNS, read_hdr, write_hdr
    from swathkit.products.seasat.layout import MS_PER_LINE
else:
    from swathkit._lazy import lazy_exports

    __getattr__, __dir__ = lazy_exports(__name__, {
        "DecodeCounts": "swathkit.process.telemetry",
        "HDR_COLUMNS": "swathkit.products.seasat.hdr",
        "MS_PER_LINE": "swathkit.products.seasat.layout",
        "Reason": "swathkit.process.timeseries",
        "SeriesRepair": "swathkit.process.timeseries",
        "TelemetryDecoder": "swathkit.process.telemetry",
        "TrendParams": "swathkit.process.timeseries",
        "clean": "swathkit.jobs.seasat.clean",
        "decode": "swathkit.jobs.seasat.decode",
        "plot_repair": "swathkit.plot.seasat",
        "read_hdr": "swathkit.products.seasat.hdr",
        "repair_series": "swathkit.process.timeseries",
        "rolling_mode": "swathkit.process.timeseries",
        "write_hdr": "swathkit.products.seasat.hdr",
    })
