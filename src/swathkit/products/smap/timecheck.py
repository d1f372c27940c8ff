"""SMAP times: J2000 seconds decoded to UTC, and checked against the ``tb_time_utc`` strings.

``tb_time_seconds`` counts SI seconds since 2000-01-01T12:00:00 TT, leap seconds
included (:func:`swathkit.products.timescales.j2000_to_utc`); ``tb_time_utc`` spells
the same instant (``2015-04-01T05:43:12.345Z``). A reader that forgets the leap seconds
is off by up to 5 s (since 2017): the check compares both on a bounded sample of cells
and refuses a file where they disagree by more than ``TOLERANCE_S``.
"""

from __future__ import annotations

from pathlib import Path

import dask.array as da
import h5py
import numpy as np
import xarray as xr

from swathkit.errors import FormatError
from swathkit.products.timescales import j2000_to_utc

__all__ = ["TOLERANCE_S", "check_times", "decoded_time"]

TOLERANCE_S = 0.0015  # the strings hold milliseconds
_SAMPLE = 20_000  # cells compared at most


def decoded_time(seconds: xr.DataArray) -> xr.DataArray:
    """A J2000 ``*time_seconds*`` variable (NaN where missing) as ``datetime64[ns]`` UTC."""
    data = seconds.data
    if isinstance(data, da.Array):
        times = da.map_blocks(j2000_to_utc, data, dtype="datetime64[ns]")
    else:
        times = j2000_to_utc(np.asarray(data))
    attrs = {"standard_name": "time", "long_name": seconds.attrs.get("long_name", ""),
             "source": seconds.attrs.get("source", "")}
    return xr.DataArray(times, dims=seconds.dims, attrs=attrs)


def check_times(path: Path, group: h5py.Group, suffix: str = "") -> int:
    """Compare ``tb_time_seconds`` with ``tb_time_utc`` on a sample; cells compared.

    Raises:
        FormatError: they disagree somewhere by more than :data:`TOLERANCE_S`.
    """
    seconds_name, utc_name = f"tb_time_seconds{suffix}", f"tb_time_utc{suffix}"
    if seconds_name not in group or utc_name not in group:
        return 0
    ds = group[seconds_name]
    per_row = int(np.prod(ds.shape[1:], dtype=np.int64))  # 1 for a cell list
    rows = slice(None, None, max(1, ds.shape[0] // max(1, _SAMPLE // per_row)))
    seconds = np.asarray(ds[rows], np.float64).ravel()
    texts = np.asarray(group[utc_name][rows]).ravel()
    have = (seconds > -9999.0) & (np.char.str_len(texts) > 0)
    if not have.any():
        return 0
    from_seconds = j2000_to_utc(seconds[have])
    from_text = _parse_utc(path, texts[have])
    gap = np.abs((from_seconds - from_text) / np.timedelta64(1, "ns")) / 1e9
    worst = float(np.nanmax(gap))
    if worst > TOLERANCE_S:
        raise FormatError(f"{path}: {group.name}: {seconds_name} and {utc_name} disagree by "
                          f"up to {worst:.3f} s at {int((gap > TOLERANCE_S).sum())} of "
                          f"{gap.size} cells compared (J2000 seconds must count leap seconds)")
    return int(gap.size)


def _parse_utc(path: Path, texts: np.ndarray) -> np.ndarray:
    strings = np.char.rstrip(np.char.decode(texts, "ascii", "replace"), "Z")
    try:
        return strings.astype("datetime64[ns]")
    except ValueError as exc:
        raise FormatError(f"{path}: tb_time_utc holds a value that is not an ISO time "
                          f"({exc})") from None
