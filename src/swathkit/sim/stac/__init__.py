"""The simulated USGS LandsatLook: stac-server, ERS login and synthetic DSWE COGs over HTTPS.

:func:`simulated_landsatlook` starts it in this process and yields the running
:class:`~swathkit.sim.stac.server.SimulatedLandsatLook` with a
:class:`~swathkit.archives.stac.StacCatalog` and an :class:`~swathkit.archives.ers.ErsAuth`
pointing at it::

    with simulated_landsatlook(users={"me": "secret"}, pixels=500) as (sim, catalog, auth):
        granules = list(catalog.search(query))
        with HttpClient(auth=auth, ca_bundle=sim.ca_file) as http:
            http.request("GET", granules[0].remote_path)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from swathkit.archives.ers import ErsAuth
    from swathkit.archives.stac import StacCatalog
    from swathkit.sim.faults import FaultPlan
    from swathkit.sim.stac.server import SimulatedLandsatLook

__all__ = ["simulated_landsatlook"]


@contextmanager
def simulated_landsatlook(*, users: dict[str, str] | None = None, require_login: bool = True,
                          pixels: int = 5000, faults: str | FaultPlan = "none", seed: int = 0,
                          cache_dir: str | os.PathLike[str] | None = None,
                          max_cloud: float | None = None
                          ) -> Iterator[tuple[SimulatedLandsatLook, StacCatalog, ErsAuth | None]]:
    """Start the simulated LandsatLook; yield it, a catalogue and (with users) an ERS login.

    Args:
        users: ERS accounts (username → password); the login yielded is the first one's.
        require_login: Assets need the ERS session cookie.
        pixels: Served tile size (5000 full size; 500 for tests).
        faults: A fault preset or plan.
        seed: Seed of a preset's faults.
        cache_dir: Where generated COGs are kept (default: a temporary folder).
        max_cloud: The catalogue's ``eo:cloud_cover`` limit (per cent).
    """
    from swathkit.archives.credentials import Credentials
    from swathkit.archives.ers import ErsAuth
    from swathkit.archives.stac import StacCatalog
    from swathkit.sim.stac.server import SimulatedLandsatLook

    with SimulatedLandsatLook(users=users, require_login=require_login, pixels=pixels,
                              faults=faults, seed=seed, cache_dir=cache_dir) as sim:
        catalog = StacCatalog(sim.stac_url, ca_bundle=sim.ca_file, max_cloud=max_cloud)
        auth = None
        if users:
            name, password = next(iter(users.items()))
            auth = ErsAuth(Credentials(name, password), login_url=sim.base_url + "login",
                           ca_bundle=sim.ca_file)
        yield sim, catalog, auth
