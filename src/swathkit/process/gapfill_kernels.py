"""Numba kernels of the gap filling (see ``swathkit.process.gapfill`` for the definitions).

Why the results are bit-identical whatever the thread count and chunking: every filled
value is the same nested sum, in the same order, of the same inputs. With ``A`` = value
where valid else 0 (and ``D`` built from ``V`` = 1 where valid else 0 as ``N`` from ``A``)::

    Ht[r, c] = sum_dt gt[dt] * A[t+dt, r, c]          (dt ascending)
    Hx[r, c] = sum_dx gs[dx] * Ht[r, c+dx]            (dx ascending)
    N        = sum_dy gs[dy] * Hx[y+dy, x]            (dy ascending)

(the Gaussian is separable: ``gt[dt]·gs[dy]·gs[dx]``), terms outside the array left out,
float64 throughout; a term left out or multiplied by zero changes no bit of a sum that
starts at +0.0. Work is split into tasks, one per tile-day holding missing ocean pixels;
each task writes only its own targets' sums into its own slice of the result arrays, and
the pass applies them after all sums are done, so no task reads what another writes.

A task evaluates the sums with one of three strategies. They differ only in which ``Ht``
and ``Hx`` entries they compute and share, never in how an entry is computed, so they
give the same bits:

1. ``direct``: ``Ht`` on the target's own window, then its ``Hx`` column and ``N``;
2. ``shared``: ``Ht`` once on the targets' bounding box plus the window margin, then per
   target its ``Hx`` column and ``N``;
3. ``full``: ``Ht`` and ``Hx`` over the whole box, then ``N`` per target.

The cheapest for the task's number and spread of targets is picked.

Everything numba compiles lives in this one module: numba's cache does not notice when a
function called from another module changes.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np
import numpy.typing as npt
from numba import prange

from swathkit.process.gapfill import (
    FLAG_LAND,
    FLAG_OBSERVED,
    FLAG_SPACETIME,
    FLAG_TIME,
    FLAG_UNFILLED,
)

Array = npt.NDArray[Any]
"""numba compiles each kernel for the dtypes it is called with."""
TILE = 96  # spatial tile side (pixels): larger tiles share more, smaller ones skip more


@numba.njit(parallel=True, cache=True)
def fill_time(  # pragma: no cover - compiled
    sic: Array, land: Array, max_gap: int, out: Array, flag: Array, tile: int, counts: Array
) -> None:
    """Stage 1 into ``out``/``flag`` (preallocated): copy, mask land, interpolate in time;
    count the pixels left missing per day, row and tile column into ``counts`` (zeros)."""
    nt, ny, nx = sic.shape
    for y in prange(ny):
        last = np.full(nx, -1, np.int64)
        prev = np.empty(nx, np.int64)
        need = np.empty(nx, np.bool_)
        is_land = land[y]
        for t in range(nt):
            src = sic[t, y]
            dst = out[t, y]
            fl = flag[t, y]
            for x in range(nx):  # branch-free, vectorised: copy, flags, gaps that end here
                v = src[x]
                ok = v == v and not is_land[x]
                dst[x] = np.float32(np.nan) if is_land[x] else v
                fl[x] = FLAG_LAND if is_land[x] else (FLAG_OBSERVED if ok else FLAG_UNFILLED)
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
        for t in range(nt):  # the row is still in cache: count stage 2's targets now
            fl = flag[t, y]
            for x in range(nx):
                if fl[x] == FLAG_UNFILLED:
                    counts[t, y, x // tile] += 1


@numba.njit(parallel=True, cache=True)
def count_targets(  # pragma: no cover - compiled
    state: Array, land: Array, tile: int, counts: Array
) -> None:
    """Missing ocean pixels per day, row and tile column into ``counts`` (zeros)."""
    nt, ny, nx = state.shape
    for ty in prange(nt * ny):
        t, y = ty // ny, ty % ny
        for x in range(nx):
            if state[t, y, x] != state[t, y, x] and not land[y, x]:
                counts[t, y, x // tile] += 1


@numba.njit(parallel=True, cache=True)
def _list_targets(  # pragma: no cover - compiled
    state: Array, land: Array, tile: int, start: Array, idx: Array
) -> None:
    nt, ny, nx = state.shape
    nty = start.shape[1]
    for ti in prange(nt * nty):
        t, i = ti // nty, ti % nty
        cursor = start[t, i].copy()
        for y in range(i * tile, min((i + 1) * tile, ny)):
            for x in range(nx):
                if state[t, y, x] != state[t, y, x] and not land[y, x]:
                    idx[cursor[x // tile]] = (t * ny + y) * nx + x
                    cursor[x // tile] += 1


@numba.njit(cache=True)
def plan_tasks(  # pragma: no cover - compiled
    state: Array, land: Array, tile: int, row_counts: Array
) -> tuple[Array, Array]:
    """The targets (missing ocean pixels) grouped in tasks, one per tile-day.

    Args:
        row_counts: targets per day, row and tile column (``fill_time``, ``count_targets``).

    Returns:
        ``tasks`` (n, 5): day, tile row, tile col, target count, offset in ``idx``;
        ``idx``: flat indices of the targets, per task in row-major order of its tile.
    """
    nt, ny, _ = state.shape
    counts = np.zeros((nt, (ny + tile - 1) // tile, row_counts.shape[2]), np.int64)
    for t in range(nt):
        for y in range(ny):
            counts[t, y // tile] += row_counts[t, y]
    flat = counts.ravel()
    busy = np.flatnonzero(flat)
    tasks = np.empty((busy.size, 5), np.int64)
    start = np.zeros_like(counts)
    start_flat = start.ravel()
    offset = 0
    for k in range(busy.size):
        t, rest = divmod(busy[k], counts.shape[1] * counts.shape[2])
        tasks[k, 0] = t
        tasks[k, 1], tasks[k, 2] = divmod(rest, counts.shape[2])
        tasks[k, 3] = flat[busy[k]]
        tasks[k, 4] = offset
        start_flat[busy[k]] = offset
        offset += flat[busy[k]]
    idx = np.empty(offset, np.int64)
    _list_targets(state, land, tile, start, idx)
    return tasks, idx


# --- stage 2: one tile-day ---------------------------------------------------------

DIRECT, SHARED, FULL = 1, 2, 3


@numba.njit(cache=True)
def ht_region(  # pragma: no cover - compiled
    state: Array, t: int, ry0: int, ry1: int, rx0: int, rx1: int, gt: Array, tw: int,
    out_n: Array, out_d: Array
) -> None:
    """``Ht`` on rows ``ry0:ry1`` × cols ``rx0:rx1`` into ``out_n``/``out_d[:h, :w]``."""
    nt = state.shape[0]
    h, w = ry1 - ry0, rx1 - rx0
    out_n[:h, :w] = 0.0
    out_d[:h, :w] = 0.0
    for dt in range(-tw, tw + 1):
        tt = t + dt
        if tt < 0 or tt >= nt:
            continue
        g = gt[dt + tw]
        for i in range(h):
            row = state[tt, ry0 + i, rx0:rx1]
            acc_n = out_n[i]
            acc_d = out_d[i]
            for j in range(w):
                v = np.float64(row[j])
                ok = v == v
                acc_n[j] += g * (v if ok else 0.0)
                acc_d[j] += g * (1.0 if ok else 0.0)


@numba.njit(cache=True)
def target_from_ht(  # pragma: no cover - compiled
    ht_n: Array, ht_d: Array, oy: int, ox: int, y: int, x: int, ny: int, nx: int, gs: Array,
    sw: int, acc_n: Array, acc_d: Array
) -> tuple[float, float]:
    """``(N, D)`` of target ``(y, x)`` from ``Ht`` whose entry ``[0, 0]`` is ``(oy, ox)``."""
    lo_y = max(y - sw, 0)
    n_y = min(y + sw + 1, ny) - lo_y
    r0 = lo_y - oy
    for i in range(n_y):
        acc_n[i] = 0.0
        acc_d[i] = 0.0
    for xx in range(max(x - sw, 0), min(x + sw + 1, nx)):
        g = gs[xx - x + sw]
        c = xx - ox
        for i in range(n_y):  # each acc[i] is Hx[lo_y + i, x], summed in dx order
            acc_n[i] += g * ht_n[r0 + i, c]
            acc_d[i] += g * ht_d[r0 + i, c]
    num = 0.0
    den = 0.0
    for i in range(n_y):
        g = gs[lo_y + i - y + sw]
        num += g * acc_n[i]
        den += g * acc_d[i]
    return num, den


@numba.njit(cache=True)
def target_from_ht_t(  # pragma: no cover - compiled
    ht_tn: Array, ht_td: Array, oy: int, ox: int, y: int, x: int, ny: int, nx: int, gs: Array,
    sw: int, acc_n: Array, acc_d: Array
) -> tuple[float, float]:
    """``target_from_ht`` on ``Ht`` stored transposed (``ht_t[c - ox, r - oy]``): the same
    operations in the same order, reading contiguous columns."""
    lo_y = max(y - sw, 0)
    n_y = min(y + sw + 1, ny) - lo_y
    r0 = lo_y - oy
    for i in range(n_y):
        acc_n[i] = 0.0
        acc_d[i] = 0.0
    for xx in range(max(x - sw, 0), min(x + sw + 1, nx)):
        g = gs[xx - x + sw]
        col_n = ht_tn[xx - ox]
        col_d = ht_td[xx - ox]
        for i in range(n_y):
            acc_n[i] += g * col_n[r0 + i]
            acc_d[i] += g * col_d[r0 + i]
    num = 0.0
    den = 0.0
    for i in range(n_y):
        g = gs[lo_y + i - y + sw]
        num += g * acc_n[i]
        den += g * acc_d[i]
    return num, den


@numba.njit(cache=True)
def direct_target(  # pragma: no cover - compiled
    state: Array, t: int, y: int, x: int, gt: Array, gs: Array, tw: int, sw: int, ht_n: Array,
    ht_d: Array, acc_n: Array, acc_d: Array
) -> tuple[float, float]:
    """``(N, D)`` of one target from its own window (scratch ``ht_*``: (2sw+1)²)."""
    nt, ny, nx = state.shape
    wy0, wy1 = max(y - sw, 0), min(y + sw + 1, ny)
    wx0, wx1 = max(x - sw, 0), min(x + sw + 1, nx)
    h, w = wy1 - wy0, wx1 - wx0
    ht_n[:] = 0.0
    ht_d[:] = 0.0
    for dt in range(-tw, tw + 1):
        tt = t + dt
        if tt < 0 or tt >= nt:
            continue
        g = gt[dt + tw]
        for i in range(h):
            for j in range(w):
                v = np.float64(state[tt, wy0 + i, wx0 + j])
                ok = v == v
                ht_n[i, j] += g * (v if ok else 0.0)
                ht_d[i, j] += g * (1.0 if ok else 0.0)
    return target_from_ht(ht_n, ht_d, wy0, wx0, y, x, ny, nx, gs, sw, acc_n, acc_d)


@numba.njit(cache=True)
def hx_region(  # pragma: no cover - compiled
    ht_n: Array, ht_d: Array, h: int, ex0: int, x0: int, x1: int, nx: int, gs: Array, sw: int,
    hx_n: Array, hx_d: Array
) -> None:
    """``Hx`` on all ``h`` rows of ``Ht`` (origin col ``ex0``), cols ``x0:x1``."""
    tx = x1 - x0
    hx_n[:h, :tx] = 0.0
    hx_d[:h, :tx] = 0.0
    for dx in range(-sw, sw + 1):
        g = gs[dx + sw]
        lo = max(x0, -dx)
        hi = min(x1, nx - dx)
        if lo >= hi:
            continue
        for i in range(h):
            src_n = ht_n[i, lo + dx - ex0:hi + dx - ex0]
            src_d = ht_d[i, lo + dx - ex0:hi + dx - ex0]
            dst_n = hx_n[i, lo - x0:hi - x0]
            dst_d = hx_d[i, lo - x0:hi - x0]
            for j in range(hi - lo):
                dst_n[j] += g * src_n[j]
                dst_d[j] += g * src_d[j]


@numba.njit(cache=True)
def choose(  # pragma: no cover - compiled
    count: int, h: int, w: int, bw: int, days: int, sw: int
) -> int:
    """The cheapest strategy for ``count`` targets in a ``bw``-wide box whose ``Ht`` region
    is ``h`` × ``w``, with ``days`` days in the time window (costs in ns, measured)."""
    win2 = (2 * sw + 1) * (2 * sw + 1)
    ht = 0.35 * h * w * days
    direct = count * (win2 * (0.27 * days + 0.7) + 50.0)
    shared = ht + 1.0 * h * w + count * (1.1 * win2 + 20.0)
    full = ht + 0.35 * h * bw * (2 * sw + 1) + count * 1.5 * (2 * sw + 1)
    if direct <= shared and direct <= full:
        return DIRECT
    return SHARED if shared <= full else FULL


@numba.njit(cache=True)
def run_task(  # pragma: no cover - compiled
    state: Array, task: Array, idx: Array, gt: Array, gs: Array, tw: int, sw: int, strategy: int,
    res_n: Array, res_d: Array
) -> None:
    """Sums of the targets ``idx[offset:offset + count]`` of one tile-day into
    ``res_*[offset:offset + count]``."""
    _, ny, nx = state.shape
    t, count, off = task[0], task[3], task[4]
    by0, by1, bx0, bx1 = ny, 0, nx, 0
    for k in range(off, off + count):
        y, x = (idx[k] // nx) % ny, idx[k] % nx
        by0, by1 = min(by0, y), max(by1, y + 1)
        bx0, bx1 = min(bx0, x), max(bx1, x + 1)
    ey0, ey1 = max(by0 - sw, 0), min(by1 + sw, ny)
    ex0, ex1 = max(bx0 - sw, 0), min(bx1 + sw, nx)
    h, w = ey1 - ey0, ex1 - ex0
    if strategy == 0:
        days = min(t + tw, state.shape[0] - 1) - max(t - tw, 0) + 1
        strategy = choose(count, h, w, bx1 - bx0, days, sw)
    win = 2 * sw + 1
    acc_n = np.empty(win)
    acc_d = np.empty(win)
    if strategy == DIRECT:
        ht_n = np.empty((win, win))
        ht_d = np.empty((win, win))
    else:
        ht_n = np.empty((h, w))
        ht_d = np.empty((h, w))
        ht_region(state, t, ey0, ey1, ex0, ex1, gt, tw, ht_n, ht_d)
    if strategy == SHARED:
        ht_tn = np.ascontiguousarray(ht_n.T)
        ht_td = np.ascontiguousarray(ht_d.T)
    if strategy == FULL:
        hx_n = np.empty((h, bx1 - bx0))
        hx_d = np.empty((h, bx1 - bx0))
        hx_region(ht_n, ht_d, h, ex0, bx0, bx1, nx, gs, sw, hx_n, hx_d)
    for k in range(off, off + count):
        y, x = (idx[k] // nx) % ny, idx[k] % nx
        if strategy == DIRECT:
            res_n[k], res_d[k] = direct_target(state, t, y, x, gt, gs, tw, sw, ht_n, ht_d,
                                               acc_n, acc_d)
        elif strategy == SHARED:
            res_n[k], res_d[k] = target_from_ht_t(ht_tn, ht_td, ey0, ex0, y, x, ny, nx, gs,
                                                  sw, acc_n, acc_d)
        else:
            num = 0.0
            den = 0.0
            for yy in range(max(y - sw, 0), min(y + sw + 1, ny)):
                g = gs[yy - y + sw]
                num += g * hx_n[yy - ey0, x - bx0]
                den += g * hx_d[yy - ey0, x - bx0]
            res_n[k], res_d[k] = num, den


@numba.njit(parallel=True, cache=True)
def spacetime_sums(  # pragma: no cover - compiled
    state: Array, tasks: Array, idx: Array, gt: Array, gs: Array, tw: int, sw: int,
    strategy: int = 0
) -> tuple[Array, Array]:
    """Weighted sums (numerator, denominator) of every target of ``plan_tasks``.

    ``strategy``: 0 the cheapest per tile-day, else ``DIRECT``/``SHARED``/``FULL`` (tests).
    """
    res_n = np.empty(idx.size)
    res_d = np.empty(idx.size)
    for k in prange(tasks.shape[0]):
        run_task(state, tasks[k], idx, gt, gs, tw, sw, strategy, res_n, res_d)
    return res_n, res_d


@numba.njit(parallel=True, cache=True)
def apply_pass(  # pragma: no cover - compiled
    res_n: Array, res_d: Array, res_i: Array, out: Array, flag: Array
) -> int:
    """Write the targets with a valid neighbour (den > 0) into the flat ``out``/``flag``;
    return how many."""
    filled = 0
    for k in prange(res_i.size):
        if res_d[k] > 0.0:
            out[res_i[k]] = np.float32(res_n[k] / res_d[k])
            flag[res_i[k]] = FLAG_SPACETIME
            filled += 1
    return filled
