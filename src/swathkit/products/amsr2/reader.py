"""Read an AMSR2 Level 1B file into an xarray Dataset, lazily.

Counts stay uint16 as stored, with CF ``scale_factor`` and ``_FillValue``:
``xarray.decode_cf`` gives Kelvin with NaN. The file marks missing counts with
65535 and sometimes 0; both are mapped to 65535 when read, before any scaling.
"""

from __future__ import annotations

import logging
import re
import warnings
from pathlib import Path
from typing import Any

import dask.array as da
import h5py
import numpy as np
import xarray as xr

from swathkit.errors import FormatError
from swathkit.products.amsr2 import coregistration
from swathkit.products.amsr2.channels import (
    FILL_COUNT,
    HIGH_PIXELS,
    LOW_PIXELS,
    Channel,
    bands_of,
    parse_channels,
)
from swathkit.products.amsr2.names import GranuleName, parse_name
from swathkit.products.hdf5 import attr_number, attr_text, lazy, open_h5
from swathkit.products.timescales import tai93_to_utc

log = logging.getLogger(__name__)

LATLON_FILL = -9999.0
_DIRECTIONS = {"ascending": "A", "descending": "D"}
_COREG = re.compile(r"(\d+G)-(-?[0-9.]+(?:[eE][-+]?\d+)?)")


class OrbitDirectionWarning(UserWarning):
    """The file name and the OrbitDirection attribute disagree."""


def parse_coregistration(text: str | None) -> dict[str, float]:
    """``"6G-1.5182,7G--0.12"`` → ``{"6G": 1.5182, "7G": -0.12}``."""
    if not text:
        return {}
    return {band: float(value) for band, value in _COREG.findall(text)}


def _canonical_missing(counts: np.ndarray) -> np.ndarray:
    return np.where(counts == 0, np.uint16(FILL_COUNT), counts)


def _latlon_fill_to_nan(values: np.ndarray) -> np.ndarray:
    out = values.astype(np.float32)
    out[out <= LATLON_FILL + 1] = np.nan
    return out


def _dataset(f: h5py.File, path: Path, name: str, shape: tuple[int, ...]) -> h5py.Dataset:
    if name not in f:
        raise FormatError(f"{path}: dataset {name!r} is missing")
    ds = f[name]
    if ds.shape != shape:
        raise FormatError(f"{path}: {name!r} has shape {ds.shape}, expected {shape}")
    return ds


def _orbit_direction(f: h5py.File, path: Path, name: GranuleName) -> tuple[str, str]:
    text = (attr_text(f.attrs, "OrbitDirection") or "").lower()
    from_attr = _DIRECTIONS.get(text)
    if from_attr is None:
        return name.orbit_direction, ""
    if from_attr != name.orbit_direction:
        note = (f"file name says {name.orbit_direction}, OrbitDirection says "
                f"{text.capitalize()}; using OrbitDirection")
        warnings.warn(f"{path.name}: {note}", OrbitDirectionWarning, stacklevel=3)
        return from_attr, note
    return from_attr, ""


def _global_attrs(f: h5py.File, path: Path, name: GranuleName, n_scans: int) -> dict[str, Any]:
    direction, conflict = _orbit_direction(f, path, name)
    attrs = {
        "platform": attr_text(f.attrs, "PlatformShortName") or "GCOM-W1",
        "sensor": attr_text(f.attrs, "SensorShortName") or "AMSR2",
        "product": f"AMSR2_{name.level}",
        "granule_id": name.granule_id,
        "orbit_direction": direction,
        "start_orbit_number": int(attr_number(f.attrs, "StartOrbitNumber") or -1),
        "path_number": name.path_number,
        "product_version": name.product_version,
        "algorithm_version": name.algorithm_version,
        "parameter_version": name.parameter_version,
        "n_scans": n_scans,
    }
    start, end = attr_text(f.attrs, "ObservationStartDateTime"), attr_text(
        f.attrs, "ObservationEndDateTime")
    attrs["start_time"] = start or f"{name.start:%Y-%m-%dT%H:%M:%SZ}"
    attrs["end_time"] = end or ""
    if conflict:
        attrs["orbit_direction_conflict"] = conflict
    return attrs


def _channel_var(path: Path, f: h5py.File, ch: Channel, n_scans: int, coords: bool) -> xr.Variable:
    ds = _dataset(f, path, ch.l1b_dataset, (n_scans, ch.pixels))
    scale = attr_number(ds.attrs, "SCALE FACTOR") or 0.01
    attrs = {
        "long_name": ch.l1b_dataset,
        "channel": ch.name,
        "band": ch.band,
        "standard_name": "brightness_temperature",
        "units": "K",
        "scale_factor": scale,
        "_FillValue": np.uint16(FILL_COUNT),
    }
    if coords:
        suffix = ch.band.lower()
        attrs["coordinates"] = f"lat_{suffix} lon_{suffix}"
    dims = ("scan", "pixel89" if ch.is_89 else "pixel")
    return xr.Variable(dims, lazy(path, ds, _canonical_missing), attrs)


