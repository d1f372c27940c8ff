"""The Bremen client: days to granules and URLs, and HTTPS file sessions against the simulator."""

import hashlib
from datetime import date
from pathlib import Path

import pytest

from swathkit.archives.bremen import (
    BREMEN_URL,
    asi_granule,
    asi_granules,
    bremen_sessions,
    fetch_tasks,
)
from swathkit.archives.http_files import HttpFiles
from swathkit.errors import (
    InputError,
    NotPublishedError,
    PermanentFetchError,
    ThrottledError,
    TransientFetchError,
)
from swathkit.sim._server import SimHandler, SimServer
from swathkit.sim.bremen.server import SimulatedBremen
from swathkit.sim.faults import FaultPlan

DAY = date(2013, 5, 10)


def _writer(directory, grid, day, *, seed=0):
    path = Path(directory) / f"asi-AMSR2-{grid}-{day:%Y%m%d}-v5.4.nc"
    path.write_bytes(hashlib.sha256(f"{grid}{day}{seed}".encode()).digest() * 40_000)
    return path


def _sim(faults="none"):
    return SimulatedBremen(faults=faults, writer=_writer, last_day=date(2014, 1, 1))


@pytest.fixture(scope="module")
def sim():
    with _sim() as s:
        yield s


def test_granules_run_from_start_to_end_inclusive():
    days = [g.properties["day"] for g in asi_granules("n6250", date(2024, 2, 27),
                                                      date(2024, 3, 1))]
    assert days == ["2024-02-27", "2024-02-28", "2024-02-29", "2024-03-01"]
    assert len(asi_granules("n6250", DAY, DAY)) == 1


def test_a_start_before_the_record_is_an_input_error():
    with pytest.raises(InputError, match="before the ASI AMSR2 record"):
        asi_granules("n6250", date(2012, 7, 1), date(2012, 7, 3))


def test_a_day_becomes_the_archive_path_and_a_granule_named_by_its_file():
    g = asi_granule("n3125", date(2024, 4, 1))
    assert g.id == "asi-AMSR2-n3125-20240401-v5.4"
    assert g.remote_path == ("amsr2/asi_daygrid_swath/n3125/netcdf/2024/"
                             "asi-AMSR2-n3125-20240401-v5.4.nc")
    assert g.file_name == "asi-AMSR2-n3125-20240401-v5.4.nc"
    assert (g.start.isoformat(), g.end.isoformat()) == ("2024-04-01T00:00:00+00:00",
                                                        "2024-04-02T00:00:00+00:00")
    assert g.properties == {"grid": "n3125", "day": "2024-04-01"}


def test_the_real_archive_url_is_the_default():
    g = asi_granule("s6250", date(2019, 12, 31))
    files = bremen_sessions()
    assert files.base_url == BREMEN_URL == "https://data.seaice.uni-bremen.de/"
    assert files.url_of(g.remote_path) == (
        "https://data.seaice.uni-bremen.de/amsr2/asi_daygrid_swath/s6250/netcdf/2019/"
        "asi-AMSR2-s6250-20191231-v5.4.nc")
    assert files.host == "data.seaice.uni-bremen.de"


def test_the_ca_bundle_comes_from_the_settings_unless_given(sim, monkeypatch, tmp_path):
    monkeypatch.setenv("SWATHKIT_CA_BUNDLE", str(sim.ca_file))
    assert bremen_sessions(sim.base_url).ca_bundle == sim.ca_file
    session = bremen_sessions(sim.base_url).open()  # trusts the simulator through the setting
    assert session.size(_remote()) > 0
    session.close()
    other = tmp_path / "other.pem"
    other.write_bytes(sim.ca_file.read_bytes())
    assert bremen_sessions(sim.base_url, ca_bundle=other).ca_bundle == other


def test_a_ca_bundle_that_does_not_exist_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match=r"nothing\.pem"):
        bremen_sessions(ca_bundle=tmp_path / "nothing.pem")


def test_a_client_without_the_simulators_ca_is_refused_before_any_request(sim):
    before = sim.stats().requests_served
    session = bremen_sessions(sim.base_url, ca_bundle=None).open()  # certifi's CAs only
    with pytest.raises(PermanentFetchError, match="certificate does not verify"):
        session.size(_remote())
    with pytest.raises(PermanentFetchError, match="certificate does not verify"):
        list(session.read(_remote()))
    session.close()
    assert sim.stats().requests_served == before  # no request got through


def test_a_base_url_with_a_path_prefixes_remote_paths():
    files = HttpFiles("http://mirror.example:8080/data/bremen/")
    assert files.path_of("amsr2/x y.nc") == "/data/bremen/amsr2/x%20y.nc"
    assert files.host == "mirror.example:8080"


