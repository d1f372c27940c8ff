"""Synthetic Seasat ``.hdr`` tables: the true header fields of a take and its corruptions.

The true MSEC of line ``i`` is ``floor(t0 + (i + lost_i)·s)`` with ``s`` the slope
(1/PRF = 0.607164541590771 ms per line, or 0.486 for the takes that truly ran at that
rate) and ``lost_i`` the lines lost before line ``i`` (a discontinuity, which is true
and must be kept). The observed table adds what ASF found in the decoded telemetry,
each on its own lines so the truth of every line is one :class:`Corruption`: MSEC
single-bit flips, one-line glitches, bursts of large random values, a sticking clock
(stair steps), bad times at the start of the take, and wrong values in the fields
that should be constant. Whole takes can also be constant (2²⁴ or 2²⁷−1) or random.
Deterministic: the same arguments give the same table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum

import numpy as np
import numpy.typing as npt

from swathkit.products.seasat.hdr import CONSTANT_FIELDS, HDR_COLUMNS, column
from swathkit.products.seasat.layout import FRAME_BITS, MS_PER_LINE, STATIONS

__all__ = ["CONSTANT_FIELDS", "MIN_TAKE_LINES", "Corruption", "SyntheticTake", "TakeKind",
           "header_fields", "synthetic_take"]

_MSEC = column("msec")


class Corruption(IntEnum):
    """The truth of one line's MSEC."""

    NONE = 0
    BIT_FLIP = 1  # one bit of MSEC flipped
    GLITCH = 2  # one line's MSEC wrong (more than one bit)
    RANDOM = 3  # a burst of large random MSEC values
    STAIR = 4  # the clock stuck: the value of the burst's first line repeated
    BAD_START = 5  # the first lines of a take, decoded while sync was being searched
    DISCONTINUITY = 6  # the first line after lost lines (its MSEC is true)


class TakeKind(StrEnum):
    GOOD = "good"  # a repairable take
    CONSTANT_24 = "constant-2^24"
    CONSTANT_27 = "constant-2^27-1"
    RANDOM = "random"


@dataclass(frozen=True, kw_only=True)
class SyntheticTake:
    """A take's true and observed ``.hdr`` tables (lines × 20 int64) and the truth.

    Attributes:
        true: What the fields were.
        observed: What the decoder read.
        reason: Per line, the :class:`Corruption` of its MSEC.
        field_errors: Per line and column, a constant field read wrong.
        slope: The true MSEC slope, ms per line.
        lost: ``(line, lines lost before it)`` of each discontinuity.
    """

    true: npt.NDArray[np.int64]
    observed: npt.NDArray[np.int64]
    reason: npt.NDArray[np.uint8]
    field_errors: npt.NDArray[np.bool_]
    slope: float
    lost: tuple[tuple[int, int], ...]
    kind: TakeKind


MIN_TAKE_LINES = 100
"""The shortest take :func:`synthetic_take` makes."""


def synthetic_take(lines: int, *, seed: int = 0, slope: float = MS_PER_LINE,
                   kind: TakeKind | str = TakeKind.GOOD, rate: float = 1e-3,
                   bad_start: bool = True, discontinuities: int = 2) -> SyntheticTake:
    """A synthetic take of ``lines`` range lines.

    Args:
        lines: Range lines (ASF's takes run from 10,000 to about 800,000).
        seed: The random seed (same seed, same tables).
        slope: The true MSEC slope, ms per line.
        kind: A repairable take, or one ASF rejected whole.
        rate: Share of lines with each point corruption (bit flips, glitches, field
            errors), and a tenth of it for bursts of random values and stairs.
        bad_start: The first lines (up to a tenth of the take, at most 4000) are garbage.
        discontinuities: Lost-line gaps to place in the take's last two fifths.
    """
    if lines < MIN_TAKE_LINES:
        raise ValueError(f"a take needs at least {MIN_TAKE_LINES} lines, not {lines}")
    rng = np.random.default_rng(seed)
    kind = TakeKind(kind)
    lost = _lost_lines(rng, lines, discontinuities)
    true = _true_table(rng, lines, slope, lost)
    observed = true.copy()
    reason = np.zeros(lines, np.uint8)
    field_errors = np.zeros(true.shape, np.bool_)
    if kind is not TakeKind.GOOD:
        observed[:, _MSEC] = _whole_take(rng, lines, kind)
    else:
        _corrupt_msec(rng, observed[:, _MSEC], reason, slope, rate, bad_start)
        for start, _ in lost:
            reason[start] = Corruption.DISCONTINUITY
        _corrupt_fields(rng, observed, field_errors, rate)
    return SyntheticTake(true=true, observed=observed, reason=reason, field_errors=field_errors,
                         slope=slope, lost=lost, kind=kind)


