"""The distant link: every exchange waits a round trip, bytes are paced and intact.

Timing is checked against lower bounds the proxy guarantees (it holds each chunk
until its due time by the monotonic clock) and against the delays it recorded
itself, never against an upper bound that a loaded machine could break.
"""

import hashlib
import socket
import ssl
import threading
import time
import urllib.request

import paramiko
import pytest

from swathkit.archives.credentials import Credentials
from swathkit.archives.gportal import GPortalCatalog
from swathkit.archives.sftp import SftpFactory
from swathkit.errors import InputError, ThrottledError, TransientFetchError
from swathkit.sim.bremen.server import SimulatedBremen
from swathkit.sim.faults import FaultPlan
from swathkit.sim.gportal.server import SimulatedGPortal
from swathkit.sim.wan import Link, WanProxy, parse_bandwidth, parse_latency
from swathkit.transfer.download import fetch_file
from swathkit.transfer.retry import RetryPolicy
from swathkit.types import Query, utc

RTT = 0.1
PATH = "standard/GCOM-W/GCOM-W.AMSR2/L1B/2/2022/02/GW1AM2_202202160540_127A_L1SGBTBR_2220220.h5"


class _Echo:
    """A TCP server on loopback answering each message with its SHA-256 once the sender ends."""

    def __init__(self, *, hash_all=False):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.hash_all = hash_all
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def address(self):
        return self.sock.getsockname()[:2]

    def _serve(self):
        conn, _ = self.sock.accept()
        with conn:
            digest = hashlib.sha256()
            while data := conn.recv(65536):
                if self.hash_all:
                    digest.update(data)
                else:
                    conn.sendall(data)
            if self.hash_all:
                conn.sendall(digest.digest())

    def close(self):
        self.sock.close()


@pytest.mark.parametrize(("text", "seconds"), [("200ms", 0.2), ("0.2s", 0.2), ("0.5", 0.5),
                                                ("150 ms", 0.15), ("0", 0.0)])
def test_parse_latency_reads_units(text, seconds):
    assert parse_latency(text) == pytest.approx(seconds)


@pytest.mark.parametrize(("text", "rate"), [("4MB/s", 4e6), ("500kB/s", 5e5), ("2MiB/s", 2**21),
                                             ("32Mbit/s", 4e6), ("1000", 1e3), ("8 Mbit/s", 1e6)])
def test_parse_bandwidth_reads_units(text, rate):
    assert parse_bandwidth(text) == pytest.approx(rate)


@pytest.mark.parametrize(("parse", "text", "hint"), [
    (parse_latency, "fast", "like 200ms"), (parse_latency, "2 parsecs", "unknown unit"),
    (parse_bandwidth, "4MB/h", "not a number"), (parse_bandwidth, "4 furlongs/s", "unknown unit"),
    (parse_bandwidth, "0MB/s", "more than zero")])
def test_bad_units_are_input_errors_that_say_what_to_write(parse, text, hint):
    with pytest.raises(InputError, match=hint):
        parse(text)


def test_a_link_refuses_negative_latency_and_zero_bandwidth():
    with pytest.raises(ValueError, match="latency"):
        Link(latency=-1.0)
    with pytest.raises(ValueError, match="bandwidth"):
        Link(bandwidth=0.0)
    assert not Link().distant and Link(latency=0.01).distant


def test_each_exchange_waits_a_round_trip_by_the_proxys_own_clock():
    echo = _Echo()
    with WanProxy(echo.address, Link(latency=RTT)) as wan, \
            socket.create_connection(wan.address) as client:
        for i in range(4):
            t0 = time.monotonic()
            client.sendall(b"ping %d" % i)
            assert client.recv(100) == b"ping %d" % i
            assert time.monotonic() - t0 >= RTT  # out and back: half the round trip each way
        stats = wan.stats()
    echo.close()
    assert stats.connections == 1 and stats.chunks == 8  # 4 requests, 4 answers
    assert stats.min_delay >= RTT / 2


def test_bandwidth_pacing_delivers_every_byte_intact():
    payload = hashlib.sha256(b"seed").digest() * 20_000  # 640 kB
    rate = 4e6
    echo = _Echo(hash_all=True)
    with WanProxy(echo.address, Link(latency=0.02, bandwidth=rate)) as wan, \
            socket.create_connection(wan.address) as client:
        t0 = time.monotonic()
        client.sendall(payload)
        client.shutdown(socket.SHUT_WR)
        answer = client.recv(64)
        elapsed = time.monotonic() - t0
        stats = wan.stats()
    echo.close()
    assert answer == hashlib.sha256(payload).digest()
    assert elapsed >= len(payload) / rate  # paced: never faster than the cap
    assert stats.bytes == len(payload) + 32


