"""``swathkit sim serve``: run a simulated archive until Ctrl-C.

``--archive gportal`` (default): the JAXA G-Portal, catalogue over HTTPS + SFTP;
``--archive bremen``: the University of Bremen sea-ice archive over HTTPS;
``--archive landsatlook``: USGS LandsatLook (stac-server, ERS login, DSWE COGs) over HTTPS;
``--archive asf``: NASA CMR, Earthdata Login, the ASF datapool and its S3 (ALOS RTC);
``--archive nsidc``: NASA CMR, Earthdata Login, NSIDC's distribution and its S3 (SMAP), and
ASF's for the SMAP radar.
The HTTPS servers present a certificate of a CA made at start-up; its PEM file
is printed, to be trusted with ``SWATHKIT_CA_BUNDLE=<file>``. ``--latency`` and
``--bandwidth`` put the archive far away (:mod:`swathkit.sim.wan`); ``--max-sessions``
caps a user's parallel sessions (connections for Bremen).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from swathkit.cli import render
from swathkit.cli.options import FAULT_PRESETS
from swathkit.errors import InputError

if TYPE_CHECKING:
    from swathkit.sim.faults import FaultPlan


def add_serve(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``serve`` on the ``sim`` verbs."""
    s = verbs.add_parser("serve",
                         help="run a simulated archive (G-Portal, Bremen, ASF) on 127.0.0.1",
                         description="Serve a simulated archive on loopback, with optional "
                         "injected faults, until Ctrl-C. gportal: the JAXA G-Portal's CSW "
                         "catalogue over HTTPS and AMSR2 L1B files over SFTP (password login). "
                         "bremen: the University of Bremen ASI sea-ice grids over HTTPS, the real "
                         "URL tree under the printed base URL (use it with `swathkit seaice "
                         "download --base-url`). The HTTPS certificates come from a CA made at "
                         "start-up: trust it with SWATHKIT_CA_BUNDLE=<the printed CA file>.",
                         epilog="examples:\n  swathkit sim serve --faults flaky --seed 1 --scans 40"
                         "\n  swathkit sim serve --latency 200ms --bandwidth 4MB/s --max-sessions 4"
                         "\n  swathkit sim serve --archive bremen --faults flaky"
                         "\n  swathkit sim serve --archive landsatlook --pixels 500 "
                         "--password secret"
                         "\n  swathkit sim serve --archive asf --pixels 256"
                         "\n  swathkit sim serve --archive nsidc --cache smap-sim/",
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("--archive", choices=("gportal", "bremen", "landsatlook", "asf", "nsidc"),
                   default="gportal", help="which archive (default: gportal)")
    s.add_argument("--faults", choices=FAULT_PRESETS, default="none",
                   help="fault preset (default: none)")
    s.add_argument("--seed", type=int, default=0, help="seed of the files and the faults")
    s.add_argument("--scans", type=int, default=None,
                   help="scans per granule (default: full size); fewer for fast tests")
    s.add_argument("--username", default="sim",
                   help="SFTP, ERS or Earthdata user name (default: sim)")
    s.add_argument("--password", default=None,
                   help="SFTP, ERS or Earthdata password (default: random)")
    s.add_argument("--pixels", type=int, default=None,
                   help="landsatlook: DSWE tile size, a multiple of 100 (default 5000: 30 m); "
                   "asf: columns of each RTC raster (default: full size, ~6000); nsidc: side "
                   "of the one array of small SMAP files (default: full-size files)")
    s.add_argument("--cache", type=Path, default=None,
                   help="folder keeping generated files (default: a temporary folder)")
    s.add_argument("--latency", default="0ms",
                   help="round trip added to every exchange, e.g. 200ms (default: 0, loopback)")
    s.add_argument("--bandwidth", default=None,
                   help="cap per connection (SFTP session), e.g. 4MB/s, 500kB/s, 32Mbit/s "
                   "(default: none)")
    s.add_argument("--max-sessions", type=int, default=None,
                   help="parallel sessions per user (default: the fault preset's)")
    s.set_defaults(run=run_serve)


@dataclass(frozen=True)
class _Distance:
    """What ``--faults``, ``--max-sessions``, ``--latency`` and ``--bandwidth`` ask of a server."""

    faults: FaultPlan
    latency: float
    bandwidth: float | None

    def facts(self) -> list[tuple[str, object]]:
        if not self.latency and self.bandwidth is None:
            return []
        rate = "no cap" if self.bandwidth is None else f"{self.bandwidth / 1e6:.3g} MB/s"
        return [("round trip", f"{1e3 * self.latency:.0f} ms"), ("bandwidth per connection", rate)]


def _distance(args: argparse.Namespace) -> _Distance:
    """Parse the options of the link and the session cap (bad values: InputError)."""
    from swathkit.sim.faults import fault_plan
    from swathkit.sim.wan import parse_bandwidth, parse_latency

    plan = fault_plan(args.faults, seed=args.seed)
    if args.max_sessions is not None:
        if args.max_sessions < 1:
            raise InputError(f"--max-sessions {args.max_sessions}: give 1 or more, or leave it "
                             "out for the preset's cap")
        plan = replace(plan, max_sessions=args.max_sessions)
    bandwidth = None if args.bandwidth is None else parse_bandwidth(args.bandwidth)
    return _Distance(plan, parse_latency(args.latency), bandwidth)


def run_serve(args: argparse.Namespace) -> int:
    far = _distance(args)
    if args.archive == "bremen":
        return _serve_bremen(args, far)
    if args.archive in ("asf", "nsidc") and far.bandwidth is not None:
        raise InputError("--bandwidth is for gportal, bremen and landsatlook; the simulated "
                         "ASF and NSIDC take --latency only")
    if args.archive == "nsidc":
        return _serve_nsidc(args, far)
    if args.archive == "landsatlook":
        return _serve_landsatlook(args, far)
    if args.archive == "asf":
        return _serve_asf(args, far)
    from swathkit.sim.gportal.server import Endpoints, serve_forever

    def ready(e: Endpoints) -> None:
        render.facts("simulated G-Portal (Ctrl-C to stop)", [
            ("catalogue", e.catalog_url), ("SFTP", f"{e.sftp_host}:{e.sftp_port}"),
            ("username", e.username), ("password", e.password), ("faults", args.faults),
            *far.facts(), *_ca_facts(e.ca_file)])

    return _until_stopped(lambda: serve_forever(
        on_ready=ready, seed=args.seed, username=args.username,
        password=args.password, scans=args.scans, cache_dir=args.cache,
        faults=far.faults, latency=far.latency, bandwidth=far.bandwidth),
        lambda stats: f"served {stats.requests_served} catalogue requests")


def _serve_bremen(args: argparse.Namespace, far: _Distance) -> int:
    from swathkit.sim.bremen.server import serve_forever

    def ready(url: str, ca_file: Path | None) -> None:
        render.facts("simulated Bremen sea-ice archive (Ctrl-C to stop)", [
            ("base URL", url), ("files", url + "amsr2/asi_daygrid_swath/"),
            ("faults", args.faults), ("seed", args.seed), *far.facts(),
            *_ca_facts(ca_file)])

    return _until_stopped(lambda: serve_forever(
        on_ready=ready, seed=args.seed, cache_dir=args.cache,
        faults=far.faults, latency=far.latency, bandwidth=far.bandwidth),
        lambda stats: f"served {stats.requests_served} requests")


def _serve_landsatlook(args: argparse.Namespace, far: _Distance) -> int:
    import secrets

    from swathkit.sim.stac.server import SimulatedLandsatLook, serve_forever

    pixels = 5000 if args.pixels is None else args.pixels
    if pixels <= 0 or pixels % 100:
        raise InputError(f"--pixels {pixels}: give a positive multiple of 100 "
                         "(5000 for full-size 30 m tiles, 500 for 300 m)")
    password = args.password or secrets.token_urlsafe(9)

    def ready(sim: SimulatedLandsatLook) -> None:
        render.facts("simulated USGS LandsatLook (Ctrl-C to stop)", [
            ("STAC", sim.stac_url), ("ERS login", sim.base_url + "login"),
            ("username", args.username), ("password", password),
            ("tile size", f"{pixels} px"), ("faults", args.faults), *far.facts(),
            *_ca_facts(sim.ca_file)])

    return _until_stopped(lambda: serve_forever(
        on_ready=ready, users={args.username: password},
        pixels=pixels, faults=args.faults, seed=args.seed,
        cache_dir=args.cache, latency=far.latency, bandwidth=far.bandwidth),
        lambda stats: f"served {stats.requests_served} requests")


def _serve_asf(args: argparse.Namespace, far: _Distance) -> int:
    import secrets

    from swathkit.sim.cmr.asf import SimulatedAsf, serve_forever

    user, password = args.username, args.password or secrets.token_urlsafe(9)

    def ready(asf: SimulatedAsf) -> None:
        render.facts("simulated ASF (Ctrl-C to stop)", [
            ("CMR", asf.cmr_url), ("Earthdata Login", asf.urs_url),
            ("datapool", asf.datapool_url), ("username", user), ("password", password),
            ("faults", args.faults), ("seed", args.seed),
            ("endpoints", f"SWATHKIT_CMR_URL={asf.cmr_url} SWATHKIT_URS_URL={asf.urs_url} "
                          f"SWATHKIT_ASF_DATAPOOL_URL={asf.datapool_url}"),
            *far.facts(), *_ca_facts(asf.ca_file)])

    return _until_stopped(lambda: serve_forever(
        on_ready=ready, faults=args.faults, seed=args.seed,
        pixels=args.pixels, users={user: password}, cache_dir=args.cache,
        latency=far.latency),
        lambda stats: f"served {stats.cmr_requests} CMR requests")


def _serve_nsidc(args: argparse.Namespace, far: _Distance) -> int:
    import secrets

    from swathkit.sim.nsidc.server import SimulatedNsidc, serve_forever

    user, password = args.username, args.password or secrets.token_urlsafe(9)
    if args.pixels is not None and args.pixels < 1:
        raise InputError(f"--pixels {args.pixels}: give 1 or more, or leave it out for "
                         "full-size files")

    def ready(sim: SimulatedNsidc) -> None:
        env = " ".join(f"{k}={v}" for k, v in sim.environment(user, password).items())
        render.facts("simulated NSIDC (Ctrl-C to stop)", [
            ("CMR", sim.cmr_url), ("Earthdata Login", sim.urs_url),
            ("datapool", sim.datapool_url), ("ASF datapool (radar)", sim.asf_datapool_url),
            ("username", user), ("password", password),
            ("files", "full size" if args.pixels is None else f"small ({args.pixels} px)"),
            ("faults", args.faults), ("seed", args.seed), ("environment", env),
            *far.facts(), *_ca_facts(sim.ca_file)])

    return _until_stopped(lambda: serve_forever(
        on_ready=ready, faults=far.faults, seed=args.seed, pixels=args.pixels,
        users={user: password}, cache_dir=args.cache, latency=far.latency),
        lambda stats: f"served {stats.cmr_requests} CMR requests, "
                      f"{stats.files_generated} files generated")


def _until_stopped(serve: Callable[[], Any], summary: Callable[[Any], str]) -> int:
    """Run a server until Ctrl-C (or its end), then say what it served."""
    try:
        stats = serve()
    except KeyboardInterrupt:
        render.note("stopped")
        return 0
    render.note(summary(stats))
    return 0


def _ca_facts(ca_file: Path | None) -> list[tuple[str, object]]:
    """The CA file's lines: where it is, and how a client trusts it."""
    if ca_file is None:
        return []
    return [("CA file", ca_file), ("trust it with", f"SWATHKIT_CA_BUNDLE={ca_file}")]
