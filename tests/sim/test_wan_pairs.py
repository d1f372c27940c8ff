"""The simulated ASF and LandsatLook far away: every URL they hand out crosses the link."""

from __future__ import annotations

import json
import ssl
import time
import urllib.request
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from swathkit.sim.pairs import simulated_pairs

RTT = 0.05

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]


def _get(url: str, context: ssl.SSLContext) -> bytes:
    with urllib.request.urlopen(url, context=context, timeout=10) as answer:
        return bytes(answer.read())


def test_stac_and_cmr_far_away_hand_out_addresses_behind_the_link(tmp_path):
    with simulated_pairs(tmp_path, dswe_pixels=500, rtc_pixels=16, latency=RTT) as sims:
        ll, asf = sims.landsatlook, sims.asf
        context = ssl.create_default_context(cafile=sims.ca_file)
        links = {ll._server.wan.port, asf.cmr.wan.port, asf.urs.wan.port,
                 asf.datapool.wan.port, asf.s3.wan.port}
        assert {urlsplit(u).port for u in (ll.stac_url, asf.cmr_url, asf.urs_url,
                                            asf.datapool_url)} <= links
        t0 = time.monotonic()
        search = json.loads(_get(ll.stac_url + "/search?collections=landsat-c2l3-dswe"
                                 "&datetime=2008-06-01T00:00:00Z/2008-06-03T00:00:00Z&limit=5",
                                 context))
        elapsed = time.monotonic() - t0
        hrefs = [a["href"] for f in search["features"] for a in f["assets"].values()]
        assert hrefs and {urlsplit(h).port for h in hrefs} == {ll._server.wan.port}
        # connect, TLS handshake, request: each waits a round trip at least
        assert elapsed >= 2 * RTT
        assert ll._server.wan.stats().chunks > 0


@pytest.mark.parametrize("archive", ["asf", "landsatlook"])
def test_sim_serve_puts_asf_and_landsatlook_far_away(archive, monkeypatch, capsys):
    import importlib

    from swathkit.cli.main import main

    module = importlib.import_module({"asf": "swathkit.sim.cmr.asf",
                                      "landsatlook": "swathkit.sim.stac.server"}[archive])
    seen: dict[str, object] = {}

    def once(*, on_ready, **options):  # the server's loop, without serving
        seen.update(options)
        return SimpleNamespace(cmr_requests=0, requests_served=0)

    monkeypatch.setattr(module, "serve_forever", once)
    assert main(["sim", "serve", "--archive", archive, "--latency", "80ms"]) == 0
    assert seen["latency"] == pytest.approx(0.08)


def test_sim_serve_asf_refuses_a_bandwidth_cap_it_cannot_apply(capsys):
    from swathkit.cli.main import main

    assert main(["sim", "serve", "--archive", "asf", "--bandwidth", "4MB/s"]) == 2
    assert "--latency only" in capsys.readouterr().err
