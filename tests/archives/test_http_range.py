"""RangeOpener: rasterio reads a COG window from the simulated LandsatLook by Range requests."""

import io

import numpy as np
import pytest
import rasterio
from rasterio.windows import Window

from swathkit.archives.credentials import Credentials
from swathkit.archives.ers import ErsAuth
from swathkit.archives.http import HttpClient
from swathkit.archives.http_range import RangeOpener
from swathkit.archives.stac import StacCatalog
from swathkit.errors import AuthError
from swathkit.sim.stac.server import SimulatedLandsatLook
from swathkit.types import Query

pytestmark = pytest.mark.slow  # the simulator makes its COGs on first request

QUERY = Query("dswe", "2008-06-01", "2008-06-05", bbox=(-91, 34, -89, 36))


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    with SimulatedLandsatLook(users={"alice": "pw"}, pixels=500,
                              cache_dir=tmp_path_factory.mktemp("ll")) as running:
        yield running


@pytest.fixture(scope="module")
def href(sim):
    return next(StacCatalog(sim.stac_url, ca_bundle=sim.ca_file).search(QUERY)).remote_path


def _http(sim, password="pw"):
    auth = ErsAuth(Credentials("alice", password), login_url=sim.base_url + "login",
                   ca_bundle=sim.ca_file)
    return HttpClient(auth=auth, ca_bundle=sim.ca_file)


def test_file_object_reads_seeks_and_tells_like_the_whole_file(sim, href):
    with _http(sim) as http:
        whole = http.request("GET", href).content
        opener = RangeOpener(http, block_size=1000, cache_blocks=4)
        f = opener(href)
        assert f.size == len(whole) and f.read(4) == b"II*\x00" and f.tell() == 4
        f.seek(-10, io.SEEK_END)
        assert f.read() == whole[-10:]
        f.seek(1500)
        assert f.read(2500) == whole[1500:4000]  # across three blocks
        assert f.read(0) == b"" and f.seek(len(whole) + 5) and f.read(3) == b""


def test_rasterio_reads_a_window_with_a_fraction_of_the_bytes(sim, href):
    with _http(sim) as http:
        whole = http.request("GET", href).content
        opener = RangeOpener(http, block_size=512)
        with rasterio.open(href, opener=opener) as ds:
            part = ds.read(1, window=Window(0, 0, 64, 64))
        with rasterio.MemoryFile(whole) as mem, mem.open() as local:
            expected = local.read(1, window=Window(0, 0, 64, 64))
    np.testing.assert_array_equal(part, expected)
    assert 0 < opener.bytes_fetched < len(whole) / 2
    assert opener.requests >= 2


def test_login_page_instead_of_the_tiff_is_an_auth_error(sim, href):
    anonymous = ErsAuth(None, login_url=sim.base_url + "login", ca_bundle=sim.ca_file)
    with HttpClient(auth=anonymous, ca_bundle=sim.ca_file) as http, \
            pytest.raises(AuthError, match="login form"):
        RangeOpener(http)(href)


def test_a_name_that_is_not_a_url_costs_no_request_and_leaves_last_error(sim, href):
    with _http(sim) as http:
        opener = RangeOpener(http)
        # rasterio probes the opener with "test" (no sidecar probes, as pairs score)
        with rasterio.Env(GDAL_DISABLE_READDIR_ON_OPEN="EMPTY_DIR"), \
                rasterio.open(href, opener=opener):
            pass
        requests = opener.requests
        with pytest.raises(FileNotFoundError, match="not an http"):
            opener("test")
    assert opener.last_error is None and opener.requests == requests


def test_write_mode_is_refused(sim, href):
    with _http(sim) as http, pytest.raises(Exception, match="read-only"):
        RangeOpener(http)(href, "wb")


@pytest.mark.timeout(60)
def test_prefetch_sends_one_request_per_run_and_the_reads_then_cost_nothing(sim, href):
    with _http(sim) as http:
        whole = http.request("GET", href).content
        opener = RangeOpener(http, block_size=512, cache_blocks=64)
        f = opener(href)  # block 0, for the size
        before = opener.requests
        size = len(whole)
        assert size > 6 * 512
        # blocks 1–4 (one run: 2100–2200 is in block 4) and the last block (a second run)
        sent = opener.prefetch(href, [(1000, 2000), (2100, 2200), (size - 100, size + 50)],
                               gap=0)
        assert sent == 2 == opener.requests - before
        fetched = opener.requests
        f.seek(1000)
        assert f.read(1000) == whole[1000:2000]
        f.seek(size - 100)
        assert f.read() == whole[-100:]
        assert opener.requests == fetched  # all from the cache
        assert opener.prefetch(href, [(1000, 2000)]) == 0  # cached blocks cost nothing


