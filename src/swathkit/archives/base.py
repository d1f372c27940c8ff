"""What every archive is: a catalogue to ask and a file server to fetch from.

``Catalog`` answers a :class:`~swathkit.types.Query` with
:class:`~swathkit.types.Granule` s (``matched`` counts, ``pages`` streams pages as
they arrive, ``search`` streams granules); ``Archive`` bundles a catalogue with
the session factory that fetches its files and the retry policy of both. The
G-Portal (CSW + SFTP) and Bremen (a date-named HTTPS tree) implement them;
later archives (CMR, STAC) do too, so a job takes any ``Archive``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from swathkit.transfer.retry import RetryPolicy
from swathkit.transfer.session import SessionFactory
from swathkit.types import Granule, Query

__all__ = ["Archive", "Catalog"]


class Catalog(Protocol):
    """A searchable list of an archive's files."""

    def matched(self, query: Query) -> int:
        """How many granules match ``query`` (as the catalogue counts them)."""
        ...

    def pages(self, query: Query) -> Iterator[list[Granule]]:
        """The matching granules, one catalogue page at a time, in the catalogue's order."""
        ...

    def search(self, query: Query) -> Iterator[Granule]:
        """The matching granules one by one."""
        ...


@dataclass(frozen=True)
class Archive:
    """Where to search and fetch: a catalogue, a session factory, and their retry policy."""

    catalog: Catalog
    sessions: SessionFactory
    name: str
    retry: RetryPolicy | None = None
