import numpy as np
import pytest

from swathkit.process import footprint
from swathkit.stores.records import SwathRecord


def make_record(i: int, n_scans: int = 40, *, offset: int = 0) -> SwathRecord:
    """A small fabricated swath: counts, lat/lon, times, metadata (not from the simulator)."""
    rng = np.random.default_rng(i)
    counts = (rng.integers(12000, 28000, (n_scans, 243)) + offset).astype(np.uint16)
    counts[0, :5] = 65535
    lat = np.linspace(-60, 60, n_scans)[:, None] + np.zeros((1, 243))
    lon = np.linspace(-10, 10, 243)[None, :] + np.full((n_scans, 1), 20.0 * (i % 9))
    t0 = np.datetime64("2022-02-16T00:00") + np.timedelta64(50 * i, "m")
    times = (t0 + np.arange(n_scans) * np.timedelta64(1500, "ms")).astype("datetime64[ns]")
    meta = {"start_time": str(times[0]), "end_time": str(times[-1]),
            "orbit_direction": "AD"[i % 2], "orbit_number": 1000 + i, "path_number": i,
            "product_version": "2", "algorithm_version": "220", "source_size": 1234,
            "source_sha256": "ab" * 32, "geolocation": "coregister",
            "bbox": footprint.bbox(lat, lon), "coverage": footprint.coverage(lat, lon)}
    return SwathRecord(f"G{i:04d}", {"tb_36_5h": counts}, {"36G": (lat, lon)}, times, meta)


@pytest.fixture
def record():
    return make_record

