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

On a cluster (``scheduler``, :mod:`swathkit.jobs.cluster`): each missing day is read
and gridded on a worker (:func:`grid_day_outcome`, a plain function of plain
arguments), at most two days per worker in flight; the client upserts the days in
day order, so the cube has the bytes of the single-process run. The workers read the
swath store themselves: it must be where they can see it.
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
from swathkit.jobs.cluster import Executor, check_scheduler, open_executor
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


@dataclass(frozen=True)
class DayOutcome:
    """What a worker made of one day: its fields (empty: no swaths), or why it failed."""

    day: date
    fields: Fields
    swaths: int = 0
    failure: Failure | None = None
    seconds: float = 0.0


def grid_day_outcome(store: str | StoreLocation, day: date, grid: Grid, channels: str,
                     method: str) -> DayOutcome:
    """:func:`grid_one_day`, a damaged or unreadable store reported rather than raised."""
    t = time.perf_counter()
    try:
        fields, n = grid_one_day(store, day, grid, channels, method)
    except (StoreError, ValueError, OSError) as exc:  # a damaged chunk, an unreadable store
        return DayOutcome(day, {}, failure=Failure.from_error(day.isoformat(), exc))
    return DayOutcome(day, fields, n, seconds=time.perf_counter() - t)


def grid(store: PathLike, cube: PathLike, *, grid_name: str | Grid,
         channels: str = "36.5H", start: date | str, end: date | str,
         method: str = "bucket", scheduler: str | None = None,
         progress: Progress | None = None) -> GridReport:
    """Grid the store's swaths day by day into a cube of daily brightness temperatures.

    Args:
        store: Swath store (path or URL), with lat/lon (``--coords``).
        cube: Grid cube to create or extend (upserted by day).
        grid_name: A registered grid name (``ease2-n25``, ``asi-n6250`` …) or a ``Grid``.
        channels: Channels, e.g. ``"36.5H,89.0AH"``.
        start, end: First and last day (both included).
        method: ``bucket``, ``nearest`` or ``ewa``.
        scheduler: Grid the days on dask.distributed: ``local:N`` or ``tcp://host:port``
            (None: in this process). The cube's bytes are the same either way.
        progress: Called as ``progress(done, total, day)``.

    Raises:
        InputError: an unknown grid, channel, method or scheduler; a scheduler that cannot
            be reached; a store without the channels or lat/lon; a cube holding another
            grid or other variables.
    """
    t0 = time.perf_counter()
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    check_scheduler(scheduler)
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
        with open_executor(scheduler) as executor, cube_writer(
                cube, grid=target, variables=cube_variables(chosen, method),
                product=PRODUCT) as writer:
            present = set(writer.index.in_state(PRESENT)) if writer.index else set()
            extras.present = [day for day in days if day in present]
            todo = [day for day in days if day not in present]
            if progress:
                progress(len(extras.present), len(days), "")
            _add_days(executor, writer, (swaths.location, target, spec, method), todo,
                      extras, failures, progress, len(days))
    except StoreError as exc:
        if "holds" in str(exc):  # another grid or other variables: the user's choice
            raise InputError(str(exc)) from None
        raise
    return _report(str(as_location(cube)), days, extras, failures, time.perf_counter() - t0)


def _add_days(executor: Executor, writer: Any, job: tuple[StoreLocation, Grid, str, str],
              todo: list[date], extras: GridExtras, failures: list[Failure],
              progress: Progress | None, total: int) -> None:
    """Grid the missing days on the executor; upsert them here, one by one, in day order."""
    store, target, spec, method = job
    items = ((store, day, target, spec, method) for day in todo)
    for done, outcome in enumerate(executor.ordered(grid_day_outcome, items), 1):
        extras.seconds_grid += outcome.seconds
        if outcome.failure is not None:
            log.warning("%s: %s", outcome.day, outcome.failure.reason)
            failures.append(outcome.failure)
        elif not outcome.fields:
            extras.empty.append(outcome.day)
        else:
            writer.upsert_days({outcome.day: outcome.fields})
            extras.added.append(outcome.day)
            extras.swaths += outcome.swaths
        if progress:
            progress(total - len(todo) + done, total, outcome.day.isoformat())


def _report(cube: str, days: DayRange, extras: GridExtras, failures: list[Failure],
            seconds: float) -> GridReport:
    counts = {"days": len(days), "added": len(extras.added), "present": len(extras.present),
              "empty": len(extras.empty), "failed": len(failures)}
    notes = {"present": "already in the cube",
             "empty": "no swaths in the store: " + days_text(extras.empty)}
    return JobReport(job="grid", target=cube, unit="days", counts=counts, notes=notes,
                     failures=tuple(failures), seconds=seconds, extras=extras)
