"""Synthetic JAXA GCOM-W/AMSR2 Level 1B granules with the real files' byte layout.

A granule is one half orbit of :mod:`swathkit.sim.orbit` (granule ``k`` has fixed
times whatever start time is asked for); its brightness temperatures come from
:mod:`swathkit.sim.earth` at each band's true footprints, with instrument noise,
a small share of missing pixels (65535, a few 0) and a few missing scans, all
drawn from ``(seed, granule start)``. :func:`synthetic_granule` returns the
truth in memory; :func:`write_granule` writes the same values to a flat HDF5
file under the real file name, byte-for-byte reproducible.
"""

from __future__ import annotations

import logging
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import h5py
import numpy as np
from numpy.typing import NDArray

from swathkit.products.amsr2.channels import CHANNELS, FILL_COUNT, LOW_BANDS, SCALE_FACTOR
from swathkit.products.amsr2.names import GranuleName
from swathkit.products.timescales import utc_to_tai93
from swathkit.sim import earth
from swathkit.sim.orbit import (
    ALTITUDE_KM,
    COREGISTRATION,
    FloatArray,
    GranuleGeometry,
    HalfOrbit,
    TimeLike,
    granule_geometry,
    half_orbit,
    half_orbit_at,
    half_orbits_between,
)
from swathkit.types import Progress

log = logging.getLogger(__name__)

CountArray = NDArray[np.uint16]

MISSING_PIXEL_SHARE = 2e-4  # per channel, written as 65535
ZERO_PIXEL_SHARE = 2e-5  # per channel, written as 0 (the seed treats 0 as missing too)
SCANS_PER_MISSING_SCAN = 700  # about three whole missing scans per full granule
_LAND_OCEAN_BANDS = ("6G", "10G", "23G", "36G")
_WORKERS = 2  # numpy releases the GIL in the heavy loops; results do not depend on this


@dataclass(frozen=True)
class GranuleSlot:
    """One granule of the simulated archive: its name and exact time span."""

    name: GranuleName
    start: np.datetime64  # first scan, UTC
    end: np.datetime64  # end of the last scan = start of the next granule
    orbit_number: int


@dataclass(frozen=True)
class SyntheticGranule:
    """Everything one synthetic L1B file holds, and the truth behind it.

    ``counts`` are exactly the uint16 arrays written to the file (channel name,
    e.g. ``"36.5H"`` → (nscan, 243)); ``band_geolocation`` holds the true float64
    footprints of each low band (``"36G"`` → (lat, lon), (nscan, 243)), which the
    file does not carry; ``datasets`` is every other dataset, as written. Some
    geolocation arrays are read-only views of the orbit model's cache.
    """

    name: GranuleName
    orbit_number: int
    orbit_direction: str  # "Ascending" or "Descending"
    scan_time: NDArray[np.datetime64]  # datetime64[ns] UTC, (nscan,)
    lat_89a: FloatArray
    lon_89a: FloatArray
    lat_89b: FloatArray
    lon_89b: FloatArray
    band_geolocation: dict[str, tuple[FloatArray, FloatArray]]
    counts: dict[str, CountArray]
    a1: dict[str, float]
    a2: dict[str, float]
    attributes: dict[str, str]
    datasets: dict[str, np.ndarray]
    missing_scans: NDArray[np.intp]

    @property
    def nscan(self) -> int:
        return len(self.scan_time)

    def brightness_temperature(self, channel: str) -> NDArray[np.float32]:
        """Kelvin with NaN where the count is 65535 or 0 (what a reader should return)."""
        counts = self.counts[channel]
        tb = counts.astype(np.float32) * np.float32(SCALE_FACTOR)
        tb[(counts == FILL_COUNT) | (counts == 0)] = np.nan
        return tb


@dataclass(frozen=True)
class _BandResult:
    """What one feed or band contributes: its channels' counts and land percentage."""

    counts: dict[str, CountArray]
    land_percent: NDArray[np.uint8]


def granule_slot(start: TimeLike) -> GranuleSlot:
    """The granule whose time span contains ``start`` (any UTC instant)."""
    return _slot(half_orbit_at(start))


def granules_between(start: TimeLike, end: TimeLike) -> list[GranuleSlot]:
    """Granules overlapping ``[start, end)`` in time order (about 29 a day)."""
    return [_slot(h) for h in half_orbits_between(start, end)]


