"""From one product file to a checked :class:`SwathRecord` (runs in worker processes)."""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from swathkit.errors import FormatError
from swathkit.process import footprint, qc
from swathkit.products.amsr2 import footprint_latlon, open_l1b
from swathkit.products.amsr2.channels import FILL_COUNT, SCALE_FACTOR
from swathkit.products.hdf5 import timed_reads
from swathkit.stores.records import SwathRecord
from swathkit.stores.schema import Layout
from swathkit.types import Failure, FailureKind

log = logging.getLogger(__name__)

CHUNK = 1 << 20
# Every 4th scan and 89A pixel plus the swath's edge pixels: ~20 km spacing is plenty for
# a 0.1° bbox and 2° coverage cells, at a sixteenth of the cost.
EDGE_SAMPLE = (slice(None, None, 4), np.r_[0:486:4, 485])


@dataclass(frozen=True)
class Extraction:
    """A worker's answer: a record, or why the file failed (item: its path), with timings."""

    path: str
    record: SwathRecord | None
    failure: Failure | None = None
    seconds_decode: float = 0.0
    seconds_total: float = 0.0


def file_digest(path: Path) -> tuple[int, str]:
    """Size and sha256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return path.stat().st_size, digest.hexdigest()


def extract(path: str | Path, layout: Layout, geolocation: str = "auto",
            repair_times: bool = False) -> Extraction:
    """Read, check and package one file; never raises for a bad file.

    Scan times are checked (:func:`swathkit.process.qc.scan_time_flags`) and flagged per
    scan; with ``repair_times`` those off the line of their neighbours are replaced.
    """
    t0 = time.perf_counter()
    try:
        record, decode = _extract(Path(path), layout, geolocation, repair_times)
    except (FormatError, ValueError, OSError) as exc:
        failure = Failure.from_error(str(path), exc, default=FailureKind.BAD_PRODUCT)
        return Extraction(str(path), None, failure, seconds_total=time.perf_counter() - t0)
    return Extraction(str(path), record, seconds_decode=decode,
                      seconds_total=time.perf_counter() - t0)


def _extract(path: Path, layout: Layout, geolocation: str,
             repair_times: bool) -> tuple[SwathRecord, float]:
    with timed_reads() as timer:
        ds = open_l1b(path, channels=layout.channels, coords=layout.coords,
                      geolocation=geolocation)
        ds = ds.load(scheduler="synchronous")  # one pass; the worker process is the parallelism
        t0 = time.perf_counter()
        lat89, lon89 = footprint_latlon(path)
        timer.seconds += time.perf_counter() - t0
    decode = timer.seconds
    counts = {str(name): np.asarray(ds[name].values) for name in ds.data_vars}
    problems = qc.latlon_problems("89A geolocation", lat89, lon89)
    for name, values in counts.items():
        problems += qc.counts_problems(ds[name].attrs["channel"], values, fill=FILL_COUNT,
                                       scale=SCALE_FACTOR)
    latlon = {}
    for band in layout.bands:
        lat = np.asarray(ds[f"lat_{band.lower()}"].values, dtype=np.float32)
        lon = np.asarray(ds[f"lon_{band.lower()}"].values, dtype=np.float32)
        problems += qc.latlon_problems(f"{band} geolocation", lat, lon)
        latlon[band] = (lat, lon)
    if problems:
        raise FormatError(f"{path}: " + "; ".join(problems))
    size, sha = file_digest(path)
    meta = {
        "start_time": ds.attrs["start_time"], "end_time": ds.attrs["end_time"],
        "orbit_direction": ds.attrs["orbit_direction"],
        "orbit_number": ds.attrs["start_orbit_number"], "path_number": ds.attrs["path_number"],
        "product_version": ds.attrs["product_version"],
        "algorithm_version": ds.attrs["algorithm_version"],
        "source_size": size, "source_sha256": sha, "geolocation": ds.attrs["geolocation"],
        "bbox": footprint.bbox(lat89[EDGE_SAMPLE], lon89[EDGE_SAMPLE]),
        "coverage": footprint.coverage(lat89[EDGE_SAMPLE], lon89[EDGE_SAMPLE]),
    }
    flags, times, time_problems = qc.scan_time_flags(np.asarray(ds["scan_time"].values),
                                                     repair=repair_times)
    if time_problems:
        log.info("%s: %s", path.name, "; ".join(time_problems))
    record = SwathRecord(ds.attrs["granule_id"], counts, latlon, times, meta, flags)
    return record, decode
