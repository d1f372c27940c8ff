"""RetryPolicy: what is retried, and how long to wait."""

import pytest

from swathkit.errors import (
    AuthError,
    FormatError,
    NotPublishedError,
    PermanentFetchError,
    ThrottledError,
    TransientFetchError,
    VerificationError,
)
from swathkit.transfer.retry import RetryPolicy


def test_backoff_doubles_and_is_capped_without_jitter():
    policy = RetryPolicy(base_delay=0.5, max_delay=3.0, jitter=0)
    assert [policy.delay(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]


def test_jitter_stays_within_its_fraction_and_is_reproducible_with_a_seed():
    first = [RetryPolicy(base_delay=1, jitter=0.2, seed=7).delay(1) for _ in range(3)]
    assert len(set(first)) == 1
    policy = RetryPolicy(base_delay=1, jitter=0.2, seed=3)
    delays = [policy.delay(1) for _ in range(200)]
    assert all(0.8 <= d <= 1.2 for d in delays)
    assert max(delays) - min(delays) > 0.2  # it does vary


def test_retry_after_is_honoured_when_larger_than_the_backoff():
    policy = RetryPolicy(base_delay=0.5, jitter=0)
    assert policy.delay(1, ThrottledError("429", retry_after=7)) == 7
    assert policy.delay(1, ThrottledError("429", retry_after=0.1)) == 0.5
    assert policy.delay(2, TransientFetchError("reset")) == 1.0


def test_retry_after_may_exceed_max_delay():
    policy = RetryPolicy(base_delay=0.5, max_delay=1, jitter=0)
    assert policy.delay(1, ThrottledError("503", retry_after=120)) == 120


@pytest.mark.parametrize("error", [TransientFetchError("reset"), ThrottledError("429")])
def test_transient_errors_are_retried_until_max_attempts(error):
    policy = RetryPolicy(max_attempts=3)
    assert policy.should_retry(error, attempts=1)
    assert policy.should_retry(error, attempts=2)
    assert not policy.should_retry(error, attempts=3)


@pytest.mark.parametrize("error", [PermanentFetchError("400"), AuthError("refused"),
                                   NotPublishedError("404"), FormatError("bad"),
                                   ValueError("bug")])
def test_permanent_and_unknown_errors_are_never_retried(error):
    assert not RetryPolicy().should_retry(error, attempts=1)


def test_verification_failure_is_refetched_verify_retries_times():
    policy = RetryPolicy(verify_retries=1)
    error = VerificationError("checksum mismatch")
    assert policy.should_retry(error, attempts=1, verify_failures=1)
    assert not policy.should_retry(error, attempts=2, verify_failures=2)
    assert not RetryPolicy(verify_retries=0).should_retry(error, attempts=1, verify_failures=1)


@pytest.mark.parametrize("options", [{"max_attempts": 0}, {"base_delay": -1},
                                     {"base_delay": 2, "max_delay": 1}, {"jitter": 1.5},
                                     {"verify_retries": -1}])
def test_nonsense_settings_are_refused(options):
    with pytest.raises(ValueError):
        RetryPolicy(**options)


def test_policy_is_frozen_plain_data():
    policy = RetryPolicy(seed=1)
    assert policy == RetryPolicy(seed=1)
    with pytest.raises(AttributeError):
        policy.max_attempts = 3  # type: ignore[misc]


class _Flaky:
    """Raises the given errors one per call, then returns "done"."""

    def __init__(self, *errors):
        self.errors, self.calls = list(errors), 0

    def __call__(self):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def test_call_retries_transient_failures_waiting_as_the_policy_says():
    slept = []
    flaky = _Flaky(TransientFetchError("reset"), ThrottledError("429", retry_after=7))
    policy = RetryPolicy(base_delay=0.5, jitter=0)
    assert policy.call(flaky, sleep=slept.append) == "done"
    assert flaky.calls == 3 and slept == [0.5, 7]


def test_call_gives_up_after_max_attempts_with_the_last_error():
    slept = []
    flaky = _Flaky(*(TransientFetchError(f"reset {n}") for n in range(5)))
    with pytest.raises(TransientFetchError, match="reset 2"):
        RetryPolicy(max_attempts=3, jitter=0).call(flaky, sleep=slept.append)
    assert flaky.calls == 3 and len(slept) == 2


@pytest.mark.parametrize("error", [NotPublishedError("404"), AuthError("refused"),
                                   PermanentFetchError("400")])
def test_call_never_retries_permanent_failures(error):
    slept = []
    flaky = _Flaky(error)
    with pytest.raises(type(error)):
        RetryPolicy().call(flaky, sleep=slept.append)
    assert flaky.calls == 1 and slept == []


def test_call_lets_a_bug_through_at_once():
    flaky = _Flaky(KeyError("not a fetch failure"), TransientFetchError("never reached"))
    with pytest.raises(KeyError):
        RetryPolicy().call(flaky, sleep=lambda s: None)
    assert flaky.calls == 1


def test_call_refetches_after_a_verification_failure_only_verify_retries_times():
    flaky = _Flaky(VerificationError("bad bytes"), VerificationError("bad again"))
    with pytest.raises(VerificationError, match="again"):
        RetryPolicy(verify_retries=1).call(flaky, sleep=lambda s: None)
    assert flaky.calls == 2
