"""Every session implementation keeps the ``Session``/``SessionFactory`` contract.

One set of tests, parametrised over the protocols the transfer engine speaks:
SFTP (against the simulated G-Portal) and HTTPS (against the simulated Bremen
archive); S3 joins when it lands. Each case names a served file, the file's
bytes on the server's disk, a path the server does not have, and, where the
protocol has credentials, a factory whose credentials the server refuses.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from swathkit.archives.bremen import asi_granule, bremen_sessions
from swathkit.archives.credentials import Credentials
from swathkit.archives.sftp import SftpFactory
from swathkit.errors import AuthError, NotPublishedError
from swathkit.sim.bremen.server import SimulatedBremen
from swathkit.sim.gportal.amsr2_l1b import granules_between
from swathkit.sim.gportal.catalog import remote_path
from swathkit.sim.gportal.server import SimulatedGPortal
from swathkit.transfer.session import SessionFactory

DAY = date(2013, 5, 10)


@dataclass(frozen=True)
class Case:
    """One protocol against its simulated server."""

    factory: SessionFactory
    remote: str  # a file the server publishes
    served: Callable[[], bytes]  # its bytes on the server's disk (after a first request)
    missing: str  # a path the server does not have
    refused: SessionFactory | None  # the same server, credentials it refuses (None: no login)
    secrets: tuple[str, ...] = ()  # what the factory's host must never show


def _asi_standin(directory, grid, day, *, seed=0):
    path = Path(directory) / f"asi-AMSR2-{grid}-{day:%Y%m%d}-v5.4.nc"
    path.write_bytes(hashlib.sha256(f"{grid}{day}{seed}".encode()).digest() * 50_000)
    return path


def _sftp_case(portal: SimulatedGPortal) -> Case:
    slot = granules_between("2022-02-16T06:00", "2022-02-16T06:01")[0]
    remote = remote_path(slot.name)
    good = Credentials(portal.username, portal.password)
    return Case(SftpFactory(portal.sftp_host, portal.sftp_port, good), remote,
                lambda: (portal.cache_dir / slot.name.file_name).read_bytes(),
                remote.rsplit("/", 1)[0] + "/GW1AM2_nothing.h5",
                SftpFactory(portal.sftp_host, portal.sftp_port,
                            Credentials(portal.username, "not-" + portal.password)),
                (portal.username, portal.password))


def _https_case(archive: SimulatedBremen) -> Case:
    granule = asi_granule("n6250", DAY)
    return Case(bremen_sessions(archive.base_url, ca_bundle=archive.ca_file),
                granule.remote_path,
                lambda: (archive.cache_dir / "n6250" / granule.file_name).read_bytes(),
                asi_granule("n6250", date(2013, 5, 12)).remote_path,  # missing upstream: 404
                None)


@pytest.fixture(scope="module", params=["sftp", "https"])
def case(request):
    if request.param == "sftp":
        with SimulatedGPortal(scans=8, seed=3) as portal:
            yield _sftp_case(portal)
    else:
        with SimulatedBremen(writer=_asi_standin, last_day=date(2014, 1, 1)) as archive:
            yield _https_case(archive)


@pytest.fixture
def session(case):
    opened = case.factory.open()
    yield opened
    opened.close()


def test_size_is_the_served_files(case, session):
    size = session.size(case.remote)
    assert size == len(case.served()) > 0


def test_a_full_read_gives_the_served_bytes(case, session):
    assert b"".join(session.read(case.remote)) == case.served()


@pytest.mark.parametrize("share", [0.0, 0.37, 0.999])
def test_a_read_from_an_offset_gives_the_tail(case, session, share):
    whole = b"".join(session.read(case.remote))
    offset = int(share * len(whole))
    assert b"".join(session.read(case.remote, offset)) == whole[offset:]


def test_one_session_serves_many_requests(case, session):
    sizes = {session.size(case.remote) for _ in range(3)}
    assert len(sizes) == 1 and len(b"".join(session.read(case.remote))) in sizes


def test_a_missing_file_is_not_published(case, session):
    with pytest.raises(NotPublishedError):
        session.size(case.missing)
    with pytest.raises(NotPublishedError):
        b"".join(session.read(case.missing))
    assert session.size(case.remote) > 0  # the session is still usable


def test_refused_credentials_are_an_auth_error(case):
    if case.refused is None:
        pytest.skip("this archive has no login")
    with pytest.raises(AuthError):
        opened = case.refused.open()  # SFTP refuses here; an HTTP server on first request
        try:
            opened.size(case.remote)
        finally:
            opened.close()


def test_close_is_idempotent(case):
    opened = case.factory.open()
    opened.size(case.remote)
    opened.close()
    opened.close()


def test_the_factory_host_holds_no_credentials(case):
    host = case.factory.host
    assert host and "@" not in host and "/" not in host
    assert not any(secret in host for secret in case.secrets)