@pytest.mark.timeout(60)
def test_prefetch_merges_runs_a_gap_apart_and_skips_what_the_cache_cannot_hold(sim, href):
    with _http(sim) as http:
        whole = http.request("GET", href).content
        opener = RangeOpener(http, block_size=256, cache_blocks=8)
        opener.size(href)
        before = opener.requests
        # blocks 4 and 6, one block apart: one request for 4–6
        assert opener.prefetch(href, [(1024, 1100), (1536, 1600)], gap=1) == 1
        assert opener.prefetch(href, [(1280, 1290)]) == 0  # block 5 came with them
        assert len(whole) > 16 * 256
        # missing: blocks 1–3 (fetched) and 7 to the end (more than the cache: left)
        assert opener.prefetch(href, [(0, len(whole))]) == 1
        assert opener.requests == before + 2
        assert opener(href).read() == whole  # read block by block instead


def test_the_first_request_of_a_file_brings_its_head_and_later_ones_one_block(sim, href):
    with _http(sim) as http:
        whole = http.request("GET", href).content
        opener = RangeOpener(http, block_size=512, head=3000)  # rounded up to 6 blocks
        f = opener(href)
        assert f.read(3072) == whole[:3072] and opener.requests == 1
        assert opener.bytes_fetched == 3072
        f.seek(5000)
        assert f.read(10) == whole[5000:5010] and opener.requests == 2
        assert opener.bytes_fetched == 3072 + 512
        with rasterio.open(href, opener=opener) as ds:  # the header from the cache
            part = ds.read(1, window=Window(0, 0, 32, 32))
        with rasterio.MemoryFile(whole) as mem, mem.open() as local:
            np.testing.assert_array_equal(part, local.read(1, window=Window(0, 0, 32, 32)))


def test_a_head_larger_than_the_file_is_the_whole_file(sim, href):
    with _http(sim) as http:
        whole = http.request("GET", href).content
        opener = RangeOpener(http, block_size=1024, head=len(whole) + 5000)
        f = opener(href)
        assert f.read() == whole and opener.requests == 1


def test_threads_sharing_an_opener_fetch_each_block_once(sim, href):
    """Eight threads read the same window through one opener with four clients: every
    block is fetched by one of them, so requests and bytes equal one thread's."""
    from concurrent.futures import ThreadPoolExecutor

    with _http(sim) as alone:
        single = RangeOpener(alone, block_size=512, head=4096)
        with rasterio.open(href, opener=single) as ds:
            expected = ds.read(1, window=Window(0, 0, 96, 96))
    clients = [_http(sim) for _ in range(4)]
    try:
        shared = RangeOpener(clients, block_size=512, head=4096)

        def read(_: int) -> tuple[np.ndarray, int]:
            before = shared.thread_bytes()
            with rasterio.open(href, opener=shared) as ds:
                return ds.read(1, window=Window(0, 0, 96, 96)), shared.thread_bytes() - before

        with ThreadPoolExecutor(8) as pool:
            got = list(pool.map(read, range(8)))
    finally:
        for http in clients:
            http.close()
    assert all(np.array_equal(part, expected) for part, _ in got)
    assert shared.requests == single.requests and shared.bytes_fetched == single.bytes_fetched
    assert sum(spent for _, spent in got) == shared.bytes_fetched  # each byte counted once


def test_a_failed_fetch_wakes_the_waiting_threads_with_their_own_error(sim, href):
    from concurrent.futures import ThreadPoolExecutor

    with _http(sim, password="wrong") as http:
        opener = RangeOpener([http], block_size=512)

        def size(_: int) -> str:
            with pytest.raises(AuthError) as raised:
                opener.size(href)
            assert opener.last_error is raised.value  # this thread's error
            return str(raised.value)

        with ThreadPoolExecutor(3) as pool:
            messages = list(pool.map(size, range(3)))
    assert len(set(messages)) == 1
