"""Seasat SAR (1978) raw telemetry: decode into range lines, header tables and reports.

The public face of the Seasat domain; ``from swathkit.seasat import decode`` stays valid
however the modules behind it move. Importing it is cheap: each name loads its home
module (numba kernels included) on first use.

Example:
    >>> from swathkit.seasat import decode
    >>> report = decode("SEASAT_tape1.018", "decoded/")  # doctest: +SKIP
    >>> [s.dat.name for s in report.extras.segments]  # doctest: +SKIP
    ['SEASAT_tape1_000.dat', 'SEASAT_tape1_001.dat']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = [
    "HDR_COLUMNS",
    "DecodeCounts",
    "TelemetryDecoder",
    "decode",
    "read_hdr",
]

if TYPE_CHECKING:
    from swathkit.jobs.seasat.decode import decode
    from swathkit.process.telemetry import DecodeCounts, TelemetryDecoder
    from swathkit.products.seasat.hdr import HDR_COLUMNS, read_hdr
else:
    from swathkit._lazy import lazy_exports

    __getattr__, __dir__ = lazy_exports(__name__, {
        "HDR_COLUMNS": "swathkit.products.seasat.hdr",
        "DecodeCounts": "swathkit.process.telemetry",
        "TelemetryDecoder": "swathkit.process.telemetry",
        "decode": "swathkit.jobs.seasat.decode",
        "read_hdr": "swathkit.products.seasat.hdr",
    })
