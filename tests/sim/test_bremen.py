"""The simulated Bremen archive: URL tree, listings, 404 days, ranges, every fault kind.

Real clients only (urllib, http.client, over HTTPS trusting the simulator's CA).
Most tests serve small stand-in files (a deterministic byte pattern) so they run
fast; one serves a real ASI day.
"""

import hashlib
import http.client
import re
import ssl
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import h5py
import pytest

from swathkit.sim.bremen.server import SimulatedBremen, serve_forever
from swathkit.sim.faults import FaultPlan

ROOT = "amsr2/asi_daygrid_swath"
DAY = date(2013, 5, 10)
LAST = date(2014, 3, 1)


class Writer:
    """Stand-in for write_asi_day: 100-200 kB of bytes fixed by (grid, day, seed)."""

    def __init__(self):
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, directory, grid, day, *, seed=0):
        with self._lock:
            self.calls += 1
        block = hashlib.sha256(f"{grid}{day}{seed}".encode()).digest()
        path = Path(directory) / f"asi-AMSR2-{grid}-{day:%Y%m%d}-v5.4.nc"
        path.write_bytes(block * (3200 + day.toordinal() % 3200))
        return path


def _path(grid="n6250", day=DAY):
    return f"{ROOT}/{grid}/netcdf/{day:%Y}/asi-AMSR2-{grid}-{day:%Y%m%d}-v5.4.nc"


def _sim(faults="none", **kw):
    kw.setdefault("writer", Writer())
    kw.setdefault("last_day", LAST)
    return SimulatedBremen(faults=faults, **kw)


