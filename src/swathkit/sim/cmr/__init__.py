"""The simulated ASF: NASA CMR, Earthdata Login, the datapool and its S3, over HTTPS on loopback.

:func:`simulated_asf` starts it in this process and yields an
:class:`~swathkit.archives.base.Archive` (a CMR catalogue and datapool
sessions logged in through the simulated Earthdata Login); :func:`asf_client`
builds one for a running :class:`~swathkit.sim.cmr.asf.SimulatedAsf`::

    with simulated_asf(pixels=64) as archive:
        archive.catalog.matched(Query("alos-rtc-fbd", "2008-06-01", "2008-07-01"))
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the servers are imported when used
    from shapely.geometry.base import BaseGeometry

    from swathkit.archives.base import Archive
    from swathkit.sim.cmr.asf import SimulatedAsf
    from swathkit.sim.faults import FaultPlan
    from swathkit.transfer.retry import RetryPolicy

__all__ = ["asf_client", "simulated_asf"]

SIM_USER = ("sim", "sim")


def asf_client(sim: SimulatedAsf, *, username: str = SIM_USER[0],
               password: str = SIM_USER[1],
               aoi: BaseGeometry | Sequence[BaseGeometry] | None = None,
               page_size: int = 2000, retry: RetryPolicy | None = None,
               name: str | None = None) -> Archive:
    """An archive pointing at the running simulator ``sim``, logged in as ``username``."""
    from swathkit.archives.base import Archive
    from swathkit.archives.cmr import CmrCatalog
    from swathkit.archives.earthdata import datapool_files, earthdata_auth
    from swathkit.transfer.retry import RetryPolicy

    policy = retry or RetryPolicy()
    auth = earthdata_auth(urs_url=sim.urs_url, datapool_urls=(sim.datapool_url,),
                          username=username, password=password)
    catalog = CmrCatalog(url=sim.cmr_url, datapool_url=sim.datapool_url, aoi=aoi,
                         page_size=page_size, retry=policy, ca_bundle=sim.ca_file)
    files = datapool_files(sim.datapool_url, auth=auth, ca_bundle=sim.ca_file)
    return Archive(catalog, files, name or "simulated ASF", policy)


@contextmanager
def simulated_asf(*, faults: str | FaultPlan = "none", seed: int = 0, pixels: int | None = None,
                  cache_dir: str | os.PathLike[str] | None = None,
                  aoi: BaseGeometry | Sequence[BaseGeometry] | None = None,
                  retry: RetryPolicy | None = None) -> Iterator[Archive]:
    """Start the simulated ASF in this process and yield an archive pointing at it.

    Args:
        faults: A preset (``none``, ``flaky``, ``hostile``) or a fault plan.
        seed: Seed of the acquisition plan, the zips and a preset's faults.
        pixels: Columns of each raster in the zips (None: full size, ~6000).
        cache_dir: Where zips are kept across runs (default: a temporary folder).
        aoi: Area searched part by part (e.g. ``swathkit.geodata.usa.USA_PARTS.values()``).
        retry: Retry policy of the client.
    """
    from swathkit.sim.cmr.asf import SimulatedAsf

    with SimulatedAsf(faults=faults, seed=seed, pixels=pixels, cache_dir=cache_dir,
                      users=dict([SIM_USER])) as sim:
        label = faults if isinstance(faults, str) else "custom"
        yield asf_client(sim, aoi=aoi, retry=retry, name=f"simulated ASF ({label} faults)")
