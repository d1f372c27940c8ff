"""The simulated NSIDC: SMAP granules through CMR, Earthdata Login and a TEA/S3 distribution.

It combines the simulated CMR (:mod:`swathkit.sim.cmr`: search, URS, datapool, S3) with
the SMAP writers (:mod:`swathkit.sim.smap`), which is why it sits outside both.
:func:`simulated_nsidc` starts it in this process; its
:meth:`~swathkit.sim.nsidc.server.SimulatedNsidc.environment` gives the variables that
point swathkit at it::

    with simulated_nsidc(pixels=8, users={"demo": "pw"}) as nsidc:
        os.environ.update(nsidc.environment("demo", "pw"))
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the servers are imported when used
    from swathkit.sim.faults import FaultPlan
    from swathkit.sim.nsidc.server import SimulatedNsidc

__all__ = ["simulated_nsidc"]


@contextmanager
def simulated_nsidc(*, faults: str | FaultPlan = "none", seed: int = 0,
                    pixels: int | None = None, users: dict[str, str] | None = None,
                    cache_dir: str | os.PathLike[str] | None = None,
                    latency: float = 0.0) -> Iterator[SimulatedNsidc]:
    """Start the simulated NSIDC in this process (see
    :class:`~swathkit.sim.nsidc.server.SimulatedNsidc` for the arguments)."""
    from swathkit.sim.nsidc.server import SimulatedNsidc

    with SimulatedNsidc(faults=faults, seed=seed, pixels=pixels, users=users,
                        cache_dir=cache_dir, latency=latency) as sim:
        yield sim
