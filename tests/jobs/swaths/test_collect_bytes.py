"""Collect gives the same store bytes whatever the worker count and completion order."""

import hashlib

import pytest

from swathkit.jobs.swaths.collect import collect
from swathkit.sim.faults import FaultPlan
from swathkit.sim.gportal import simulated_gportal
from swathkit.types import Query

from .collect_helpers import FAST_RETRY, SCANS

HALF_DAY = Query("amsr2-l1b", "2022-02-16T00:00", "2022-02-16T12:00")
SHUFFLE = FaultPlan(seed=11, http_503=0.1, sftp_drop=0.15, retry_after=0)


def _store_files(path):
    return {str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(path.rglob("*")) if p.is_file() and p.name != ".swathkit-writer.lock"}


def _run(tmp_path, name, workers, faults):
    with simulated_gportal(faults=faults, scans=SCANS, retry=FAST_RETRY, seed=2) as archive:
        report = collect(HALF_DAY, tmp_path / name, archive, channels="36.5H", coords=True,
                         workers=workers, batch_size=4)
    assert report.ok
    return _store_files(tmp_path / name)


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_one_worker_and_four_with_faults_give_identical_store_bytes(tmp_path):
    one = _run(tmp_path, "one.zarr", 1, "none")
    four = _run(tmp_path, "four.zarr", 4, SHUFFLE)  # retries reorder the completions
    assert len(one) > 40 and one == four
