"""JAXA G-Portal: the CSW catalogue (search) and the SFTP file server (fetch).

Real endpoints are the defaults; any G-Portal-compatible endpoint (such as
``swathkit sim serve``) can be named instead. The catalogue is asked over the
one HTTP stack (:class:`~swathkit.archives.http.HttpClient`), TLS verified
against the settings' CA bundle or the one given (the simulator's ``ca_file``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from swathkit.archives.base import Archive
from swathkit.archives.credentials import Credentials, resolve
from swathkit.archives.http import HttpClient
from swathkit.archives.sftp import SftpFactory
from swathkit.config import ENDPOINTS, settings
from swathkit.errors import InputError, PermanentFetchError, TransientFetchError
from swathkit.transfer.retry import RetryPolicy
from swathkit.types import Granule, Query, utc

log = logging.getLogger(__name__)

CATALOG_URL = ENDPOINTS["gportal_csw"]
SFTP_HOST = urlsplit(ENDPOINTS["gportal_sftp"]).hostname or ""
SFTP_PORT = urlsplit(ENDPOINTS["gportal_sftp"]).port or 22
DOWNLOAD_PREFIX = "https://gportal.jaxa.jp/download/"
DATASETS = {"amsr2-l1b": "11001001", "amsr2-l1r": "11001002"}
PAGE_SIZE = 100


def remote_path(file_url: str) -> str:
    """SFTP path of a catalogue ``product.fileName`` URL (the URL minus the download prefix)."""
    if "/download/" not in file_url:
        raise PermanentFetchError(f"unexpected G-Portal file URL {file_url!r}")
    return file_url.split("/download/", 1)[1]


def _granule(feature: dict[str, Any], product: str) -> Granule:
    props = feature.get("properties", {})
    prod, gpp = props.get("product", {}), props.get("gpp", {})
    path = remote_path(prod["fileName"])
    name = path.rsplit("/", 1)[-1].removesuffix(".h5")
    return Granule(
        id=name, product=product, start=utc(props["beginPosition"]),
        end=utc(props["endPosition"]), remote_path=path, size=prod.get("size"),
        footprint=feature.get("geometry"),
        properties={
            "orbitDirection": str(gpp.get("orbitDirection", ""))[:1].upper() or None,
            "orbitNumber": props.get("orbitNumber"),
            "pathNumber": gpp.get("startPathNumber"),
            "processingDate": props.get("processingDate"),
            "algorithmVersion": gpp.get("algorithmVersion"),
            "productVersion": prod.get("version"),
            "totalQualityCode": gpp.get("totalQualityCode"),
        })


@dataclass(frozen=True)
class GPortalCatalog:
    """The CSW GetRecords JSON catalogue.

    Args:
        url: The CSW endpoint.
        retry: Retries each page request (transient failures only); none by default.
        ca_bundle: PEM file of the CAs to trust (default: settings, else certifi's).
        timeout: Seconds to wait for a connection or an answer (default: settings).

    Raises:
        InputError: the CA bundle does not exist.
    """

    url: str = field(default_factory=lambda: settings().endpoint("gportal_csw"))
    retry: RetryPolicy | None = None
    ca_bundle: str | os.PathLike[str] | None = None
    timeout: float | None = None
    _http: HttpClient = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_http", HttpClient(ca_bundle=self.ca_bundle,
                                                     timeout=self.timeout))

    def _params(self, query: Query, start_index: int, count: int) -> dict[str, Any]:
        if query.product not in DATASETS:
            raise InputError(f"G-Portal products here: {', '.join(DATASETS)}; "
                             f"not {query.product!r}")
        params: dict[str, Any] = {
            "service": "CSW", "version": "3.0.0", "request": "GetRecords",
            "outputFormat": "application/json", "datasetId": DATASETS[query.product],
            "startTime": f"{query.start:%Y-%m-%dT%H:%M:%S}Z",
            "endTime": f"{query.end:%Y-%m-%dT%H:%M:%S}Z",
            "count": count, "startIndex": start_index}
        if query.bbox:
            params["bbox"] = ",".join(f"{v:g}" for v in query.bbox)
        return params

    def _page(self, query: Query, start_index: int, count: int) -> dict[str, Any]:
        params = self._params(query, start_index, count)

        def fetch() -> Any:
            return self._http.get_json(self.url, params)

        answer = self.retry.call(fetch) if self.retry else fetch()
        if not isinstance(answer, dict) or "features" not in answer:
            raise TransientFetchError(f"{self.url}: answer is not a FeatureCollection")
        return answer

    def matched(self, query: Query) -> int:
        """How many granules match, from a one-record page."""
        props = self._page(query, 1, 1).get("properties", {})
        return int(props.get("numberOfRecordsMatched", 0))

    def pages(self, query: Query, page_size: int = PAGE_SIZE) -> Iterator[list[Granule]]:
        """Granules page by page (``startIndex`` is 1-based; stops past the matched count).

        The CSW has no orbit-direction parameter, so a query's ``orbit`` is applied here.
        """
        start = 1
        while True:
            answer = self._page(query, start, page_size)
            features = answer.get("features", [])
            matched = int(answer.get("properties", {}).get("numberOfRecordsMatched", 0))
            yield [g for g in (_granule(f, query.product) for f in features)
                   if _in_orbit(g, query.orbit)]
            start += len(features)
            if not features or start > matched:
                return

    def search(self, query: Query, page_size: int = PAGE_SIZE) -> Iterator[Granule]:
        """Every matching granule."""
        for page in self.pages(query, page_size):
            yield from page


def _in_orbit(granule: Granule, orbit: str | None) -> bool:
    direction = granule.properties.get("orbitDirection")
    return orbit is None or direction is None or direction == orbit.upper()


def gportal_archive(*, catalog_url: str | None = None, sftp_host: str | None = None,
                    sftp_port: int | None = None, username: str | None = None,
                    password: str | None = None, retry: RetryPolicy | None = None,
                    name: str = "G-Portal",
                    ca_bundle: str | os.PathLike[str] | None = None) -> Archive:
    """The real JAXA G-Portal, or any G-Portal-compatible endpoints.

    Credentials: arguments, then ``GPORTAL_USERNAME``/``GPORTAL_PASSWORD``, then ``~/.netrc``.
    The catalogue's TLS is verified against ``ca_bundle`` (default: the settings').
    """
    endpoints = settings()
    catalog_url = catalog_url or endpoints.endpoint("gportal_csw")
    sftp = urlsplit(endpoints.endpoint("gportal_sftp"))
    sftp_host = sftp_host or sftp.hostname or SFTP_HOST
    sftp_port = sftp_port or sftp.port or SFTP_PORT
    credentials = resolve(username=username, password=password, env_prefix="GPORTAL",
                          host=sftp_host)
    return gportal_at(catalog_url, sftp_host, sftp_port, credentials, retry, name,
                      ca_bundle=ca_bundle)


def gportal_at(catalog_url: str, host: str, port: int, credentials: Credentials,
               retry: RetryPolicy | None = None, name: str = "G-Portal", *,
               ca_bundle: str | os.PathLike[str] | None = None) -> Archive:
    """An archive at explicit G-Portal-compatible endpoints with known credentials."""
    retry = retry or RetryPolicy()
    catalog = GPortalCatalog(catalog_url, retry=retry, ca_bundle=ca_bundle)
    return Archive(catalog, SftpFactory(host, port, credentials), name, retry)