def synthetic_granule(
    start: TimeLike, *, scans: int | None = None, seed: int = 0
) -> SyntheticGranule:
    """Simulate the granule containing ``start``, in memory.

    Args:
        start: Any UTC instant (``datetime``, ``datetime64`` or ISO string); the
            granule is the half orbit containing it.
        scans: Keep only the first ``scans`` scans (1–1978); all by default.
        seed: Non-negative; with the granule start it seeds every random draw.
    """
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    geometry = granule_geometry(half_orbit_at(start), scans=scans)
    return _simulate(geometry, seed)


def write_granule(
    directory: str | os.PathLike[str], start: TimeLike, *, scans: int | None = None, seed: int = 0
) -> Path:
    """Write the granule containing ``start`` into ``directory`` under its real file name.

    The file appears atomically (written to a temporary sibling, then renamed).

    Args:
        directory: Where the file goes (created if missing).
        start: Any UTC instant inside the granule.
        scans: Keep only the first ``scans`` scans (1–1978); all by default.
        seed: Non-negative noise seed.

    Returns:
        The path of the written ``.h5`` file.
    """
    return write_hdf5(synthetic_granule(start, scans=scans, seed=seed), directory)


def write_granules(
    directory: str | os.PathLike[str],
    start: TimeLike,
    count: int,
    *,
    scans: int | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> list[Path]:
    """Write ``count`` consecutive granules, the first containing ``start``.

    Each granule's bytes are those :func:`write_granule` gives it alone.

    Args:
        directory: Where the files go (created if missing).
        start: Any UTC instant inside the first granule.
        count: How many granules; they alternate ascending and descending.
        scans: Scans per granule (1–1978); all by default.
        seed: Non-negative noise seed.
        progress: Called as ``progress(done, count, file_name)`` after each file.
    """
    first = half_orbit_at(start).index
    paths = []
    for k in range(count):
        paths.append(write_granule(directory, half_orbit(first + k).start, scans=scans, seed=seed))
        if progress is not None:
            progress(k + 1, count, paths[-1].name)
    return paths


def write_hdf5(granule: SyntheticGranule, directory: str | os.PathLike[str]) -> Path:
    """Write a :class:`SyntheticGranule` as an L1B HDF5 file; return its path.

    The file appears atomically: it is written under a hidden temporary name in
    the same directory, then renamed.
    """
    target = Path(directory) / granule.name.file_name
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
    try:
        with h5py.File(tmp, "w-") as f:
            _write_contents(f, granule)
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    log.debug("wrote %s (%d scans)", target, granule.nscan)
    return target


def _slot(h: HalfOrbit) -> GranuleSlot:
    return GranuleSlot(_granule_name(h), h.start, h.end, h.orbit_number)


def _granule_name(h: HalfOrbit) -> GranuleName:
    minute = h.start.astype("datetime64[m]").item()  # naive datetime, UTC
    return GranuleName(
        start=minute.replace(tzinfo=UTC),
        path_number=h.path_number,
        orbit_direction=h.direction,
    )


def _simulate(geometry: GranuleGeometry, seed: int) -> SyntheticGranule:
    slot = geometry.half_orbit
    keys = ("89A", "89B", *LOW_BANDS)
    start_ms = int(slot.start.astype("datetime64[ms]").astype(np.int64))
    root = np.random.SeedSequence([seed, start_ms])  # the granule's own stream
    scan_seed, *band_seeds = root.spawn(1 + len(keys))
    when = geometry.scan_time[len(geometry.scan_time) // 2]
    low, high = _shared_climate(geometry, when)
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        futures = {
            key: pool.submit(_simulate_band, key, geometry.geolocation[key], when,
                             high if key.startswith("89") else low, seq)
            for key, seq in zip(keys, band_seeds, strict=True)
        }
        sun = pool.submit(_sun_datasets, geometry)
        bands = {key: future.result() for key, future in futures.items()}
    missing = _missing_scans(len(geometry.scan_time), np.random.default_rng(scan_seed))
    counts = {name: bands[ch.band].counts[name] for name, ch in CHANNELS.items()}
    for array in counts.values():
        array[missing] = FILL_COUNT
    datasets = _ancillary(geometry, bands, missing) | sun.result()
    return _assemble(geometry, counts, datasets, missing)


def _shared_climate(
    geometry: GranuleGeometry, when: np.datetime64
) -> tuple[earth.Climate, earth.Climate]:
    """The smooth climate once per low-frequency pixel (89A pixel 2i), for every band.

    Footprints of one pixel across bands lie within ~6 km, over which skin
    temperature and moisture change by well under 0.1 K of brightness; land and
    sea ice, with sharp edges, are still evaluated at each band's own footprints.
    """
    lat, lon = geometry.geolocation["89A"]
    low = earth.climate(lat[:, ::2], lon[:, ::2], when)
    high = earth.Climate(*(np.repeat(f, 2, axis=1) for f in (low.skin, low.moisture)))
    return low, high


def _simulate_band(
    key: str,
    latlon: tuple[FloatArray, FloatArray],
    when: np.datetime64,
    smooth: earth.Climate,
    seq: np.random.SeedSequence,
) -> _BandResult:
    """Counts of the band's channels (H, V) at its footprints, and its land percentage."""
    surf = earth.surface(*latlon, when, smooth=smooth)
    channels = [ch for ch in CHANNELS.values() if ch.band == key]
    counts = {}
    for ch, child in zip(channels, seq.spawn(len(channels)), strict=True):
        rng = np.random.default_rng(child)
        counts[ch.name] = _to_counts(earth.surface_brightness(ch, surf, rng))
        _drop_pixels(counts[ch.name], rng)
    land = np.rint(surf.land * np.float32(100.0)).astype(np.uint8)
    return _BandResult(counts, land)


def _to_counts(tb: NDArray[np.float32]) -> CountArray:
    """Kelvin to uint16 counts of 0.01 K, in place on ``tb``; physical range 0–350 K."""
    low, high = earth.PHYSICAL_RANGE_K
    np.clip(tb, low + SCALE_FACTOR, high, out=tb)  # keep 0 for the deliberate zero fills
    tb *= np.float32(1.0 / SCALE_FACTOR)
    np.rint(tb, out=tb)
    return tb.astype(np.uint16, order="C")


def _drop_pixels(counts: CountArray, rng: np.random.Generator) -> None:
    """Mark a small random share of pixels missing (65535) and a few as 0."""
    flat = counts.reshape(-1)  # a view: counts are C-contiguous
    n_missing = max(1, round(MISSING_PIXEL_SHARE * flat.size))
    n_zero = max(1, round(ZERO_PIXEL_SHARE * flat.size))
    flat[rng.integers(0, flat.size, n_missing)] = FILL_COUNT
    flat[rng.integers(0, flat.size, n_zero)] = 0


def _missing_scans(nscan: int, rng: np.random.Generator) -> NDArray[np.intp]:
    """A few whole scans lost (none in granules under 10 scans)."""
    n = min(nscan // 10, 1 + nscan // SCANS_PER_MISSING_SCAN)
    return np.sort(rng.choice(nscan, size=n, replace=False)).astype(np.intp)


def _ancillary(
    geometry: GranuleGeometry, bands: dict[str, _BandResult], missing: NDArray[np.intp]
) -> dict[str, np.ndarray]:
    """Every dataset but the brightness temperatures and the sun angles, as written."""
    nscan = len(geometry.scan_time)
    datasets: dict[str, np.ndarray] = {}
    for feed in ("89A", "89B"):
        lat, lon = geometry.geolocation[feed]
        datasets[f"Latitude of Observation Point for {feed}"] = lat.astype(np.float32)
        datasets[f"Longitude of Observation Point for {feed}"] = lon.astype(np.float32)
    scan_quality = np.zeros((nscan, 512), np.uint8)
    scan_quality[missing, :4] = 255  # nonzero: the scan was lost
    incidence = round(geometry.incidence["89A"] / _SCALES["Earth Incidence"])
    return datasets | {
        "Scan Time": utc_to_tai93(geometry.scan_time),
        "Earth Incidence": np.full((nscan, geometry.earth_azimuth.shape[1]), incidence, np.int16),
        "Earth Azimuth": _scaled("Earth Azimuth", geometry.earth_azimuth),
        "Land_Ocean Flag 6 to 36": np.stack([bands[b].land_percent for b in _LAND_OCEAN_BANDS]),
        "Land_Ocean Flag 89": np.stack([bands[f].land_percent for f in ("89A", "89B")]),
        "Pixel Data Quality 6 to 36": np.zeros((nscan, 486), np.uint8),
        "Pixel Data Quality 89": np.zeros((nscan, 486), np.uint8),
        "Scan Data Quality": scan_quality,
        "Position in Orbit": geometry.orbit_angle.astype(np.float64),
        "Navigation Data": np.hstack([geometry.position_km, geometry.velocity_km_s]).astype(
            np.float32
        ),
    }


def _sun_datasets(geometry: GranuleGeometry) -> dict[str, np.ndarray]:
    lat, lon = geometry.geolocation["89A"]
    elevation, azimuth = earth.sun_angles(lat[:, ::2], lon[:, ::2], geometry.scan_time[:, None])
    return {
        "Sun Elevation": _scaled("Sun Elevation", elevation),
        "Sun Azimuth": _scaled("Sun Azimuth", azimuth),
    }


# Integer datasets stored with a SCALE FACTOR attribute, in degrees.
_SCALES = {"Earth Incidence": 0.01, "Earth Azimuth": 0.01, "Sun Elevation": 0.1,
           "Sun Azimuth": 0.1}


def _scaled(name: str, degrees: np.ndarray) -> NDArray[np.int16]:
    return np.rint(degrees / _SCALES[name]).astype(np.int16)


def _assemble(
    geometry: GranuleGeometry,
    counts: dict[str, CountArray],
    datasets: dict[str, np.ndarray],
    missing: NDArray[np.intp],
) -> SyntheticGranule:
    slot = geometry.half_orbit
    name = _granule_name(slot)
    direction = "Ascending" if slot.direction == "A" else "Descending"
    lat_a, lon_a = geometry.geolocation["89A"]
    lat_b, lon_b = geometry.geolocation["89B"]
    return SyntheticGranule(
        name=name, orbit_number=slot.orbit_number, orbit_direction=direction,
        scan_time=geometry.scan_time, lat_89a=lat_a, lon_89a=lon_a, lat_89b=lat_b, lon_89b=lon_b,
        band_geolocation={band: geometry.geolocation[band] for band in LOW_BANDS},
        counts=counts,
        a1={band: a1 for band, (a1, _) in COREGISTRATION.items()},
        a2={band: a2 for band, (_, a2) in COREGISTRATION.items()},
        attributes=_global_attributes(name, slot, direction, geometry.scan_time),
        datasets=datasets, missing_scans=missing,
    )


def _global_attributes(
    name: GranuleName, slot: HalfOrbit, direction: str, times: NDArray[np.datetime64]
) -> dict[str, str]:
    def stamp(t: np.datetime64) -> str:
        return str(np.datetime_as_string(t, unit="ms")) + "Z"

    def coregistration(index: int) -> str:
        return ",".join(f"{band}-{pair[index]:.5f}" for band, pair in COREGISTRATION.items())

    return {
        "PlatformShortName": "GCOM-W1",
        "SensorShortName": "AMSR2",
        "StartOrbitNumber": str(slot.orbit_number),
        "StopOrbitNumber": str(slot.orbit_number),
        "OrbitDirection": direction,
        "ObservationStartDateTime": stamp(times[0]),
        "ObservationEndDateTime": stamp(times[-1]),
        "SatelliteAltitude": f"{ALTITUDE_KM:.3f}",
        "CoRegistrationParameterA1": coregistration(0),
        "CoRegistrationParameterA2": coregistration(1),
        "GranuleID": name.granule_id,
        "NumberOfScans": str(len(times)),
        "OverlapScans": "0",
    }


def _write_contents(f: h5py.File, granule: SyntheticGranule) -> None:
    """Root attributes as one-element byte strings, then every dataset in name order."""
    for key, text in granule.attributes.items():
        f.attrs[key] = np.array([text.encode("ascii")])
    arrays = {CHANNELS[n].l1b_dataset: c for n, c in granule.counts.items()} | granule.datasets
    for name in sorted(arrays):
        dataset = f.create_dataset(name, data=arrays[name], track_times=False)
        for key, value in _dataset_attributes(name).items():
            dataset.attrs[key] = value


def _dataset_attributes(name: str) -> dict[str, np.ndarray]:
    if name.startswith("Brightness Temperature"):
        scale, unit = SCALE_FACTOR, b"K"
    elif name.startswith(("Latitude", "Longitude")):
        scale, unit = 1.0, b"deg"
    elif name in _SCALES:
        scale, unit = _SCALES[name], b"deg"
    else:
        return {}
    return {"SCALE FACTOR": np.array([scale], np.float32), "UNIT": np.array([unit])}

