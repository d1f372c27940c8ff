"""Shared by the collect tests: a fast retry policy, a runner script, store comparison."""

from __future__ import annotations

import numpy as np

from swathkit.stores.swath_store import SwathStore
from swathkit.transfer.retry import RetryPolicy

SCANS = 40
FAST_RETRY = RetryPolicy(max_attempts=8, base_delay=0.02, max_delay=0.2, seed=1)

RUNNER = f"""
import sys
from swathkit.types import Query
from swathkit.jobs.swaths.collect import collect
from swathkit.sim.gportal import simulated_gportal
from swathkit.transfer.retry import RetryPolicy

if __name__ == "__main__":
    store, start, end, faults = sys.argv[1:5]
    retry = RetryPolicy(max_attempts=8, base_delay=0.02, max_delay=0.2, seed=1)
    try:
        with simulated_gportal(faults=faults, scans={SCANS}, retry=retry) as archive:
            report = collect(Query("amsr2-l1b", start, end), store, archive,
                             channels="36.5H", coords=True, workers=4, batch_size=4)
    except KeyboardInterrupt:  # before the pipeline started: nothing to report
        print("NOT OK interrupted during start-up", flush=True)
    else:
        print("OK" if report.ok else "NOT OK", report.counts, flush=True)
"""


def store_content(path) -> dict[str, dict[str, bytes]]:
    """Every granule's stored rows, as bytes: equal content whatever the commit order."""
    store = SwathStore.open(path)
    return {gid: {k: np.ascontiguousarray(v).tobytes() for k, v in store.read_raw(gid).items()}
            for gid in store.granule_ids}
