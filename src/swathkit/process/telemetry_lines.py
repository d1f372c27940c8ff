"""Numba kernels that turn minor frames into range lines (see ``swathkit.process.telemetry``).

Frame by frame, with two frames of look-ahead and the state of the previous call kept in
small arrays, so a stream is assembled the same whatever its chunking:

1. a frame after a new acquisition (lost lock), a 127 sentinel (two frames numbered 127)
   or the ``FILL_RUN``-th consecutive fill-flag frame closes the current segment;
2. the frame number is repaired from context (:func:`repair`, the facts' rules);
3. the frame is placed at its number in the current line; number 0, or one below the
   last, starts a new line; the same number twice is a repeated frame (the first is kept);
4. a finished line is zero-filled where frames are missing (flagged partial), its header
   fields read from frames 0–9, and it is written out, unless most of its frames carry
   the fill flag (a fill line, counted and dropped).
"""

from __future__ import annotations

import numba
import numpy as np

from swathkit.process.telemetry_sync import (
    COL_ERR,
    COL_FILL,
    COL_FLAGS,
    COL_HDR,
    COL_NUM,
    COL_POS,
    FLAG_LOCK,
    FLAG_SLIP,
    I64,
    NSAMP,
    U8,
)

LINE = 13_680
MAXNUM = 59  # the highest frame number: a line has 59 (0..58) or 60 (0..59) frames
SENTINEL = 127
HDR_FRAMES = 10
ROW = 20
FILL_RUN = 48
# state: the last three repaired numbers, the previous line's length, the current line's
# last number, segment, line in segment, fill run, clear run, previous raw number, segment
# has lines, inside a sentinel, then the line being built (first bit, frames, sync errors,
# repaired, fill frames, slips)
H1, H2, H3, PREV_LEN, LAST, SEG, LINE_NO, FILL, CLEAR, PREV_RAW, SEG_LINES, IN_SENT = range(12)
L_POS, L_FRAMES, L_ERR, L_REP, L_FILL, L_SLIPS = range(12, 18)
STATE = 18
# counters of the report
(C_REPAIRED, C_UNREPAIRED, C_REPEATS, C_SENTINELS, C_FILL_RUNS, C_FILL_LINES, C_PARTIAL,
 C_LINES, C_LOCK_CLOSES, C_SEGMENTS) = range(10)
COUNTERS = 10


def new_state() -> tuple[I64, U8, I64]:
    """(state, line buffer, header bytes of the line) before the first frame."""
    state = np.zeros(STATE, dtype=np.int64)
    state[H1:H3 + 1] = -1
    state[LAST] = -1
    state[PREV_RAW] = -1
    return state, np.zeros(LINE, dtype=np.uint8), np.zeros(HDR_FRAMES, dtype=np.int64)


@numba.njit(cache=True)
def repair(raw: int, h1: int, h2: int, h3: int, prev_len: int, nxt: int,
           nxt2: int = -1) -> int:
    """The frame number of a frame read as ``raw`` after ``h1, h2, h3``, before ``nxt, nxt2``.

    ``nxt``, ``nxt2`` (the raw numbers of the next two frames) are −1 when unknown. A jump
    in the numbers is believed when the next frames continue it. Returns ``raw`` when it
    fits or nothing better is known.
    """
    if h1 < 0:
        return raw
    if raw == h1 + 1 and raw <= MAXNUM and not (raw == MAXNUM and prev_len == MAXNUM + 1):
        return raw
    if raw == 0 and (h1 >= MAXNUM - 1 or nxt == 1):
        return raw
    if raw <= MAXNUM and (nxt == raw + 1 or (nxt == 0 and raw >= MAXNUM - 1)) \
            and (nxt2 < 0 or nxt2 == nxt + 1 or nxt2 == 0 or nxt == 0):
        return raw  # the next frames agree: frames were dropped (or this one repeated)
    if nxt == 1 and h1 >= MAXNUM - 1:
        return 0
    if nxt >= 0 and nxt - h1 == 2:
        return h1 + 1
    if h1 - h2 == 1:
        if h1 < MAXNUM - 1:
            return h1 + 1
        if h1 == MAXNUM or prev_len == MAXNUM + 1:
            return 0  # never two 60-frame lines in a row
        if nxt == 0:
            return MAXNUM
    if h1 == 0 and h2 - h3 == 1 and h2 >= MAXNUM - 2:
        return 1
    return raw


