"""``compact``: a swath store rewritten with only its live granules, in time order."""

from __future__ import annotations

import os
import time
from typing import Any

from swathkit.jobs.report import JobReport
from swathkit.stores.compact import CompactResult, compact_store
from swathkit.stores.location import StoreLocation, as_location
from swathkit.types import Progress

CompactReport = JobReport[CompactResult]
"""The report of :func:`compact`: rows before and after, what was dropped."""


def compact(store: str | os.PathLike[str] | StoreLocation, *,
            storage_options: dict[str, Any] | None = None,
            progress: Progress | None = None) -> CompactReport:
    """Rewrite a swath store without retired or empty rows, granules in start-time order.

    Atomic: readers see the old store until one root write makes the new one
    current. Also upgrades a store written by an older swathkit (schema 1).

    Args:
        store: Store path or fsspec URL.
        storage_options: fsspec options for a remote store.
        progress: ``progress(arrays_done, arrays, array_name)``.

    Raises:
        StoreLockedError: a writer (a collect or ingest) holds the store.
        StoreError: there is no swath store there.
    """
    t0 = time.perf_counter()
    location = as_location(store, storage_options)
    result = compact_store(location, progress=progress)
    counts = {"rows before": result.rows_before, "live": result.live,
              "retired dropped": result.retired_dropped, "empty dropped": result.empty_dropped}
    notes = {"live": "granules, now in time order"}
    if result.schema_before == 1:
        notes["rows before"] = "schema 1, upgraded to 2"
    return JobReport(job="compact", target=location.url, unit="rows", counts=counts,
                     notes=notes, bytes=result.bytes_copied,
                     seconds=time.perf_counter() - t0, extras=result)
