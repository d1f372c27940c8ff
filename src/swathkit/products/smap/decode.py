"""CF decoding of SMAP variables: fills and valid ranges masked, attributes made plain.

Floats become NaN where they hold ``_FillValue``, where they lie outside
``valid_min..valid_max``, and, when they carry no ``_FillValue`` at all (``latitude`` and
``longitude`` of the real files), where they hold the SMAP fill -9999. Integer variables
(bit flags, indices, landcover classes) keep their stored dtype; their fill stays in
``attrs["_FillValue"]`` (``xarray.decode_cf`` would turn them into floats). J2000 seconds
(``*time_seconds*``) also give a decoded ``datetime64[ns]`` companion.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import h5py
import numpy as np

from swathkit.products.hdf5 import attr_text

__all__ = ["SMAP_FILL", "decoder", "plain_attrs", "valid_range"]

SMAP_FILL = -9999.0
_TEXT_ATTRS = ("units", "long_name", "flag_meanings")
_NUMBER_ATTRS = ("valid_min", "valid_max", "flag_masks", "flag_values", "scale_factor",
                 "add_offset")


def valid_range(attrs: h5py.AttributeManager) -> tuple[float, float]:
    """``(valid_min, valid_max)`` as floats, ``-inf``/``inf`` where absent."""
    lo = np.asarray(attrs["valid_min"]).ravel() if "valid_min" in attrs else np.array([])
    hi = np.asarray(attrs["valid_max"]).ravel() if "valid_max" in attrs else np.array([])
    return (float(lo[0]) if lo.size else -np.inf, float(hi[0]) if hi.size else np.inf)


def decoder(ds: h5py.Dataset) -> Callable[[np.ndarray], np.ndarray] | None:
    """The function that decodes the stored values of ``ds`` (None: keep them as stored)."""
    if ds.dtype.kind != "f":
        return None
    fill = float(np.asarray(ds.attrs["_FillValue"]).ravel()[0]) if "_FillValue" in ds.attrs \
        else SMAP_FILL
    lo, hi = valid_range(ds.attrs)

    def decode(values: np.ndarray) -> np.ndarray:
        out = np.array(values, dtype=values.dtype, copy=True)
        with np.errstate(invalid="ignore"):
            out[(out == fill) | (out < lo) | (out > hi)] = np.nan
        return out
    return decode


def plain_attrs(ds: h5py.Dataset) -> dict[str, Any]:
    """The attributes of ``ds`` as Python values (no ``coordinates``: the reader sets them).

    Integers keep ``_FillValue``; floats lose it (their fills are NaN once decoded).
    """
    out: dict[str, Any] = {}
    for key in _TEXT_ATTRS:
        value = attr_text(ds.attrs, key)
        if value:
            out[key] = value
    for key in _NUMBER_ATTRS:
        if key in ds.attrs:
            arr = np.asarray(ds.attrs[key])
            out[key] = arr.ravel()[0].item() if arr.size == 1 and key != "flag_masks" else arr
    if ds.dtype.kind in "iu" and "_FillValue" in ds.attrs:
        out["_FillValue"] = np.asarray(ds.attrs["_FillValue"]).ravel()[0].item()
    out["source"] = ds.name
    return out
