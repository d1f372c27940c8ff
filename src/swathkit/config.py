"""Settings: where swathkit keeps its caches, which endpoints it talks to, how it reaches them.

Each setting is taken from an explicit argument, else from a ``SWATHKIT_*``
environment variable, else from its default::

    SWATHKIT_CACHE          cache root: the cache is its swathkit/ folder (default:
                            $XDG_CACHE_HOME/swathkit, else ~/.cache/swathkit)
    SWATHKIT_CA_BUNDLE      PEM file of trusted certificate authorities for HTTPS
                            (default: REQUESTS_CA_BUNDLE, else certifi's bundle, as requests)
    SWATHKIT_HTTP_TIMEOUT   seconds to wait for a connection or the next bytes (default 60)
    SWATHKIT_<NAME>_URL     an endpoint by name, e.g. SWATHKIT_BREMEN_URL, SWATHKIT_GPORTAL_CSW_URL

Credentials are not settings: they come from :mod:`swathkit.archives.credentials`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ENDPOINTS", "Settings", "settings"]

ENDPOINTS: dict[str, str] = {
    "gportal_csw": "https://gportal.jaxa.jp/csw/csw",
    "gportal_sftp": "sftp://ftp.gportal.jaxa.jp:2051",
    "bremen": "https://data.seaice.uni-bremen.de/",
    "landsatlook_stac": "https://landsatlook.usgs.gov/stac-server",
    "ers": "https://ers.cr.usgs.gov",
    "cmr": "https://cmr.earthdata.nasa.gov",
    "urs": "https://urs.earthdata.nasa.gov",
    "asf_datapool": "https://datapool.asf.alaska.edu",
    "nsidc_datapool": "https://n5eil01u.ecs.nsidc.org",
    "landsatlook": "https://landsatlook.usgs.gov",
}
"""The real archives: the defaults of every client (overridden by ``SWATHKIT_<NAME>_URL``)."""


@dataclass(frozen=True)
class Settings:
    """Resolved settings (see the module's docstring for where each comes from)."""

    cache_dir: Path
    ca_bundle: Path | None = None
    http_timeout: float = 60.0
    endpoints: dict[str, str] = field(default_factory=lambda: dict(ENDPOINTS))
    storage_options: dict[str, Any] = field(default_factory=dict)

    def endpoint(self, name: str) -> str:
        """The URL of the endpoint ``name`` (``KeyError`` if unknown)."""
        return self.endpoints[name]


def settings(*, cache_dir: str | os.PathLike[str] | None = None,
             ca_bundle: str | os.PathLike[str] | None = None,
             http_timeout: float | None = None,
             endpoints: dict[str, str] | None = None,
             storage_options: dict[str, Any] | None = None) -> Settings:
    """Settings from the arguments given, then the environment, then the defaults."""
    env = os.environ
    if cache_dir is None:
        base = env.get("SWATHKIT_CACHE") or env.get("XDG_CACHE_HOME")
        cache = Path(base) / "swathkit" if base else Path.home() / ".cache" / "swathkit"
    else:
        cache = Path(cache_dir)
    bundle = ca_bundle or env.get("SWATHKIT_CA_BUNDLE") or env.get("REQUESTS_CA_BUNDLE")
    timeout = http_timeout if http_timeout is not None else float(
        env.get("SWATHKIT_HTTP_TIMEOUT", "60"))
    urls = dict(ENDPOINTS)
    urls |= {name: env[f"SWATHKIT_{name.upper()}_URL"] for name in ENDPOINTS
             if env.get(f"SWATHKIT_{name.upper()}_URL")}
    urls |= endpoints or {}
    return Settings(cache, Path(bundle) if bundle else None, timeout, urls,
                    dict(storage_options or {}))
