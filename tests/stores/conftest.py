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


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 on 127.0.0.1 (a free port), one bucket, for the whole test module."""
    from swathkit.sim.s3 import LocalS3

    with LocalS3() as server:
        yield server


@pytest.fixture
def s3(s3_server, monkeypatch, request):
    """The module's S3 server, its dummy credentials in the AWS chain's variables for this
    test only, and s3fs's instance cache cleared (so no client of another server lingers)."""
    for name, value in s3_server.environment().items():
        monkeypatch.setenv(name, value)
    close_s3_clients()
    yield s3_server
    close_s3_clients()


def close_s3_clients():
    """Close the HTTP sessions of every cached s3fs instance (zarr's are asynchronous, on
    zarr's loop: s3fs leaves closing them to their owner) and forget the instances."""
    import s3fs
    from zarr.core.sync import sync

    for fs in list(s3fs.S3FileSystem._cache.values()):
        creator = getattr(fs, "_s3creator", None)
        if creator is not None and fs.asynchronous:
            sync(creator.__aexit__(None, None, None))
    s3fs.S3FileSystem.clear_instance_cache()


@pytest.fixture
def s3_url(s3, request):
    """A fresh store address in the bucket, named after the test."""
    return s3.url(f"{request.node.name.replace('[', '_').rstrip(']')}/s.zarr")
