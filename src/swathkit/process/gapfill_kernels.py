"""Numba kernels of the gap filling (see ``swathkit.process.gapfill`` for the definitions).

Why the results are bit-identical whatever the thread count and chunking: every filled
value is the same nested sum, in the same order, of the same inputs::

    N(t, y, x) = sum_dy gs[dy] * (sum_dx gs[dx] * (sum_dt gt[dt] * A[t+dt, y+dy, x+dx]))

(``A`` = value where valid else 0; ``D`` the same with 1 for valid), each level summed in
ascending offset order with float64 accumulators, terms outside the array left out (the
strategies that evaluate them are in ``gapfill_sums``). Work is split into tasks, one per
tile-day holding missing ocean pixels; each task writes only its own targets' sums into
its own slice of the result arrays, and the pass applies them after all sums are done,
so no task reads what another writes and the thread count cannot change a bit.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import prange

from swathkit.process.gapfill import (
    FLAG_LAND,
    FLAG_OBSERVED,
    FLAG_SPACETIME,
    FLAG_TIME,
    FLAG_UNFILLED,
)
from swathkit.process.gapfill_sums import run_task

TILE = 96  # spatial tile side (pixels): larger tiles share more, smaller ones skip more


@numba.njit(parallel=True, cache=True)
def fill_time(sic, land, max_gap, out, flag):  # pragma: no cover - compiled
    """Stage 1 into ``out``/``flag`` (preallocated): copy, mask land, interpolate in time."""
    nt, ny, nx = sic.shape
    for y in prange(ny):
        last = np.full(nx, -1, np.int64)
        prev = np.empty(nx, np.int64)
        need = np.empty(nx, np.bool_)
        for t in range(nt):
            src = sic[t, y]
            dst = out[t, y]
            fl = flag[t, y]
            for x in range(nx):  # branch-free, vectorised: copy, flags, gaps that end here
                v = src[x]
                ok = v == v
                dst[x] = v
                fl[x] = FLAG_OBSERVED if ok else FLAG_UNFILLED
                a = last[x]
                gap = t - a - 1
                need[x] = ok and a >= 0 and gap >= 1 and gap <= max_gap
                prev[x] = a
                last[x] = t if ok else a
            for x in range(nx):
                if need[x]:
                    a = prev[x]
                    va = np.float64(sic[a, y, x])
                    step = np.float64(src[x]) - va
                    span = np.float64(t - a)
                    for k in range(a + 1, t):
                        out[k, y, x] = np.float32(va + step * (np.float64(k - a) / span))
                        flag[k, y, x] = FLAG_TIME
        for x in range(nx):
            if land[y, x]:
                for t in range(nt):
                    out[t, y, x] = np.nan
                    flag[t, y, x] = FLAG_LAND


@numba.njit(parallel=True, cache=True)
def _count_targets(state, land, tile, counts):  # pragma: no cover - compiled
    nt, ny, nx = state.shape
    nty = counts.shape[1]
    for ti in prange(nt * nty):
        t, i = ti // nty, ti % nty
        for y in range(i * tile, min((i + 1) * tile, ny)):
            for x in range(nx):
                if state[t, y, x] != state[t, y, x] and not land[y, x]:
                    counts[t, i, x // tile] += 1


@numba.njit(cache=True)
def plan_tasks(state, land, tile):  # pragma: no cover - compiled
    """The (day, tile row, tile col, target count, result offset) of every tile-day with
    missing ocean pixels, in a fixed order, and the number of targets."""
    nt, ny, nx = state.shape
    counts = np.zeros((nt, (ny + tile - 1) // tile, (nx + tile - 1) // tile), np.int64)
    _count_targets(state, land, tile, counts)
    flat = counts.ravel()
    busy = np.flatnonzero(flat)
    tasks = np.empty((busy.size, 5), np.int64)
    offset = 0
    for k in range(busy.size):
        t, rest = divmod(busy[k], counts.shape[1] * counts.shape[2])
        tasks[k, 0] = t
        tasks[k, 1], tasks[k, 2] = divmod(rest, counts.shape[2])
        tasks[k, 3] = flat[busy[k]]
        tasks[k, 4] = offset
        offset += flat[busy[k]]
    return tasks, offset


@numba.njit(parallel=True, cache=True)
def spacetime_sums(state, land, tasks, ntargets, tile, gt, gs, tw, sw, strategy=0):
    # pragma: no cover - compiled
    """Weighted sums (numerator, denominator) and flat index of every target, in task order.

    ``strategy``: 0 the cheapest per tile-day, else one of ``gapfill_sums`` (tests).
    """
    res_n = np.empty(ntargets)
    res_d = np.empty(ntargets)
    res_i = np.empty(ntargets, np.int64)
    for k in prange(tasks.shape[0]):
        run_task(state, land, tasks[k], tile, gt, gs, tw, sw, strategy, res_n, res_d, res_i)
    return res_n, res_d, res_i


@numba.njit(parallel=True, cache=True)
def apply_pass(res_n, res_d, res_i, out, flag):  # pragma: no cover - compiled
    """Write the targets with a valid neighbour (den > 0) into the flat ``out``/``flag``;
    return how many."""
    filled = 0
    for k in prange(res_i.size):
        if res_d[k] > 0.0:
            out[res_i[k]] = np.float32(res_n[k] / res_d[k])
            flag[res_i[k]] = FLAG_SPACETIME
            filled += 1
    return filled