@numba.njit(cache=True)
def _header(hdr: I64, widths: I64, row: I64) -> None:
    """Fields of the 80 header bits (frames 0–9) into ``row[10:10+len(widths)]``."""
    k = 0
    for f in range(widths.shape[0]):
        v = 0
        for _ in range(widths[f]):
            v = (v << 1) | ((hdr[k >> 3] >> (7 - (k & 7))) & 1)
            k += 1
        row[10 + f] = v


@numba.njit(cache=True)
def _emit(st: I64, line: U8, hdr: I64,
          widths: I64, out_lines: U8, out_rows: I64,
          k: int, counts: I64) -> int:
    """Finish the current line (if any) into row ``k``; returns the rows written (0 or 1)."""
    if st[LAST] < 0:
        return 0
    frames = st[L_FRAMES]
    expected = MAXNUM + 1 if st[LAST] == MAXNUM else MAXNUM  # 60 or 59 frames
    st[PREV_LEN] = expected
    st[LAST] = -1
    if 2 * st[L_FILL] > frames:
        counts[C_FILL_LINES] += 1
        return 0
    row = out_rows[k]
    row[:] = 0
    row[0], row[1], row[2], row[3] = st[LINE_NO], st[SEG], st[L_POS], frames
    row[4] = 1 if frames < expected else 0
    row[5], row[6], row[7], row[8] = st[L_ERR], st[L_REP], st[L_FILL], st[L_SLIPS]
    row[9] = 1 if st[L_POS] % 8 != 0 else 0
    _header(hdr, widths, row)
    out_lines[k, :] = line
    counts[C_PARTIAL] += row[4]
    counts[C_LINES] += 1
    st[LINE_NO] += 1
    st[SEG_LINES] = 1
    return 1


@numba.njit(cache=True)
def _close(st: I64, line: U8, hdr: I64,
           widths: I64, out_lines: U8, out_rows: I64,
           k: int, counts: I64) -> int:
    """Close the segment: finish its line, number the next one; returns rows written."""
    wrote = _emit(st, line, hdr, widths, out_lines, out_rows, k, counts)
    if st[SEG_LINES]:
        st[SEG] += 1
        st[LINE_NO] = 0
        st[SEG_LINES] = 0
        counts[C_SEGMENTS] += 1
    st[H1], st[H2], st[H3], st[PREV_LEN] = -1, -1, -1, 0
    return wrote


@numba.njit(cache=True)
def _place(st: I64, line: U8, hdr: I64, fr: I64,
           smp: U8, num: int, repaired: int) -> None:
    """Put one frame (numbered ``num``) into the open line, opening one if none is."""
    if st[LAST] < 0:
        line[:] = 0
        hdr[:] = 0
        st[L_POS], st[L_FRAMES], st[L_ERR], st[L_REP], st[L_FILL], st[L_SLIPS] = \
            fr[COL_POS], 0, 0, 0, 0, 0
    line[num * NSAMP:(num + 1) * NSAMP] = smp
    if num < HDR_FRAMES:
        hdr[num] = fr[COL_HDR]
    st[LAST] = num
    st[L_FRAMES] += 1
    st[L_ERR] += fr[COL_ERR]
    st[L_REP] += repaired
    st[L_FILL] += fr[COL_FILL]
    st[L_SLIPS] += 1 if fr[COL_FLAGS] & FLAG_SLIP else 0


