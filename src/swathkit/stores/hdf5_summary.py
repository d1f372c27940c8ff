"""What is inside any HDF5 / NetCDF-4 file: groups, datasets, storage, and honest statistics.

The datasets table gives each dataset's shape, dtype, chunks, compression and
attributes; with ``stats`` a second table gives fill-aware figures (fills,
``missing_value`` and values outside ``valid_min..valid_max`` excluded) and a third
the share of valid values with each bit of every flag variable set (CF
``flag_masks``). Statistics read the dataset block by block (whole HDF5 chunks along
the first axis, at most :data:`BLOCK_BYTES` at a time), so memory stays bounded
whatever the file's size.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import h5py
import numpy as np

from swathkit.process.stats import FlagStats, Validity, ValueStats
from swathkit.products.hdf5 import attr_number, attr_text, open_h5

__all__ = ["BLOCK_BYTES", "blocks", "dataset_stats", "validity"]

BLOCK_BYTES = 32 << 20  # bytes of one statistics block


def validity(ds: h5py.Dataset, *, smap: bool = False) -> Validity:
    """Fills and valid range of ``ds`` from its attributes (CF and SMAP conventions).

    ``smap``: a float without ``_FillValue`` still uses the SMAP fill -9999 (their
    ``latitude``/``longitude`` trap).
    """
    fills = [v for k in ("_FillValue", "missing_value") if (v := attr_number(ds.attrs, k))
             is not None]
    if smap and ds.dtype.kind == "f" and not fills:
        fills.append(-9999.0)
    lo, hi = attr_number(ds.attrs, "valid_min"), attr_number(ds.attrs, "valid_max")
    if "valid_range" in ds.attrs:
        pair = np.asarray(ds.attrs["valid_range"]).ravel()
        lo, hi = (float(pair[0]), float(pair[1])) if pair.size == 2 else (lo, hi)
    return Validity(tuple(fills), -math.inf if lo is None else lo, math.inf if hi is None else hi)


def blocks(ds: h5py.Dataset, budget: int = BLOCK_BYTES) -> Iterator[np.ndarray]:
    """The dataset in blocks along its first axis, whole chunks each, about ``budget`` bytes."""
    if ds.ndim == 0:
        yield np.asarray(ds[()])
        return
    row_bytes = max(1, int(np.prod(ds.shape[1:], dtype=np.int64)) * ds.dtype.itemsize)
    step = ds.chunks[0] if ds.chunks else 1
    rows = max(step, (budget // row_bytes) // step * step)
    for r0 in range(0, ds.shape[0], rows):
        yield np.asarray(ds[r0:r0 + rows])


def dataset_stats(ds: h5py.Dataset, *, smap: bool = False) -> ValueStats | FlagStats | None:
    """Statistics of one numeric dataset (None for strings and compound types)."""
    if ds.dtype.kind not in "iuf" or ds.size == 0:
        return None
    valid = validity(ds, smap=smap)
    acc: ValueStats | FlagStats
    if "flag_masks" in ds.attrs and ds.dtype.kind in "iu":
        masks = tuple(int(m) for m in np.asarray(ds.attrs["flag_masks"]).ravel())
        meanings = tuple((attr_text(ds.attrs, "flag_meanings") or "").split())
        acc = FlagStats(masks, meanings)
    else:
        acc = ValueStats(scale=attr_number(ds.attrs, "scale_factor") or 1.0,
                         offset=attr_number(ds.attrs, "add_offset") or 0.0)
    for block in blocks(ds):
        acc.add(block, valid)
    return acc


def tree_rows(f: h5py.File) -> tuple[list[list[str]], list[list[str]]]:
    """``(groups, datasets)`` rows: every group with its attributes; every dataset with
    its shape, dtype, chunks, compression and attributes."""
    groups: list[list[str]] = [["/", _attrs(f)]]
    datasets: list[list[str]] = []

    def visit(name: str, obj: object) -> None:
        if isinstance(obj, h5py.Group):
            groups.append([name, _attrs(obj)])
        elif isinstance(obj, h5py.Dataset):
            datasets.append([name, str(obj.shape), str(obj.dtype),
                             str(obj.chunks) if obj.chunks else "contiguous",
                             _compression(obj), _attrs(obj)])
    f.visititems(visit)
    return groups, datasets


def stats_rows(path: Path, *, smap: bool = False) -> tuple[list[list[str]], list[list[str]]]:
    """``(values, flag bits)`` rows of every numeric dataset of ``path``."""
    values: list[list[str]] = []
    bits: list[list[str]] = []
    with open_h5(path) as f:
        names: list[str] = []
        f.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
        for name in names:
            acc = dataset_stats(f[name], smap=smap)
            if isinstance(acc, ValueStats):
                values.append([name, *_figures(acc), _share(acc.valid_share)])
            elif isinstance(acc, FlagStats):
                values.append([name, "flags", "", "", "", _share(acc.valid_share)])
                bits += [[name, f"{mask:#x}", meaning, _share(share)]
                         for meaning, mask, share in acc.shares()]
    return values, bits


def _figures(acc: ValueStats) -> list[str]:
    if not acc.count:
        return ["", "", "", ""]
    return [f"{v:.6g}" for v in (acc.minimum, acc.maximum, acc.mean, acc.std)]


def _share(share: float) -> str:
    return "" if math.isnan(share) else f"{100 * share:.2f} %"


def _compression(ds: h5py.Dataset) -> str:
    if not ds.compression:
        return "none"
    opts = f" {ds.compression_opts}" if ds.compression_opts is not None else ""
    return f"{ds.compression}{opts}" + (" + shuffle" if ds.shuffle else "")


def _attrs(obj: h5py.HLObject) -> str:
    parts = []
    for key in obj.attrs:
        text = attr_text(obj.attrs, key) if np.asarray(obj.attrs[key]).size <= 1 else \
            str(np.asarray(obj.attrs[key]).tolist())
        parts.append(f"{key}={(text or '')[:60]}")
    return ", ".join(parts)
