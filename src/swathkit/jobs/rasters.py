"""A layer of a product file as a :class:`~swathkit.stores.raster.Raster` on its grid.

SMAP grid products and cell lists (L1C_TB, L2) are placed on their EASE-Grid 2.0 grid
by the reader (:func:`swathkit.products.smap.open_smap`); a (rows, cols, 3) array
becomes three bands. Layers are HDF5 paths (``Soil_Moisture_Retrieval_Data_AM/
soil_moisture``). Swaths need resampling onto a named grid (not done here yet: the
error says so).
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

from swathkit.errors import FormatError, InputError
from swathkit.products.grids import grid as named_grid
from swathkit.products.hdf5 import open_h5
from swathkit.products.smap.reader import open_smap, smap_product_of_file
from swathkit.stores.raster import Raster

__all__ = ["load_layer"]


def load_layer(path: Path, layer: str, *, grid: str | None = None) -> Raster:
    """The dataset ``layer`` of ``path`` as a Raster on its grid.

    Raises:
        InputError: an unknown layer (the message lists the file's layers), a layer
            without a known grid, a swath without ``--grid``.
        FormatError: not HDF5, truncated.
    """
    key = layer.strip().strip("/")
    with open_h5(path) as f:
        if not isinstance(f.get(key), h5py.Dataset):
            raise InputError(f"{path}: no layer {layer!r}; its layers: {', '.join(_layers(f))}")
        try:
            product = smap_product_of_file(f, path)
        except FormatError:
            raise InputError(f"{path}: {key} has no grid swathkit knows (not a product it "
                             "knows); pass --grid NAME if it is on a registered grid") from None
        group_name, _, var = key.rpartition("/")
        group = next((g for g in product.groups if g.name == group_name), None)
        if group is None or not group.grid:
            raise InputError(f"{path}: {key} is a swath ({product.short_name}); resample it with "
                             "--grid NAME (e.g. ease2-m36) — swath resampling is not built yet")
    if grid is not None and named_grid(grid).name != group.grid:
        raise InputError(f"{path}: {key} is on {group.grid}, not {grid}; drop --grid")
    ds = open_smap(path, group=group.name)
    if var not in ds:
        raise InputError(f"{path}: {key} is an index of the cell list, not a layer to convert")
    da = ds[var]
    values = np.asarray(da.values)
    bands = values[None] if values.ndim == 2 else np.moveaxis(values, -1, 0)
    fill = da.attrs.get("_FillValue", -9999.0 if values.dtype.kind == "f" else None)
    flags = "flag_masks" in da.attrs or values.dtype.kind in "iu"
    names = (key,) if bands.shape[0] == 1 else tuple(f"{key}[{i}]" for i in range(len(bands)))
    tags = {k: str(da.attrs[k]) for k in ("long_name", "flag_meanings", "valid_min",
                                          "valid_max") if k in da.attrs}
    tags |= {k: " ".join(str(int(c)) for c in np.atleast_1d(da.attrs[k]))
             for k in ("flag_values", "flag_masks") if k in da.attrs}
    return Raster(bands, named_grid(group.grid), fill, names, str(da.attrs.get("units", "")),
                  flags, {**tags, "source": f"{path.name}:{key}"})


def _layers(f: h5py.File) -> list[str]:
    names: list[str] = []
    f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset)
                 and not n.startswith("Metadata") else None)
    return names
