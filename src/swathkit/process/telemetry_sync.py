"""Numba kernels that find Seasat minor frames in a bit stream (see ``swathkit.process.telemetry``).

Two searches share the frame extraction:

- :func:`track` acquires lock strictly (a sync code with at most 1 wrong bit followed by
  three more, each with at most 2, at a spacing of 1180 bits or a 147/148-byte slip,
  1176/1184), then tracks: the next sync is looked for only at the predicted position and
  4 bits either side, and accepted with up to ``tolerance`` wrong bits. When none passes,
  lock is lost, trailing frames whose sync looked doubtful (4 or more wrong bits) are taken
  back, and acquisition resumes after the last frame kept.
- :func:`strict_search`, the baseline: every position whose 24 bits are exactly the sync code.

Positions are bits from the start of ``buf``; ``buf`` has at least 4 bytes of padding after
``limit`` bits so a 32-bit read never leaves it. A frame table row is
``(bit position, sync errors, raw frame number, fill flag, header byte, flags)``.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]

SYNC = 0xF9A8ED
FRAME = 1180
SLIP = 4  # a 147- or 148-byte cadence is 4 bits short or long
NSAMP = 228
COLS = 6
COL_POS, COL_ERR, COL_NUM, COL_FILL, COL_HDR, COL_FLAGS = 0, 1, 2, 3, 4, 5
FLAG_SLIP = 1  # the spacing from the previous frame was 1176 or 1184 bits
FLAG_LOCK = 2  # the first frame after an acquisition
DOUBTFUL = 4  # sync errors from which a frame just before a loss of lock is taken back
ACQ_FIRST, ACQ_NEXT, ACQ_FRAMES = 1, 2, 4


@numba.njit(cache=True, inline="always")
def _bits(buf: U8, p: int, n: int) -> int:
    """``n`` ≤ 24 bits at bit ``p``, most significant first."""
    b = p >> 3
    word = ((np.int64(buf[b]) << 24) | (np.int64(buf[b + 1]) << 16)
            | (np.int64(buf[b + 2]) << 8) | np.int64(buf[b + 3]))
    return int((word >> (32 - (p & 7) - n)) & ((1 << n) - 1))


@numba.njit(cache=True, inline="always")
def _errors(buf: U8, p: int) -> int:
    """Wrong bits of the 24 at ``p`` against the sync code (a popcount)."""
    x = _bits(buf, p, 24) ^ SYNC
    x = x - ((x >> 1) & 0x555555)
    x = (x & 0x333333) + ((x >> 2) & 0x333333)
    x = (x + (x >> 4)) & 0x0F0F0F
    return (x & 0xFF) + ((x >> 8) & 0xFF) + ((x >> 16) & 0xFF)


@numba.njit(cache=True)
def _extract(buf: U8, p: int, err: int, flags: int, row: int,
             frames: I64, samples: U8) -> None:
    frames[row, COL_POS] = p
    frames[row, COL_ERR] = err
    frames[row, COL_FILL] = _bits(buf, p + 24, 1)
    frames[row, COL_NUM] = _bits(buf, p + 25, 7)
    frames[row, COL_HDR] = _bits(buf, p + 32, 8)
    frames[row, COL_FLAGS] = flags
    q = p + 40
    for k in range(NSAMP):
        samples[row, k] = _bits(buf, q + 5 * k, 5)


@numba.njit(cache=True)
def _acquires(buf: U8, p: int, limit: int) -> bool:
    """Whether ``ACQ_FRAMES`` sync codes start at ``p`` at frame spacing, strictly."""
    if _errors(buf, p) > ACQ_FIRST:
        return False
    q = p
    for _ in range(ACQ_FRAMES - 1):
        for d in (FRAME, FRAME - SLIP, FRAME + SLIP):
            if q + d + 24 <= limit and _errors(buf, q + d) <= ACQ_NEXT:
                q += d
                break
        else:
            return False
    return True


@numba.njit(cache=True)
def _best(buf: U8, q: int, limit: int) -> tuple[int, int]:
    """The position among q, q−4, q+4 with the fewest sync errors (ties: q), and its errors."""
    best, err = q, _errors(buf, q)
    if err <= 1:
        return best, err
    for c in (q - SLIP, q + SLIP):
        if c + FRAME <= limit:
            e = _errors(buf, c)
            if e < err:
                best, err = c, e
    return best, err


@numba.njit(cache=True)
def track(buf: U8, limit: int, start: int, locked: bool,
          tolerance: int, final: bool, frames: I64,
          samples: U8, stats: I64, n0: int) -> tuple[int, int, bool]:
    """Find frames in ``buf[:limit bits]`` from ``start``, writing rows from ``n0``.

    Returns (rows filled, resume bit, locked). Rows before ``n0`` (frames of earlier calls)
    are kept as they are.

    ``stats`` accumulates ``[acquisitions, losses of lock, frames taken back]``. Frames not
    whole before ``limit`` are left for the next call (from the resume bit) unless ``final``.
    Only ``FLAG_LOCK`` is set: slips need the previous frame, which may be in another call.
    """
    n, p, flags = n0, start, 0
    need = (ACQ_FRAMES - 1) * (FRAME + SLIP) + FRAME
    while True:
        if locked:
            if p + FRAME + SLIP > limit and not (final and p + FRAME <= limit):
                return n, p, True
            c, err = _best(buf, p, limit)
            if err <= tolerance and c + FRAME <= limit and n < frames.shape[0]:
                _extract(buf, c, err, flags, n, frames, samples)
                n, p, flags = n + 1, c + FRAME, 0
                continue
            if n >= frames.shape[0]:
                return n, p, True
            locked = False
            stats[1] += 1
            back = 0
            while n > n0 and back < 2 and frames[n - 1, COL_ERR] >= DOUBTFUL \
                    and frames[n - 1, COL_FLAGS] & FLAG_LOCK == 0:
                n, back = n - 1, back + 1
            stats[2] += back
            p = frames[n - 1, COL_POS] + 24 if n > n0 else p - FRAME + 24
            p = max(p, start)
        else:
            end = limit - need
            while p < end and not _acquires(buf, p, limit):
                p += 1
            if p >= end:
                return n, p, False
            locked, flags = True, FLAG_LOCK
            stats[0] += 1


@numba.njit(cache=True)
def strict_search(buf: U8, limit: int, frames: I64,
                  samples: U8) -> int:
    """The baseline: a frame at every exact sync code (searched at every bit); returns frames."""
    n, p = 0, 0
    while p + FRAME <= limit and n < frames.shape[0]:
        if _errors(buf, p) != 0:
            p += 1
            continue
        flags = 0
        if n == 0 or abs(p - frames[n - 1, COL_POS] - FRAME) > SLIP:
            flags = FLAG_LOCK
        elif p - frames[n - 1, COL_POS] != FRAME:
            flags = FLAG_SLIP
        _extract(buf, p, 0, flags, n, frames, samples)
        n, p = n + 1, p + 24
    return n
