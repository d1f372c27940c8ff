"""Gap filling of numpy- or dask-backed stacks: chunks with overlap, exact at any chunking."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import numpy as np

from swathkit.process.gapfill import FillOptions, fill_array

_LOW = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)
_WORKQUEUE_LOCK = threading.Lock()


def filled_pair(data: Any, land: np.ndarray | None,
                options: FillOptions) -> tuple[Any, Any]:
    """``(values, flags)`` of a ``(time, y, x)`` array: numpy in, numpy out; dask lazily."""
    if isinstance(data, np.ndarray):
        return fill_array(data, land=land, options=options)
    import dask.array as da

    sic = data.astype(np.float32)
    if land is None:
        land = np.zeros(sic.shape[1:], np.bool_)
    land_3d = da.broadcast_to(da.from_array(land, chunks=sic.chunks[1:]), sic.shape,
                              chunks=sic.chunks)
    depth = {0: options.halo_days(), 1: options.halo_pixels(), 2: options.halo_pixels()}
    whole = {axis: -1 for axis, d in depth.items() if d >= sic.shape[axis]}
    if whole:  # the halo spans the axis: one chunk along it, nothing to overlap
        sic, land_3d = sic.rechunk(whole), land_3d.rechunk(whole)
        depth |= dict.fromkeys(whole, 0)
    packed = da.map_overlap(_packed_block, sic, land_3d, depth=depth, boundary="none",
                            dtype=np.uint64, options=options, trim=True,
                            allow_rechunk=True)
    values = packed.map_blocks(_values, dtype=np.float32)
    flags = packed.map_blocks(_flags, dtype=np.uint8)
    return values, flags


def _packed_block(sic: np.ndarray, land: np.ndarray, *, options: FillOptions) -> np.ndarray:
    # one dask task yields both outputs: the flag in the high word, float32 bits in the low
    with _kernel_guard():
        values, flags = fill_array(sic, land=land[0], options=options)
    return (flags.astype(np.uint64) << _SHIFT) | values.view(np.uint32).astype(np.uint64)


def _values(packed: np.ndarray) -> np.ndarray:
    return (packed & _LOW).astype(np.uint32).view(np.float32)


def _flags(packed: np.ndarray) -> np.ndarray:
    return (packed >> _SHIFT).astype(np.uint8)


def _kernel_guard() -> contextlib.AbstractContextManager[Any]:
    """Serialise kernel calls from dask's threads if numba runs on its workqueue layer,
    the one threading layer that cannot run parallel kernels from several threads."""
    import numba

    try:
        layer = numba.threading_layer()  # type: ignore[attr-defined]  # numba does not re-export it
    except ValueError:  # no parallel kernel has run yet: the layer is not chosen
        return _WORKQUEUE_LOCK
    return _WORKQUEUE_LOCK if layer == "workqueue" else contextlib.nullcontext()
