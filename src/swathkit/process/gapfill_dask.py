"""Gap filling of numpy- or dask-backed stacks: chunks with overlap, exact at any chunking."""

from __future__ import annotations

from typing import Any

import numpy as np

from swathkit.process.gapfill import FillOptions, fill_array

_LOW = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)


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
    packed = da.map_overlap(_packed_block, sic, land_3d, depth=depth, boundary="none",
                            dtype=np.uint64, options=options, trim=True,
                            allow_rechunk=True)
    values = packed.map_blocks(_values, dtype=np.float32)
    flags = packed.map_blocks(_flags, dtype=np.uint8)
    return values, flags


def _packed_block(sic: np.ndarray, land: np.ndarray, *, options: FillOptions) -> np.ndarray:
    # one dask task yields both outputs: the flag in the high word, float32 bits in the low
    values, flags = fill_array(sic, land=land[0], options=options)
    return (flags.astype(np.uint64) << _SHIFT) | values.view(np.uint32).astype(np.uint64)


def _values(packed: np.ndarray) -> np.ndarray:
    return (packed & _LOW).astype(np.uint32).view(np.float32)


def _flags(packed: np.ndarray) -> np.ndarray:
    return (packed >> _SHIFT).astype(np.uint8)
