"""The simulated G-Portal: CSW catalogue over HTTP, files over SFTP, seeded faults.

Real clients only: urllib for the catalogue (over HTTPS, trusting the portal's CA),
paramiko's SFTPClient for the files.
"""

import argparse
import dataclasses
import json
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import paramiko
import pytest

from swathkit.sim.faults import FaultPlan, fault_plan
from swathkit.sim.gportal.amsr2_l1b import granules_between, write_granule
from swathkit.sim.gportal.catalog import DOWNLOAD_URL, remote_path
from swathkit.sim.gportal.server import SimulatedGPortal, serve_forever
from swathkit.sim.orbit import granule_geometry, half_orbit_at

SCANS = 40
SEED = 5
DAY = ("2022-02-16T00:00:00Z", "2022-02-17T00:00:00Z")


def _params(**extra):
    params = {"service": "CSW", "version": "3.0.0", "request": "GetRecords",
              "outputFormat": "application/json", "datasetId": "11001001",
              "startTime": DAY[0], "endTime": DAY[1]}
    params.update(extra)
    return {k: v for k, v in params.items() if v is not None}


def _get(portal, **extra):
    """(status, headers, JSON body) of one catalogue request."""
    url = portal.catalog_url + "?" + urllib.parse.urlencode(_params(**extra))
    try:
        with urllib.request.urlopen(url, timeout=30, context=_context(portal)) as answer:
            return answer.status, answer.headers, json.load(answer)
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.headers, json.load(err)


def _context(portal):
    return ssl.create_default_context(cafile=portal.ca_file)


def _stamp(t):
    return str(np.datetime_as_string(t, unit="ms")) + "Z"


def _ids(body):
    return [f["properties"]["identifier"] for f in body["features"]]


def _connect(portal, password=None):
    transport = paramiko.Transport((portal.sftp_host, portal.sftp_port))
    try:
        transport.connect(username=portal.username,
                          password=portal.password if password is None else password)
        return transport, paramiko.SFTPClient.from_transport(transport)
    except BaseException:
        transport.close()
        raise


def _read_all(sftp, path, offset=0, block=32768):
    out = bytearray()
    with sftp.open(path, "rb") as f:
        f.seek(offset)
        while chunk := f.read(block):
            out += chunk
    return bytes(out)