def test_tasks_land_flat_under_the_real_file_names(tmp_path):
    tasks = fetch_tasks(asi_granules("n6250", DAY, date(2013, 5, 11)), tmp_path)
    assert [t.dest for t in tasks] == [tmp_path / "asi-AMSR2-n6250-20130510-v5.4.nc",
                                       tmp_path / "asi-AMSR2-n6250-20130511-v5.4.nc"]
    assert tasks[0].key == "asi-AMSR2-n6250-20130510-v5.4"


@pytest.mark.parametrize(("grid", "start", "end", "words"), [
    ("n6250", date(2024, 2, 2), date(2024, 2, 1), "before start"),
    ("n6250", date(2012, 7, 1), date(2012, 7, 3), "2012-07-02"),
    ("n1234", DAY, DAY, "n3125"),
    ("not-a-url", DAY, DAY, None),
])
def test_bad_requests_are_refused_with_a_reason(grid, start, end, words):
    if words is None:
        with pytest.raises(ValueError, match="http"):
            HttpFiles(grid)
        return
    with pytest.raises(ValueError, match=words):
        asi_granules(grid, start, end)


def _remote(day=DAY):
    return asi_granule("n6250", day).remote_path


def _files(sim, **options):
    return HttpFiles(sim.base_url, ca_bundle=sim.ca_file, **options)


def test_a_session_sizes_and_reads_over_one_kept_alive_connection(sim):
    before = sim.stats().connections_opened
    session = _files(sim).open()
    try:
        size = session.size(_remote())
        whole = b"".join(session.read(_remote()))
        tail = b"".join(session.read(_remote(), 12345))
    finally:
        session.close()
    assert size == len(whole) == 32 * 40_000 and tail == whole[12345:]
    assert sim.stats().connections_opened == before + 1


def test_a_connection_the_server_closed_while_idle_is_reopened(sim):
    session = _files(sim).open()
    try:
        size = session.size(_remote())
        sim._server.close_connections()  # as a server's keep-alive timeout would
        assert session.size(_remote()) == size
    finally:
        session.close()


def test_404_is_not_published(sim):
    session = _files(sim).open()
    with pytest.raises(NotPublishedError, match="404"):
        session.size(_remote(date(2013, 5, 12)))
    with pytest.raises(NotPublishedError):
        list(session.read(_remote(date(2013, 5, 12))))
    assert session.size(_remote()) > 0  # the connection is still usable
    session.close()


@pytest.mark.parametrize("status", [503, 429])
def test_throttling_is_a_throttled_error_with_the_servers_wait(status):
    plan = FaultPlan(http_503=float(status == 503), http_429=float(status == 429),
                     retry_after=4, streak_limit=1)
    with _sim(plan) as s:
        session = _files(s).open()
        with pytest.raises(ThrottledError, match=str(status)) as throttled:
            session.size(_remote())
        assert throttled.value.retry_after == 4
        assert session.size(_remote()) > 0
        session.close()


def test_a_dropped_transfer_is_transient_and_resumable():
    with _sim(FaultPlan(sftp_drop=1.0, streak_limit=1)) as s:
        session = _files(s).open()
        received = bytearray()
        with pytest.raises(TransientFetchError, match="broke off"):
            for block in session.read(_remote()):
                received += block
        received += b"".join(session.read(_remote(), len(received)))
        assert len(received) == session.size(_remote())
        session.close()


def test_a_truncated_answer_ends_early_without_error():
    with _sim(FaultPlan(sftp_truncate=1.0, streak_limit=1)) as s:
        session = _files(s).open()
        short = b"".join(session.read(_remote()))
        assert 0 < len(short) < session.size(_remote())
        session.close()


def test_a_refused_connection_is_transient():
    session = HttpFiles("https://127.0.0.1:9/", timeout=5).open()  # discard port: no listener
    with pytest.raises(TransientFetchError):
        session.size("f.nc")


def test_a_slow_server_times_out_as_a_transient_error():
    with _sim(FaultPlan(slow_share=1.0, slow_delay=600)) as s:  # close() ends the wait
        session = _files(s, timeout=0.5).open()
        with pytest.raises(TransientFetchError, match="Timeout"):
            session.size(_remote())
        session.close()
        assert s.stats().faults == {"slow": 1}


def test_other_client_errors_are_permanent(sim):
    session = _files(sim).open()
    with pytest.raises(PermanentFetchError):
        session.size("amsr2/asi_daygrid_swath/n6250/netcdf/2013/nothing.nc")
    session.close()


class _NoRanges(SimHandler):
    """Answers every GET with the whole of DATA, whatever the Range header says."""

    data = bytes(range(256)) * 12_000  # 3 MB: the skip spans more than one 1 MiB block

    def do_GET(self):
        if self.begin(self.path):
            self.send_bytes(200, self.data, "application/octet-stream")


def test_a_server_ignoring_the_range_is_read_past_what_we_have():
    with SimServer(_NoRanges) as server:
        session = HttpFiles(server.base_url, ca_bundle=server.ca_file).open()
        assert b"".join(session.read("f.nc", 1_500_000)) == _NoRanges.data[1_500_000:]
        session.close()
