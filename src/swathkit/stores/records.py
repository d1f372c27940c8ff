"""One granule's worth of data on its way into a swath store."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from swathkit.stores.schema import TIME_FILL, Layout

BATCH_BYTES = 64 << 20  # writers commit a batch early once its records hold this much memory


@dataclass(frozen=True)
class SwathRecord:
    """A decoded granule: counts per variable, lat/lon per band, times and metadata.

    Arrays are unpadded (``n_scans`` rows); the store pads them to its scan length.
    """

    granule_id: str
    counts: dict[str, np.ndarray]  # "tb_36_5h" -> uint16 (n_scans, pixels)
    latlon: dict[str, tuple[np.ndarray, np.ndarray]]  # "36G" -> (lat, lon)
    scan_time: np.ndarray  # datetime64[ns] (n_scans,)
    meta: dict[str, object] = field(default_factory=dict)
    scan_flags: np.ndarray | None = None  # uint8 (n_scans,): swathkit.process.qc scan-time flags

    @property
    def nbytes(self) -> int:
        """Memory held by the arrays (what a batch of records costs)."""
        arrays = [*self.counts.values(), *(a for pair in self.latlon.values() for a in pair)]
        return sum(a.nbytes for a in arrays) + self.scan_time.nbytes

    @property
    def n_scans(self) -> int:
        return int(self.scan_time.shape[0])

    def rows(self, layout: Layout) -> dict[str, np.ndarray]:
        """Every per-granule-chunk array of the layout, padded to ``scan_length``."""
        out: dict[str, np.ndarray] = {}
        for spec in layout.data_specs():
            if spec.name == "scan_time":
                micros = self.scan_time.astype("datetime64[us]").astype(np.int64)
                micros = np.where(np.isnat(self.scan_time), TIME_FILL, micros)
                out[spec.name] = _pad(micros, layout.scan_length, TIME_FILL)
            elif spec.name == "scan_time_flag":
                flags = self.scan_flags
                if flags is None:
                    flags = np.zeros(self.n_scans, np.uint8)
                out[spec.name] = _pad(flags.astype(np.uint16), layout.scan_length, 0)
            elif spec.name.startswith(("lat_", "lon_")):
                coord, band = spec.name.split("_", 1)
                lat, lon = self.latlon[band.upper()]
                value = lat if coord == "lat" else lon
                out[spec.name] = _pad(value.astype(np.float32), layout.scan_length, np.nan)
            else:
                out[spec.name] = _pad(self.counts[spec.name], layout.scan_length, spec.fill)
        return out


def _pad(values: np.ndarray, length: int, fill: object) -> np.ndarray:
    if values.shape[0] > length:
        raise ValueError(f"{values.shape[0]} scans exceed the store's scan length {length}")
    out = np.full((length, *values.shape[1:]), fill, dtype=values.dtype)
    out[: values.shape[0]] = values
    return out


def rows_digest(rows: dict[str, np.ndarray]) -> str:
    """sha256 over a granule's padded rows, in name order: what ``verify`` recomputes."""
    digest = hashlib.sha256()
    for name in sorted(rows):
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(rows[name]).tobytes())
    return digest.hexdigest()
