"""One simulated ASF for the tests of this folder (16-pixel zips: each is a few kilobytes)."""

import pytest

from swathkit.sim.cmr.asf import SimulatedAsf

USER, PASSWORD = "alice", "correct horse"
# Half a day over the USA: a few dozen scenes, so records (each needs its zip) stay cheap
DAY = ("2008-06-01T00:00:00Z", "2008-06-01T12:00:00Z")


@pytest.fixture(scope="session")
def asf_sim():
    with SimulatedAsf(pixels=16, users={USER: PASSWORD}) as sim:
        yield sim


@pytest.fixture
def asf_ca(asf_sim, monkeypatch):
    """asf_search's requests session trusts the simulator's CA (requests reads this variable)."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(asf_sim.ca_file))
    return asf_sim
