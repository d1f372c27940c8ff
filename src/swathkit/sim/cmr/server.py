"""The simulated NASA CMR: ``/search/granules.umm_json`` over HTTPS, as ASF's catalogue.

``GET`` (query string) and ``POST`` (form body, keys repeated) are read alike
by :mod:`swathkit.sim.cmr.query`. An answer is ``{"hits", "took", "items"}``
with the ``application/vnd.nasa.cmr.umm_results+json;version=1.6.5`` content
type and the ``CMR-Hits``, ``CMR-Took``, ``CMR-Request-Id`` headers; a page
with items carries ``CMR-Search-After`` (a JSON list), which the client sends
back as a request header for the next page. ``page_size=0`` counts. A bad
request is a 400 ``{"errors": [...]}``; injected 503/429 answers carry
``Retry-After`` and the same JSON shape.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from swathkit.sim._server import SimHandler, SimServer
from swathkit.sim.cmr.alos import Catalogue, Scene
from swathkit.sim.cmr.query import CmrError, parse, run, search_after_position, search_after_token
from swathkit.sim.cmr.rtc_zip import Digest
from swathkit.sim.cmr.umm import umm_item
from swathkit.sim.faults import FaultPlan

__all__ = ["UMM_JSON", "CmrServer"]

UMM_JSON = "application/vnd.nasa.cmr.umm_results+json;version=1.6.5; charset=utf-8"
GRANULES = "/search/granules.umm_json"
_MAX_BODY = 1 << 20


class CmrServer(SimServer):
    """CMR's granule search over a catalogue.

    Args:
        catalogue: The scenes.
        digest: Size and MD5 of a scene's zip (the records carry them).
        datapool_url: Base of the GET DATA URLs.
        plan: Faults to inject.
    """

    def __init__(self, catalogue: Catalogue, digest: Callable[[Scene], Digest], *,
                 datapool_url: str, plan: FaultPlan, latency: float = 0.0) -> None:
        super().__init__(_Handler, plan=plan, connection_cap=plan.max_sessions,
                         latency=latency, name="sim-cmr")
        self.catalogue, self.digest, self.datapool_url = catalogue, digest, datapool_url


class _Handler(SimHandler):
    server: CmrServer
    server_version = "swathkit-sim-cmr"

    def do_GET(self) -> None:
        self._search(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            self._errors(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, ["The request body is too large."])
            return
        self._search(self.rfile.read(length))

    def _search(self, body: bytes) -> None:
        split = urlsplit(self.path)
        pairs = parse_qsl(split.query, keep_blank_values=True)
        pairs += parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        after = self.headers.get("CMR-Search-After")
        identity = f"{self.command} {split.path} {sorted(pairs)} {after}"
        if not self.begin(identity):
            return
        if split.path.rstrip("/") != GRANULES:
            self._errors(HTTPStatus.NOT_FOUND, [f"The resource {split.path} was not found."])
            return
        started = time.perf_counter()
        try:
            answer, headers = self._answer(pairs, after)
        except CmrError as exc:
            self._errors(HTTPStatus.BAD_REQUEST, [str(exc)])
            return
        took = int((time.perf_counter() - started) * 1000)
        answer["took"] = took
        headers |= {"CMR-Took": str(took), "CMR-Request-Id": str(uuid.uuid4())}
        self.send_bytes(HTTPStatus.OK, json.dumps(answer).encode(), UMM_JSON, headers)

    def _answer(self, pairs: list[tuple[str, str]],
                after: str | None) -> tuple[dict[str, Any], dict[str, str]]:
        query = parse(pairs)
        rows, columns = run(self.server.catalogue, query)
        if after:
            start = search_after_position(columns, after)
        else:
            start = (query.page_num - 1) * query.page_size
        page = rows[start:start + query.page_size]
        catalogue, server = self.server.catalogue, self.server
        items = [umm_item(scene, server.digest(scene), datapool_url=server.datapool_url)
                 for scene in (catalogue.scene(int(i)) for i in page)]
        headers = {"CMR-Hits": str(len(rows))}
        if len(page):
            headers["CMR-Search-After"] = search_after_token(columns, start + len(page) - 1)
        return {"hits": len(rows), "took": 0, "items": items}, headers

    def _errors(self, status: HTTPStatus, errors: list[str],
                headers: dict[str, str] | None = None) -> None:
        self.send_bytes(status, json.dumps({"errors": errors}).encode(),
                        "application/json; charset=utf-8", headers)

    def send_error_page(self, status: HTTPStatus, message: str,
                        headers: dict[str, str] | None = None) -> None:
        self._errors(status, [message], headers)
