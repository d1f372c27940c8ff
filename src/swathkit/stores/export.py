"""Export a swath store to plain NPZ partitions or CF NetCDF files.

The store may be local or remote (``s3://…``), and so may the destination: a
local file appears by rename from ``<name>.part``; a remote one is written to a
local temporary file and uploaded in one put (a whole object or none, as S3
gives), so a killed export never leaves half a file under the final name.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import xarray as xr

from swathkit.stores.location import StoreLocation, as_location
from swathkit.stores.schema import as_text
from swathkit.stores.swaths_dataset import open_swaths
from swathkit.types import Progress

FORMATS = ("npz", "netcdf")


def _part_name(ds: xr.Dataset, part: int, parts: int, suffix: str) -> str:
    start = np.datetime64(ds["start_time"].values[0], "s").astype(object)
    end = np.datetime64(ds["end_time"].values[-1], "s").astype(object)
    return (f"AMSR2_swaths_{start:%Y%m%d_%H%M%S}_to_{end:%Y%m%d_%H%M%S}"
            f"_part_{part}of{parts}.{suffix}")


def _npz_arrays(ds: xr.Dataset) -> dict[str, np.ndarray]:
    """Plain arrays only (counts as stored, strings as fixed-width unicode)."""
    out: dict[str, np.ndarray] = {"granule_id": as_text(ds["granule"].values)}
    for name, var in ds.variables.items():
        if name == "granule" or "granule" not in var.dims:
            continue
        values = var.values
        encoding = var.encoding
        if "scale_factor" in encoding:  # back to stored counts
            out[f"{name}_scale_factor"] = np.array(encoding["scale_factor"], np.float64)
            fill = encoding.get("_FillValue", 65535)
            values = np.where(np.isnan(values), fill,
                              np.round(values / encoding["scale_factor"])).astype(
                encoding.get("dtype", np.uint16))
        elif values.dtype.kind in "OT":
            values = as_text(values)
        out[str(name)] = values
    return out


def export(store: str | StoreLocation, out_dir: str | Path | StoreLocation, *,
           fmt: str = "npz", parts: int = 500, progress: Progress | None = None,
           ) -> list[Path]:
    """Write the store's swaths, ``parts`` per file, as NPZ or CF NetCDF.

    NPZ files hold plain arrays loadable with ``np.load(..., allow_pickle=False)``;
    NetCDF files keep the CF encoding (counts, ``scale_factor``, ``_FillValue``).
    Returns the files written (for a remote ``out_dir``, their paths in it).
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if parts < 1:
        raise ValueError("parts must be at least 1")
    ds = open_swaths(store)
    dest = as_location(out_dir)
    if not dest.is_local:  # each part uploaded as soon as written, then removed here
        with tempfile.TemporaryDirectory(prefix="swathkit-export-") as tmp:
            return _write_parts(ds, Path(tmp), fmt, parts, progress, _uploader(dest))
    return _write_parts(ds, dest.local_path, fmt, parts, progress, lambda path: path)


def _write_parts(ds: xr.Dataset, out: Path, fmt: str, parts: int, progress: Progress | None,
                 deliver: Callable[[Path], Path]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    total = max(1, -(-ds.sizes["granule"] // parts))
    written = []
    for part, lo in enumerate(range(0, ds.sizes["granule"], parts), 1):
        chunk = ds.isel(granule=slice(lo, lo + parts))
        path = out / _part_name(chunk, part, total, "npz" if fmt == "npz" else "nc")
        tmp = path.with_name(path.name + ".part")
        if fmt == "npz":  # NPZ needs whole arrays; NetCDF streams the dask chunks
            with tmp.open("wb") as f:
                np.savez_compressed(f, allow_pickle=False, **_npz_arrays(chunk.load()))
        else:
            _to_netcdf(chunk, tmp)
        tmp.replace(path)
        written.append(deliver(path))
        if progress:
            progress(part, total, path.name)
    return written


def _uploader(dest: StoreLocation) -> Callable[[Path], Path]:
    """Put a local file whole into the remote folder (one put: visible whole or not)."""
    fs, root = dest.filesystem()

    def upload(path: Path) -> Path:
        fs.put_file(os.fspath(path), f"{root.rstrip('/')}/{path.name}")
        path.unlink()
        return Path(root) / path.name

    return upload


def _to_netcdf(ds: xr.Dataset, path: Path) -> None:
    ds = ds.copy()
    for name, var in ds.variables.items():
        if var.dtype.kind in "OT":
            ds[name] = (var.dims, as_text(var.values), var.attrs)
    ds.attrs = {"Conventions": "CF-1.8", "title": "AMSR2 L1B swaths exported by swathkit",
                "source": "swathkit swath store"}
    with warnings.catch_warnings():
        # zarr records dtypes as explicit little-endian ("<u2"); netCDF4 notes that this
        # differs from its "native" kwarg although on this machine they are the same order
        warnings.filterwarnings("ignore", message="endian-ness of dtype and endian kwarg")
        ds.to_netcdf(path, engine="netcdf4", format="NETCDF4")
