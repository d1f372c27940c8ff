"""Read a SMAP HDF5 file into an xarray Dataset on its grid, lazily.

The product comes from ``/Metadata/DatasetIdentification@shortName`` (the file name if
the file lacks it); its table row (:mod:`swathkit.products.smap.table`) gives each
group's grid and layout. The Dataset follows the swathkit convention:

- grid products and placed cell lists: dims ``y``, ``x`` (and ``landcover_rank`` for
  the (…, 3) landcover arrays), coords ``x``/``y`` (cell centres, m), ``lat``/``lon``
  (pyproj, float64) and a CF grid-mapping variable referenced by every gridded variable;
- an L3 file opened whole, or an overpass prefix, stacks AM and PM along ``overpass``
  (``am``, ``pm``) under the suffix-free names (``soil_moisture``, not ``…_pm``); a
  variable only one overpass has keeps its name plus ``_am``/``_pm``;
- swaths: dims ``scan``, ``pixel`` (the footprints of a scan), their own lat/lon
  (``tb_lat``/``tb_lon``) as coordinates;
- floats decoded (fills, out-of-range values and the fill-without-``_FillValue`` of
  lat/lon become NaN); flags and indices kept as stored with their ``_FillValue``;
- ``*time_seconds*`` (J2000, leap seconds) decoded into ``*time*`` (``datetime64[ns]``),
  cross-checked against ``tb_time_utc`` where the file has it.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import h5py
import xarray as xr

from swathkit.errors import FileNameError, FormatError, InputError
from swathkit.products.grids import Grid, grid
from swathkit.products.hdf5 import attr_text, lazy, open_h5
from swathkit.products.smap.decode import decoder, plain_attrs
from swathkit.products.smap.names import parse_smap_name
from swathkit.products.smap.placement import cell_indices, grid_coords, place
from swathkit.products.smap.table import SmapGroup, SmapProduct, smap_product
from swathkit.products.smap.timecheck import check_times, decoded_time

log = logging.getLogger(__name__)

__all__ = ["open", "open_smap", "smap_product_of_file"]

_DIRECTION = {"am": "D", "pm": "A"}
_SWATH_LATLON = (("tb_lat", "tb_lon"), ("cell_lat", "cell_lon"), ("center_lat_v", "center_lon_v"))


def open_smap(path: str | os.PathLike[str], *, group: str | None = None,
              gridded: bool = True) -> xr.Dataset:
    """Open a SMAP file (any product of the table) as a lazy Dataset.

    Args:
        path: The ``SMAP_….h5`` file.
        group: A group of the product (``Soil_Moisture_Retrieval_Data_AM``), ``am``/``pm``,
            or the prefix of an AM/PM pair (``Soil_Moisture_Retrieval_Data_Polar``);
            default: the product's first group (both overpasses of an L3 file).
        gridded: Place 1-D cell lists on their grid (``False``: keep dim ``cell``, with
            ``row``/``column`` coordinates).

    Raises:
        InputError: no such file; a group the product does not have (the message lists
            them).
        FormatError: not HDF5, truncated, not a SMAP product, or arrays whose shapes do
            not fit the product's grid.
    """
    p = Path(path)
    with open_h5(p) as f:
        product = smap_product_of_file(f, p)
        try:
            groups = _groups(product, group)
        except InputError as exc:
            raise InputError(f"{p}: {exc}") from None
        parts = [_open_group(p, f, product, g, gridded) for g in groups]
        attrs = _global_attrs(f, p, product)
    ds = parts[0] if len(parts) == 1 else _stack_overpasses(parts, groups)
    ds.attrs = {**attrs, **ds.attrs, "group": ",".join(g.name for g in groups)}
    return ds


def _stack_overpasses(parts: list[xr.Dataset], groups: list[SmapGroup]) -> xr.Dataset:
    """AM and PM along ``overpass``; a variable only one of them has keeps its own name
    with ``_am``/``_pm`` appended (so nothing in the file is dropped)."""
    shared = set.intersection(*(set(map(str, p.data_vars)) for p in parts))
    ds = xr.concat([p[sorted(shared)] for p in parts], dim="overpass", data_vars="all",
                   coords="minimal", compat="override", join="override",
                   combine_attrs="override")
    ds = ds.assign_coords(overpass=("overpass", [g.overpass for g in groups]),
                          orbit_direction=("overpass", [_DIRECTION[g.overpass]
                                                        for g in groups]))
    for part, g in zip(parts, groups, strict=True):
        for name in sorted(set(map(str, part.data_vars)) - shared):
            ds[f"{name}_{g.overpass}"] = part[name]
    return ds


def smap_product_of_file(f: h5py.File, path: Path) -> SmapProduct:
    """The product of an open SMAP file: its metadata first, then its name.

    Raises:
        FormatError: neither says a SMAP product swathkit knows.
    """
    ident = f.get("Metadata/DatasetIdentification")
    short = attr_text(ident.attrs, "shortName") if isinstance(ident, h5py.Group) else None
    if short:
        try:
            return smap_product(short)
        except InputError:
            raise FormatError(f"{path}: shortName {short!r} is not a SMAP product swathkit "
                              "knows") from None
    try:
        return parse_smap_name(path).product
    except FileNameError:
        raise FormatError(f"{path}: not a SMAP product file (no /Metadata/"
                          "DatasetIdentification@shortName, and not a SMAP file name)") from None


def _groups(product: SmapProduct, name: str | None) -> list[SmapGroup]:
    if name is None:
        first = product.groups[0]
        name = _prefix(first) if first.overpass else first.name
    pair = [g for g in product.groups if g.overpass and _prefix(g) == name.strip().strip("/")]
    return pair or [product.group(name)]


def _prefix(g: SmapGroup) -> str:
    return g.name.removesuffix("_AM").removesuffix("_PM")


def _open_group(path: Path, f: h5py.File, product: SmapProduct, g: SmapGroup,
                gridded: bool) -> xr.Dataset:
    h5 = f.get(g.name)
    if not isinstance(h5, h5py.Group):
        present = ", ".join(k for k in f if k != "Metadata") or "none"
        raise FormatError(f"{path}: group {g.name!r} of {product.short_name} is missing "
                          f"(groups in the file: {present})")
    target = grid(g.grid) if g.grid else None
    if product.layout == "cells" and target is not None:
        return _cells(path, h5, g, target, gridded)
    if product.layout == "grid" and target is not None:
        return _gridded(path, h5, g, target)
    return _swath(path, h5, g)


def _datasets(h5: h5py.Group, g: SmapGroup) -> list[tuple[str, h5py.Dataset]]:
    found = [(name.removesuffix(g.suffix) if g.suffix else name, obj)
             for name, obj in h5.items() if isinstance(obj, h5py.Dataset)]
    return sorted(found, key=lambda item: item[0])


def _gridded(path: Path, h5: h5py.Group, g: SmapGroup, target: Grid) -> xr.Dataset:
    variables: dict[str, xr.Variable] = {}
    for name, ds in _datasets(h5, g):
        if ds.shape[:2] != target.shape or ds.ndim > 3:
            raise FormatError(f"{path}: {ds.name} has shape {ds.shape}, not grid "
                              f"{target.name}'s {target.shape}")
        if ds.dtype.kind == "S":
            continue  # tb_time_utc: checked, then represented by the decoded time
        variables[name] = _variable(path, ds, _dims(ds.ndim, ("y", "x")), target)
    check_times(path, h5, g.suffix)
    return _with_time(xr.Dataset(variables, coords=grid_coords(target)))


def _cells(path: Path, h5: h5py.Group, g: SmapGroup, target: Grid,
           gridded: bool) -> xr.Dataset:
    rows, cols = cell_indices(path, h5, (g.row_index, g.column_index), target)
    variables: dict[str, xr.Variable] = {}
    for name, ds in _datasets(h5, g):
        if ds.dtype.kind == "S" or (gridded and name in (g.row_index, g.column_index)):
            continue
        attrs = plain_attrs(ds)
        if gridded:
            attrs["grid_mapping"] = target.grid_mapping_name
            data = place(path, ds, rows, cols, target, decoder(ds))
            variables[name] = xr.Variable(_dims(ds.ndim + 1, ("y", "x")), data, attrs)
        else:
            variables[name] = xr.Variable(_dims(ds.ndim, ("cell",)),
                                          lazy(path, ds, decoder(ds)), attrs)
    check_times(path, h5, g.suffix)
    if gridded:
        return _with_time(xr.Dataset(variables, coords=grid_coords(target)))
    coords = {"row": ("cell", rows), "column": ("cell", cols)}
    return _with_time(xr.Dataset(variables, coords=coords, attrs={"grid": target.name}))


def _swath(path: Path, h5: h5py.Group, g: SmapGroup) -> xr.Dataset:
    variables: dict[str, xr.Variable] = {}
    for name, ds in _datasets(h5, g):
        if ds.dtype.kind == "S" or ds.ndim > 2:
            continue
        variables[name] = xr.Variable(("scan", "pixel")[:ds.ndim],
                                      lazy(path, ds, decoder(ds)), plain_attrs(ds))
    check_times(path, h5, g.suffix)
    ds = _with_time(xr.Dataset(variables))
    for lat, lon in _SWATH_LATLON:
        if lat in ds and lon in ds and ds[lat].ndim == 2:
            return ds.set_coords([lat, lon])  # every footprint carries its own position
    return ds


def _variable(path: Path, ds: h5py.Dataset, dims: tuple[str, ...],
              target: Grid) -> xr.Variable:
    attrs = plain_attrs(ds)
    attrs["grid_mapping"] = target.grid_mapping_name
    return xr.Variable(dims, lazy(path, ds, decoder(ds)), attrs)


def _dims(ndim: int, base: tuple[str, ...]) -> tuple[str, ...]:
    extra = ndim - len(base)
    return (*base, "landcover_rank")[:ndim] if extra <= 1 else (
        *base, *(f"dim_{i}" for i in range(extra)))


def _with_time(ds: xr.Dataset) -> xr.Dataset:
    for name in [n for n in ds.data_vars if "time_seconds" in str(n)]:
        ds[str(name).replace("time_seconds", "time")] = decoded_time(ds[name])
    return ds


def _global_attrs(f: h5py.File, path: Path, product: SmapProduct) -> dict[str, object]:
    extent = f.get("Metadata/Extent")
    ident = f.get("Metadata/DatasetIdentification")
    attrs: dict[str, object] = {
        "platform": "SMAP", "sensor": "L-band radiometer" if product.archive == "nsidc"
        else "L-band radar", "product": product.short_name, "level": product.level,
        "layout": product.layout, "granule_id": path.name.removesuffix(".h5"),
    }
    if isinstance(ident, h5py.Group):
        attrs["crid"] = attr_text(ident.attrs, "CompositeReleaseID") or ""
    if isinstance(extent, h5py.Group):
        attrs["start_time"] = attr_text(extent.attrs, "rangeBeginningDateTime") or ""
        attrs["end_time"] = attr_text(extent.attrs, "rangeEndingDateTime") or ""
    try:
        name = parse_smap_name(path)
    except FileNameError:
        return attrs
    if name.direction:
        attrs["orbit_direction"] = name.direction
        attrs["orbit"] = name.orbit or 0
    attrs["counter"] = name.counter
    return attrs



open = open_smap  # the facade's ``swathkit.smap.open`` (reader.py never calls builtin open)
"""``swathkit.smap.open``: the same function as :func:`open_smap`."""
