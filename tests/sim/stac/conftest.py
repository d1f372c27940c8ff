import pytest

from swathkit.sim.stac.server import SimulatedLandsatLook

USERS = {"alice": "correct horse"}


@pytest.fixture(scope="session")
def landsatlook(tmp_path_factory):
    """One simulator (300 m tiles, login required) for the STAC and ERS tests."""
    with SimulatedLandsatLook(users=USERS, pixels=500,
                              cache_dir=tmp_path_factory.mktemp("landsatlook")) as sim:
        yield sim
