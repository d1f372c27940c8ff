"""Numba kernels of the gap filling (see ``swathkit.process.gapfill`` for the definitions).

Why the results are bit-identical whatever the thread count and chunking: every filled
value is the same nested sum, in the same order, of the same inputs::

    N(t, y, x) = sum_dy gs[dy] * (sum_dx gs[dx] * (sum_dt gt[dt] * A[t+dt, y+dy, x+dx]))

(``A`` = value where valid else 0; ``D`` the same with 1 for valid), each level summed in
ascending offset order with float64 accumulators, terms outside the array left out. Two
evaluation strategies compute exactly these sums: a tile strategy (the Gaussian is
separable, so the inner levels are computed once per tile and shared by its targets) and
a direct per-pixel strategy for tiles holding few targets. Leaving out a term that is
zero does not change a float sum that starts at +0.0, so skipping invalid neighbours in
the direct strategy gives the same bits as multiplying them by zero in the tile
strategy. Each output pixel is written by one task, and no task reads what another writes.
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

TILE = 64  # spatial tile side (pixels)


@numba.njit(parallel=True, cache=True)
def fill_time(sic, land, max_gap, out, flag):  # pragma: no cover - compiled
    """Stage 1 into ``out``/``flag`` (preallocated): copy, mask land, interpolate in time."""
    nt, ny, nx = sic.shape
    for y in prange(ny):
        last = np.full(nx, -1, np.int64)
        for t in range(nt):
            for x in range(nx):
                v = sic[t, y, x]
                if land[y, x]:
                    out[t, y, x] = np.nan
                    flag[t, y, x] = FLAG_LAND
                    continue
                out[t, y, x] = v
                if v != v:
                    flag[t, y, x] = FLAG_UNFILLED
                    continue
                flag[t, y, x] = FLAG_OBSERVED
                a = last[x]
                gap = t - a - 1
                if a >= 0 and 1 <= gap <= max_gap:
                    va = np.float64(sic[a, y, x])
                    step = np.float64(v) - va
                    span = np.float64(t - a)
                    for k in range(a + 1, t):
                        out[k, y, x] = np.float32(va + step * (np.float64(k - a) / span))
                        flag[k, y, x] = FLAG_TIME
                last[x] = t


@numba.njit(cache=True)
def plan_tasks(state, land, tile):  # pragma: no cover - compiled
    """The (day, tile row, tile col, target count, result offset) of every tile-day with
    missing ocean pixels, in a fixed order."""
    nt, ny, nx = state.shape
    nty = (ny + tile - 1) // tile
    ntx = (nx + tile - 1) // tile
    counts = np.zeros((nt, nty, ntx), np.int64)
    for t in range(nt):
        for y in range(ny):
            for x in range(nx):
                v = state[t, y, x]
                if v != v and not land[y, x]:
                    counts[t, y // tile, x // tile] += 1
    n = 0
    for c in counts.ravel():
        if c > 0:
            n += 1
    tasks = np.empty((n, 5), np.int64)
    k = 0
    offset = 0
    for t in range(nt):
        for i in range(nty):
            for j in range(ntx):
                c = counts[t, i, j]
                if c > 0:
                    tasks[k, 0] = t
                    tasks[k, 1] = i
                    tasks[k, 2] = j
                    tasks[k, 3] = c
                    tasks[k, 4] = offset
                    offset += c
                    k += 1
    return tasks, offset


@numba.njit(cache=True)
def _direct_pixel(state, t, y, x, gt, gs, tw, sw):  # pragma: no cover - compiled
    nt, ny, nx = state.shape
    num = 0.0
    den = 0.0
    for dy in range(-sw, sw + 1):
        yy = y + dy
        if yy < 0 or yy >= ny:
            continue
        hx_n = 0.0
        hx_d = 0.0
        for dx in range(-sw, sw + 1):
            xx = x + dx
            if xx < 0 or xx >= nx:
                continue
            ht_n = 0.0
            ht_d = 0.0
            for dt in range(-tw, tw + 1):
                tt = t + dt
                if tt < 0 or tt >= nt:
                    continue
                v = state[tt, yy, xx]
                if v == v:
                    ht_n += gt[dt + tw] * np.float64(v)
                    ht_d += gt[dt + tw]
            if ht_d != 0.0:
                hx_n += gs[dx + sw] * ht_n
                hx_d += gs[dx + sw] * ht_d
        if hx_d != 0.0:
            num += gs[dy + sw] * hx_n
            den += gs[dy + sw] * hx_d
    return num, den


@numba.njit(cache=True)
def _tile_sums(state, t, y0, y1, x0, x1, gt, gs, tw, sw):  # pragma: no cover - compiled
    """Time-then-x sums over the tile's rows plus sw above/below: (hx_n, hx_d, ey0)."""
    nt, ny, nx = state.shape
    ey0 = max(y0 - sw, 0)
    ey1 = min(y1 + sw, ny)
    ex0 = max(x0 - sw, 0)
    ex1 = min(x1 + sw, nx)
    h, w = ey1 - ey0, ex1 - ex0
    ht_n = np.zeros((h, w))
    ht_d = np.zeros((h, w))
    for dt in range(-tw, tw + 1):
        tt = t + dt
        if tt < 0 or tt >= nt:
            continue
        g = gt[dt + tw]
        for i in range(h):
            row = state[tt, ey0 + i]
            for j in range(w):
                v = np.float64(row[ex0 + j])
                ok = v == v
                ht_n[i, j] += g * (v if ok else 0.0)
                ht_d[i, j] += g * (1.0 if ok else 0.0)
    tx = x1 - x0
    hx_n = np.zeros((h, tx))
    hx_d = np.zeros((h, tx))
    for dx in range(-sw, sw + 1):
        g = gs[dx + sw]
        lo = max(x0, -dx)
        hi = min(x1, nx - dx)
        for i in range(h):
            for x in range(lo, hi):
                hx_n[i, x - x0] += g * ht_n[i, x + dx - ex0]
                hx_d[i, x - x0] += g * ht_d[i, x + dx - ex0]
    return hx_n, hx_d, ey0


