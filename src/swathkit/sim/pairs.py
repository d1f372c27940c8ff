"""The simulated ASF and LandsatLook together: what the pairs jobs talk to, on 127.0.0.1.

:func:`simulated_pairs` starts both and yields :class:`PairsSimulators`, whose
:meth:`~PairsSimulators.environment` gives the variables a user would set to point
swathkit at them (endpoints, the CA bundle of both, the simulated accounts)::

    with simulated_pairs(folder, users={"demo": "pw"}) as sims:
        os.environ.update(sims.environment("demo", "pw"))
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from swathkit.sim.cmr.asf import SimulatedAsf
from swathkit.sim.stac.server import SimulatedLandsatLook

__all__ = ["PairsSimulators", "simulated_pairs"]


@dataclass(frozen=True)
class PairsSimulators:
    """The two running simulators and one CA bundle trusting both."""

    asf: SimulatedAsf
    landsatlook: SimulatedLandsatLook
    ca_file: Path

    def environment(self, user: str | None = None,
                    password: str | None = None) -> dict[str, str]:
        """``SWATHKIT_*_URL`` and ``SWATHKIT_CA_BUNDLE`` for both, and the accounts if given.

        The same user logs in to Earthdata (``EARTHDATA_*``) and ERS (``USGS_*``).
        """
        asf, ll = self.asf, self.landsatlook
        env = {"SWATHKIT_CMR_URL": asf.cmr_url, "SWATHKIT_URS_URL": asf.urs_url,
               "SWATHKIT_ASF_DATAPOOL_URL": asf.datapool_url,
               "SWATHKIT_LANDSATLOOK_STAC_URL": ll.stac_url,
               "SWATHKIT_LANDSATLOOK_URL": ll.base_url, "SWATHKIT_ERS_URL": ll.base_url,
               "SWATHKIT_CA_BUNDLE": str(self.ca_file)}
        if user is not None and password is not None:
            env |= {"EARTHDATA_USERNAME": user, "EARTHDATA_PASSWORD": password,
                    "USGS_USERNAME": user, "USGS_PASSWORD": password}
        return env


@contextmanager
def simulated_pairs(folder: str | os.PathLike[str], *, users: dict[str, str] | None = None,
                    rtc_pixels: int | None = None, dswe_pixels: int = 5000,
                    faults: str = "none", latency: float = 0.0) -> Iterator[PairsSimulators]:
    """Start the simulated ASF and LandsatLook, their files kept in ``folder``.

    Args:
        folder: Where the zips, COGs and the CA bundle go (reused by the next start).
        users: Accounts of both (username → password); default ASF's ``sim``/``sim``
            and LandsatLook anonymous.
        rtc_pixels: Columns of the RTC rasters (None: full size, ~6000).
        dswe_pixels: Size of the DSWE tiles (5000: full size).
        faults: A fault preset played by both.
        latency: Round-trip seconds added to every exchange with either, as if far away.
    """
    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    with SimulatedAsf(pixels=rtc_pixels, users=users, faults=faults,
                      cache_dir=root / "asf", latency=latency) as asf, \
            SimulatedLandsatLook(users=users, require_login=bool(users), pixels=dswe_pixels,
                                 faults=faults, cache_dir=root / "landsatlook",
                                 latency=latency) as ll:
        ca = root / "ca-bundle.pem"
        ca.write_text(asf.ca_file.read_text() + (ll.ca_file.read_text() if ll.ca_file else ""))
        yield PairsSimulators(asf, ll, ca)
