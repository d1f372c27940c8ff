"""The plan of a synthetic Seasat data take: which minor frames are sent, in what order.

A take of ``L`` range lines: lines of 60 or 59 frames numbered from 0 (never two 60s in a
row), the first starting at a random frame number (a partial line, as when recording
started mid-line), frames dropped or sent twice at the given rates, cadence slips (a
frame 147 or 148 bytes from the next instead of 147.5), then its end: a run of 60
fill-flag frames or a run of frames numbered 127 (the no-data sentinel), then noise
before the next take.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from swathkit.products.seasat.layout import FRAME_BITS, LINE_FRAMES, NO_DATA_FRAME

__all__ = ["END_FILL", "END_SENTINEL", "TakePlan", "plan_take"]

END_FILL, END_SENTINEL = 0, 1
SLIP_BITS = 4
FILL_FRAMES = 60


@dataclass(frozen=True)
class TakePlan:
    """One take's sent frames (index ``e``) and its source frames (index ``f``).

    Attributes:
        line_frames: Per line, its length (59 or 60).
        src_line, src_number: Per source frame, its line (in the take) and number.
        sent_src: Per sent frame, its source frame (−1: a fill or sentinel frame).
        sent_number, sent_fill: Per sent frame, the frame number and fill flag sent.
        spacing: Per sent frame, bits from its sync to the next one's (1176, 1180, 1184).
        first_sent: Per sent frame, whether it is the first copy of its source frame.
        gap_bits: Noise bits before the take's first frame.
        end: ``END_FILL`` or ``END_SENTINEL``.
    """

    line_frames: npt.NDArray[np.int64]
    src_line: npt.NDArray[np.int64]
    src_number: npt.NDArray[np.int64]
    sent_src: npt.NDArray[np.int64]
    sent_number: npt.NDArray[np.int64]
    sent_fill: npt.NDArray[np.int64]
    spacing: npt.NDArray[np.int64]
    first_sent: npt.NDArray[np.bool_]
    gap_bits: int
    end: int

    @property
    def bits(self) -> int:
        return self.gap_bits + int(self.spacing.sum())


def _line_lengths(lines: int, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    coin = rng.random(lines) < 0.5
    out = np.full(lines, LINE_FRAMES - 1, dtype=np.int64)
    previous_long = False
    for i in range(lines):  # never two 60-frame lines in a row
        long = bool(coin[i]) and not previous_long
        out[i] = LINE_FRAMES if long else LINE_FRAMES - 1
        previous_long = long
    return out


def plan_take(lines: int, *, end: int, drop_rate: float, repeat_rate: float,
              slip_rate: float, rng: np.random.Generator) -> TakePlan:
    """The frames of a take of ``lines`` lines (``lines`` ≥ 1)."""
    lengths = _line_lengths(lines, rng)
    start = int(rng.integers(0, 12))
    numbers = [np.arange(start if i == 0 else 0, n, dtype=np.int64) for i, n in enumerate(lengths)]
    src_number = np.concatenate(numbers)
    src_line = np.repeat(np.arange(lines, dtype=np.int64), [a.size for a in numbers])
    dropped = rng.random(src_number.size) < drop_rate
    repeats = (rng.random(src_number.size) < repeat_rate) & ~dropped
    kept = np.flatnonzero(~dropped)
    sent = np.repeat(kept, 1 + repeats[kept].astype(np.int64))
    first = np.ones(sent.size, dtype=bool)
    first[1:] = sent[1:] != sent[:-1]
    if end == END_FILL:
        tail_number = np.arange(FILL_FRAMES, dtype=np.int64)
    else:
        tail_number = np.full(int(rng.integers(2, 7)), NO_DATA_FRAME, dtype=np.int64)
    tail = tail_number.size
    spacing = np.full(sent.size + tail, FRAME_BITS, dtype=np.int64)
    slips = np.flatnonzero(rng.random(spacing.size - 1) < slip_rate)
    spacing[slips] += np.where(rng.random(slips.size) < 0.5, -SLIP_BITS, SLIP_BITS)
    return TakePlan(
        line_frames=lengths, src_line=src_line, src_number=src_number,
        sent_src=np.concatenate([sent, np.full(tail, -1, dtype=np.int64)]),
        sent_number=np.concatenate([src_number[sent], tail_number]),
        sent_fill=np.concatenate([np.zeros(sent.size, np.int64),
                                  np.full(tail, 1 if end == END_FILL else 0, np.int64)]),
        spacing=spacing, first_sent=np.concatenate([first, np.zeros(tail, dtype=bool)]),
        gap_bits=int(rng.integers(3000, 20000)), end=end)
