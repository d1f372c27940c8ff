"""Which layers of a SMAP L3 day go into the cube, under which names, with which attributes.

AM and PM stay apart as separate day variables, ``<layer>_am`` and ``<layer>_pm``
(``soil_moisture_am``, ``soil_moisture_pm``): the cube, the gap filler and the ML
datasets all work on ``(time, y, x)`` variables, and the two overpasses see the ground
12 hours apart (different cells, different conditions), so each is a time series of
its own; an ``overpass`` dimension would need every consumer to learn a fourth axis.

Floats are stored as the reader decodes them (float32, NaN where the file has its fill
or a value outside ``valid_min..valid_max``); bit flags as stored (uint16, the file's
``_FillValue`` 65534 where there is no retrieval), with their CF ``flag_masks`` and
``flag_meanings``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from swathkit.errors import FormatError, InputError
from swathkit.products.smap.table import SmapGroup
from swathkit.stores.cube_schema import CubeVariable, float_fill_attr

__all__ = ["DEFAULT_LAYERS", "OVERPASSES", "cube_variables", "day_fields", "parse_layers",
           "variable_name"]

DEFAULT_LAYERS = ("soil_moisture", "retrieval_qual_flag")
"""The layers taken when none are named: the retrieval and its quality bits."""
OVERPASSES = ("am", "pm")
_DIRECTION = {"am": "D", "pm": "A"}
_KEPT_ATTRS = ("units", "long_name", "standard_name", "valid_min", "valid_max", "flag_masks",
               "flag_values", "flag_meanings")


def variable_name(layer: str, overpass: str) -> str:
    """The cube's day variable of a layer and an overpass: ``soil_moisture_am``."""
    return f"{layer}_{overpass}"


def parse_layers(text: str | None) -> tuple[str, ...]:
    """``"soil_moisture,retrieval_qual_flag"`` → the layers, in order, without repeats.

    Raises:
        InputError: an empty list.
    """
    if text is None:
        return DEFAULT_LAYERS
    layers = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    if not layers:
        raise InputError(f"--layers {text!r} names no layer; e.g. --layers "
                         f"{','.join(DEFAULT_LAYERS)}")
    return layers


def _check_layer(ds: xr.Dataset, layer: str, path: Path) -> xr.DataArray:
    if layer not in ds:
        usable = sorted(str(n) for n, v in ds.data_vars.items()
                        if v.dims == ("overpass", "y", "x") and v.dtype.kind in "fiu")
        raise InputError(f"{path}: no layer {layer!r} in both overpasses; usable layers: "
                         f"{', '.join(usable)}")
    var = ds[layer]
    if var.dims != ("overpass", "y", "x"):
        raise InputError(f"{path}: layer {layer!r} has dims {var.dims}, not (y, x) per "
                         "overpass; choose a 2-D layer")
    if var.dtype.kind not in "fiu":
        hint = "; take tb_time_seconds (J2000 seconds)" if var.dtype.kind == "M" else ""
        raise InputError(f"{path}: layer {layer!r} is {var.dtype}, not numbers{hint}")
    return var


def cube_variables(ds: xr.Dataset, layers: tuple[str, ...], groups: dict[str, SmapGroup],
                   path: Path) -> list[CubeVariable]:
    """The day variables of a cube of ``layers``, declared from one opened L3 day.

    Raises:
        InputError: a layer the file does not have in both overpasses, or not 2-D numbers.
    """
    out = []
    for layer in layers:
        var = _check_layer(ds, layer, path)
        for overpass in OVERPASSES:
            g = groups[overpass]
            attrs: dict[str, Any] = {k: _plain(var.attrs[k]) for k in _KEPT_ATTRS
                                     if k in var.attrs}
            attrs.update(overpass=overpass, orbit_direction=_DIRECTION[overpass],
                         source=f"/{g.name}/{layer}{g.suffix}")
            if var.dtype.kind == "f":
                out.append(CubeVariable(variable_name(layer, overpass), str(var.dtype), np.nan,
                                        {**attrs, "_FillValue": float_fill_attr(np.nan)}))
            else:
                fill = int(var.attrs.get("_FillValue", 0))
                attrs["comment"] = f"{fill}: no value (the file's fill value, kept as stored)"
                out.append(CubeVariable(variable_name(layer, overpass), str(var.dtype), fill,
                                        attrs))
    return out


def day_fields(ds: xr.Dataset, layers: tuple[str, ...], path: Path) -> dict[str, np.ndarray]:
    """The day's ``{variable: (y, x)}`` fields of ``layers``, AM and PM apart.

    Raises:
        InputError: a layer missing from this file or not 2-D numbers.
        FormatError: the overpasses are not ``am``, ``pm``.
    """
    if list(ds["overpass"].values) != list(OVERPASSES):
        raise FormatError(f"{path}: overpasses {list(ds['overpass'].values)}, not am and pm")
    fields = {}
    for layer in layers:
        values = np.asarray(_check_layer(ds, layer, path).values)
        for k, overpass in enumerate(OVERPASSES):
            fields[variable_name(layer, overpass)] = np.ascontiguousarray(values[k])
    return fields


def _plain(value: Any) -> Any:
    """An attribute value as JSON holds it (numpy scalars and arrays to Python)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value
