"""Small, lazy access to HDF5 datasets for product readers."""

from __future__ import annotations

import contextvars
import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dask.array as da
import h5py
import numpy as np

from swathkit.errors import FormatError
from swathkit.products.formats import sniff


def check_hdf5(path: Path) -> None:
    """Raise unless ``path`` is a readable file that starts like an HDF5 file.

    Raises:
        InputError: no such file, a folder, or unreadable.
        FormatError: other first bytes (the message names the file and shows them).
    """
    if sniff(path) != "hdf5":
        with path.open("rb") as f:
            head = f.read(8)
        raise FormatError(f"{path}: not an HDF5 file (first bytes {head!r})")


def open_h5(path: Path) -> h5py.File:
    """Open an HDF5 file read-only, turning h5py's OSError into a FormatError."""
    check_hdf5(path)
    try:
        return h5py.File(path, "r")
    except OSError as exc:
        raise FormatError(f"{path}: unreadable HDF5, probably truncated ({exc})") from exc


def attr_text(attrs: h5py.AttributeManager, key: str) -> str | None:
    """A string attribute whether stored as str, bytes or a one-element array of either."""
    if key not in attrs:
        return None
    value: Any = attrs[key]
    if isinstance(value, np.ndarray):
        value = value.ravel()[0] if value.size else ""
    if isinstance(value, bytes | np.bytes_):
        return bytes(value).decode("utf-8", "replace").strip("\x00 ")
    return str(value).strip()


def attr_number(attrs: h5py.AttributeManager, key: str) -> float | None:
    value = attrs.get(key)
    if value is None:
        return None
    arr = np.asarray(value).ravel()
    return float(arr[0]) if arr.size else None


class ReadTimer:
    """Seconds spent in HDF5 reads (open, read, filters) while it is active in this thread."""

    def __init__(self) -> None:
        self.seconds = 0.0


_TIMER: contextvars.ContextVar[ReadTimer | None] = contextvars.ContextVar("h5_timer",
                                                                          default=None)


@contextmanager
def timed_reads() -> Iterator[ReadTimer]:
    """Measure the HDF5 decoding done by lazy datasets computed in this thread."""
    timer = ReadTimer()
    token = _TIMER.set(timer)
    try:
        yield timer
    finally:
        _TIMER.reset(token)


class LazyDataset:
    """Array-like view of one HDF5 dataset, read on indexing (file opened per read)."""

    def __init__(self, path: Path, name: str, shape: tuple[int, ...], dtype: np.dtype,
                 transform: Callable[[np.ndarray], np.ndarray] | None = None) -> None:
        self.path, self.name, self.shape, self.dtype = path, name, shape, dtype
        self.ndim = len(shape)
        self._transform = transform

    def __getitem__(self, key: Any) -> np.ndarray:
        t0 = time.perf_counter()
        try:
            with h5py.File(self.path, "r") as f:
                data = f[self.name][key]
        except (OSError, KeyError) as exc:
            raise FormatError(f"{self.path}: cannot read {self.name!r} ({exc})") from exc
        timer = _TIMER.get()
        if timer is not None:
            timer.seconds += time.perf_counter() - t0
        return self._transform(data) if self._transform else data


def lazy(path: Path, dataset: h5py.Dataset,
         transform: Callable[[np.ndarray], np.ndarray] | None = None,
         dtype: np.dtype | None = None) -> da.Array:
    """A one-chunk dask array reading ``dataset`` from ``path`` only when computed."""
    stat = path.stat()
    token = hashlib.sha1(
        f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}:{dataset.name}".encode(),
        usedforsecurity=False,
    ).hexdigest()
    view = LazyDataset(path, dataset.name, dataset.shape, dtype or dataset.dtype, transform)
    array: da.Array = da.from_array(
        view, chunks=dataset.shape, name=f"h5-{token}", asarray=True, lock=False,
        meta=np.empty((0,) * len(dataset.shape), view.dtype))
    return array
