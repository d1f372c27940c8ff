"""A :class:`~swathkit.archives.base.Catalog` over a STAC API, through pystac-client.

pystac-client does the protocol (search bodies, ``next`` links, ``numberMatched``);
swathkit gives it its HTTP habits: the CA bundle, a timeout, no environment read
behind our back, and transient-only retries with the :class:`RetryPolicy`'s budget
and backoff (as urllib3 retries on its session, honouring ``Retry-After``). Items
become :class:`~swathkit.types.Granule` s::

    catalog = StacCatalog()  # LandsatLook's stac-server, collection landsat-c2l3-dswe
    for granule in catalog.search(Query("dswe", "2008-06-01", "2008-06-03",
                                        bbox=(-91, 34, -89, 36))):
        granule.remote_path, granule.properties["eo:cloud_cover"]
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from swathkit.archives.http import USER_AGENT, ca_bundle_path
from swathkit.config import settings
from swathkit.errors import InputError, PermanentFetchError, TransientFetchError
from swathkit.transfer.retry import RetryPolicy
from swathkit.types import Granule, Query, utc

__all__ = ["DSWE_COLLECTION", "StacCatalog", "item_granule"]

DSWE_COLLECTION = "landsat-c2l3-dswe"
_RETRY_STATUSES = (429, 500, 502, 503, 504)


class StacCatalog:
    """Search a STAC API (LandsatLook's stac-server by default) for one collection.

    Args:
        url: The STAC API root; default ``settings().endpoint("landsatlook_stac")``.
        collection: The collection searched.
        max_cloud: Keep items with ``eo:cloud_cover`` below this (per cent); None: all.
        asset: The asset whose href is a granule's ``remote_path``.
        page_size: Items per page (``limit``; the server's cap is 10000).
        retry: Attempts and backoff of each request (transient failures only).
        ca_bundle: PEM file of the CAs to trust (default: the settings').
        timeout: Seconds per connection or read (default: the settings').
    """

    def __init__(self, url: str | None = None, *, collection: str = DSWE_COLLECTION,
                 max_cloud: float | None = None, asset: str = "inwam", page_size: int = 250,
                 retry: RetryPolicy | None = None,
                 ca_bundle: str | os.PathLike[str] | None = None,
                 timeout: float | None = None) -> None:
        if not 1 <= page_size <= 10_000:
            raise InputError(f"page size {page_size}: give 1 to 10000 items per page")
        self.url = (url or settings().endpoint("landsatlook_stac")).rstrip("/")
        self.collection, self.max_cloud, self.asset = collection, max_cloud, asset
        self.page_size = page_size
        self._retry = retry or RetryPolicy()
        self._ca = ca_bundle_path(ca_bundle)
        self._timeout = settings().http_timeout if timeout is None else timeout
        self._client: Any = None

    def client(self) -> Any:
        """The ``pystac_client.Client`` (opened on first use)."""
        if self._client is None:
            from pystac_client import Client

            self._client = self._call(lambda: Client.open(self.url, stac_io=self._stac_io()))
        return self._client

    def matched(self, query: Query) -> int:
        """How many items match (the server's ``numberMatched``)."""
        found = self._call(lambda: self._search(query).matched())
        return int(found or 0)

    def pages(self, query: Query) -> Iterator[list[Granule]]:
        """Matching items, page by page, as granules (the server's order)."""
        pages = self._search(query).pages_as_dicts()
        while True:
            page = self._call(lambda: next(pages, None))
            if page is None:
                return
            yield [item_granule(f, asset=self.asset) for f in page.get("features", [])]

    def counted_pages(self, query: Query) -> tuple[int, Iterator[list[Granule]]]:
        """The ``numberMatched`` of the first page, and every page (that one first).

        One request fewer than :meth:`matched` then :meth:`pages`: the count comes with
        the first page.
        """
        pages = self._search(query).pages_as_dicts()
        first = self._call(lambda: next(pages, None)) or {}
        context = first.get("context") or {}
        matched = int(first.get("numberMatched", context.get("matched", 0)) or 0)

        def all_pages() -> Iterator[list[Granule]]:
            page = first
            while page:
                yield [item_granule(f, asset=self.asset) for f in page.get("features", [])]
                page = self._call(lambda: next(pages, None))

        return matched, all_pages()

    def search(self, query: Query) -> Iterator[Granule]:
        """Matching items one by one."""
        for page in self.pages(query):
            yield from page

    def _search(self, query: Query) -> Any:
        options: dict[str, Any] = {
            "collections": [self.collection], "limit": self.page_size,
            "datetime": f"{query.start:%Y-%m-%dT%H:%M:%SZ}/{query.end:%Y-%m-%dT%H:%M:%SZ}"}
        if query.bbox is not None:
            options["bbox"] = list(query.bbox)
        if self.max_cloud is not None:
            options["query"] = {"eo:cloud_cover": {"lt": self.max_cloud}}
        return self.client().search(**options)

    def _stac_io(self) -> Any:
        from pystac_client.stac_api_io import StacApiIO

        io = StacApiIO(headers={"User-Agent": USER_AGENT}, timeout=self._timeout,
                       max_retries=None)
        io.session.trust_env = False
        adapter = _adapter(self._retry, str(self._ca) if self._ca else None)
        io.session.mount("https://", adapter)
        io.session.mount("http://", adapter)
        return io

    def _call(self, action: Any) -> Any:
        """Run a pystac-client call, its errors sorted into swathkit's tree."""
        from pystac_client.exceptions import APIError

        try:
            return action()
        except APIError as exc:
            status = getattr(exc, "status_code", None)
            message = f"{self.url}: {exc}"
            if status is None or status in _RETRY_STATUSES:
                raise TransientFetchError(message) from exc
            raise PermanentFetchError(message) from exc


def _adapter(policy: RetryPolicy, ca_file: str | None) -> Any:
    """An HTTPAdapter retrying as ``policy`` (transient statuses, POST too) with our CA."""
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    retries = Retry(total=policy.max_attempts - 1, backoff_factor=policy.base_delay,
                    backoff_max=policy.max_delay, status_forcelist=_RETRY_STATUSES,
                    allowed_methods=None, respect_retry_after_header=True,
                    raise_on_status=False)

    class _Adapter(HTTPAdapter):
        def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
            # pystac-client passes verify=True: verify against our bundle when there is one
            super().cert_verify(  # type: ignore[no-untyped-call]
                conn, url, ca_file if verify is True and ca_file else verify, cert)

    return _Adapter(max_retries=retries)


def item_granule(feature: dict[str, Any], *, asset: str = "inwam") -> Granule:
    """A STAC item (a dict) as a :class:`Granule`: id, times, footprint, properties, href."""
    props = dict(feature.get("properties") or {})
    when = utc(props.get("datetime") or props["start_datetime"])
    start = utc(props.get("start_datetime") or when)
    end = utc(props.get("end_datetime") or when)
    assets = feature.get("assets") or {}
    href = str((assets.get(asset) or {}).get("href", ""))
    tile = None
    if "landsat:grid_horizontal" in props:
        h, v = int(props["landsat:grid_horizontal"]), int(props["landsat:grid_vertical"])
        tile = f"{props.get('landsat:grid_region', '')}_{h:03d}{v:03d}"
    props.pop("proj:wkt2", None)  # long, and the same for every tile of a region
    props |= {"tile": tile, "hrefs": {k: v.get("href") for k, v in assets.items()},
              "collection": feature.get("collection")}
    return Granule(id=str(feature["id"]), product=str(feature.get("collection") or "stac"),
                   start=start, end=end, remote_path=href, footprint=feature.get("geometry"),
                   properties=props)
