"""Gap filling of daily grids ``(time, y, x)``, sea ice or soil moisture: pure, no I/O.

Stage 1 interpolates linearly in time over gaps of at most ``max_gap`` days that have a
valid value on both sides (a gap touching the edge of the array is not interpolated).
Stage 2 fills each pixel still missing and not land with the weighted average of the
values valid after stage 1 within ±``time_window`` days and ±``space_window`` pixels,
weights ``exp(-(dy² + dx² + alpha·dt²) / (2·sigma²))``; it never reads a value filled in
the same pass. A pixel without any valid neighbour is left missing (``unfilled="nan"``),
set to a constant, or (``"repeat"``) stage 2 runs again on what remains, reading the
values valid after the previous pass, until a pass fills nothing or ``max_passes``.

Land pixels (when a mask is given) are NaN with flag ``FLAG_LAND`` on every day and are
never read. Observed ocean values are returned bit for bit. The output does not depend on
the thread count nor on the chunking (see ``gapfill_kernels``); a block of days filled
with ``options.halo_days()`` days of context on each side (and ``options.halo_pixels()``
pixels when cut in space) equals the same part of a fill of the whole array.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from swathkit.errors import InputError

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "FLAG_CONSTANT", "FLAG_LAND", "FLAG_MEANINGS", "FLAG_OBSERVED", "FLAG_SPACETIME",
    "FLAG_TIME", "FLAG_UNFILLED", "FillOptions", "fill_array", "fill_gaps", "filled_names",
]

FLAG_OBSERVED = 0
FLAG_TIME = 1
FLAG_SPACETIME = 2
FLAG_UNFILLED = 3
FLAG_LAND = 4
FLAG_CONSTANT = 5
FLAG_MEANINGS = ("observed", "filled_in_time", "filled_in_space_time", "unfilled", "land",
                 "set_to_constant")


@dataclass(frozen=True)
class FillOptions:
    """Parameters of the gap filling (defaults: the seed's, max_gap 5 days).

    Attributes:
        max_gap: Longest gap (days) interpolated in time.
        time_window: Stage-2 half window in days.
        space_window: Stage-2 half window in pixels.
        alpha: Weight of time against space in the Gaussian distance.
        sigma: Gaussian bandwidth (pixels).
        unfilled: What a pixel without valid neighbour becomes: ``"nan"`` (left missing),
            ``"repeat"`` (stage 2 again on what remains) or a constant (in the variable's units). A
            numeric string (``"0"``) is read as a constant.
        max_passes: Most stage-2 passes for ``"repeat"``.
    """

    max_gap: int = 5
    time_window: int = 3
    space_window: int = 10
    alpha: float = 25.0
    sigma: float = 5.0
    unfilled: str | float = "nan"
    max_passes: int = 8

    def __post_init__(self) -> None:
        """Check the options (an ``InputError`` names the bad one)."""
        if isinstance(self.unfilled, str) and self.unfilled not in ("nan", "repeat"):
            try:
                object.__setattr__(self, "unfilled", float(self.unfilled))
            except ValueError:
                raise InputError(f"unfilled must be 'nan', 'repeat' or a number, "
                                 f"not {self.unfilled!r}") from None
        if not isinstance(self.unfilled, str):
            object.__setattr__(self, "unfilled", float(self.unfilled))
            if not math.isfinite(self.unfilled):
                raise InputError("a constant for unfilled pixels must be finite")
        for name in ("max_gap", "time_window", "space_window"):
            if int(getattr(self, name)) < 0:
                raise InputError(f"{name} must be >= 0, not {getattr(self, name)}")
        if not self.sigma > 0 or not self.alpha >= 0:
            raise InputError("sigma must be > 0 and alpha >= 0")
        if self.max_passes < 1:
            raise InputError("max_passes must be >= 1")

    @property
    def passes(self) -> int:
        """Most stage-2 passes these options can run."""
        return self.max_passes if self.unfilled == "repeat" else 1

    def halo_days(self) -> int:
        """Days of context a block of days needs on each side to be filled exactly."""
        return self.max_gap + self.time_window * self.passes

    def halo_pixels(self) -> int:
        """Pixels of context a spatial block needs on each side to be filled exactly."""
        return self.space_window * self.passes

    def weights(self) -> tuple[np.ndarray, np.ndarray]:
        """The separable Gaussian factors ``g(dt)`` and ``g(dy) = g(dx)`` (float64)."""
        dt = np.arange(-self.time_window, self.time_window + 1, dtype=np.float64)
        ds = np.arange(-self.space_window, self.space_window + 1, dtype=np.float64)
        two_s2 = 2.0 * self.sigma * self.sigma
        return np.exp(-self.alpha * dt * dt / two_s2), np.exp(-ds * ds / two_s2)


def fill_array(sic: np.ndarray, *, land: np.ndarray | None = None,
               options: FillOptions = FillOptions()) -> tuple[np.ndarray, np.ndarray]:
    """Fill the gaps of a ``(time, y, x)`` stack.

    Args:
        sic: Concentrations, NaN where missing (converted to float32).
        land: ``(y, x)`` bool, True on land; None for no land.
        options: The fill parameters.

    Returns:
        ``(filled, flag)``: float32 ``(time, y, x)`` values and uint8 flags
        (``FLAG_OBSERVED`` … ``FLAG_CONSTANT``).
    """
    sic = np.ascontiguousarray(sic, dtype=np.float32)
    if sic.ndim != 3:
        raise ValueError(f"sic must be (time, y, x), got shape {sic.shape}")
    return _fill(sic, _land(land, sic.shape[1:]), options)


def _fill(sic: np.ndarray, land: np.ndarray, options: FillOptions, *, tile: int = 0,
          strategy: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``fill_array`` with the tile size and the stage-2 strategy exposed (for tests)."""
    import numba

    from swathkit.process import gapfill_kernels as k  # numba: imported when first used

    tile = tile or k.TILE
    out = np.empty_like(sic)
    flag = np.empty(sic.shape, np.uint8)
    counts = np.zeros((sic.shape[0], sic.shape[1], -(-sic.shape[2] // tile)), np.int32)
    gt, gs = options.weights()
    tw, sw = int(options.time_window), int(options.space_window)
    # rows and tasks are handed to threads one at a time (not in equal shares up front),
    # so a thread slowed by a busy machine or a costly tile does not hold the others up
    before = numba.set_parallel_chunksize(1)
    try:
        k.fill_time(sic, land, int(options.max_gap), out, flag, tile, counts)
        for npass in range(options.passes):
            if npass:
                counts[:] = 0
                k.count_targets(out, land, tile, counts)
            tasks, idx = k.plan_tasks(out, land, tile, counts)
            if idx.size == 0:
                break
            res_n, res_d = k.spacetime_sums(out, tasks, idx, gt, gs, tw, sw, strategy)
            numba.set_parallel_chunksize(0)  # one cheap iteration per target: equal shares
            filled = k.apply_pass(res_n, res_d, idx, out.reshape(-1), flag.reshape(-1))
            numba.set_parallel_chunksize(1)
            if filled == 0:
                break
    finally:
        numba.set_parallel_chunksize(before)
    if not isinstance(options.unfilled, str):
        left = flag == FLAG_UNFILLED
        out[left] = np.float32(options.unfilled)
        flag[left] = FLAG_CONSTANT
    return out, flag


def _land(land: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
    if land is None:
        return np.zeros(shape, np.bool_)
    arr = np.ascontiguousarray(land, dtype=np.bool_)
    if arr.shape != shape:
        raise ValueError(f"land mask shape {arr.shape} does not match the grid {shape}")
    return arr


def filled_names(variable: str) -> tuple[str, str]:
    """The filled values' and flags' names of ``variable``: ``sic`` keeps its historical
    ``sic_filled``/``fill_flag``; any other gives ``<variable>_filled``/``<variable>_fill_flag``."""
    if variable == "sic":
        return "sic_filled", "fill_flag"
    return f"{variable}_filled", f"{variable}_fill_flag"


def fill_gaps(ds: xr.Dataset, *, land: Any = None, options: FillOptions = FillOptions(),
              variable: str = "sic") -> xr.Dataset:
    """Add the gap-filled values and their flags of ``variable (time, y, x)`` to a dataset.

    A dask-backed variable is filled lazily chunk by chunk with ``map_overlap`` (halo
    ``options.halo_days()`` days and ``options.halo_pixels()`` pixels, no padding at the
    edges), giving exactly the in-memory result. Filled values are averages of valid
    ones, so they stay within the variable's ``valid_min..valid_max``; a constant for
    unfilled pixels must lie within it too.

    Args:
        ds: Dataset with ``variable`` (time, y, x) floats, NaN missing.
        land: ``(y, x)`` bool mask (array or DataArray), True on land; None for no land.
        options: The fill parameters.
        variable: What to fill: ``sic`` (sea-ice concentration), or any float day
            variable of a cube (``soil_moisture_am``).

    Returns:
        A copy of ``ds`` with the values (float32; ``sic_filled`` or
        ``<variable>_filled``) and the flags (uint8, CF flags; ``fill_flag`` or
        ``<variable>_fill_flag``, see :func:`filled_names`).

    Raises:
        InputError: no such variable, not floats, or a constant outside its valid range.
    """
    from swathkit.process.gapfill_dask import filled_pair

    if variable not in ds or ds[variable].dtype.kind != "f":
        floats = sorted(str(n) for n, v in ds.data_vars.items() if v.dtype.kind == "f")
        raise InputError(f"no float variable {variable!r} to fill; the dataset has "
                         f"{', '.join(floats) or 'none'}")
    source = ds[variable].transpose("time", "y", "x")
    _check_constant(options, source.attrs, variable)
    land_arr = None if land is None else np.asarray(land, dtype=np.bool_)
    values, flags = filled_pair(source.data, land_arr, options)
    attrs = {k: v for k, v in source.attrs.items() if k in (
        "units", "standard_name", "grid_mapping", "long_name", "valid_min", "valid_max")}
    attrs["fill_options"] = repr(options)
    flag_attrs = {"long_name": "gap filling flag",
                  "flag_values": np.arange(len(FLAG_MEANINGS), dtype=np.uint8),
                  "flag_meanings": " ".join(FLAG_MEANINGS)}
    if "grid_mapping" in source.attrs:
        flag_attrs["grid_mapping"] = source.attrs["grid_mapping"]
    out = ds.copy()
    filled_name, flag_name = filled_names(variable)
    out[filled_name] = (source.dims, values, attrs)
    out[flag_name] = (source.dims, flags, flag_attrs)
    return out


def _check_constant(options: FillOptions, attrs: dict[Any, Any], variable: str) -> None:
    """A constant for unfilled pixels must be a value the variable can take."""
    if isinstance(options.unfilled, str):
        return
    low, high = attrs.get("valid_min"), attrs.get("valid_max")
    if (low is not None and options.unfilled < float(low)) or (
            high is not None and options.unfilled > float(high)):
        raise InputError(f"unfilled={options.unfilled} is outside {variable}'s valid range "
                         f"{low}..{high} (its attributes valid_min/valid_max)")
