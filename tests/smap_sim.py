"""The simulated NSIDC for the SMAP download tests: small files, one account, the env set."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from swathkit.sim.nsidc import simulated_nsidc
from swathkit.sim.nsidc.server import SimulatedNsidc
from swathkit.transfer.retry import RetryPolicy

USER, PASSWORD = "alice", "s3cret-Pw!"
FAST_RETRY = RetryPolicy(max_attempts=12, base_delay=0.01, max_delay=0.05, seed=0)


@contextmanager
def nsidc(monkeypatch: pytest.MonkeyPatch, **options: object) -> Iterator[SimulatedNsidc]:
    """A simulated NSIDC with 8-pixel files, swathkit pointed at it, logged in as alice."""
    with simulated_nsidc(pixels=8, users={USER: PASSWORD}, **options) as sim:  # type: ignore[arg-type]
        for key, value in sim.environment(USER, PASSWORD).items():
            monkeypatch.setenv(key, value)
        yield sim
