"""The simulated NASA CMR: ``/search/granules.umm_json`` over HTTPS, over any records.

What it searches is a :class:`CmrRecords` (ASF's ALOS scenes, NSIDC's SMAP granules):
the rows a parsed query matches, in order with their sort columns, and each row's
UMM-G item.

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
from http import HTTPStatus
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import numpy.typing as npt

from swathkit.sim._server import SimHandler, SimServer
from swathkit.sim.cmr.query import (
    CmrError,
    GranuleQuery,
    parse,
    search_after_position,
    search_after_token,
)
from swathkit.sim.faults import FaultPlan

__all__ = ["UMM_JSON", "CmrRecords", "CmrServer"]

UMM_JSON = "application/vnd.nasa.cmr.umm_results+json;version=1.6.5; charset=utf-8"
GRANULES = "/search/granules.umm_json"
_MAX_BODY = 1 << 20


I64 = npt.NDArray[np.int64]


class CmrRecords(Protocol):
    """The granules a simulated CMR searches."""

    def search(self, query: GranuleQuery) -> tuple[I64, list[I64]]:
        """The matching rows in the requested order, and their sort columns (same order,
        the last one unique per row: it names a row in ``CMR-Search-After``).

        Raises:
            CmrError: a query CMR refuses.
        """
        ...

    def item(self, row: int) -> dict[str, Any]:
        """The ``{"meta", "umm"}`` entry of one row."""
        ...


class CmrServer(SimServer):
    """CMR's granule search over some records.

    Args:
        records: What is searched, and each row's UMM-G item.
        plan: Faults to inject.
        latency: Round-trip seconds added to every exchange.
    """

    def __init__(self, records: CmrRecords, *, plan: FaultPlan, latency: float = 0.0) -> None:
        super().__init__(_Handler, plan=plan, connection_cap=plan.max_sessions,
                         latency=latency, name="sim-cmr")
        self.records = records


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
        records = self.server.records
        rows, columns = records.search(query)
        if after:
            start = search_after_position(columns, after)
        else:
            start = (query.page_num - 1) * query.page_size
        page = rows[start:start + query.page_size]
        items = [records.item(int(i)) for i in page]
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