def _band_latlon(path: Path, f: h5py.File, band: str, method: str,
                 coreg: tuple[dict[str, Any], dict[str, Any]],
                 n_scans: int) -> tuple[da.Array, da.Array]:
    feed = band[-1] if band.startswith("89") else "A"
    lat = lazy(path, _dataset(f, path, f"Latitude of Observation Point for 89{feed}",
                              (n_scans, HIGH_PIXELS)), _latlon_fill_to_nan, np.dtype("float32"))
    lon = lazy(path, _dataset(f, path, f"Longitude of Observation Point for 89{feed}",
                              (n_scans, HIGH_PIXELS)), _latlon_fill_to_nan, np.dtype("float32"))
    if band.startswith("89"):
        return lat, lon
    if method == "subsample":
        return lat[:, ::2], lon[:, ::2]
    a1, a2 = coreg[0][band], coreg[1][band]

    def both(la: np.ndarray, lo: np.ndarray) -> np.ndarray:
        return np.stack(coregistration.coregister(la, lo, a1, a2))

    # One task gives lat and lon together, so computing both runs co-registration once.
    pair = da.map_blocks(both, lat, lon, new_axis=0, chunks=((2,), (n_scans,), (LOW_PIXELS,)),
                         dtype=np.float32, meta=np.empty((0, 0, 0), np.float32))
    return pair[0], pair[1]


def _choose_method(requested: str, coreg: tuple[dict[str, Any], dict[str, Any]],
                   bands: tuple[str, ...], path: Path) -> str:
    low = [b for b in bands if not b.startswith("89")]
    have = all(b in coreg[0] and b in coreg[1] for b in low)
    if requested == "auto":
        return "coregister" if have else "subsample"
    if requested not in coregistration.METHODS:
        raise ValueError(f"geolocation must be auto, coregister or subsample, not {requested!r}")
    if requested == "coregister" and not have:
        raise FormatError(f"{path}: no CoRegistrationParameterA1/A2 for {', '.join(low)}; "
                          "use geolocation='subsample'")
    return requested


def open_l1b(path: str | Path, *, channels: str | list[str] | tuple[str, ...] = "36.5H",
             coords: bool = True, geolocation: str = "auto") -> xr.Dataset:
    """Open an AMSR2 L1B file as a lazy Dataset of the chosen channels.

    Args:
        path: The ``GW1AM2_…_L1SGBTBR_….h5`` file.
        channels: Channel names such as ``"36.5H,89.0AH"`` or a list of them.
        coords: Attach per-band ``lat_<band>``/``lon_<band>`` coordinates.
        geolocation: ``coregister`` (JAXA's method), ``subsample`` (``[:, ::2]``)
            or ``auto`` (coregister when the file has the parameters).

    Raises:
        FileNameError: the name is not an AMSR2 Level 1 name.
        FormatError: the file is not HDF5, is truncated, or lacks a dataset.
    """
    path = Path(path)
    name = parse_name(path)
    chosen = parse_channels(channels)
    with open_h5(path) as f:
        if "Scan Time" not in f:
            raise FormatError(f"{path}: dataset 'Scan Time' is missing")
        n_scans = f["Scan Time"].shape[0]
        times = tai93_to_utc(f["Scan Time"][()])
        data_vars = {ch.variable: _channel_var(path, f, ch, n_scans, coords) for ch in chosen}
        attrs = _global_attrs(f, path, name, n_scans)
        coreg = (parse_coregistration(attr_text(f.attrs, "CoRegistrationParameterA1")),
                 parse_coregistration(attr_text(f.attrs, "CoRegistrationParameterA2")))
        bands = bands_of(chosen)
        method = _choose_method(geolocation, coreg, bands, path)
        coord_vars: dict[str, xr.Variable] = {
            "scan_time": xr.Variable(("scan",), times, {"standard_name": "time"})}
        if coords:
            for band in bands:
                lat, lon = _band_latlon(path, f, band, method, coreg, n_scans)
                dims = ("scan", "pixel89" if band.startswith("89") else "pixel")
                coord_vars[f"lat_{band.lower()}"] = xr.Variable(
                    dims, lat, {"standard_name": "latitude", "units": "degrees_north"})
                coord_vars[f"lon_{band.lower()}"] = xr.Variable(
                    dims, lon, {"standard_name": "longitude", "units": "degrees_east"})
    attrs["geolocation"] = method
    attrs["coregistration_a1"] = ",".join(f"{k}:{v}" for k, v in coreg[0].items())
    attrs["coregistration_a2"] = ",".join(f"{k}:{v}" for k, v in coreg[1].items())
    return xr.Dataset(data_vars, coords=coord_vars, attrs=attrs)


def footprint_latlon(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """The 89A observation points (NaN where missing): the granule's footprint."""
    path = Path(path)
    with open_h5(path) as f:
        n_scans = f["Scan Time"].shape[0] if "Scan Time" in f else 0
        shape = (n_scans, HIGH_PIXELS)
        lat = _dataset(f, path, "Latitude of Observation Point for 89A", shape)[()]
        lon = _dataset(f, path, "Longitude of Observation Point for 89A", shape)[()]
    return _latlon_fill_to_nan(lat), _latlon_fill_to_nan(lon)
