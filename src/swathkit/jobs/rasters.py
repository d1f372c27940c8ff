"""A layer of a SMAP file as a :class:`~swathkit.stores.raster.Raster` on its grid.

SMAP grid products and cell lists (L1C_TB, L2) are placed on their EASE-Grid 2.0 grid
by the reader (:func:`swathkit.products.smap.open_smap`); a (rows, cols, 3) array
becomes three bands. Swaths (L1B_TB, L1C_S0_HiRes) are resampled onto the grid the
caller names (``--grid``) from their own lat/lon by :func:`swathkit.process.gridding.
grid_swath`: ``nearest`` by default, always for flags (their values are kept as
stored). Layers are HDF5 paths (``Soil_Moisture_Retrieval_Data_AM/soil_moisture``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import h5py
import numpy as np
import xarray as xr

from swathkit.errors import FormatError, InputError
from swathkit.process.gridding import grid_swath
from swathkit.products.grids import GRIDS, Grid
from swathkit.products.grids import grid as named_grid
from swathkit.products.hdf5 import open_h5
from swathkit.products.smap.reader import open_smap, smap_product_of_file
from swathkit.stores.raster import Raster

__all__ = ["load_layer", "swath_raster"]

_TAGS = ("long_name", "flag_meanings", "valid_min", "valid_max")


def load_layer(path: Path, layer: str, *, grid: str | None = None,
               method: str = "nearest") -> Raster:
    """The dataset ``layer`` of ``path`` as a Raster on its grid (``grid`` for a swath).

    Raises:
        InputError: an unknown layer (the message lists the file's layers), a layer
            without a known grid, a swath without ``grid`` or without lat/lon.
        FormatError: not HDF5, truncated.
    """
    key = layer.strip().strip("/")
    with open_h5(path) as f:
        if not isinstance(f.get(key), h5py.Dataset):
            raise InputError(f"{path}: no layer {layer!r}; its layers: {', '.join(_layers(f))}")
        try:
            product = smap_product_of_file(f, path)
        except FormatError:
            return _on_named_grid(path, f[key], key, grid)
        group_name, _, var = key.rpartition("/")
        group = next((g for g in product.groups if g.name == group_name), None)
        if group is None:
            raise InputError(f"{path}: {key} is not in a data group of {product.short_name} "
                             f"({', '.join(g.name for g in product.groups)})")
    if not group.grid:
        if grid is None:
            raise InputError(f"{path}: {key} is a swath ({product.short_name}); name the grid "
                             f"to resample it onto with --grid NAME ({', '.join(GRIDS)})")
        da = open_smap(path, group=group.name)[var]
        return swath_raster(da, named_grid(grid), method, key, path)
    if grid is not None and named_grid(grid).name != group.grid:
        raise InputError(f"{path}: {key} is on {group.grid}, not {grid}; drop --grid")
    ds = open_smap(path, group=group.name)
    if group.suffix and var.endswith(group.suffix) and var not in ds:
        var = var.removesuffix(group.suffix)  # the reader names a PM group's layers as AM's
    if var not in ds:
        raise InputError(f"{path}: {key} is an index of the cell list, not a layer to convert")
    da = ds[var]
    values = np.asarray(da.values)
    bands = values[None] if values.ndim == 2 else np.moveaxis(values, -1, 0)
    fill = da.attrs.get("_FillValue", -9999.0 if values.dtype.kind == "f" else None)
    flags = "flag_masks" in da.attrs or values.dtype.kind in "iu"
    names = (key,) if bands.shape[0] == 1 else tuple(f"{key}[{i}]" for i in range(len(bands)))
    return Raster(bands, named_grid(group.grid), fill, names, str(da.attrs.get("units", "")),
                  flags, {**layer_tags(da.attrs), "source": f"{path.name}:{key}"})


def swath_raster(da: xr.DataArray, grid: Grid, method: str, key: str, path: Path, *,
                 hint: str = "check that the file is complete (re-download it)") -> Raster:
    """A (scan, pixel) swath variable with ``lat``/``lon`` coordinates resampled onto ``grid``.

    Floats are resampled by ``method`` (NaN where no observation, written as the
    fill); integer layers (flags) always by ``nearest``, keeping their stored values,
    the fill (or the dtype's largest value) where nothing fell.

    Raises:
        InputError: the variable has no 2-D lat/lon of its own shape (``hint``: what to do).
    """
    lat, lon = _latlon(da, key, path, hint)
    values = np.asarray(da.values)
    flags = values.dtype.kind in "iu"
    fill = int(da.attrs.get("_FillValue", np.iinfo(values.dtype).max)) if flags else 0
    known = np.where(values == fill, np.nan, values) if flags else values  # fills never win
    out = grid_swath(lat, lon, known.astype(np.float64), grid,
                     method="nearest" if flags else method)
    if flags:
        bands: np.ndarray = np.where(np.isnan(out), fill, out).astype(values.dtype)[None]
        nodata: float | int = fill
    else:
        bands, nodata = out.astype(np.float32)[None], float(da.attrs.get("_FillValue", -9999.0))
    tags = {**layer_tags(da.attrs), "source": f"{path.name}:{key}",
            "resampling": "nearest" if flags else method}
    return Raster(bands, grid, nodata, (key,), str(da.attrs.get("units", "")), flags, tags)


def _on_named_grid(path: Path, ds: h5py.Dataset, key: str, grid: str | None) -> Raster:
    """A 2-D layer of a file swathkit does not know, on the registered grid the user names."""
    fits = [name for name in GRIDS if named_grid(name).shape == ds.shape]
    if grid is None:
        offer = (f"pass --grid NAME if it is on a registered grid (of its shape "
                 f"{ds.shape}: {', '.join(fits)})" if fits else
                 f"no registered grid has its shape {ds.shape}")
        raise InputError(f"{path}: {key} has no grid swathkit knows (not a product it "
                         f"reads); {offer}")
    target = named_grid(grid)
    if ds.shape != target.shape:
        raise InputError(f"{path}: {key} has shape {ds.shape}, not {target.name}'s "
                         f"{target.shape}; " + (f"grids of its shape: {', '.join(fits)}"
                                                if fits else "no registered grid fits"))
    values = np.asarray(ds[...])
    attrs = {k: v.decode() if isinstance(v, bytes) else v for k, v in ds.attrs.items()}
    fill = attrs.get("_FillValue")
    nodata = None if fill is None else np.asarray(fill).ravel()[0].item()
    return Raster(values[None], target, nodata, (key,), str(attrs.get("units", "")),
                  values.dtype.kind in "iu", {**layer_tags(attrs), "source": f"{path.name}:{key}"})


def _latlon(da: xr.DataArray, key: str, path: Path,
            hint: str) -> tuple[np.ndarray, np.ndarray]:
    lat = next((c for c in da.coords.values() if "lat" in str(c.name) and c.shape == da.shape
                and da.ndim == 2), None)
    lon = next((c for c in da.coords.values() if "lon" in str(c.name) and c.shape == da.shape
                and da.ndim == 2), None)
    if lat is None or lon is None:
        raise InputError(f"{path}: swath {key} has no latitude/longitude of its own "
                         f"(shape {da.shape}); it cannot be placed on a grid — {hint}")
    return np.asarray(lat.values, np.float64), np.asarray(lon.values, np.float64)


def layer_tags(attrs: dict[Any, Any]) -> dict[str, str]:
    """The attributes of a layer kept as raster tags (flag lists as space-separated codes)."""
    tags = {k: str(attrs[k]) for k in _TAGS if k in attrs}
    tags |= {k: " ".join(str(int(c)) for c in np.atleast_1d(attrs[k]))
             for k in ("flag_values", "flag_masks") if k in attrs}  # read by quicklook
    return tags


def _layers(f: h5py.File) -> list[str]:
    names: list[str] = []
    f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset)
                 and not n.startswith("Metadata") else None)
    return names
