"""SFTP sessions size their receive window to the path's round trip."""

import pytest

from swathkit.archives.credentials import Credentials
from swathkit.archives.sftp import WINDOW_MAX, WINDOW_MIN, SftpFactory, window_for
from swathkit.sim.gportal.server import SimulatedGPortal


def test_window_is_twice_the_round_trip_at_the_target_rate_within_bounds():
    assert window_for(0.0) == WINDOW_MIN
    assert window_for(10.0) == WINDOW_MAX
    assert WINDOW_MIN < window_for(0.05) < window_for(0.1) < WINDOW_MAX


def _window(portal):
    factory = SftpFactory(portal.sftp_host, portal.sftp_port,
                          Credentials(portal.username, portal.password))
    session = factory.open()
    try:
        return session._sftp.get_channel().in_window_size
    finally:
        session.close()


@pytest.mark.slow
def test_a_far_server_gets_a_window_for_its_round_trip():
    with SimulatedGPortal(scans=20, latency=0.1) as far:
        assert _window(far) >= window_for(0.1) > 2 << 20  # more than OpenSSH's 2 MiB
