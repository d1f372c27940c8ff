"""jobs._fetch: tasks through the transfer engine into the ledger, against the Bremen simulator."""

from datetime import date

import pytest

from swathkit.archives.bremen import asi_granules, bremen_sessions, fetch_tasks
from swathkit.errors import InputError
from swathkit.jobs._fetch import NotPublished, check_workers, fetch_into_ledger
from swathkit.ledger import Ledger
from swathkit.products.asi.verify import verify_asi_file
from swathkit.sim.bremen.server import SimulatedBremen
from swathkit.sim.faults import FaultPlan
from swathkit.transfer.engine import FetchFailure, FetchResult, TransferEngine
from swathkit.transfer.retry import RetryPolicy
from swathkit.types import FailureKind

START, END = date(2013, 5, 9), date(2013, 5, 14)  # 11..13 are not published
FAST = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05, seed=1)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("bremen-cache")


def _run(sim, out, *, on_outcome=None):
    granules = asi_granules("n6250", START, END)
    tasks = fetch_tasks(granules, out)
    with Ledger(out / "l.sqlite") as ledger:
        ledger.record_found(granules)
        sessions = bremen_sessions(sim.base_url, ca_bundle=sim.ca_file)
        with TransferEngine(sessions, workers=2, retry=FAST,
                            verify=verify_asi_file) as engine:
            tally = fetch_into_ledger(engine, tasks, ledger, on_outcome=on_outcome)
        rows = {r["granule_id"]: dict(r) for r in ledger.pending(
            [g.id for g in granules], retry_failed=True)}
        states = {g.id: ledger.row(g.id)["state"] for g in granules}
        failures = ledger.failures()
    return tally, states, rows, failures


def test_each_outcome_is_in_the_ledger_before_the_caller_sees_it(cache, tmp_path):
    seen = []

    def on_outcome(outcome):
        with Ledger(tmp_path / "l.sqlite") as reader:
            seen.append((type(outcome), reader.row(outcome.task.key)["state"]))

    with SimulatedBremen(cache_dir=cache) as sim:
        tally, states, _, failures = _run(sim, tmp_path, on_outcome=on_outcome)
    assert sorted(seen, key=str) == sorted([(FetchResult, "fetched")] * 3
                                           + [(NotPublished, "not_published")] * 3, key=str)
    assert (len(tally.downloaded), len(tally.not_published), tally.failures) == (3, 3, [])
    assert tally.done == 6 and not tally.interrupted and failures == []
    assert sorted(states.values()) == ["fetched"] * 3 + ["not_published"] * 3


def test_a_second_run_skips_what_verifies(cache, tmp_path):
    with SimulatedBremen(cache_dir=cache) as sim:
        _run(sim, tmp_path)
        again, _, _, _ = _run(sim, tmp_path)
    assert (len(again.skipped), again.downloaded, again.bytes_received) == (3, [], 0)


def test_failures_are_recorded_with_their_kind(cache, tmp_path):
    plan = FaultPlan(corrupt_share=1.0, corrupt_permanent_share=1.0)
    outcomes = []
    with SimulatedBremen(faults=plan, cache_dir=cache) as sim:
        tally, states, rows, failures = _run(sim, tmp_path, on_outcome=outcomes.append)
    assert {f.kind for f in tally.failures} == {FailureKind.BAD_PRODUCT}
    assert sorted(tally.failures, key=lambda f: f.item) == failures
    assert all(f.attempts == 2 for f in failures)  # one fresh fetch after the first
    assert sum(isinstance(o, FetchFailure) for o in outcomes) == 3
    assert sorted(states.values()) == ["failed"] * 3 + ["not_published"] * 3
    assert all(r["failure_kind"] == "bad_product" for r in rows.values())


def test_ctrl_c_ends_the_run_as_interrupted_keeping_what_is_recorded(cache, tmp_path):
    def stop(outcome):
        raise KeyboardInterrupt

    with SimulatedBremen(cache_dir=cache) as sim:
        tally, states, _, _ = _run(sim, tmp_path, on_outcome=stop)
    assert tally.interrupted and tally.done == 1
    assert list(states.values()).count("found") == 5


def test_fewer_than_one_worker_is_an_input_error():
    assert check_workers(3) == 3
    with pytest.raises(InputError, match="workers must be at least 1, not 0"):
        check_workers(0)
