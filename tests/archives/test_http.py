"""The one HTTP stack: TLS, redirects, cookies, host-bound auth, timeouts, the error tree.

Servers are the simulators' own base (swathkit.sim._server) on loopback, over
HTTPS with their start-up CAs. Two of them, one named 127.0.0.1 and one named
localhost, are two different hosts to the client.
"""

import base64
import json
import threading
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from swathkit.archives.credentials import BasicAuth, BearerAuth, Credentials
from swathkit.archives.http import HttpClient
from swathkit.errors import (
    AuthError,
    InputError,
    NotPublishedError,
    PermanentFetchError,
    ThrottledError,
    TransientFetchError,
)
from swathkit.sim._server import SimHandler, SimServer
from swathkit.sim.faults import FaultPlan

ALICE = Credentials("alice", "s3cret")
BASIC = "Basic " + base64.b64encode(b"alice:s3cret").decode()
TOKEN = "tok-123"


class Recording(SimServer):
    """Keeps what each request carried: (path, Authorization, Cookie)."""

    def __init__(self, **options):
        super().__init__(_Handler, **options)
        self.seen = []


class _Handler(SimHandler):
    server: Recording

    def do_GET(self):
        if not self.begin(self.path):
            return
        url = urlsplit(self.path)
        auth, cookie = self.headers.get("Authorization"), self.headers.get("Cookie")
        self.server.seen.append((url.path, auth, cookie))
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/cookie":
            self._json({"set": True}, {"Set-Cookie": "session=from-first; Path=/"})
        elif url.path == "/to":
            self.send_bytes(302, b"", "text/plain", {"Location": query["url"]})
        elif url.path == "/loop":
            self.send_bytes(302, b"", "text/plain", {"Location": "/loop"})
        elif url.path == "/echo":
            self._json({"auth": auth, "cookie": cookie})
        elif url.path == "/private":
            allowed = auth in (BASIC, f"Bearer {TOKEN}")
            self._json({"auth": auth}) if allowed else self._json({"message": "who are you"},
                                                                   status=401)
        elif url.path == "/status":
            self._json({"message": "as asked"}, {"Retry-After": "9"}, status=int(query["code"]))
        elif url.path == "/text":
            self.send_bytes(200, b"<html>not json</html>", "text/html")
        else:
            self._json({"message": "no such path"}, status=404)

    def _json(self, body, headers=None, status=200):
        self.send_bytes(status, json.dumps(body).encode(), "application/json", headers)


@pytest.fixture(scope="module")
def first():
    with Recording() as server:
        yield server


@pytest.fixture(scope="module")
def second():
    with Recording() as server:
        yield server


@pytest.fixture(scope="module")
def bundle(first, second, tmp_path_factory):
    """One PEM file trusting both servers' CAs."""
    path = tmp_path_factory.mktemp("ca") / "both.pem"
    path.write_bytes(first.ca_file.read_bytes() + second.ca_file.read_bytes())
    return path


@pytest.fixture(autouse=True)
def forget(first, second):
    first.seen.clear()
    second.seen.clear()


def _via(server, target):
    """A URL on ``server`` redirecting to ``target``."""
    return f"{server.base_url}to?url={quote(target, safe='')}"


def test_credentials_and_cookies_never_follow_a_redirect_to_another_host(first, second,
                                                                           bundle):
    elsewhere = f"https://localhost:{second.port}/echo"
    with HttpClient(ca_bundle=bundle, auth=BasicAuth(ALICE, host="127.0.0.1")) as http:
        http.get_json(first.base_url + "cookie")
        answer = http.get_json(_via(first, elsewhere))
    assert answer == {"auth": None, "cookie": None}
    assert second.seen == [("/echo", None, None)]  # the other host was asked, bare
    assert first.seen[-1] == ("/to", BASIC, "session=from-first")


def test_a_same_host_redirect_keeps_credentials_and_cookies(first, bundle):
    with HttpClient(ca_bundle=bundle, auth=BasicAuth(ALICE, host="127.0.0.1")) as http:
        http.get_json(first.base_url + "cookie")
        answer = http.get_json(_via(first, first.base_url + "echo"))
    assert answer == {"auth": BASIC, "cookie": "session=from-first"}
    assert [path for path, _, _ in first.seen] == ["/cookie", "/to", "/echo"]


def test_a_redirect_down_to_plain_http_drops_the_credentials(first, bundle):
    with Recording(tls=False) as plain, HttpClient(
            ca_bundle=bundle, auth=BasicAuth(ALICE, host="127.0.0.1")) as http:
        answer = http.get_json(_via(first, plain.base_url + "echo"))
        assert answer["auth"] is None and plain.seen == [("/echo", None, None)]


def test_credentials_bound_to_another_host_are_not_sent(first, bundle):
    with HttpClient(ca_bundle=bundle, auth=BasicAuth(ALICE, host="localhost")) as http:
        assert http.get_json(first.base_url + "echo")["auth"] is None


def test_cookies_set_by_a_server_are_sent_back(first, bundle):
    with HttpClient(ca_bundle=bundle) as http:
        http.get_json(first.base_url + "cookie")
        assert http.get_json(first.base_url + "echo")["cookie"] == "session=from-first"
        assert http.cookies.get("session") == "from-first"


@pytest.mark.parametrize("auth", [BasicAuth(ALICE, host="127.0.0.1"),
                                  BearerAuth(TOKEN, host="127.0.0.1")])