def _wait_for(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture(scope="module")
def portal():
    with SimulatedGPortal(scans=SCANS, seed=SEED, password="s3cret") as p:
        yield p


@pytest.fixture(scope="module")
def sftp(portal):
    transport, client = _connect(portal)
    yield client
    client.close()
    transport.close()


@pytest.fixture(scope="module")
def slot():
    return granules_between("2022-02-16T06:00", "2022-02-16T06:01")[0]


@pytest.fixture(scope="module")
def truth(slot, tmp_path_factory):
    path = write_granule(tmp_path_factory.mktemp("truth"), slot.start, scans=SCANS, seed=SEED)
    return path.read_bytes()


# The catalogue


def test_answer_is_a_gportal_feature_collection(portal):
    status, _, body = _get(portal, count="2")
    assert status == 200
    assert body["type"] == "FeatureCollection"
    assert body["properties"]["numberOfRecordsReturned"] == 2
    feature = body["features"][0]
    assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    props = feature["properties"]
    name = props["identifier"]
    assert name.startswith("GW1AM2_20220216") and name.endswith("_L1SGBTBR_2220220")
    assert props["product"]["fileName"] == (
        f"{DOWNLOAD_URL}standard/GCOM-W/GCOM-W.AMSR2/L1B/2/2022/02/{name}.h5")
    assert props["platformShortName"] == "GCOM-W1" and props["instrumentShortName"] == "AMSR2"
    assert props["beginPosition"] < props["endPosition"] < props["processingDate"]
    assert isinstance(props["orbitNumber"], int) and props["product"]["size"] > 0
    assert {b["type"] for b in props["browse"]} == {"QUICKLOOK", "THUMBNAIL"}
    gpp = props["gpp"]
    assert gpp["datasetId"] == "11001001" and gpp["algorithmVersion"] == "220"
    assert gpp["orbitDirection"] == ("ASCENDING" if name[23] == "A" else "DESCENDING")
    assert gpp["startPathNumber"] == int(name[20:23])


def test_a_day_holds_about_thirty_granules(portal):
    _, _, body = _get(portal, count="1000")
    assert 29 <= body["properties"]["numberOfRecordsMatched"] <= 30
    begins = [f["properties"]["beginPosition"] for f in body["features"]]
    assert begins == sorted(begins)


@pytest.mark.slow
def test_full_size_catalogue_covers_whole_half_orbits():
    with SimulatedGPortal() as full:
        _, _, body = _get(full, count="1000")
    assert body["properties"]["numberOfRecordsMatched"] == 30  # the first one starts the day before
    first = body["features"][0]["properties"]
    assert first["beginPosition"] < DAY[0] < first["endPosition"]


def test_pages_cover_every_record_once_in_a_stable_order(portal):
    _, _, whole = _get(portal, count="1000")
    matched = whole["properties"]["numberOfRecordsMatched"]
    ids, start = [], 1
    while start <= matched:
        _, _, page = _get(portal, count="7", startIndex=str(start))
        assert page["properties"]["numberOfRecordsMatched"] == matched
        assert page["properties"]["numberOfRecordsReturned"] == len(page["features"]) <= 7
        ids += _ids(page)
        start += 7
    assert ids == _ids(whole)
    assert _ids(_get(portal, count="5", startIndex="3")[2]) == ids[2:7]


def test_start_index_past_the_end_returns_an_empty_page(portal):
    _, _, body = _get(portal, startIndex="500")
    assert body["properties"]["numberOfRecordsReturned"] == 0 and body["features"] == []
    assert body["properties"]["numberOfRecordsMatched"] > 0


def test_count_zero_gives_only_the_match_count(portal):
    _, _, body = _get(portal, count="0")
    assert body["features"] == [] and body["properties"]["numberOfRecordsMatched"] >= 29


def test_other_datasets_have_no_records(portal):
    _, _, body = _get(portal, datasetId="11002013")
    assert body["properties"]["numberOfRecordsMatched"] == 0


@pytest.mark.slow
def test_bbox_keeps_the_granules_that_cover_it_and_few_others():
    bbox = (0.0, 60.0, 20.0, 70.0)
    with SimulatedGPortal() as full:  # full half orbits: every granule crosses the latitude band
        _, _, every = _get(full, count="1000")
        _, _, kept = _get(full, count="1000", bbox=",".join(map(str, bbox)))
    covering = set()
    for feature in every["features"]:
        begin = feature["properties"]["beginPosition"]
        lat, lon = granule_geometry(half_orbit_at(begin)).geolocation["89A"]
        inside = (lat >= bbox[1]) & (lat <= bbox[3]) & (lon >= bbox[0]) & (lon <= bbox[2])
        if inside.any():
            covering.add(feature["properties"]["identifier"])
    assert covering, "the test box should be crossed by some granule"
    assert covering <= set(_ids(kept))
    assert len(_ids(kept)) <= len(covering) + 3 < len(_ids(every))


def test_bbox_across_the_antimeridian_is_accepted(portal):
    status, _, body = _get(portal, bbox="170,-90,-170,90")
    assert status == 200 and body["properties"]["numberOfRecordsMatched"] > 0


@pytest.mark.parametrize(("extra", "locator"), [
    ({"startTime": None}, "startTime"),
    ({"startTime": "yesterday"}, "startTime"),
    ({"endTime": "2022-02-15T00:00:00Z"}, "endTime"),
    ({"bbox": "1,2,3"}, "bbox"),
    ({"bbox": "0,80,10,70"}, "bbox"),
    ({"count": "-1"}, "count"),
    ({"count": "many"}, "count"),
    ({"startIndex": "0"}, "startIndex"),
    ({"service": "WMS"}, "service"),
    ({"outputFormat": "application/xml"}, "outputFormat"),
    ({"datasetId": "L1B"}, "datasetId"),
])
def test_bad_parameters_get_400_with_a_message(portal, extra, locator):
    status, _, body = _get(portal, **extra)
    assert status == 400
    assert body["locator"] == locator and locator in body["message"]


def test_unknown_path_is_404(portal):
    url = portal.catalog_url.replace("/csw/csw", "/nothing")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(url, timeout=30, context=_context(portal))
    with err.value:  # the error holds the open answer
        assert err.value.code == 404


@pytest.mark.parametrize("status", [503, 429])
def test_fault_plan_answers_503_or_429_with_retry_after(status):
    plan = FaultPlan(http_503=float(status == 503), http_429=float(status == 429),
                     retry_after=7, streak_limit=2)
    with SimulatedGPortal(faults=plan, scans=SCANS) as p:
        answers = [_get(p) for _ in range(3)]
        stats = p.stats()
    assert [a[0] for a in answers] == [status, status, 200]  # the streak limit lets a retry in
    assert answers[0][1]["Retry-After"] == "7"
    assert stats.faults == {f"http_{status}": 2} and stats.requests_served == 3


def test_slow_answers_wait_the_planned_delay():
    with SimulatedGPortal(faults=FaultPlan(slow_share=1.0, slow_delay=0.3), scans=SCANS) as p:
        began = time.monotonic()
        status, _, _ = _get(p)
        assert status == 200 and time.monotonic() - began >= 0.3
        assert p.stats().faults == {"slow": 1}


def test_the_same_seed_injects_the_same_faults():
    def statuses(seed):
        plan = dataclasses.replace(fault_plan("hostile"), slow_delay=0.0)
        with SimulatedGPortal(faults=plan, seed=seed, scans=SCANS) as p:
            return [_get(p, count=str(c))[0] for c in (1, 1, 1, 2, 2, 3, 3, 3, 4, 5, 6, 7)]

    first = statuses(11)
    assert first == statuses(11)
    assert {503, 429} & set(first) and 200 in first


# Fault plans


def test_presets_by_name_and_seed_override():
    assert fault_plan("none") == FaultPlan()
    flaky = fault_plan("flaky", seed=9)
    assert flaky.seed == 9 and flaky.max_sessions == 4
    assert pytest.approx(flaky.http_503 + flaky.http_429) == 0.2
    hostile = fault_plan("hostile")
    assert hostile.sftp_truncate > flaky.sftp_truncate and hostile.max_sessions < 4
    with pytest.raises(ValueError, match="flaky"):
        fault_plan("chaotic")


def test_decisions_depend_only_on_seed_identity_and_attempt():
    plan = FaultPlan(seed=3, http_503=0.5, sftp_truncate=0.5, streak_limit=None)
    again = FaultPlan(seed=3, http_503=0.5, sftp_truncate=0.5, streak_limit=None)
    for attempt in range(20):
        assert plan.http_fault("q", attempt) == again.http_fault("q", attempt)
        assert plan.stream_fault("f", attempt, 1000) == again.stream_fault("f", attempt, 1000)
    other = FaultPlan(seed=4, http_503=0.5, streak_limit=None)
    assert [plan.http_fault("q", a) for a in range(20)] != [other.http_fault("q", a)
                                                            for a in range(20)]


def test_streak_limit_bounds_consecutive_faults():
    plan = FaultPlan(http_503=0.9, streak_limit=2)
    for i in range(50):
        faulty = "".join("x" if plan.http_fault(f"q{i}", a) else "." for a in range(12))
        assert "xxx" not in faulty


# Files over SFTP


def test_password_login_works_and_a_wrong_password_is_refused(portal, sftp):
    assert sftp.listdir("/") == ["standard"]
    with pytest.raises(paramiko.AuthenticationException):
        _connect(portal, password="wrong")


def test_catalogue_file_names_are_sftp_paths_whose_size_is_the_file(portal, sftp, slot, truth):
    _, _, body = _get(portal, startTime=_stamp(slot.start), count="1")
    url = body["features"][0]["properties"]["product"]["fileName"]
    path = url.removeprefix(DOWNLOAD_URL)
    assert path == remote_path(slot.name)
    assert sftp.stat(path).st_size == len(truth)
    assert sftp.stat("/" + path).st_size == len(truth)  # a leading slash is accepted
    assert abs(body["features"][0]["properties"]["product"]["size"] - len(truth)) < 0.01 * len(
        truth)


def test_served_bytes_are_the_writers(sftp, slot, truth):
    assert _read_all(sftp, remote_path(slot.name)) == truth


def test_reading_from_an_offset_returns_the_tail(sftp, slot, truth):
    offset = len(truth) - 123_457
    assert _read_all(sftp, remote_path(slot.name), offset=offset) == truth[offset:]


def test_directories_follow_the_real_layout(sftp, slot):
    assert sftp.listdir("standard/GCOM-W/GCOM-W.AMSR2") == ["L1B"]
    assert "2022" in sftp.listdir("/standard/GCOM-W/GCOM-W.AMSR2/L1B/2")
    month = sftp.listdir("standard/GCOM-W/GCOM-W.AMSR2/L1B/2/2022/02")
    assert slot.name.file_name in month and 800 < len(month) < 830
    assert sftp.normalize(".") == "/"


def test_missing_files_are_not_found_and_writes_are_refused(sftp, slot):
    with pytest.raises(FileNotFoundError):
        sftp.stat("standard/GCOM-W/GCOM-W.AMSR2/L1B/2/2022/02/GW1AM2_202202160601_999A_"
                  "L1SGBTBR_2220220.h5")
    with pytest.raises(PermissionError):
        sftp.open(remote_path(slot.name), "wb")
    with pytest.raises(PermissionError):
        sftp.remove(remote_path(slot.name))


def test_a_file_is_generated_once_under_concurrent_requests():
    with SimulatedGPortal(scans=SCANS, seed=SEED) as p:
        path = remote_path(granules_between("2022-03-01T12:00", "2022-03-01T12:01")[0].name)

        together = threading.Barrier(8)

        def size(_):
            transport, client = _connect(p)
            try:
                together.wait(timeout=30)  # eight sessions open, then all ask at once
                return client.stat(path).st_size
            finally:
                transport.close()

        with ThreadPoolExecutor(8) as pool:
            sizes = set(pool.map(size, range(8)))
        assert len(sizes) == 1
        stats = p.stats()
        assert stats.files_generated == 1 and stats.max_concurrent_sessions == 8


def test_the_session_cap_refuses_one_more_session():
    cap = 2
    with SimulatedGPortal(faults=FaultPlan(max_sessions=cap), scans=SCANS) as p:
        held = [_connect(p) for _ in range(cap)]
        with pytest.raises(paramiko.ChannelException) as refused:
            _connect(p)
        assert refused.value.code == paramiko.common.OPEN_FAILED_RESOURCE_SHORTAGE
        held.pop()[0].close()
        assert _wait_for(lambda: _try_session(p))  # a freed slot is given again
        stats = p.stats()
        for transport, _ in held:
            transport.close()
    assert stats.max_concurrent_sessions == cap and stats.faults["session_refused"] >= 1


def _try_session(portal):
    try:
        transport, _ = _connect(portal)
    except paramiko.ChannelException:
        return False
    transport.close()
    return True


def test_a_transiently_corrupt_file_is_fixed_on_retry(slot, truth):
    plan = FaultPlan(corrupt_share=1.0, corrupt_permanent_share=0.0, corrupt_attempts=1)
    with SimulatedGPortal(faults=plan, scans=SCANS, seed=SEED) as p:
        transport, client = _connect(p)
        first = _read_all(client, remote_path(slot.name))
        second = _read_all(client, remote_path(slot.name))
        transport.close()
        assert p.stats().faults == {"corrupt": 1}
    assert len(first) == len(truth) and first != truth
    assert first[:4] != b"\x89HDF"  # the signature is hit, so a format check notices
    assert second == truth


def test_a_permanently_corrupt_file_stays_corrupt(slot, truth):
    plan = FaultPlan(corrupt_share=1.0, corrupt_permanent_share=1.0)
    with SimulatedGPortal(faults=plan, scans=SCANS, seed=SEED) as p:
        transport, client = _connect(p)
        reads = [_read_all(client, remote_path(slot.name)) for _ in range(3)]
        transport.close()
    assert all(r != truth and len(r) == len(truth) for r in reads)
    assert reads[0] == reads[1] == reads[2]


def test_a_truncated_stream_ends_early_and_resume_gets_the_rest(slot, truth):
    with SimulatedGPortal(faults=FaultPlan(sftp_truncate=1.0, streak_limit=1), scans=SCANS,
                          seed=SEED) as p:
        transport, client = _connect(p)
        path = remote_path(slot.name)
        head = _read_all(client, path)
        rest = _read_all(client, path, offset=len(head))  # second attempt is clean
        transport.close()
        assert p.stats().faults == {"truncate": 1}
    assert 0 < len(head) < len(truth) and head == truth[:len(head)]
    assert head + rest == truth


def test_a_dropped_connection_cuts_the_file_mid_way(slot, truth):
    with SimulatedGPortal(faults=FaultPlan(sftp_drop=1.0), scans=SCANS, seed=SEED) as p:
        transport, client = _connect(p)
        got = bytearray()
        with (pytest.raises((OSError, EOFError, paramiko.SSHException)),
              client.open(remote_path(slot.name), "rb") as f):
            while chunk := f.read(32768):
                got += chunk
        assert _wait_for(lambda: not transport.is_active())
        transport.close()
        stats = p.stats()
    assert stats.faults == {"drop": 1}
    assert len(got) < len(truth) and bytes(got) == truth[:len(got)]


def test_stats_count_bytes_and_sessions(slot, truth):
    with SimulatedGPortal(scans=SCANS, seed=SEED) as p:
        transport, client = _connect(p)
        _read_all(client, remote_path(slot.name))
        transport.close()
        stats = p.stats()
    assert stats.bytes_sent == len(truth) and stats.sessions_opened == 1
    assert stats.files_generated == 1 and stats.faults == {}


@pytest.mark.parametrize("bad", [{"seed": -1}, {"scans": 0}, {"scans": 5000},
                                 {"faults": "chaotic"}])
def test_bad_settings_are_refused_before_serving(bad):
    with pytest.raises(ValueError):
        SimulatedGPortal(**bad)


def test_repr_hides_the_password(portal):
    assert "s3cret" not in repr(portal) and "s3cret" not in repr(portal.endpoints)


def test_generated_files_are_cached_between_portals(tmp_path, slot):
    for expected in (1, 0):
        with SimulatedGPortal(scans=SCANS, seed=SEED, cache_dir=tmp_path) as p:
            transport, client = _connect(p)
            client.stat(remote_path(slot.name))
            transport.close()
            assert p.stats().files_generated == expected


# Serving from the command line


def test_serve_forever_reports_the_endpoints_and_stops():
    stop, seen = threading.Event(), []

    def ready(endpoints):
        seen.append(endpoints)
        status, _, _ = _get(endpoints)
        assert status == 200
        stop.set()

    stats = serve_forever(on_ready=ready, stop=stop, scans=SCANS, password="pw")
    assert seen[0].password == "pw" and seen[0].catalog_url.startswith("https://127.0.0.1:")
    assert "pw" not in repr(seen[0]) and seen[0].ca_file.name == "ca.pem"
    assert stats.requests_served == 1


def test_the_catalogue_is_https_by_default_and_plain_http_on_request():
    with SimulatedGPortal(scans=SCANS) as p:
        assert p.catalog_url.startswith("https://") and p.ca_file.is_file()
    with SimulatedGPortal(scans=SCANS, tls=False) as p:
        assert p.catalog_url.startswith("http://") and p.ca_file is None
        with urllib.request.urlopen(p.catalog_url + "?" + urllib.parse.urlencode(_params()),
                                    timeout=30) as answer:
            assert json.load(answer)["type"] == "FeatureCollection"


def test_sim_serve_prints_how_to_trust_the_ca(monkeypatch, capsys):
    import swathkit.sim.gportal.server as gportal
    from swathkit.sim.cli_serve import add_serve

    def once(*, on_ready, **options):
        on_ready(gportal.Endpoints("https://127.0.0.1:1/csw/csw", "127.0.0.1", 2, "sim", "pw",
                                   Path("/tmp/sim-ca/ca.pem")))
        return gportal.GPortalStats(0, 0, 0, 0, 0, {})

    monkeypatch.setattr(gportal, "serve_forever", once)
    parser = argparse.ArgumentParser()
    add_serve(parser.add_subparsers())
    args = parser.parse_args(["serve"])
    assert args.run(args) == 0
    assert "SWATHKIT_CA_BUNDLE=/tmp/sim-ca/ca.pem" in capsys.readouterr().out


def test_cli_serve_verb_parses_its_options():
    from swathkit.sim.cli_serve import add_serve, run_serve

    parser = argparse.ArgumentParser()
    add_serve(parser.add_subparsers())
    args = parser.parse_args(["serve", "--faults", "flaky", "--seed", "3", "--scans", "40"])
    assert (args.faults, args.seed, args.scans, args.run) == ("flaky", 3, 40, run_serve)
    with pytest.raises(SystemExit):
        parser.parse_args(["serve", "--faults", "chaotic"])


def test_catalogue_footprints_outline_the_served_swaths(portal):
    _, _, body = _get(portal, count="1000")
    kinds = set()
    for feature in body["features"]:
        geometry = feature["geometry"]
        kinds.add(geometry["type"])
        begin = feature["properties"]["beginPosition"]
        outline = granule_geometry(half_orbit_at(begin), scans=SCANS).footprint(step=100)
        parts = ([geometry["coordinates"]] if geometry["type"] == "Polygon"
                 else geometry["coordinates"])
        for polygon in parts:
            ring = np.array(polygon[0])
            assert np.allclose(ring[:, 1], outline[:, 1], atol=1e-3)
            assert np.all(np.abs(ring[:, 0]) <= 180.0)
        if geometry["type"] == "Polygon":  # across the antimeridian, the parts are clamped
            assert np.allclose((ring[:, 0] - outline[:, 0] + 180) % 360 - 180, 0, atol=1e-3)
    assert kinds == {"Polygon", "MultiPolygon"}
