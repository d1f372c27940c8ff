"""A deterministic synthetic Earth seen by a passive-microwave radiometer.

The surface is a mixture of land (fraction from :func:`swathkit.geodata.land_fraction`),
sea ice and open water. Sea ice covers the polar oceans poleward of an edge
latitude that follows the season (Arctic largest in March, smallest in
September; Antarctic largest in September, smallest in February) and waves
smoothly with longitude. Each surface has a brightness temperature per
frequency and polarisation; a pixel mixes them by area and adds instrument
noise (NEΔT). Everything is a closed-form function of position and time, so
the same inputs give the same answer; only the noise draws from the caller's
random generator.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray

from swathkit.geodata import land_fraction
from swathkit.products.amsr2.channels import Channel, channel
from swathkit.sim.orbit import TimeLike, to_datetime64

log = logging.getLogger(__name__)

F32 = NDArray[np.float32]

# Instrument noise (K) per frequency (GHz, as the channel table spells it).
NEDT_K: dict[str, float] = {
    "6.9": 0.34, "7.3": 0.43, "10.7": 0.70, "18.7": 0.70, "23.8": 0.60, "36.5": 0.70,
    "89.0": 1.20,
}
# Per frequency, (H, V): calm dry ocean TB (K), its rise per unit of the moisture index,
# and the emissivities of sea ice and of land.
_OCEAN_K = {"6.9": (85.0, 160.0), "7.3": (86.0, 161.0), "10.7": (92.0, 166.0),
            "18.7": (110.0, 185.0), "23.8": (135.0, 205.0), "36.5": (145.0, 215.0),
            "89.0": (210.0, 250.0)}
_MOISTURE_K = {"6.9": (4.0, 2.0), "7.3": (4.0, 2.0), "10.7": (8.0, 4.0), "18.7": (25.0, 15.0),
               "23.8": (50.0, 30.0), "36.5": (30.0, 18.0), "89.0": (40.0, 20.0)}
_ICE_EMISSIVITY = {"6.9": (0.90, 0.97), "7.3": (0.90, 0.97), "10.7": (0.89, 0.96),
                   "18.7": (0.87, 0.94), "23.8": (0.86, 0.93), "36.5": (0.85, 0.91),
                   "89.0": (0.82, 0.87)}
_LAND_EMISSIVITY = {"6.9": (0.89, 0.95), "7.3": (0.89, 0.95), "10.7": (0.90, 0.95),
                    "18.7": (0.91, 0.95), "23.8": (0.91, 0.95), "36.5": (0.92, 0.95),
                    "89.0": (0.93, 0.95)}
PHYSICAL_RANGE_K = (0.0, 350.0)

_YEAR_DAYS = 365.2422
_EDGE_BINS_PER_DEG = 4  # ice-edge latitude tabulated every 0.25° of longitude
_EDGE_WIDTH_DEG = 3.0  # concentration ramps from 0 to full over this many degrees


@dataclass(frozen=True)
class Climate:
    """The smooth fields, varying over hundreds of kilometres (float32 arrays)."""

    skin: F32  # physical surface temperature, K
    moisture: F32  # atmospheric moisture index 0–1 over the ocean


@dataclass(frozen=True)
class Surface:
    """What the radiometer sees at each point, as float32 arrays of one shape."""

    land: F32  # land fraction 0–1
    ice: F32  # sea-ice concentration 0–1 of the water part
    skin: F32  # physical surface temperature, K
    moisture: F32  # atmospheric moisture index 0–1 over the ocean

    @cached_property
    def mixing_terms(self) -> tuple[F32, F32, F32, F32]:
        """Channel-independent parts of the mixture: ``(land_heat, ice_heat, open, wet)``.

        A channel's brightness is ``eL·land_heat + eI·ice_heat + O·open + M·wet``
        with its land and ice emissivities, calm-ocean TB and moisture sensitivity.
        """
        water = np.float32(1.0) - self.land
        ice_part = water * self.ice
        ice_temperature = np.clip(self.skin, np.float32(245.0), np.float32(271.0))
        open_water = water - ice_part
        return (self.land * self.skin, ice_part * ice_temperature, open_water,
                open_water * self.moisture)


def day_of_year(time: TimeLike) -> float:
    """Fractional day of the year, 0 at 1 January 00:00 UTC."""
    t = to_datetime64(time)
    return float((t - t.astype("datetime64[Y]")) / np.timedelta64(1, "D"))


def sea_ice_concentration(lat: ArrayLike, lon: ArrayLike, time: TimeLike) -> F32:
    """Sea-ice concentration (0–1, float32) of open water at each point and instant.

    Land is not masked: combine with :func:`swathkit.geodata.land_fraction` for that.

    Args:
        lat: Latitudes, degrees.
        lon: Longitudes, degrees (any wrapping).
        time: One UTC instant for the whole call; the ice moves on seasonal scales.
    """
    lat32 = np.asarray(lat, dtype=np.float32)
    lon32 = np.broadcast_to(np.asarray(lon, dtype=np.float32), lat32.shape)
    edges, interior = _edge_table(day_of_year(time))
    rows_lat = lat32.reshape(-1, lat32.shape[-1]) if lat32.ndim else lat32.reshape(1, 1)
    rows_lon = lon32.reshape(rows_lat.shape)
    out = np.zeros(rows_lat.shape, np.float32)
    # Only rows reaching the pack-ice latitudes need work: half a swath or less.
    polar = np.flatnonzero(np.abs(rows_lat).max(axis=1) > edges.min())
    if polar.size:
        out[polar] = _ice_ramp(rows_lat[polar], rows_lon[polar], edges, interior)
    return out.reshape(lat32.shape)


def climate(lat: ArrayLike, lon: ArrayLike, time: TimeLike) -> Climate:
    """Skin temperature and moisture at each point.

    Args:
        lat: Latitudes, degrees.
        lon: Longitudes, degrees.
        time: One UTC instant for the whole call.
    """
    lat32 = np.asarray(lat, dtype=np.float32)
    lon32 = np.asarray(lon, dtype=np.float32)
    doy = day_of_year(time)
    return Climate(_skin_temperature(lat32, doy), _moisture(lat32, lon32, doy))


def surface(
    lat: ArrayLike, lon: ArrayLike, time: TimeLike, *, smooth: Climate | None = None
) -> Surface:
    """Land fraction, sea ice, skin temperature and moisture at each point.

    Args:
        lat: Latitudes, degrees.
        lon: Longitudes, degrees.
        time: One UTC instant for the whole call.
        smooth: The :class:`Climate` to use instead of evaluating it here, e.g. one
            computed once for many footprints a few km apart (its fields change by
            well under 0.1 K over 10 km); must have the points' shape.
    """
    land = land_fraction(np.asarray(lat), np.asarray(lon))
    ice = sea_ice_concentration(lat, lon, time)
    fields = climate(lat, lon, time) if smooth is None else smooth
    if fields.skin.shape != land.shape:
        raise ValueError(f"climate shape {fields.skin.shape} != points shape {land.shape}")
    return Surface(land, ice, fields.skin, fields.moisture)


def surface_brightness(
    chan: str | Channel, surf: Surface, rng: np.random.Generator | None = None
) -> F32:
    """Brightness temperature (K, float32) of one channel over a :class:`Surface`.

    Args:
        chan: Channel name (``"36.5H"``) or :class:`Channel`.
        surf: The surface, e.g. from :func:`surface`.
        rng: Draws the instrument noise (NEΔT of the frequency); ``None`` for none.
    """
    ch = chan if isinstance(chan, Channel) else channel(chan)
    pol = 0 if ch.polarization == "H" else 1
    f = ch.frequency
    land_heat, ice_heat, open_water, wet_water = surf.mixing_terms
    tb = np.float32(_LAND_EMISSIVITY[f][pol]) * land_heat
    tb += np.float32(_ICE_EMISSIVITY[f][pol]) * ice_heat
    tb += np.float32(_OCEAN_K[f][pol]) * open_water
    tb += np.float32(_MOISTURE_K[f][pol]) * wet_water
    if rng is not None:
        noise = rng.standard_normal(tb.shape, dtype=np.float32)
        noise *= np.float32(NEDT_K[f])
        tb += noise
    return tb


def brightness_temperature(
    chan: str | Channel,
    lat: ArrayLike,
    lon: ArrayLike,
    time: TimeLike,
    rng: np.random.Generator | None = None,
) -> F32:
    """Brightness temperature (K, float32) of one channel at each point.

    For several channels at the same points, build the :func:`surface` once and
    call :func:`surface_brightness` per channel.
    """
    return surface_brightness(chan, surface(lat, lon, time), rng)


def sun_angles(lat: ArrayLike, lon: ArrayLike, time: ArrayLike) -> tuple[F32, F32]:
    """Sun elevation and azimuth (degrees, float32) at each point and time.

    Mean sun (no equation of time), declination from the day of the year, no
    parallax. ``time`` is ``datetime64`` broadcastable against ``lat``.
    """
    t = np.asarray(time, dtype="datetime64[ns]")
    days = (t - t.astype("datetime64[Y]")) / np.timedelta64(1, "D")
    hours = (t - t.astype("datetime64[D]")) / np.timedelta64(1, "h")
    declination = np.deg2rad(-23.44 * np.cos(2 * np.pi * (days + 10.0) / _YEAR_DAYS))
    sub_lon = np.deg2rad(15.0 * (12.0 - hours))
    sun = [np.cos(declination) * np.cos(sub_lon), np.cos(declination) * np.sin(sub_lon),
           np.sin(declination)]
    la = np.deg2rad(np.asarray(lat, dtype=np.float32))
    lo = np.deg2rad(np.asarray(lon, dtype=np.float32))
    cos_lat = np.cos(la)
    x, y, z = cos_lat * np.cos(lo), cos_lat * np.sin(lo), np.sin(la)
    sx, sy, sz = (s.astype(np.float32) for s in sun)
    along = x * sx + y * sy + z * sz
    elevation = np.rad2deg(np.arcsin(np.clip(along, -1.0, 1.0)))
    azimuth = np.rad2deg(np.arctan2(-y * sx + x * sy, sz - z * along))
    return elevation.astype(np.float32), azimuth.astype(np.float32)


def _season(doy: float, peak_day: float, trough_day: float) -> float:
    """+1 on ``peak_day``, -1 on ``trough_day``, a stretched cosine in between."""
    rise = (trough_day - peak_day) % _YEAR_DAYS  # days from peak to trough
    since = (doy - peak_day) % _YEAR_DAYS
    phase = 0.5 * since / rise if since < rise else 0.5 + 0.5 * (since - rise) / (_YEAR_DAYS - rise)
    return float(np.cos(2.0 * np.pi * phase))


def _edge_table(doy: float) -> tuple[F32, tuple[float, float]]:
    """Ice-edge |latitude| per longitude bin, north then south, and interior concentrations."""
    bins = 360 * _EDGE_BINS_PER_DEG
    lon = np.deg2rad(np.arange(bins) / _EDGE_BINS_PER_DEG - 180.0)
    arctic = _season(doy, peak_day=69.0, trough_day=258.0)  # ice extent, +1 in mid-March
    antarctic = _season(doy, peak_day=263.0, trough_day=51.0)  # +1 late September
    north = 71.0 - 8.0 * arctic + 4.0 * np.sin(2 * lon + 0.7) + 1.5 * np.sin(5 * lon + 2.1)
    south = 65.5 - 6.5 * antarctic + 3.0 * np.sin(3 * lon + 1.9) + 1.2 * np.sin(7 * lon + 0.4)
    interior = (0.89 + 0.08 * arctic, 0.88 + 0.08 * antarctic)  # summer melt thins the pack
    return np.concatenate([north, south]).astype(np.float32), interior


def _ice_ramp(
    lat: F32, lon: F32, edges: F32, interior: tuple[float, float]
) -> F32:
    """Concentration rising smoothly from 0 at the edge to ``interior`` 3° poleward."""
    bins = edges.size // 2
    column = lon + np.float32(180.0)
    column *= np.float32(_EDGE_BINS_PER_DEG)
    index = np.floor(column, out=column).astype(np.int32)
    index %= bins
    south = lat < 0
    index += south * np.int32(bins)
    ramp = np.abs(lat)
    ramp -= np.take(edges, index)
    ramp *= np.float32(1.0 / _EDGE_WIDTH_DEG)
    np.clip(ramp, np.float32(0.0), np.float32(1.0), out=ramp)
    ramp *= ramp * (np.float32(3.0) - np.float32(2.0) * ramp)  # smoothstep: a soft ice edge
    ramp *= np.where(south, np.float32(interior[1]), np.float32(interior[0]))
    return ramp


def _skin_temperature(lat: F32, doy: float) -> F32:
    """Physical temperature (K): warm tropics, cold poles, the summer hemisphere warmer."""
    sin_lat = np.sin(np.deg2rad(lat))
    summer = np.float32(14.0 * np.cos(2 * np.pi * (doy - 196.0) / _YEAR_DAYS))
    skin = sin_lat * (np.float32(-45.0) * sin_lat + summer)
    skin += np.float32(301.0)
    return np.asarray(skin, dtype=np.float32)


def _moisture(lat: F32, lon: F32, doy: float) -> F32:
    """Smooth moisture index 0–1: moist tropics, dry poles, drifting weather systems."""
    la, lo = np.deg2rad(lat), np.deg2rad(lon)
    drift = np.float32(2 * np.pi * doy / 5.0)  # weather pattern turns over in ~5 days
    index = np.cos(la)
    index *= index * np.float32(0.7)
    index += np.float32(0.12) * np.sin(np.float32(3.0) * lo + np.float32(2.0) * la + drift)
    index += np.float32(0.08) * np.sin(np.float32(7.0) * lo - np.float32(5.0) * la)
    index += np.float32(0.1)
    return np.clip(index, 0.0, 1.0, out=index)