def _get(sim, path, method="GET", headers=None):
    """(status, headers, body) over a fresh connection; redirects are not followed."""
    conn = _connect(sim)
    try:
        conn.request(method, "/" + path, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, answer.headers, answer.read()
    finally:
        conn.close()


def _links(body):
    return [h for h in re.findall(r'href="([^"]+)"', body.decode()) if not h.startswith("/")]


def _wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


@pytest.fixture(scope="module")
def sim():
    with _sim() as s:
        yield s


@pytest.mark.parametrize(("path", "expected"), [
    ("", ["amsr2/"]),
    ("amsr2/", ["asi_daygrid_swath/"]),
    (f"{ROOT}/", ["n3125/", "n6250/", "s3125/", "s6250/"]),
    (f"{ROOT}/s3125/", ["netcdf/"]),
    (f"{ROOT}/n6250/netcdf/", ["2012/", "2013/", "2014/"]),
])
def test_every_level_of_the_tree_has_an_apache_listing(sim, path, expected):
    status, headers, body = _get(sim, path)
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert f"Index of /{path}".rstrip("/") in body.decode()
    assert _links(body) == expected


def test_a_year_lists_its_published_days_only(sim):
    _, _, body = _get(sim, f"{ROOT}/n6250/netcdf/2013/")
    names = _links(body)
    assert len(names) == 365 - 3  # 2013-05-11..13 are missing upstream
    assert "asi-AMSR2-n6250-20130510-v5.4.nc" in names
    assert "asi-AMSR2-n6250-20130511-v5.4.nc" not in names
    first = _links(_get(sim, f"{ROOT}/n6250/netcdf/2012/")[2])[0]
    last = _links(_get(sim, f"{ROOT}/n6250/netcdf/2014/")[2])[-1]
    assert (first, last) == ("asi-AMSR2-n6250-20120702-v5.4.nc", "asi-AMSR2-n6250-20140301-v5.4.nc")


def test_a_year_listing_gives_the_size_of_generated_files(sim):
    day = date(2013, 2, 3)
    _, _, body = _get(sim, f"{ROOT}/s6250/netcdf/2013/")
    assert re.search(r"20130203-v5.4.nc</a>\s+2013-02-04 05:12\s+-", body.decode())
    size = len(_get(sim, _path("s6250", day))[2])
    _, _, body = _get(sim, f"{ROOT}/s6250/netcdf/2013/")
    shown = re.search(r"20130203-v5.4.nc</a>\s+2013-02-04 05:12\s+(\S+)", body.decode())[1]
    assert shown == f"{size / 1024:.0f}K"


def test_a_directory_without_its_slash_is_redirected(sim):
    status, headers, _ = _get(sim, f"{ROOT}/n6250/netcdf")
    assert status == 301 and headers["Location"] == f"/{ROOT}/n6250/netcdf/"


@pytest.mark.parametrize("path", [
    _path(day=date(2013, 5, 11)), _path(day=date(2013, 5, 13)),   # missing upstream
    _path(day=date(2012, 7, 1)), _path(day=date(2014, 3, 2)),     # before the record, after last
    _path(grid="n1234"), _path().replace("v5.4", "v5.3"),          # no such grid, version
    f"{ROOT}/n6250/netcdf/2012/asi-AMSR2-n6250-20130510-v5.4.nc",  # wrong year folder
    f"{ROOT}/n6250/netcdf/2011/", "amsr2/other/", f"{ROOT}/n6250/../n6250/netcdf/",
])
def test_what_the_archive_does_not_have_is_404(sim, path):
    assert _get(sim, path)[0] == 404
    assert _get(sim, path, method="HEAD")[0] == 404


def test_missing_days_are_configurable():
    with _sim(missing_days=[DAY]) as s:
        assert _get(s, _path())[0] == 404
        assert _get(s, _path(day=date(2013, 5, 11)))[0] == 200


def test_head_gives_the_size_and_get_the_cached_file(sim):
    status, head, body = _get(sim, _path(), method="HEAD")
    assert status == 200 and body == b""
    status, headers, body = _get(sim, _path())
    assert status == 200 and int(head["Content-Length"]) == len(body) > 0
    assert body == (sim.cache_dir / "n6250" / Path(_path()).name).read_bytes()
    assert headers["Accept-Ranges"] == "bytes"
    assert headers["Last-Modified"] == "Sat, 11 May 2013 05:12:00 GMT"


def test_a_range_request_resumes_with_206(sim):
    whole = _get(sim, _path())[2]
    status, headers, body = _get(sim, _path(), headers={"Range": "bytes=1000-"})
    assert status == 206 and body == whole[1000:]
    assert headers["Content-Range"] == f"bytes 1000-{len(whole) - 1}/{len(whole)}"
    assert int(headers["Content-Length"]) == len(whole) - 1000


def test_a_range_past_the_end_is_416(sim):
    size = len(_get(sim, _path())[2])
    status, headers, _ = _get(sim, _path(), headers={"Range": f"bytes={size}-"})
    assert status == 416 and headers["Content-Range"] == f"bytes */{size}"


def test_a_file_is_generated_once_when_many_ask_together():
    writer = Writer()
    with _sim(writer=writer) as s, ThreadPoolExecutor(8) as pool:
        bodies = list(pool.map(lambda _: _get(s, _path())[2], range(8)))
        assert len(set(bodies)) == 1 and writer.calls == 1 == s.stats().files_generated


def test_the_cache_is_reused_and_the_seed_fixes_the_bytes(tmp_path):
    first, second = Writer(), Writer()
    with _sim(writer=first, cache_dir=tmp_path, seed=1) as s:
        one = _get(s, _path())[2]
    with _sim(writer=second, cache_dir=tmp_path, seed=1) as s:
        assert _get(s, _path())[2] == one and second.calls == 0
    with _sim(writer=second, cache_dir=tmp_path, seed=2) as s:
        assert _get(s, _path())[2] != one


@pytest.mark.parametrize("status", [503, 429])
def test_throttling_answers_carry_retry_after(status):
    plan = FaultPlan(http_503=float(status == 503), http_429=float(status == 429),
                     retry_after=7, streak_limit=2)
    with _sim(plan) as s:
        answers = [_get(s, _path(), method="HEAD") for _ in range(3)]
        assert [a[0] for a in answers] == [status, status, 200]
        assert answers[0][1]["Retry-After"] == "7"
        assert s.stats().faults == {f"http_{status}": 2}


def test_slow_answers_are_counted_and_still_correct():
    with _sim(FaultPlan(slow_share=1.0, slow_delay=0.05)) as s:
        assert _get(s, _path(), method="HEAD")[0] == 200
        assert s.stats().faults == {"slow": 1}


def test_a_dropped_connection_cuts_the_body_and_the_next_get_is_whole():
    with _sim(FaultPlan(sftp_drop=1.0, streak_limit=1)) as s:
        with pytest.raises(http.client.IncompleteRead) as cut:
            _get(s, _path())
        status, _, body = _get(s, _path())
        assert status == 200 and 0 < len(cut.value.partial) < len(body)
        assert s.stats().faults == {"drop": 1}


def test_a_truncated_answer_is_short_but_self_consistent():
    with _sim(FaultPlan(sftp_truncate=1.0, streak_limit=1)) as s:
        size = int(_get(s, _path(), method="HEAD")[1]["Content-Length"])
        status, headers, short = _get(s, _path())
        assert status == 200 and int(headers["Content-Length"]) == len(short) < size
        status, _, rest = _get(s, _path(), headers={"Range": f"bytes={len(short)}-"})
        assert status == 206 and len(short) + len(rest) == size


def test_transient_corruption_is_fixed_on_retry():
    plan = FaultPlan(corrupt_share=1.0, corrupt_permanent_share=0.0, corrupt_attempts=1)
    with _sim(plan) as s:
        bad, good = _get(s, _path())[2], _get(s, _path())[2]
        assert bad != good and len(bad) == len(good) and bad[0] != good[0]
        assert good == (s.cache_dir / "n6250" / Path(_path()).name).read_bytes()


def test_permanent_corruption_stays():
    with _sim(FaultPlan(corrupt_share=1.0, corrupt_permanent_share=1.0)) as s:
        truth = _get(s, _path(), method="HEAD")  # generates the file
        answers = {_get(s, _path())[2] for _ in range(3)}
        local = (s.cache_dir / "n6250" / Path(_path()).name).read_bytes()
        assert truth[0] == 200 and len(answers) == 1 and answers.pop() != local


def _context(sim):
    return ssl.create_default_context(cafile=sim.ca_file)


def _connect(sim):
    host, port = sim.base_url.split("//")[1].strip("/").split(":")
    return http.client.HTTPSConnection(host, int(port), timeout=30, context=_context(sim))


def test_a_connection_beyond_the_cap_gets_503_and_is_closed():
    with _sim(FaultPlan(max_sessions=1, retry_after=3)) as s:
        held = _connect(s)
        held.request("HEAD", "/" + _path())
        assert held.getresponse().status == 200  # keep-alive: the slot stays taken
        other = _connect(s)
        other.request("HEAD", "/" + _path())
        refused = other.getresponse()
        assert refused.status == 503 and refused.headers["Retry-After"] == "3"
        assert refused.headers["Connection"] == "close"
        other.close()
        held.close()
        _wait_for(lambda: s._server.connections.active == 0)
        assert _get(s, _path(), method="HEAD")[0] == 200
        stats = s.stats()
        assert stats.max_concurrent_connections == 1 and stats.faults == {"connection_refused": 1}


def test_keep_alive_serves_many_requests_on_one_connection(sim):
    before = sim.stats().connections_opened
    conn = _connect(sim)
    for _ in range(3):
        conn.request("GET", "/" + _path())
        assert conn.getresponse().read()
    conn.close()
    assert sim.stats().connections_opened == before + 1


def test_closing_ends_idle_connections():
    s = _sim().start()
    conn = _connect(s)
    conn.request("HEAD", "/" + _path())
    conn.getresponse().read()
    s.close()
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        conn.request("HEAD", "/" + _path())
        conn.getresponse()


def test_bandwidth_cap_still_delivers_every_byte():
    with _sim(bandwidth=2_000_000) as s:
        body = _get(s, _path())[2]
        _wait_for(lambda: s._server.connections.active == 0)  # the handler has finished
        assert len(body) == s.stats().bytes_sent > 0


def test_serves_a_real_asi_day(tmp_path):
    with SimulatedBremen(cache_dir=tmp_path, last_day=LAST) as s:
        with urllib.request.urlopen(s.base_url + _path(), timeout=60,
                                    context=_context(s)) as answer:
            (tmp_path / "day.nc").write_bytes(answer.read())
        with h5py.File(tmp_path / "day.nc") as f:
            assert f["z"].shape == (1792, 1216) and f["x"].shape == (1216,)
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(s.base_url + _path(day=date(2013, 5, 12)), timeout=60,
                                   context=_context(s))
        with missing.value:  # the error holds the open answer
            assert missing.value.code == 404


def test_serve_forever_reports_the_url_and_the_ca_and_stops():
    stop, seen = threading.Event(), []

    def ready(url, ca_file):
        seen.append((url, ca_file.read_text()))
        stop.set()

    stats = serve_forever(on_ready=ready, stop=stop, writer=Writer())
    url, pem = seen[0]
    assert url.startswith("https://127.0.0.1:") and stats.requests_served == 0
    assert pem.startswith("-----BEGIN CERTIFICATE-----")


def test_https_is_the_default_and_plain_http_an_option():
    with _sim() as s:
        assert s.base_url.startswith("https://") and s.ca_file.is_file()
        ca_file = s.ca_file
    assert not ca_file.exists()  # removed with the server
    with _sim(tls=False) as s:
        assert s.base_url.startswith("http://") and s.ca_file is None
        host, port = s.base_url.split("//")[1].strip("/").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        conn.request("HEAD", "/" + _path())
        assert conn.getresponse().status == 200
        conn.close()


def test_a_client_that_does_not_trust_the_ca_gets_no_answer(sim):
    before = sim.stats().requests_served
    host, port = sim.base_url.split("//")[1].strip("/").split(":")
    conn = http.client.HTTPSConnection(host, int(port), timeout=30,
                                       context=ssl.create_default_context())
    with pytest.raises(ssl.SSLCertVerificationError):
        conn.request("HEAD", "/" + _path())
    conn.close()
    assert sim.stats().requests_served == before


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost"])
def test_the_certificate_is_valid_for_both_loopback_names(sim, name):
    port = int(sim.base_url.rstrip("/").rsplit(":", 1)[1])
    conn = http.client.HTTPSConnection(name, port, timeout=30, context=_context(sim))
    conn.request("HEAD", "/" + _path())
    assert conn.getresponse().status == 200
    conn.close()


def test_sim_serve_runs_the_bremen_archive(monkeypatch, capsys):
    import argparse

    import swathkit.sim.bremen.server as bremen
    from swathkit.sim.cli_serve import add_serve

    def once(*, on_ready, **options):
        on_ready("https://127.0.0.1:1234/", Path("/tmp/sim-ca/ca.pem"))
        return bremen.BremenStats(3, 0, 1, 1, 0, 0, {})

    monkeypatch.setattr(bremen, "serve_forever", once)
    parser = argparse.ArgumentParser()
    add_serve(parser.add_subparsers())
    args = parser.parse_args(["serve", "--archive", "bremen", "--faults", "hostile"])
    assert args.run(args) == 0
    out = capsys.readouterr().out
    assert "https://127.0.0.1:1234/amsr2/asi_daygrid_swath/" in out and "hostile" in out
    assert "SWATHKIT_CA_BUNDLE=/tmp/sim-ca/ca.pem" in out
