"""Collect into a store on S3: the ledger and downloads stay on local disk, in a documented
place; a re-run resumes from that ledger."""

import pytest

from swathkit.errors import StoreError
from swathkit.jobs.swaths.collect import collect, default_ledger
from swathkit.sim.gportal import simulated_gportal
from swathkit.stores.location import as_location
from swathkit.stores.swath_store import SwathStore
from swathkit.types import Query

from .collect_helpers import FAST_RETRY, SCANS, store_content

QUARTER_DAY = Query("amsr2-l1b", "2022-02-16T00:00", "2022-02-16T06:00")


def test_a_remote_store_keeps_its_ledger_in_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a, b = as_location("s3://one/x/s.zarr"), as_location("s3://two/x/s.zarr/")
    assert default_ledger(a).parent == tmp_path
    assert default_ledger(a).name.startswith("s.zarr-") and default_ledger(a).name.endswith(
        ".ledger.sqlite")
    assert default_ledger(a) != default_ledger(b), "same name, other bucket: other ledger"
    assert default_ledger(as_location(tmp_path / "s.zarr")) == tmp_path / "s.zarr.ledger.sqlite"
    with pytest.raises(StoreError, match="remote"):
        a.sibling(".ledger.sqlite")


def _collect(store):
    with simulated_gportal(faults="none", scans=SCANS, retry=FAST_RETRY, seed=2) as archive:
        return collect(QUARTER_DAY, store, archive, channels="36.5H", coords=True, workers=2,
                       batch_size=4)


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_collect_into_s3_gives_the_local_store_and_resumes(s3, s3_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    report = _collect(s3_url)
    assert report.ok and report.counts["committed"] == report.counts["found"] > 0
    ledger = default_ledger(as_location(s3_url))
    assert ledger.exists() and ledger.parent == tmp_path
    local = tmp_path / "local" / "s.zarr"
    assert _collect(local).ok
    assert store_content(s3_url) == store_content(local)
    again = _collect(s3_url)  # from the ledger in the current directory: nothing to redo
    assert again.ok and SwathStore.open(s3_url).commits == SwathStore.open(local).commits
    prefix = s3_url.removeprefix(f"s3://{s3.bucket}/")
    assert not [k for k in s3.keys(prefix) if "ledger" in k or k.endswith(".h5")]
