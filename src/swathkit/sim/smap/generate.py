"""``swathkit sim generate smap``: consecutive synthetic days or half orbits of a product.

Daily products (L3) take ``days`` from ``start``; half-orbit products (L1B_TB, L1C_TB,
L1C_S0_HiRes, L2) take ``granules`` half orbits from the one flying at ``start``.
Products the simulator cannot write yet (L1B_S0_LoRes) are refused with the list of
those it can.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

from swathkit.errors import InputError
from swathkit.products.smap.table import SmapProduct, smap_product
from swathkit.sim.smap.l1b import write_l1b_half_orbit
from swathkit.sim.smap.l1c import write_l1c_half_orbit
from swathkit.sim.smap.l1c_s0 import write_l1c_s0_half_orbit
from swathkit.sim.smap.l2 import write_l2_half_orbit
from swathkit.sim.smap.l3 import write_l3_day
from swathkit.sim.smap.orbit import HalfOrbit, half_orbit
from swathkit.types import Progress

__all__ = ["SIMULATED", "write_smap"]

SIMULATED = ("SPL3SMP", "SPL3SMP_E", "SPL2SMP", "SPL2SMP_E", "SPL1CTB", "SPL1BTB",
             "SPL1CS0")
"""The products the simulator writes."""


def write_smap(out: Path, short_name: str, start: datetime, *, days: int = 1,
               granules: int = 1, seed: int = 0, crid: str = "R19240", counter: int = 1,
               progress: Progress | None = None) -> list[Path]:
    """Write synthetic files of ``short_name`` into ``out`` (made if missing).

    Args:
        out: The folder.
        short_name: One of :data:`SIMULATED`.
        start: The first day (daily products) or an instant of the first half orbit.
        days: Daily products: how many consecutive days.
        granules: Half-orbit products: how many consecutive half orbits.
        seed: Noise seed (same seed, same bytes).
        crid: Composite Release ID of the names and metadata.
        counter: Regeneration counter of the names.
        progress: Called ``(done, total, file name)`` after each file.

    Raises:
        InputError: a product the simulator does not write, or a count below 1.
    """
    product = smap_product(short_name)
    if product.short_name not in SIMULATED:
        raise InputError(f"the simulator does not write {product.short_name} yet; it writes "
                         f"{', '.join(SIMULATED)}")
    count = days if product.naming == "daily" else granules
    if count < 1:
        raise InputError(f"--{'days' if product.naming == 'daily' else 'granules'} must be "
                         f"at least 1, not {count}")
    out.mkdir(parents=True, exist_ok=True)
    writers = _writers(product, start, count)
    paths = []
    for i, write in enumerate(writers):
        paths.append(write(out, product, seed, crid, counter))
        if progress is not None:
            progress(i + 1, len(writers), paths[-1].name)
    return paths


Writer = Callable[[Path, SmapProduct, int, str, int], Path]


def _writers(product: SmapProduct, start: datetime, count: int) -> list[Writer]:
    if product.naming == "daily":
        first = start.date()
        return [_day_writer(first + timedelta(days=i)) for i in range(count)]
    naive = start.astimezone(UTC).replace(tzinfo=None) if start.tzinfo else start
    slot = half_orbit(np.datetime64(naive, "ns"))
    half = {"L1B_TB": write_l1b_half_orbit, "L1C_TB": write_l1c_half_orbit,
            "L1C_S0_HIRES": write_l1c_s0_half_orbit}.get(product.level, write_l2_half_orbit)
    return [_half_orbit_writer(half, HalfOrbit(slot.index + i)) for i in range(count)]


def _day_writer(day: date) -> Writer:
    def write(out: Path, product: SmapProduct, seed: int, crid: str, counter: int) -> Path:
        return write_l3_day(out, product, day, seed=seed, crid=crid, counter=counter)
    return write


def _half_orbit_writer(half: Callable[..., Path], slot: HalfOrbit) -> Writer:
    def write(out: Path, product: SmapProduct, seed: int, crid: str, counter: int) -> Path:
        return half(out, product, slot, seed=seed, crid=crid, counter=counter)
    return write
