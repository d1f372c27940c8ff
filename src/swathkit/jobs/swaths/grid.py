"""``swathkit grid``: daily gridded brightness temperatures from a swath store into a grid cube.

For each day of ``start..end`` (both included) the job reads the day's swaths from
the store, grids them (:func:`swathkit.process.gridding.grid_day`) and upserts the
day into a grid cube whose day variables are, per channel and orbit direction,
``tb_<ch>_<asc|des>`` (K), ``count_<ch>_<dir>`` and ``time_<ch>_<dir>`` (mean
observation time). One day at a time: memory is one day's swaths and fields,
whatever the period.

Which day a scan belongs to: the UTC day of its own scan time. A granule crossing
midnight gives its scans before 00:00 to one day and the rest to the next, so a
daily composite holds exactly the observations made that day.

Resuming: days already in the cube are skipped (their bytes are never rewritten
unless they share a time chunk with a new day, and then rewritten identically); a
day with no swath in the store is reported as ``empty`` and not written, so a later
run after more swaths are collected adds it.

The seam for a cluster (``--scheduler``, a later step): :func:`grid_one_day` reads
and grids one day and returns its arrays; it is a plain function of picklable
arguments, so ``client.map(grid_one_day, days, ...)`` can run it on workers while
the client upserts the results in day order.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from swathkit.errors import InputError, ProductError, StoreError
from swathkit.jobs.report import JobReport, days_text
from swathkit.process.gridding import (
    DIRECTIONS,
    METHODS,
    Fields,
    Swath,
    grid_day,
    variable_names,
)
from swathkit.products.amsr2.channels import Channel, parse_channels
from swathkit.products.grids import Grid
from swathkit.products.grids import grid as registered_grid
from swathkit.stores.cube_schema import PRESENT, CubeVariable, float_fill_attr
from swathkit.stores.grid_cube_writer import cube_writer
from swathkit.stores.location import StoreLocation, as_location
from swathkit.stores.swath_store import SwathStore
from swathkit.stores.swaths_dataset import open_swaths
from swathkit.types import DayRange, Failure, Progress, as_day

log = logging.getLogger(__name__)
PathLike = str | os.PathLike[str] | StoreLocation
PRODUCT = "amsr2-l1b-daily-grid"
EPOCH = np.datetime64("1970-01-01T00:00:00", "ns")


@dataclass
class GridExtras:
    """The grid job's own details: days by outcome, and where the time went."""

    added: list[date] = field(default_factory=list)
    present: list[date] = field(default_factory=list)
    empty: list[date] = field(default_factory=list)
    swaths: int = 0
    seconds_grid: float = 0.0  # reading and gridding the added days


GridReport = JobReport[GridExtras]
"""The report of :func:`grid`; ``failures`` are days that could not be gridded."""


def channel_key(ch: Channel) -> str:
    """The channel part of the gridded variable names: ``36.5H`` → ``36_5h``."""
    return ch.variable.removeprefix("tb_")


def cube_variables(channels: tuple[Channel, ...], method: str) -> list[CubeVariable]:
    """The declared day variables of a TB cube (order of ``variable_names``), CF attributes."""
    out = []
    for ch in channels:
        key = channel_key(ch)
        for code, suffix in DIRECTIONS.items():
            passes = f"{'ascending' if code == 'A' else 'descending'} ({code}) passes"
            common: dict[str, Any] = {"channel": ch.name, "orbit_direction": code}
            nan = {"_FillValue": float_fill_attr(np.nan)}
            out.append(CubeVariable(f"tb_{key}_{suffix}", "float32", np.nan, {
                **common, **nan, "units": "K", "standard_name": "brightness_temperature",
                "long_name": f"AMSR2 {ch.name} brightness temperature, daily {method} "
                             f"composite of {passes}",
                "cell_methods": "time: mean area: mean" if method == "bucket" else "time: mean",
                "resampling": method}))
            out.append(CubeVariable(f"count_{key}_{suffix}", "int32", 0, {
                **common, "units": "1",
                "long_name": f"{ch.name} observations of {passes} whose centre is in the cell"}))
            out.append(CubeVariable(f"time_{key}_{suffix}", "float64", np.nan, {
                **common, **nan, "units": "seconds since 1970-01-01 00:00:00",
                "calendar": "proleptic_gregorian", "standard_name": "time",
                "long_name": f"mean time of the {ch.name} observations of {passes}"}))
    assert [v.name for v in out] == variable_names(channel_key(ch) for ch in channels)
    return out


def _check_store(store: SwathStore, channels: tuple[Channel, ...]) -> None:
    layout = store.layout
    missing = [ch.name for ch in channels if ch.name not in layout.channels]
    if missing:
        raise InputError(f"{store.location}: the store has no {', '.join(missing)} (it has "
                         f"{', '.join(layout.channels)}); grid those, or collect them first")
    if not layout.coords:
        raise InputError(f"{store.location}: the store keeps no latitude/longitude; collect "
                         "or ingest again with --coords to grid it")