def test_basic_and_bearer_strategies_are_accepted(first, bundle, auth):
    with HttpClient(ca_bundle=bundle, auth=auth) as http:
        assert http.get_json(first.base_url + "private")["auth"] == auth.header()


@pytest.mark.parametrize("auth", [None, BasicAuth(Credentials("alice", "wrong"), host="127.0.0.1"),
                                  BearerAuth("stale", host="127.0.0.1")])
def test_refused_or_missing_credentials_are_an_auth_error(first, bundle, auth):
    with HttpClient(ca_bundle=bundle, auth=auth) as http, pytest.raises(AuthError, match="401"):
        http.get_json(first.base_url + "private")


def test_a_port_in_the_bound_host_must_match(first):
    auth = BearerAuth(TOKEN, host=f"127.0.0.1:{first.port}")
    assert auth.applies_to(f"https://127.0.0.1:{first.port}/x")
    assert not auth.applies_to(f"https://127.0.0.1:{first.port + 1}/x")
    assert BearerAuth(TOKEN, host="example.org:443").applies_to("https://EXAMPLE.org/x")
    assert not BearerAuth(TOKEN, host="example.org").applies_to("https://example.org.evil/x")


def test_strategies_never_show_their_secret():
    for auth in (BasicAuth(ALICE, host="h"), BearerAuth(TOKEN, host="h")):
        assert "s3cret" not in repr(auth) and TOKEN not in repr(auth)


def test_basic_auth_finds_credentials_in_netrc(tmp_path, monkeypatch):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine data.example login nina password fromnetrc\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.delenv("X_USERNAME", raising=False)
    monkeypatch.delenv("X_PASSWORD", raising=False)
    auth = BasicAuth.resolve("data.example:8443", env_prefix="X")
    assert auth.credentials.username == "nina" and auth.credentials.source == "netrc"
    assert auth.applies_to("https://data.example:8443/") and auth.host == "data.example:8443"


def test_a_client_without_the_ca_is_refused_and_sends_nothing(first):
    before = first.counts.get("requests")
    with HttpClient(ca_bundle=None) as http, pytest.raises(
            PermanentFetchError, match=r"certificate does not verify.*SWATHKIT_CA_BUNDLE"):
        http.get_json(first.base_url + "echo")
    assert first.seen == [] and first.counts.get("requests") == before


def test_a_missing_ca_bundle_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="SWATHKIT_CA_BUNDLE"):
        HttpClient(ca_bundle=tmp_path / "none.pem")


@pytest.mark.parametrize(("code", "error"), [
    (429, ThrottledError), (503, ThrottledError), (500, TransientFetchError),
    (502, TransientFetchError), (404, NotPublishedError), (410, NotPublishedError),
    (401, AuthError), (403, AuthError), (400, PermanentFetchError), (416, PermanentFetchError),
])
def test_statuses_are_sorted_into_the_error_tree(first, bundle, code, error):
    with HttpClient(ca_bundle=bundle) as http, pytest.raises(error) as raised:
        http.get_json(f"{first.base_url}status?code={code}")
    assert type(raised.value) is error and f"HTTP {code}" in str(raised.value)
    assert "as asked" in str(raised.value)  # the server's words, from its JSON
    if issubclass(error, TransientFetchError):
        assert raised.value.retry_after == 9


def test_an_answer_that_is_not_json_is_transient(first, bundle):
    with HttpClient(ca_bundle=bundle) as http, pytest.raises(TransientFetchError,
                                                              match="not JSON"):
        http.get_json(first.base_url + "text")


def test_a_redirect_loop_is_permanent(first, bundle):
    with HttpClient(ca_bundle=bundle) as http, pytest.raises(PermanentFetchError,
                                                              match="redirects"):
        http.get_json(first.base_url + "loop")


def test_a_timeout_is_transient():
    with Recording(plan=FaultPlan(slow_share=1.0, slow_delay=600)) as slow, \
            HttpClient(ca_bundle=slow.ca_file, timeout=0.3) as http:
        with pytest.raises(TransientFetchError, match="Timeout"):
            http.get_json(slow.base_url + "echo")
        assert slow.faults.snapshot() == {"slow": 1}


def test_a_refused_connection_is_transient():
    with HttpClient(timeout=5) as http, pytest.raises(TransientFetchError):
        http.get_json("https://127.0.0.1:9/")  # the discard port: nothing listens


def test_requests_share_one_kept_alive_connection():
    with Recording() as server, HttpClient(ca_bundle=server.ca_file) as http:
        for _ in range(3):
            http.get_json(server.base_url + "echo")
        assert server.connections.opened == 1


class _Watched(Recording):
    """Sets ``ended`` when it has finished with a connection (the client closed it)."""

    def __init__(self):
        super().__init__()
        self.ended = threading.Event()

    def shutdown_request(self, request):
        super().shutdown_request(request)
        self.ended.set()


def test_closing_closes_the_connection_even_while_an_error_of_it_is_kept():
    # A kept error (a log record's argument, a report) holds its traceback, whose frames hold
    # the answer and through it urllib3's pool: close() must not wait for garbage collection,
    # or a server capping connections still counts this one.
    with _Watched() as server:
        http = HttpClient(ca_bundle=server.ca_file)
        with pytest.raises(NotPublishedError) as raised:
            http.get_json(server.base_url + "missing")
        http.close()
        assert server.ended.wait(10), "the server still holds the client's connection"
        assert raised.value.__traceback__ is not None  # the error was kept all along
