"""SMAP granules from NASA CMR: the collections of NSIDC (radiometer, L2–L4) and ASF (radar).

:func:`find_smap` searches a product's collection (:data:`swathkit.archives.cmr.PRODUCTS`
gives its provider and version) for whole days ``start..end`` and keeps, of the files
of one granule (a day, or a half orbit), only the newest release
(:func:`newest_releases`): the highest counter of a CRID, and of several CRIDs the
newest. Granules are named by their file name (without ``.h5``), not CMR's GranuleUR.

::

    granules = find_smap("SPL3SMP", date(2015, 4, 1), date(2015, 4, 8))
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from swathkit.archives.cmr import CmrCatalog, cmr_product
from swathkit.errors import FileNameError, InputError
from swathkit.products.smap.names import SmapName, parse_smap_name
from swathkit.products.smap.table import smap_product
from swathkit.transfer.retry import RetryPolicy
from swathkit.types import BBox, Granule, Query

__all__ = ["find_smap", "newest_releases", "smap_catalog"]

log = logging.getLogger(__name__)


def smap_catalog(*, url: str | None = None, datapool_url: str | None = None,
                 page_size: int = 2000, retry: RetryPolicy | None = None,
                 ca_bundle: str | os.PathLike[str] | None = None) -> CmrCatalog:
    """The CMR catalogue SMAP searches go to (default: the real CMR, or
    ``SWATHKIT_CMR_URL``; the datapool of each product, or ``SWATHKIT_*_DATAPOOL_URL``)."""
    return CmrCatalog(url=url, datapool_url=datapool_url, page_size=page_size,
                      retry=retry or RetryPolicy(), ca_bundle=ca_bundle)


def _slot(name: SmapName) -> tuple[object, ...]:
    """What two releases of one granule share: everything but the CRID and counter."""
    return name.level, name.day, name.orbit, name.direction, name.start


def newest_releases(granules: Iterable[Granule]) -> list[Granule]:
    """Of the files of each granule, the newest: highest ``(CRID, counter)``.

    Granules whose file name is not a SMAP name are left out (logged). The result is
    in time order, then by name, whatever the order given.
    """
    best: dict[tuple[object, ...], tuple[SmapName, Granule]] = {}
    for g in granules:
        try:
            name = parse_smap_name(g.file_name)
        except FileNameError as exc:
            log.warning("skipping a CMR record that is not a SMAP file: %s", exc)
            continue
        key = _slot(name)
        held = best.get(key)
        if held is None or name.release > held[0].release:
            best[key] = (name, g)
    return sorted((g for _, g in best.values()), key=lambda g: (g.start, g.id))


def find_smap(short_name: str, start: date, end: date, *, bbox: BBox | None = None,
              catalog: CmrCatalog | None = None) -> list[Granule]:
    """The newest file of every granule of ``short_name`` with data on days ``start..end``.

    Args:
        short_name: A SMAP short name (``SPL3SMP``; case-insensitive).
        start: First day.
        end: Last day (included).
        bbox: ``(west, south, east, north)`` degrees; None: the globe.
        catalog: Where to search (default :func:`smap_catalog`).

    Raises:
        InputError: an unknown product, one CMR does not hold, or ``end`` before ``start``.
    """
    product = smap_product(short_name)
    cmr_product(product.short_name)  # the product is in a CMR collection we know
    if end < start:
        raise InputError(f"--end {end} is before --start {start}")
    begin = datetime.combine(start, time(), UTC)
    stop = datetime.combine(end + timedelta(days=1), time(), UTC)
    query = Query(product.short_name, begin, stop, bbox=bbox)
    own = catalog is None
    catalog = catalog or smap_catalog()
    try:
        found = [_named(g) for g in catalog.search(query) if g.start < stop and g.end >= begin]
    finally:
        if own:
            catalog.close()
    return newest_releases(found)


def _named(g: Granule) -> Granule:
    return replace(g, id=g.file_name.removesuffix(".h5"),
                   properties=g.properties | {"granule_ur": g.id})
