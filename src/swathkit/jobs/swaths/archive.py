"""Build the archives a collect job talks to: the real G-Portal or the simulated one."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from swathkit.archives.base import Archive
from swathkit.archives.credentials import Credentials, resolve
from swathkit.archives.gportal import CATALOG_URL, SFTP_HOST, SFTP_PORT, GPortalCatalog
from swathkit.archives.sftp import SftpFactory
from swathkit.transfer.retry import RetryPolicy

if TYPE_CHECKING:
    from swathkit.sim.faults import FaultPlan


def gportal_archive(*, catalog_url: str = CATALOG_URL, sftp_host: str = SFTP_HOST,
                    sftp_port: int = SFTP_PORT, username: str | None = None,
                    password: str | None = None, retry: RetryPolicy | None = None,
                    name: str = "G-Portal",
                    ca_bundle: str | os.PathLike[str] | None = None) -> Archive:
    """The real JAXA G-Portal, or any G-Portal-compatible endpoints.

    Credentials: arguments, then ``GPORTAL_USERNAME``/``GPORTAL_PASSWORD``, then ``~/.netrc``.
    The catalogue's TLS is verified against ``ca_bundle`` (default: the settings').
    """
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


@contextmanager
def simulated_gportal(*, faults: str | FaultPlan = "none", seed: int = 0,
                      scans: int | None = None, retry: RetryPolicy | None = None,
                      password: str | None = None, reprocessed: int = 0) -> Iterator[Archive]:
    """Start the simulated G-Portal in this process and yield an archive pointing at it.

    ``password`` overrides the one the client sends (to try a wrong one);
    ``reprocessed`` shifts the catalogue's processing dates (a new version).
    """
    from swathkit.sim.gportal.server import SimulatedGPortal

    with SimulatedGPortal(faults=faults, seed=seed, scans=scans,
                          reprocessed=reprocessed) as sim:
        credentials = Credentials(sim.username, password or sim.password, "simulator")
        label = faults if isinstance(faults, str) else "custom"
        yield gportal_at(sim.catalog_url, sim.sftp_host, sim.sftp_port, credentials, retry,
                         f"simulated G-Portal ({label} faults)", ca_bundle=sim.ca_file)


@contextmanager
def open_archive(args: argparse.Namespace) -> Iterator[Archive]:
    """The archive named by ``collect``'s command-line options."""
    if args.archive == "sim":
        with simulated_gportal(faults=args.faults, seed=getattr(args, "seed", 0),
                               scans=getattr(args, "scans", None)) as archive:
            yield archive
        return
    options: dict[str, Any] = {"username": args.username, "password": args.password}
    options |= {k: v for k, v in (("catalog_url", args.catalog_url),
                                  ("sftp_host", args.sftp_host),
                                  ("sftp_port", args.sftp_port)) if v}
    yield gportal_archive(**options)
