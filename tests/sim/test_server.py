"""The simulators' server base: start and stop, HTTPS with its own CA, faults, ranges."""

import http.client
import ssl

import pytest

from swathkit.sim._server import SimHandler, SimServer, byte_range
from swathkit.sim.faults import FaultPlan


class _Hello(SimHandler):
    def do_GET(self):
        if self.begin(self.path):
            self.send_bytes(200, b"hello", "text/plain")

    do_HEAD = do_GET


def _ask(server, method="GET"):
    """(status, headers, body) of one request over a fresh connection trusting the CA."""
    context = ssl.create_default_context(cafile=server.ca_file)
    conn = http.client.HTTPSConnection("127.0.0.1", server.port, timeout=30, context=context)
    try:
        conn.request(method, "/")
        answer = conn.getresponse()
        return answer.status, answer.headers, answer.read()
    finally:
        conn.close()


def test_serves_https_on_a_free_loopback_port_and_cleans_up():
    with SimServer(_Hello) as server:
        assert server.base_url == f"https://127.0.0.1:{server.port}/" and server.port > 0
        assert _ask(server)[2] == b"hello"
        assert _ask(server, "HEAD")[2] == b""
        ca_file = server.ca_file
        assert server.counts.get("requests") == 2
    assert not ca_file.exists()
    server.close()  # again: nothing happens


def test_a_server_never_started_closes_cleanly():
    server = SimServer(_Hello)
    server.close()
    assert not server.ca_file.exists()


def test_each_server_has_its_own_ca():
    with SimServer(_Hello) as one, SimServer(_Hello) as two:
        assert one.ca_file.read_bytes() != two.ca_file.read_bytes()
        context = ssl.create_default_context(cafile=one.ca_file)
        conn = http.client.HTTPSConnection("127.0.0.1", two.port, timeout=30, context=context)
        with pytest.raises(ssl.SSLCertVerificationError):
            conn.request("GET", "/")
        conn.close()
        assert two.counts.get("requests") == 0


@pytest.mark.parametrize("status", [503, 429])
def test_the_plan_answers_throttling_with_retry_after(status):
    plan = FaultPlan(http_503=float(status == 503), http_429=float(status == 429),
                     retry_after=5, streak_limit=1)
    with SimServer(_Hello, plan=plan) as server:
        first, second = _ask(server), _ask(server)
        assert first[0] == status and first[1]["Retry-After"] == "5"
        assert second[0] == 200 and server.faults.snapshot() == {f"http_{status}": 1}


def test_a_connection_over_the_cap_gets_one_503_and_is_closed():
    with SimServer(_Hello, connection_cap=1, plan=FaultPlan(retry_after=2)) as server:
        context = ssl.create_default_context(cafile=server.ca_file)
        held = http.client.HTTPSConnection("127.0.0.1", server.port, timeout=30,
                                           context=context)
        held.request("GET", "/")
        assert held.getresponse().read() == b"hello"  # keep-alive: the slot stays taken
        status, headers, _ = _ask(server)
        held.close()
        assert status == 503 and headers["Retry-After"] == "2"
        assert headers["Connection"] == "close"
        assert server.faults.snapshot() == {"connection_refused": 1}


@pytest.mark.parametrize(("header", "wanted"), [
    ("bytes=100-", (100, 1000)), ("bytes=0-", (0, 1000)), ("bytes=5-9", (5, 10)),
    (" bytes = 7-", (7, 1000)), ("bytes=990-5000", (990, 1000)), ("bytes=-500", (500, 1000)),
    ("bytes=-5000", (0, 1000)), ("bytes=1000-", (1000, 1000)), (None, None), ("", None),
    ("bytes=1-2,5-6", None), ("items=1-", None), ("bytes=x-", None), ("bytes=9-5", None),
    ("bytes=-0", None),
])
def test_byte_range_reads_the_forms_served(header, wanted):
    assert byte_range(header, 1000) == wanted


def test_a_closed_range_gets_exactly_its_bytes(tmp_path):
    from swathkit.sim._server import send_file

    data = bytes(range(256)) * 40
    (tmp_path / "f.bin").write_bytes(data)

    class Files(SimHandler):
        def do_GET(self) -> None:
            if self.begin(self.path):
                send_file(self, tmp_path / "f.bin", "f.bin",
                          content_type="application/octet-stream")

    with SimServer(Files, tls=False) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/f.bin", headers={"Range": "bytes=100-199"})
        answer = conn.getresponse()
        body = answer.read()
        conn.close()
    assert answer.status == 206 and body == data[100:200]
    assert answer.getheader("Content-Range") == f"bytes 100-199/{len(data)}"
