import pytest

from pairs_sims import point_at, simulators


@pytest.fixture(scope="module")
def sims(tmp_path_factory):
    with simulators(tmp_path_factory.mktemp("pairs-sims")) as running:
        yield running


@pytest.fixture
def env(sims, monkeypatch):
    point_at(monkeypatch, *sims)
    return sims
