"""The SMAP granules the simulated NSIDC publishes: which files, times and footprints.

The radar product (``SPL1CS0``) is ASF's, as in the real CMR: provider ``ASF``, its own
datapool path (``L1C_S0_HIRES/SP/<file>``), and only the radar's life, 2015-04-13 to
2015-07-07 (:data:`RADAR_DAYS`); everything else is NSIDC's over the whole mission.

A granule is a *slot* (a day of a daily product, a half orbit of the others) and a
*release* of it (``CRID`` and counter). Every slot has the collection's current
release ``R19240_001``; some are regenerated (``_002`` beside ``_001``) and some also
keep a file of an older CRID (``R18290_001``), as the real archive does, so a client
must choose the newest (:data:`EXTRA_COUNTER_EVERY`, :data:`OLDER_CRID_EVERY`). The plan
is a pure function of the slot number: nothing is stored.

A granule's row number (what the simulated CMR pages by) encodes product, slot and
release, so rows sort by product, then time, then release.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from swathkit.products.smap.names import SmapName
from swathkit.products.smap.table import SmapProduct, smap_product
from swathkit.sim.smap.orbit import HALF_ORBIT_S, SWATH_KM, HalfOrbit, half_orbit, to_latlon, track

__all__ = ["COLLECTIONS", "CURRENT_CRID", "EXTRA_COUNTER_EVERY", "MISSION_END", "MISSION_START",
           "OLDER_CRID", "OLDER_CRID_EVERY", "RADAR_DAYS", "SmapGranule", "granule_of_row",
           "slots_between"]

COLLECTIONS: dict[str, tuple[str, str]] = {
    "SPL3SMP": ("009", "NSIDC_ECS"), "SPL3SMP_E": ("006", "NSIDC_ECS"),
    "SPL2SMP": ("009", "NSIDC_ECS"), "SPL2SMP_E": ("006", "NSIDC_ECS"),
    "SPL1CTB": ("006", "NSIDC_ECS"), "SPL1BTB": ("006", "NSIDC_ECS"),
    "SPL1CS0": ("003", "ASF"),
}
"""Short name → (collection version, CMR provider) of what the simulated archive holds."""
_ORDER = tuple(COLLECTIONS)
CURRENT_CRID = "R19240"
OLDER_CRID = "R18290"
EXTRA_COUNTER_EVERY = 3  # slots n with n % 3 == 1 also have counter 002 of the current CRID
OLDER_CRID_EVERY = 4  # slots n with n % 4 == 2 also keep a file of the older CRID
MISSION_START = date(2015, 3, 31)
MISSION_END = date(2025, 12, 31)
RADAR_DAYS = (date(2015, 4, 13), date(2015, 7, 7))
"""First and last day of radar data (the radar failed on 2015-07-07)."""
_SLOTS = 10_000_000  # slot numbers per product in a row number
_RELEASES = 4  # releases per slot in a row number
_TRACK_POINTS = 48


@dataclass(frozen=True)
class SmapGranule:
    """One published file.

    Attributes:
        product: Its product.
        version: Its collection version (``"009"``).
        slot: Day number since :data:`MISSION_START` (daily) or half-orbit index.
        name: Its file name's parts.
        start: Beginning of its data (UTC).
        end: End of its data (UTC).
        bounds: ``(west, south, east, north)`` degrees.
        row: Its row number in the simulated CMR.
    """

    product: SmapProduct
    version: str
    slot: int
    name: SmapName
    start: datetime
    end: datetime
    bounds: tuple[float, float, float, float]
    row: int

    @property
    def provider(self) -> str:
        """The CMR provider holding it (``NSIDC_ECS``, or ``ASF`` for the radar)."""
        return COLLECTIONS[self.product.short_name][1]

    @property
    def path(self) -> str:
        """Its path on its datapool: ``DP1/SMAP/SPL3SMP.009/2015.04.01/<file>`` at NSIDC,
        ``L1C_S0_HIRES/SP/<file>`` at ASF."""
        if self.provider == "ASF":
            return f"{self.product.level}/SP/{self.name.file_name}"
        return (f"DP1/SMAP/{self.product.short_name}.{self.version}/"
                f"{self.start:%Y.%m.%d}/{self.name.file_name}")


def releases(slot: int) -> list[tuple[str, int]]:
    """The ``(crid, counter)`` files of a slot, oldest first."""
    out = [(OLDER_CRID, 1)] if slot % OLDER_CRID_EVERY == 2 else []
    out.append((CURRENT_CRID, 1))
    if slot % EXTRA_COUNTER_EVERY == 1:
        out.append((CURRENT_CRID, 2))
    return out


def slots_between(product: SmapProduct, start_ms: int | None, end_ms: int | None) -> range:
    """The slots of ``product`` whose data meet ``[start_ms, end_ms]`` (in the mission, or
    for the radar in :data:`RADAR_DAYS`)."""
    begin, end = RADAR_DAYS if product.short_name == "SPL1CS0" else (MISSION_START, MISSION_END)
    first = datetime.combine(begin, datetime.min.time(), UTC)
    last = datetime.combine(end + timedelta(days=1), datetime.min.time(), UTC)
    lo = max(first, _from_ms(start_ms) or first)
    hi = min(last - timedelta(microseconds=1), _from_ms(end_ms) or last)
    if hi < lo:
        return range(0)
    if product.naming == "daily":
        return range((lo.date() - MISSION_START).days, (hi.date() - MISSION_START).days + 1)
    return range(half_orbit(_np(lo)).index, half_orbit(_np(hi)).index + 1)


def granules_of_slot(short_name: str, slot: int) -> list[SmapGranule]:
    """Every file of ``slot`` of ``short_name``, oldest release first."""
    product = smap_product(short_name)
    version, _ = COLLECTIONS[product.short_name]
    start, end, bounds, shape = _extent(product, slot)
    base = (_ORDER.index(product.short_name) * _SLOTS + slot) * _RELEASES
    out = []
    for i, (crid, counter) in enumerate(releases(slot)):
        name = SmapName(product.level, crid, counter, **shape)
        out.append(SmapGranule(product, version, slot, name, start, end, bounds, base + i))
    return out


def granule_of_row(row: int) -> SmapGranule:
    """The granule a row number names.

    Raises:
        KeyError: no granule has that row.
    """
    rest, _ = divmod(row, _RELEASES)
    index, slot = divmod(rest, _SLOTS)
    if not 0 <= index < len(_ORDER):
        raise KeyError(row)
    found = [g for g in granules_of_slot(_ORDER[index], slot) if g.row == row]
    if not found:
        raise KeyError(row)
    return found[0]


def _extent(product: SmapProduct, slot: int) -> tuple[datetime, datetime,
                                                      tuple[float, float, float, float],
                                                      dict[str, Any]]:
    if product.naming == "daily":
        day = MISSION_START + timedelta(days=slot)
        start = datetime.combine(day, datetime.min.time(), UTC)
        end = start + timedelta(days=1) - timedelta(milliseconds=1)
        return start, end, (-180.0, -85.0445664, 180.0, 85.0445664), {"day": day}
    half = HalfOrbit(slot)
    start = _py(half.start)
    end = _py(half.end)
    shape = {"orbit": half.orbit, "direction": half.direction,
             "start": start.replace(microsecond=0)}
    return start, end, _half_orbit_bounds(half), shape


def _half_orbit_bounds(half: HalfOrbit) -> tuple[float, float, float, float]:
    """A box holding the swath below 70° of latitude (the whole globe if it crosses the
    antimeridian there): coarse, never missing a true match (the poles are in every box)."""
    seconds = np.linspace(0.0, HALF_ORBIT_S, _TRACK_POINTS)
    lat, lon = to_latlon(track(half, seconds)[0])
    mid = np.abs(lat) <= 70.0
    lons = np.unwrap(np.deg2rad(lon[mid]))
    margin = np.rad2deg(SWATH_KM / 2 / 6371.0) / np.cos(np.deg2rad(70.0))
    west, east = np.rad2deg(lons.min()) - margin, np.rad2deg(lons.max()) + margin
    if west < -180.0 or east > 180.0 or east - west >= 360.0:
        shifted = west + 360.0 if west < -180.0 else west - 360.0 if east > 180.0 else west
        if not (shifted >= -180.0 and shifted + (east - west) <= 180.0):
            return -180.0, -90.0, 180.0, 90.0
        west, east = shifted, shifted + (east - west)
    return float(west), -90.0, float(east), 90.0


def _from_ms(ms: int | None) -> datetime | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC)


def _np(when: datetime) -> np.datetime64:
    return np.datetime64(when.replace(tzinfo=None), "ns")


def _py(when: np.datetime64) -> datetime:
    ms = int(when.astype("datetime64[ms]").astype(np.int64))
    return datetime.fromtimestamp(ms / 1000, UTC)