def _lost_lines(rng: np.random.Generator, lines: int, count: int) -> tuple[tuple[int, int], ...]:
    if count <= 0 or lines < 1000:
        return ()
    lo, hi = 3 * lines // 5 + 50, lines - 50
    starts = np.sort(rng.choice(np.arange(lo, hi, 50), size=min(count, (hi - lo) // 50),
                                replace=False))
    return tuple((int(s), int(rng.integers(20, 3000))) for s in starts)


def _true_table(rng: np.random.Generator, lines: int, slope: float,
                lost: tuple[tuple[int, int], ...]) -> npt.NDArray[np.int64]:
    table = np.zeros((lines, len(HDR_COLUMNS)), np.int64)
    i = np.arange(lines)
    shift = np.zeros(lines, np.int64)
    for start, n in lost:
        shift[start:] += n
    t0 = float(rng.uniform(3.6e6, 7.2e7))  # ms of day: the take starts between 1 h and 20 h
    table[:, _MSEC] = np.floor(t0 + (i + shift) * slope).astype(np.int64)
    frames = np.where(i % 2 == 0, 60, 59)  # never two 60-frame lines in a row
    first_frame = np.concatenate(([0], np.cumsum(frames)[:-1]))
    values = {
        "line": i, "segment": np.zeros(lines, np.int64), "bit_offset": first_frame * FRAME_BITS,
        "frames": frames, "sync_errors": rng.poisson(0.3, lines), "nibble": first_frame % 2,
        "station": np.full(lines, rng.choice(list(STATIONS))),
        "year_digit": np.full(lines, 8), "day_of_year": np.full(lines, rng.integers(188, 284)),
        "clock_drift": 2000 + (rng.integers(0, 800) + i // 5000) % 1000,
        "bits_per_sample": np.full(lines, 5), "prf_code": np.full(lines, 4),
        "delay": _delay(rng, lines),
    }
    for name, value in values.items():
        table[:, column(name)] = value
    return table


def _delay(rng: np.random.Generator, lines: int) -> npt.NDArray[np.int64]:
    """The delay to digitisation changes a handful of times in a take."""
    delay = np.full(lines, int(rng.integers(20, 40)), np.int64)
    for start in np.sort(rng.integers(0, lines, size=3)):
        delay[start:] += 1
    return delay


def _whole_take(rng: np.random.Generator, lines: int, kind: TakeKind) -> npt.NDArray[np.int64]:
    if kind is TakeKind.CONSTANT_24:
        return np.full(lines, 2**24, np.int64)
    if kind is TakeKind.CONSTANT_27:
        return np.full(lines, 2**27 - 1, np.int64)
    return rng.integers(0, 2**27, size=lines, dtype=np.int64)


def _corrupt_msec(rng: np.random.Generator, msec: npt.NDArray[np.int64],
                  reason: npt.NDArray[np.uint8], slope: float, rate: float,
                  bad_start: bool) -> None:
    """Corrupt ``msec`` in place: stairs and bursts first, then isolated points on lines
    at least 3 away from any other corruption (so each line has one truth)."""
    n = msec.size
    busy = np.zeros(n, np.bool_)
    if bad_start:
        head = int(rng.integers(min(n // 50, 1000) + 1, min(n // 10, 4000) + 2))
        msec[:head] += rng.integers(-200_000, 200_000, size=head)
        reason[:head], busy[:head + 3] = Corruption.BAD_START, True
    longest = int(np.ceil(1 / slope))
    for _ in range(max(1, int(n * rate / 10))):
        length = int(rng.integers(longest + 2, min(200, max(longest + 3, n // 50))))
        _burst(rng, msec, reason, busy, length, Corruption.STAIR)
        _burst(rng, msec, reason, busy, int(rng.integers(2, 20)), Corruption.RANDOM)
    for corruption in (Corruption.BIT_FLIP, Corruption.GLITCH):
        for i in rng.permutation(n)[: int(n * rate)]:
            if busy[max(0, i - 3):i + 4].any():
                continue
            busy[i] = True
            reason[i] = corruption
            if corruption is Corruption.BIT_FLIP:
                msec[i] ^= np.int64(1) << int(rng.integers(0, 27))
            else:
                msec[i] = _glitch(rng, int(msec[i]))


def _glitch(rng: np.random.Generator, value: int) -> int:
    """A wrong value differing in at least two bits and by more than 513 ms."""
    while True:
        wrong = value + int(rng.choice([-1, 1])) * int(rng.integers(600, 5_000_000))
        if wrong >= 0 and bin(wrong ^ value).count("1") >= 2:
            return wrong


def _burst(rng: np.random.Generator, msec: npt.NDArray[np.int64],
           reason: npt.NDArray[np.uint8], busy: npt.NDArray[np.bool_], length: int,
           corruption: Corruption) -> None:
    n = msec.size
    for _ in range(20):  # a free place, or none
        a = int(rng.integers(0, max(1, n - length)))
        if not busy[max(0, a - 3):a + length + 3].any():
            break
    else:
        return
    if corruption is Corruption.STAIR:
        msec[a + 1:a + length] = msec[a]
        reason[a + 1:a + length] = corruption
    else:
        msec[a:a + length] = rng.integers(0, 2**27, size=length)
        reason[a:a + length] = corruption
    busy[a:a + length] = True


def _corrupt_fields(rng: np.random.Generator, table: npt.NDArray[np.int64],
                    errors: npt.NDArray[np.bool_], rate: float) -> None:
    n = table.shape[0]
    for name in CONSTANT_FIELDS:
        col = column(name)
        rows = rng.permutation(n)[: int(n * rate)]
        table[rows, col] ^= np.int64(1) << rng.integers(0, 8, size=rows.size)
        errors[rows, col] = True


def header_fields(table: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The subcommutated fields of a ``.hdr`` table (lines × 9, ``HEADER_FIELDS`` order),
    as the raw-telemetry generator transmits them; each kept within its bit width."""
    from swathkit.products.seasat.hdr import column
    from swathkit.products.seasat.layout import HEADER_FIELDS

    out = np.empty((len(table), len(HEADER_FIELDS)), dtype=np.int64)
    for i, (name, bits) in enumerate(HEADER_FIELDS):
        out[:, i] = table[:, column(name)] & ((1 << bits) - 1)
    return out