@numba.njit(cache=True)
def _ahead(frames: I64, j: int) -> int:
    """The raw number of frame ``j`` if it follows without a new acquisition, else −1."""
    if j >= frames.shape[0] or frames[j, COL_FLAGS] & FLAG_LOCK:
        return -1
    return int(frames[j, COL_NUM])


@numba.njit(cache=True)
def _boundary(st: I64, fr: I64, nxt: int, nxt_clear: bool,
              counts: I64) -> tuple[bool, bool]:
    """Whether this frame closes the segment (sentinel, fill run) and is skipped.

    After a fill run, a frame whose flag reads clear is data only when the next frame in
    lock is clear too: otherwise it is a fill frame whose flag took a bit error.
    """
    raw = fr[COL_NUM]
    prev_raw = st[PREV_RAW]
    st[PREV_RAW] = raw
    if raw == SENTINEL and (prev_raw == SENTINEL or nxt == SENTINEL):
        first = st[IN_SENT] == 0
        counts[C_SENTINELS] += 1 if first else 0
        st[IN_SENT] = 1
        return first, True
    st[IN_SENT] = 0
    if fr[COL_FILL]:
        st[FILL], st[CLEAR] = st[FILL] + 1, 0
    else:
        st[CLEAR] += 1
        if st[CLEAR] >= 2:  # one clear flag inside a fill run is a bit error
            st[FILL] = 0
    close = st[FILL] == FILL_RUN
    counts[C_FILL_RUNS] += 1 if close else 0
    return close, st[FILL] >= FILL_RUN and (fr[COL_FILL] == 1 or not nxt_clear)


@numba.njit(cache=True)
def assemble(frames: I64, samples: U8, final: bool,
             st: I64, line: U8, hdr: I64,
             widths: I64, out_lines: U8, out_rows: I64,
             counts: I64) -> tuple[int, int]:
    """Assemble frames into lines until ``out_lines`` is nearly full; returns (rows, frames used).

    The last two frames wait for their successors (the look-ahead) unless ``final``; with
    ``final`` the open line and segment are closed after the last frame.
    """
    n, k, i = frames.shape[0], 0, 0
    stop = n if final else n - 2
    while i < stop and k + 2 < out_lines.shape[0]:
        fr = frames[i]
        raw = fr[COL_NUM]
        nxt, nxt2 = _ahead(frames, i + 1), _ahead(frames, i + 2)
        nxt2 = nxt2 if nxt >= 0 else -1
        if fr[COL_FLAGS] & FLAG_LOCK and (st[LAST] >= 0 or st[SEG_LINES]):
            counts[C_LOCK_CLOSES] += 1
            k += _close(st, line, hdr, widths, out_lines, out_rows, k, counts)
        i += 1
        nxt_clear = nxt >= 0 and frames[i, COL_FILL] == 0
        close, skip = _boundary(st, fr, nxt, nxt_clear, counts)
        if close:
            k += _close(st, line, hdr, widths, out_lines, out_rows, k, counts)
        if skip:
            continue
        num = repair(raw, st[H1], st[H2], st[H3], st[PREV_LEN], nxt, nxt2)
        if num > MAXNUM:
            counts[C_UNREPAIRED] += 1
            continue
        repaired = 1 if num != raw else 0
        counts[C_REPAIRED] += repaired
        st[H3], st[H2], st[H1] = st[H2], st[H1], num
        if st[LAST] >= 0 and num == st[LAST]:
            counts[C_REPEATS] += 1
            continue
        if st[LAST] >= 0 and num < st[LAST]:
            k += _emit(st, line, hdr, widths, out_lines, out_rows, k, counts)
        _place(st, line, hdr, fr, samples[i - 1], num, repaired)
    if final and i == n:
        k += _close(st, line, hdr, widths, out_lines, out_rows, k, counts)
    return k, i
