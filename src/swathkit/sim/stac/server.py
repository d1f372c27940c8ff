"""The simulated USGS LandsatLook: stac-server, ERS login and DSWE COG assets on one HTTPS port.

URL tree under the base URL (the real hosts' paths):

- ``stac-server/`` landing page (``conformsTo``), ``conformance``, ``collections``,
  ``collections/landsat-c2l3-dswe``, ``search`` (GET and POST): :mod:`.catalog`;
- ``login`` (GET form, POST credentials) and ``/`` (where a login lands): :mod:`.ers`;
- ``level-3/collection02/DSWE/…/{TILEID}_INWAM.TIF``: the COG of the tile, made on
  first request (:mod:`.dswe_cog`) and cached on disk; ``Range`` reads work. With
  ``require_login`` an asset asked without the session cookie gets the login page
  (HTML, 200) instead, as LandsatLook does. Other layers are listed, not served (404).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from http import HTTPStatus
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from swathkit.errors import FileNameError
from swathkit.products.dswe.grid import TILE_PIXELS
from swathkit.products.dswe.names import TileId, parse_href
from swathkit.sim._server import SimHandler, SimServer, send_file, serve_until
from swathkit.sim.faults import FaultPlan, fault_plan
from swathkit.sim.stac import catalog
from swathkit.sim.stac.ers import COOKIE, Accounts, login_page
from swathkit.sim.stac.landsat import Acquisition, acquisitions

__all__ = ["LandsatLookStats", "SimulatedLandsatLook", "serve_forever"]

log = logging.getLogger(__name__)

STAC_ROOT = "stac-server"
_JSON = "application/json"
_HTML = "text/html; charset=utf-8"
_CONFORMS = [f"https://api.stacspec.org/v1.0.0/{c}" for c in (
    "core", "collections", "ogcapi-features", "item-search", "item-search#fields",
    "item-search#sort", "item-search#query", "item-search#context")] + [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"]


@dataclass(frozen=True)
class LandsatLookStats:
    """What the simulator has done so far (a snapshot)."""

    requests_served: int
    searches: int
    logins: int
    login_refusals: int
    files_generated: int
    bytes_sent: int
    faults: dict[str, int]
    stac_requests: int = 0  # stac-server pages: landing, conformance, collections, searches
    login_requests: int = 0  # GET and POST of the ERS login
    asset_requests: int = 0  # COG requests (HEAD, GET, Range), login pages answered included


class _Tiles:
    """The COG files: generated once each (a lock per file), kept in ``directory``."""

    def __init__(self, directory: Path, pixels: int) -> None:
        self.directory, self.pixels = directory / f"px{pixels}", pixels
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self.generated = 0

    def local(self, acq: Acquisition) -> Path:
        from swathkit.sim.stac.dswe_cog import write_inwam

        name = f"{acq.tile_id}_INWAM.TIF"
        target = self.directory / name
        with self._lock:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                write_inwam(acq, target, pixels=self.pixels)
                with self._lock:
                    self.generated += 1
        return target


@lru_cache(maxsize=4096)
def find_acquisition(tile_id: TileId) -> Acquisition | None:
    """The acquisition a tile id names (None if the holdings have no such tile).

    Cached: working it out takes ~50 ms (the day's passes over the region), paid on every
    Range request of a COG otherwise, where a real server looks up a file."""
    day = datetime(tile_id.acquired.year, tile_id.acquired.month, tile_id.acquired.day,
                   tzinfo=UTC)
    for acq in acquisitions(day, day + timedelta(days=1), region=tile_id.tile.region,
                            tiles=frozenset([tile_id.tile])):
        if acq.tile_id == tile_id:
            return acq
    return None


class LandsatLookServer(SimServer):
    """The HTTP server: state shared by the handler threads."""

    def __init__(self, tiles: _Tiles, accounts: Accounts, plan: FaultPlan, *,
                 require_login: bool, bandwidth: float | None, latency: float = 0.0) -> None:
        super().__init__(_Handler, plan=plan, connection_cap=plan.max_sessions,
                         bandwidth=bandwidth, latency=latency, name="sim-landsatlook")
        self.tiles, self.accounts, self.require_login = tiles, accounts, require_login

    @property
    def root(self) -> str:
        return self.base_url.rstrip("/")


class _Handler(SimHandler):
    server: LandsatLookServer
    server_version = "nginx (swathkit simulated)"

    def do_GET(self) -> None:
        self._route("GET")

    def do_HEAD(self) -> None:
        self._route("HEAD")

    def do_POST(self) -> None:
        self._route("POST")

    def _route(self, method: str) -> None:
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/") or "/"
        body = self._body() if method == "POST" else b""
        if not self.begin(f"{method} {path} {body[:2000]!r}"):
            return
        if path == f"/{STAC_ROOT}" or path.startswith(f"/{STAC_ROOT}/"):
            self.server.counts.add("stac")
            self._stac(method, path[len(STAC_ROOT) + 1:] or "/", parts.query, body)
        elif path == "/login":
            self.server.counts.add("login")
            self._login(method, body)
        elif path == "/":
            self.send_bytes(HTTPStatus.OK, b"<html><body>Welcome to ERS</body></html>", _HTML)
        else:
            self.server.counts.add("asset")
            self._asset(path)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    # --- stac-server ------------------------------------------------------------------------

    def _stac(self, method: str, path: str, query: str, body: bytes) -> None:
        root = f"{self.server.root}/{STAC_ROOT}"
        pages: dict[str, Callable[[], dict[str, Any]]] = {
            "/": lambda: _landing(root), "/conformance": lambda: {"conformsTo": _CONFORMS},
            "/collections": lambda: {"collections": [catalog.collection(root)],
                                     "links": [{"rel": "root", "href": f"{root}/"}]},
            f"/collections/{catalog.COLLECTION}": lambda: catalog.collection(root)}
        if path in pages and method != "POST":
            self._json(HTTPStatus.OK, pages[path]())
        elif path == "/search" and method in ("GET", "POST"):
            self._search(method, query, body, root)
        else:
            self.server.counts.add("not_found")
            self._json(HTTPStatus.NOT_FOUND, {"code": "NotFound", "description": "Not Found"})

    def _search(self, method: str, query: str, body: bytes, root: str) -> None:
        self.server.counts.add("searches")
        try:
            params = _get_params(query) if method == "GET" else json.loads(body or b"{}")
            if not isinstance(params, dict):
                raise catalog.SearchError("the search body must be a JSON object")
            answer = catalog.search(params, root, self.server.root)
        except (catalog.SearchError, ValueError) as exc:
            self._json(HTTPStatus.BAD_REQUEST, {"code": "BadRequest", "description": str(exc)})
            return
        self._json(HTTPStatus.OK, answer, "application/geo+json")

    def _json(self, status: HTTPStatus, doc: dict[str, Any], kind: str = _JSON) -> None:
        self.send_bytes(status, json.dumps(doc).encode(), kind)

    # --- ERS --------------------------------------------------------------------------------

    def _login(self, method: str, body: bytes) -> None:
        accounts = self.server.accounts
        if method != "POST":
            self.send_bytes(HTTPStatus.OK, login_page(accounts.new_csrf()), _HTML)
            return
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        token = accounts.log_in(form.get("username", ""), form.get("password", ""),
                                form.get("csrf", ""))
        if token is None:
            page = login_page(accounts.new_csrf(), error="Invalid username/password")
            self.send_bytes(HTTPStatus.OK, page, _HTML)
            return
        self.send_bytes(HTTPStatus.FOUND, b"", _HTML, {
            "Location": "/", "Set-Cookie": f"{COOKIE}={token}; Path=/; Secure; HttpOnly"})

    # --- assets -----------------------------------------------------------------------------

    def _asset(self, path: str) -> None:
        try:
            tile_id, layer = parse_href(path)
        except FileNameError:
            tile_id, layer = None, ""
        acq = find_acquisition(tile_id) if tile_id is not None and layer == "inwam" else None
        if acq is None:
            self.server.counts.add("not_found")
            self.send_bytes(HTTPStatus.NOT_FOUND, b"<html><body>404 Not Found</body></html>",
                            _HTML)
            return
        if (self.server.require_login
                and self.server.accounts.session_user(self.headers.get("Cookie")) is None):
            self.send_bytes(HTTPStatus.OK, login_page(self.server.accounts.new_csrf()), _HTML)
            return
        send_file(self, self.server.tiles.local(acq), path, content_type="image/tiff",
                  modified=datetime.combine(tile_id.processed, datetime.min.time(), UTC)
                  if tile_id else None)

    def send_error_page(self, status: HTTPStatus, message: str,
                        headers: dict[str, str] | None = None) -> None:
        doc = {"code": status.phrase.replace(" ", ""), "description": message}
        self.send_bytes(status, json.dumps(doc).encode(), _JSON, headers)


def _landing(root: str) -> dict[str, Any]:
    return {"type": "Catalog", "stac_version": "1.0.0", "id": "stac-server",
            "title": "USGS LandsatLook STAC (simulated)", "description": "stac-server",
            "conformsTo": _CONFORMS,
            "links": [{"rel": "self", "href": f"{root}/", "type": _JSON},
                      {"rel": "root", "href": f"{root}/", "type": _JSON},
                      {"rel": "conformance", "href": f"{root}/conformance"},
                      {"rel": "data", "href": f"{root}/collections", "type": _JSON},
                      {"rel": "child", "href": f"{root}/collections/{catalog.COLLECTION}"},
                      {"rel": "search", "href": f"{root}/search", "method": "GET",
                       "type": "application/geo+json"},
                      {"rel": "search", "href": f"{root}/search", "method": "POST",
                       "type": "application/geo+json"}]}


def _get_params(query: str) -> dict[str, Any]:
    """GET /search parameters as a POST body (lists comma-separated, JSON where it is)."""
    raw = {k: v[-1] for k, v in parse_qs(query).items()}
    params: dict[str, Any] = dict(raw)
    for key in ("intersects", "query"):
        if key in raw:
            params[key] = json.loads(raw[key])
    return params


class SimulatedLandsatLook:
    """The simulated LandsatLook (STAC, ERS login, COGs) on a loopback port; a context manager.

    Args:
        users: Accounts of the ERS login (username → password).
        require_login: Assets need the ERS session cookie (else anyone may read them).
        pixels: Size of the served tiles (5000: full size, 30 m; 500: 300 m for tests).
        faults: A preset name or a :class:`~swathkit.sim.faults.FaultPlan`.
        seed: Seed of a preset's faults.
        cache_dir: Where generated COGs are kept (default: a temporary folder, removed).
        bandwidth: Bytes per second per connection; ``None``: as fast as possible.
        latency: Round-trip seconds added to every exchange, as if far away (0: loopback).
    """

    def __init__(self, *, users: dict[str, str] | None = None, require_login: bool = True,
                 pixels: int = TILE_PIXELS, faults: str | FaultPlan = "none", seed: int = 0,
                 cache_dir: str | os.PathLike[str] | None = None,
                 bandwidth: float | None = None, latency: float = 0.0) -> None:
        self.fault_plan = fault_plan(faults, seed=seed) if isinstance(faults, str) else faults
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if cache_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="swathkit-landsatlook-")
            cache_dir = self._tmp.name
        self.tiles = _Tiles(Path(cache_dir), pixels)
        self.accounts = Accounts(dict(users or {}))
        self._server = LandsatLookServer(self.tiles, self.accounts, self.fault_plan,
                                         require_login=require_login, bandwidth=bandwidth,
                                         latency=latency)
        self._closed = False

    @property
    def base_url(self) -> str:
        """``https://127.0.0.1:PORT/``: the LandsatLook and ERS hosts in one."""
        return self._server.base_url

    @property
    def stac_url(self) -> str:
        """The stac-server root, as ``https://landsatlook.usgs.gov/stac-server``."""
        return f"{self._server.root}/{STAC_ROOT}"

    @property
    def ca_file(self) -> Path | None:
        return self._server.ca_file

    def start(self) -> SimulatedLandsatLook:
        if not self._closed:
            self._server.start()
            log.info("simulated LandsatLook at %s", self.base_url)
        return self

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._server.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    def stats(self) -> LandsatLookStats:
        s = self._server
        return LandsatLookStats(s.counts.get("requests"), s.counts.get("searches"),
                                self.accounts.logins, self.accounts.refusals,
                                self.tiles.generated, s.counts.get("bytes_sent"),
                                s.faults.snapshot(), s.counts.get("stac"),
                                s.counts.get("login"), s.counts.get("asset"))

    def __enter__(self) -> SimulatedLandsatLook:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def serve_forever(*, on_ready: Callable[[SimulatedLandsatLook], None],
                  stop: threading.Event | None = None, **options: Any) -> LandsatLookStats:
    """Run a :class:`SimulatedLandsatLook` until ``stop`` is set (or Ctrl-C)."""
    return serve_until(SimulatedLandsatLook(**options), on_ready, stop)  # type: ignore[no-any-return]