@numba.njit(cache=True)
def _run_task(state, land, task, tile, gt, gs, tw, sw, direct_cost, res_n, res_d):
    # pragma: no cover - compiled
    _, ny, nx = state.shape
    t, y0, x0, count, offset = task[0], task[1] * tile, task[2] * tile, task[3], task[4]
    y1 = min(y0 + tile, ny)
    x1 = min(x0 + tile, nx)
    h = min(y1 + sw, ny) - max(y0 - sw, 0)
    w = min(x1 + sw, nx) - max(x0 - sw, 0)
    tile_cost = h * w * (2 * tw + 1) + h * (x1 - x0) * (2 * sw + 1)
    k = offset
    if count * direct_cost <= tile_cost:
        for y in range(y0, y1):
            for x in range(x0, x1):
                if state[t, y, x] != state[t, y, x] and not land[y, x]:
                    res_n[k], res_d[k] = _direct_pixel(state, t, y, x, gt, gs, tw, sw)
                    k += 1
        return
    hx_n, hx_d, ey0 = _tile_sums(state, t, y0, y1, x0, x1, gt, gs, tw, sw)
    for y in range(y0, y1):
        for x in range(x0, x1):
            if state[t, y, x] != state[t, y, x] and not land[y, x]:
                num = 0.0
                den = 0.0
                for dy in range(-sw, sw + 1):
                    yy = y + dy
                    if yy < 0 or yy >= ny:
                        continue
                    num += gs[dy + sw] * hx_n[yy - ey0, x - x0]
                    den += gs[dy + sw] * hx_d[yy - ey0, x - x0]
                res_n[k] = num
                res_d[k] = den
                k += 1


@numba.njit(parallel=True, cache=True)
def spacetime_sums(state, land, tasks, ntargets, tile, gt, gs, tw, sw, strategy=0):
    # pragma: no cover - compiled
    """Weighted sums (numerator, denominator) for every target, in task order.

    ``strategy``: 0 the cheaper per tile-day, 1 always direct, 2 always tiles (tests).
    """
    res_n = np.empty(ntargets)
    res_d = np.empty(ntargets)
    direct_cost = 2 * (2 * tw + 1) * (2 * sw + 1) * (2 * sw + 1)
    if strategy == 1:
        direct_cost = 0
    elif strategy == 2:
        direct_cost = 1 << 40
    for k in prange(tasks.shape[0]):
        _run_task(state, land, tasks[k], tile, gt, gs, tw, sw, direct_cost, res_n, res_d)
    return res_n, res_d


@numba.njit(parallel=True, cache=True)
def apply_pass(state, land, tasks, tile, res_n, res_d, out, flag):  # pragma: no cover
    """Write the filled targets (den > 0) into ``out``/``flag``; return how many."""
    _, ny, nx = state.shape
    filled = np.zeros(tasks.shape[0], np.int64)
    for k in prange(tasks.shape[0]):
        t, y0, x0, off = tasks[k, 0], tasks[k, 1] * tile, tasks[k, 2] * tile, tasks[k, 4]
        i = off
        for y in range(y0, min(y0 + tile, ny)):
            for x in range(x0, min(x0 + tile, nx)):
                if state[t, y, x] != state[t, y, x] and not land[y, x]:
                    if res_d[i] > 0.0:
                        out[t, y, x] = np.float32(res_n[i] / res_d[i])
                        flag[t, y, x] = FLAG_SPACETIME
                        filled[k] += 1
                    i += 1
    return filled.sum()
