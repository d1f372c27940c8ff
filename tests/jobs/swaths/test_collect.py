"""Collect against the simulated G-Portal on loopback: nothing lost, nothing duplicated."""

import dataclasses

import pytest

from swathkit.errors import AuthError
from swathkit.jobs.swaths.collect import collect
from swathkit.sim.faults import FaultPlan
from swathkit.sim.gportal import gportal_client, simulated_gportal
from swathkit.stores.swath_store import SwathStore
from swathkit.types import FailureKind, Query

from .collect_helpers import FAST_RETRY, SCANS, store_content

TWO_DAYS = Query("amsr2-l1b", "2022-02-16T00:00", "2022-02-18T00:00")
HALF_DAY = Query("amsr2-l1b", "2022-02-16T00:00", "2022-02-16T12:00")
FAULTS = FaultPlan(seed=5, http_503=0.1, http_429=0.1, retry_after=0, sftp_drop=0.1,
                   sftp_truncate=0.05, max_sessions=4)


def _collect(tmp_path, query, faults, name, **options):
    with simulated_gportal(faults=faults, scans=SCANS, retry=FAST_RETRY, seed=2) as archive:
        report = collect(query, tmp_path / name, archive, channels="36.5H", coords=True,
                         workers=options.pop("workers", 4), **options)
    return report


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """A fault-free two-day collection."""
    tmp = tmp_path_factory.mktemp("reference")
    report = _collect(tmp, TWO_DAYS, "none", "ref.zarr")
    assert report.ok
    return store_content(tmp / "ref.zarr")


@pytest.mark.slow
@pytest.mark.timeout(300)  # with its reference fixture: two full collect runs
# paramiko's read-ahead thread dies with an exception when the simulator drops a link on
# purpose; the session reports that drop to the engine as a transient error and it is retried
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_two_days_with_faults_commit_every_granule_bit_identical(tmp_path, reference):
    report = _collect(tmp_path, TWO_DAYS, FAULTS, "s.zarr")
    assert report.ok and report.failures == () and report.exit_code == 0
    assert report.counts["found"] == report.counts["committed"] == len(reference) >= 58
    assert store_content(tmp_path / "s.zarr") == reference


@pytest.mark.slow
def test_rerun_is_a_no_op(tmp_path):
    first = _collect(tmp_path, HALF_DAY, "none", "s.zarr")
    again = _collect(tmp_path, HALF_DAY, "none", "s.zarr")
    found = first.counts["found"]
    assert first.ok and again.ok and again.counts["committed"] == first.counts["committed"]
    assert len(SwathStore.open(tmp_path / "s.zarr")) == found
    assert SwathStore.open(tmp_path / "s.zarr").commits == (found + 15) // 16


@pytest.mark.slow
def test_server_corruption_is_refetched_then_failed_with_its_reason(tmp_path):
    from swathkit.products.amsr2.names import parse_name
    from swathkit.sim.faults import fault_plan
    from swathkit.sim.gportal.catalog import remote_path

    plan = FaultPlan(corrupt_share=0.6, corrupt_permanent_share=0.4, corrupt_attempts=1)
    report = _collect(tmp_path, HALF_DAY, plan, "s.zarr")
    served = fault_plan(plan, seed=2)  # the portal seeds its plan with its own seed
    stored = set(SwathStore.open(tmp_path / "s.zarr").granule_ids)
    found = stored | {f.item for f in report.failures}
    corrupt = {g for g in found if served.is_corrupt(remote_path(parse_name(g + ".h5")), 0)}
    permanent = {g for g in corrupt
                 if served.is_permanently_corrupt(remote_path(parse_name(g + ".h5")))}
    assert permanent and corrupt - permanent, "the plan should give both kinds"
    assert {f.item for f in report.failures} == permanent
    assert all(f.kind is FailureKind.BAD_PRODUCT and f.attempts >= 2 and "not a sound" in f.reason
               for f in report.failures)
    assert corrupt - permanent <= stored  # re-fetched clean and committed
    assert report.counts["committed"] == len(found) - len(permanent) and not report.ok
    assert report.exit_code == 1


@pytest.mark.slow
def test_wrong_password_fails_fast_without_hammering(tmp_path):
    with simulated_gportal(scans=SCANS, retry=FAST_RETRY, password="wrong") as archive, \
            pytest.raises(AuthError, match="refused the password"):
        collect(HALF_DAY, tmp_path / "s.zarr", archive, workers=4)


@pytest.mark.slow
def test_session_cap_respected_with_16_workers(tmp_path):
    from swathkit.sim.gportal.server import SimulatedGPortal

    plan = dataclasses.replace(FaultPlan(), max_sessions=4)
    with SimulatedGPortal(faults=plan, scans=SCANS) as sim:
        archive = gportal_client(sim, retry=FAST_RETRY)
        report = collect(HALF_DAY, tmp_path / "s.zarr", archive, workers=16)
        stats = sim.stats()
    assert report.ok and report.counts["committed"] == report.counts["found"]
    assert stats.max_concurrent_sessions <= 4


@pytest.mark.slow
def test_new_catalogue_version_is_reported_then_refetched_on_update(tmp_path):
    from swathkit.ledger import Ledger

    def run(reprocessed, update):
        with simulated_gportal(scans=SCANS, retry=FAST_RETRY, seed=2,
                               reprocessed=reprocessed) as archive:
            return collect(HALF_DAY, tmp_path / "s.zarr", archive, update=update)

    first = run(0, False)
    same = run(1, False)
    changed = same.extras.changed_versions
    assert first.ok and same.ok and len(changed) == first.counts["found"]
    with Ledger(tmp_path / "s.zarr.ledger.sqlite") as ledger:
        fetched_before = {r: ledger.row(r)["fetched_at"] for r in changed}
    updated = run(1, True)
    assert updated.ok and updated.extras.changed_versions == changed
    with Ledger(tmp_path / "s.zarr.ledger.sqlite") as ledger:
        assert all(ledger.row(g)["fetched_at"] > t for g, t in fetched_before.items())
        row = ledger.row(changed[0])
        assert row["stored_version"] == row["version"] and row["version"].endswith("/220")
    assert run(1, False).extras.changed_versions == ()
    assert len(SwathStore.open(tmp_path / "s.zarr")) == first.counts["found"]  # no dups