def _seconds(times: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    """datetime64 → seconds since 1970 (NaN for NaT), exact to the microsecond."""
    t = np.asarray(times, "datetime64[ns]")
    out = (t - EPOCH).astype(np.int64).astype(np.float64) / 1e9
    out[np.isnat(t)] = np.nan
    return out


def read_day_swaths(store: str | StoreLocation, day: date,
                    channels: tuple[Channel, ...]) -> list[Swath]:
    """The day's swaths from the store: scans timed on ``day`` (UTC), one per granule and band.

    Granules come in time order (the order :func:`grid_day` sums them).
    """
    start = datetime(day.year, day.month, day.day)
    ds = open_swaths(store, start=start, end=start + timedelta(days=1))
    lo, hi = _seconds(np.array([start, start + timedelta(days=1)], "datetime64[ns]"))
    out: list[Swath] = []
    bands = dict.fromkeys(ch.band for ch in channels)
    for i in range(ds.sizes["granule"]):
        g = ds.isel(granule=i)
        seconds = _seconds(g["scan_time"].values)
        scans = np.flatnonzero((seconds >= lo) & (seconds < hi))
        if scans.size == 0:
            continue
        rows = slice(int(scans[0]), int(scans[-1]) + 1)  # scan times increase along a swath
        direction = str(g["orbit_direction"].values)
        for band in bands:
            mine = [ch for ch in channels if ch.band == band]
            b = band.lower()
            part = g[[f"lat_{b}", f"lon_{b}", *(ch.variable for ch in mine)]].isel(
                scan=rows).load()
            out.append(Swath(part[f"lat_{b}"].values, part[f"lon_{b}"].values,
                             {channel_key(ch): part[ch.variable].values for ch in mine},
                             seconds[rows], direction, label=str(g["granule"].values)))
    return out


def grid_one_day(store: str | StoreLocation, day: date, grid: Grid, channels: str,
                 method: str = "bucket") -> tuple[Fields, int]:
    """Read and grid one day (the unit a cluster maps over); also the number of swaths."""
    chosen = parse_channels(channels)
    swaths = read_day_swaths(store, day, chosen)
    if not swaths:
        return {}, 0
    fields = grid_day(swaths, grid, channels=[channel_key(ch) for ch in chosen], method=method)
    return fields, len(swaths)


def grid(store: PathLike, cube: PathLike, *, grid_name: str | Grid,
         channels: str = "36.5H", start: date | str, end: date | str,
         method: str = "bucket", progress: Progress | None = None) -> GridReport:
    """Grid the store's swaths day by day into a cube of daily brightness temperatures.

    Args:
        store: Swath store (path or URL), with lat/lon (``--coords``).
        cube: Grid cube to create or extend (upserted by day).
        grid_name: A registered grid name (``ease2-n25``, ``asi-n6250`` …) or a ``Grid``.
        channels: Channels, e.g. ``"36.5H,89.0AH"``.
        start, end: First and last day (both included).
        method: ``bucket``, ``nearest`` or ``ewa``.
        progress: Called as ``progress(done, total, day)``.

    Raises:
        InputError: an unknown grid, channel or method; a store without the channels or
            lat/lon; a cube holding another grid or other variables.
    """
    t0 = time.perf_counter()
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    target = registered_grid(grid_name)
    try:
        chosen = parse_channels(channels)
    except ProductError as exc:
        raise InputError(f"--channels {channels!r}: {exc}") from None
    days = DayRange(as_day(start), as_day(end))
    swaths = SwathStore.open(as_location(store))
    _check_store(swaths, chosen)
    extras = GridExtras()
    failures: list[Failure] = []
    spec = ",".join(ch.name for ch in chosen)
    try:
        with cube_writer(cube, grid=target, variables=cube_variables(chosen, method),
                         product=PRODUCT) as writer:
            present = set(writer.index.in_state(PRESENT)) if writer.index else set()
            for done, day in enumerate(days, 1):
                if day in present:
                    extras.present.append(day)
                else:
                    _one_day(writer, swaths.location, day, target, spec, method, extras,
                             failures)
                if progress:
                    progress(done, len(days), day.isoformat())
    except StoreError as exc:
        if "holds" in str(exc):  # another grid or other variables: the user's choice
            raise InputError(str(exc)) from None
        raise
    return _report(str(as_location(cube)), days, extras, failures, time.perf_counter() - t0)


def _one_day(writer: Any, store: StoreLocation, day: date, target: Grid, spec: str,
             method: str, extras: GridExtras, failures: list[Failure]) -> None:
    t = time.perf_counter()
    try:
        fields, n = grid_one_day(store, day, target, spec, method)
    except (StoreError, ValueError, OSError) as exc:  # a damaged chunk, an unreadable store
        log.warning("%s: %s", day, exc)
        failures.append(Failure.from_error(day.isoformat(), exc))
        return
    extras.seconds_grid += time.perf_counter() - t
    if not fields:
        extras.empty.append(day)
        return
    writer.upsert_days({day: fields})
    extras.added.append(day)
    extras.swaths += n


def _report(cube: str, days: DayRange, extras: GridExtras, failures: list[Failure],
            seconds: float) -> GridReport:
    counts = {"days": len(days), "added": len(extras.added), "present": len(extras.present),
              "empty": len(extras.empty), "failed": len(failures)}
    notes = {"present": "already in the cube",
             "empty": "no swaths in the store: " + days_text(extras.empty)}
    return JobReport(job="grid", target=cube, unit="days", counts=counts, notes=notes,
                     failures=tuple(failures), seconds=seconds, extras=extras)