@pytest.mark.slow
def test_sftp_login_and_each_request_cross_the_link():
    with SimulatedGPortal(scans=20, latency=RTT) as portal:
        t0 = time.monotonic()
        transport = paramiko.Transport((portal.sftp_host, portal.sftp_port))
        transport.connect(username=portal.username, password=portal.password)
        sftp = paramiko.SFTPClient.from_transport(transport)
        login = time.monotonic() - t0
        t0 = time.monotonic()
        size = sftp.stat(PATH).st_size
        stat = time.monotonic() - t0
        transport.close()
        stats = portal.link_stats()
    # banner, key exchange, new keys, service, password, channel, subsystem, SFTP version
    assert login >= 5 * RTT
    assert stat >= RTT and size > 0
    assert stats.min_delay >= RTT / 2 and stats.chunks >= 16


def test_catalogue_over_https_crosses_the_link():
    query = Query("amsr2-l1b", utc("2022-02-16T00:00"), utc("2022-02-16T03:00"))
    with SimulatedGPortal(scans=20, latency=RTT) as portal:
        catalog = GPortalCatalog(portal.catalog_url, retry=RetryPolicy(), ca_bundle=portal.ca_file)
        t0 = time.monotonic()
        found = list(catalog.search(query))
        elapsed = time.monotonic() - t0
    # connect, TLS handshake, request: each waits for the other side
    assert found and elapsed >= 2 * RTT


NAME = "asi-AMSR2-n6250-20130510-v5.4.nc"


def test_bremen_far_away_serves_every_byte(tmp_path):
    def writer(directory, grid, day, *, seed=0):
        path = directory / f"asi-AMSR2-{grid}-{day:%Y%m%d}-v5.4.nc"
        path.write_bytes(bytes(range(256)) * 1000)
        return path

    with SimulatedBremen(writer=writer, latency=0.05, bandwidth=2e6, cache_dir=tmp_path) as s:
        context = ssl.create_default_context(cafile=s.ca_file)
        url = s.base_url + "amsr2/asi_daygrid_swath/n6250/netcdf/2013/" + NAME
        with urllib.request.urlopen(url, context=context, timeout=10) as answer:
            body = answer.read()
    assert body == bytes(range(256)) * 1000


@pytest.mark.slow
def test_faults_and_the_session_cap_still_work_through_the_link(tmp_path):
    plan = FaultPlan(sftp_drop=1.0, streak_limit=1, max_sessions=1)  # 1st open drops, 2nd clean
    with SimulatedGPortal(scans=20, latency=0.02, bandwidth=8e6, faults=plan) as portal:
        factory = SftpFactory(portal.sftp_host, portal.sftp_port,
                              Credentials(portal.username, portal.password))
        session = factory.open()
        with pytest.raises(ThrottledError):
            factory.open()  # a second session while the first is held
        with pytest.raises(TransientFetchError):
            fetch_file(session, PATH, tmp_path / "g.h5")
        session.close()
        assert portal._sftp.sessions.wait_idle(portal.username, timeout=10)
        assert portal.stats().max_concurrent_sessions == 1
        session = factory.open()
        done = fetch_file(session, PATH, tmp_path / "g.h5")
        session.close()
        local = portal.cache_dir / PATH.rsplit("/", 1)[-1]
        assert done.size == local.stat().st_size
        assert (tmp_path / "g.h5").read_bytes() == local.read_bytes()
        assert portal.stats().faults["drop"] == 1
        assert portal.stats().faults["session_refused"] == 1


def test_sim_serve_puts_the_portal_far_away(monkeypatch, capsys):
    import swathkit.sim.gportal.server as gportal
    from swathkit.cli.main import main

    seen = {}

    def once(*, on_ready, **options):
        seen.update(options)
        on_ready(gportal.Endpoints("https://127.0.0.1:1/csw/csw", "127.0.0.1", 2, "sim", "pw"))
        return gportal.GPortalStats(0, 0, 0, 0, 0, {})

    monkeypatch.setattr(gportal, "serve_forever", once)
    argv = ["sim", "serve", "--latency", "200ms", "--bandwidth", "4MB/s", "--max-sessions", "4"]
    assert main(argv) == 0
    assert (seen["latency"], seen["bandwidth"], seen["faults"].max_sessions) == (0.2, 4e6, 4)
    out = capsys.readouterr().out
    assert "200 ms" in out and "4 MB/s" in out


@pytest.mark.parametrize(("option", "value", "hint"), [("--latency", "fast", "200ms"),
                                                       ("--bandwidth", "4MB/h", "4MB/s"),
                                                       ("--max-sessions", "0", "1 or more")])
def test_sim_serve_bad_link_values_exit_2_with_what_to_write(capsys, option, value, hint):
    from swathkit.cli.main import main

    assert main(["sim", "serve", option, value]) == 2
    err = capsys.readouterr().err
    assert option.lstrip("-").split("-")[0] in err and hint in err
