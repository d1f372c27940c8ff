"""Seasat SAR raw telemetry → range lines: bit-error-tolerant framing, pure (bytes in, arrays out).

:class:`TelemetryDecoder` takes a raw stream in chunks of any size (``feed``) and gives
back the finished range lines of each chunk: their samples (lines × 13,680 uint8, one
byte per 5-bit sample, missing frames zero-filled) and their ``.hdr`` rows
(the 20 columns of ``swathkit.products.seasat.hdr.HDR_COLUMNS``; the segment in
column ``segment``).
The result is the same bytes whatever the chunking. :func:`decode` does a whole buffer.

How (the facts of ``docs/formats/seasat.md``):

- sync: lock is acquired strictly (4 frames at the 1180-bit spacing, the first sync with
  at most 1 wrong bit, the others 2), then each sync is looked for at the predicted
  position and 4 bits either side (the 147/148-byte cadence slips) and accepted with up
  to 7 wrong bits of 24; no sync there loses lock and the search starts again
  (:mod:`swathkit.process.telemetry_sync`). Alternating byte/nibble alignment needs no
  rule: it is the 1180-bit spacing. A frame 147 bytes from the next lost its last 4
  bits: its last sample is zero-filled.
- lines, segments, header fields: :mod:`swathkit.process.telemetry_lines`.

``strict=True`` is the baseline the benchmark compares with: frames only where the 24
bits are exactly the sync code, searched at every bit position.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

from swathkit.process import telemetry_lines as tl
from swathkit.process import telemetry_sync as ts
from swathkit.products.seasat.layout import (
    FRAME_BITS,
    HEADER_FIELDS,
    LINE_BYTES,
    MAX_SYNC_ERRORS,
    SAMPLES_PER_FRAME,
)

__all__ = ["DecodeCounts", "DecodedLines", "TelemetryDecoder", "decode"]

_WIDTHS = np.array([bits for _, bits in HEADER_FIELDS], dtype=np.int64)
_PAD = 8  # bytes after the data, so a 32-bit read at the last bit stays inside


@dataclass(frozen=True)
class DecodedLines:
    """Range lines finished by one ``feed``: ``samples`` (k × 13,680) and ``rows`` (k × 20)."""

    samples: npt.NDArray[np.uint8]
    rows: npt.NDArray[np.int64]
    positions: npt.NDArray[np.int64]
    """Bit positions of the frames found in this chunk (accepted sync codes)."""


@dataclass(frozen=True)
class DecodeCounts:
    """What the decoder saw in a stream (the report's figures)."""

    bits: int = 0
    syncs: int = 0  # frames accepted
    sync_bit_errors: int = 0  # wrong sync bits accepted (tolerated and corrected)
    acquisitions: int = 0
    lock_losses: int = 0
    frames_taken_back: int = 0  # doubtful frames just before a loss of lock
    slips: int = 0  # 147/148-byte cadence slips
    frames_repaired: int = 0
    frames_unrepaired: int = 0  # numbers still above 59 after repair: frame dropped
    repeated_frames: int = 0
    sentinels: int = 0
    fill_runs: int = 0
    fill_lines: int = 0
    lines: int = 0
    partial_lines: int = 0
    segments: int = 0
    truncated_bits: int = 0  # bits after the last whole frame at the end of the stream

    def to_dict(self) -> dict[str, int]:
        return {f.name: int(getattr(self, f.name)) for f in fields(self)}


class TelemetryDecoder:
    """Frames, lines and segments of one raw stream, fed in chunks.

    Args:
        tolerance: Wrong sync bits accepted at a predicted position (ASF: 7).
    """

    def __init__(self, *, tolerance: int = MAX_SYNC_ERRORS) -> None:
        self._tolerance = tolerance
        self._tail = np.zeros(0, dtype=np.uint8)
        self._base = 0  # stream bit of self._tail[0]
        self._start = 0  # where the search resumes, in bits from self._tail[0]
        self._locked = False
        self._last_pos = -FRAME_BITS  # stream bit of the last frame found
        self._carry = np.zeros((0, ts.COLS), dtype=np.int64)
        self._carry_samples = np.zeros((0, SAMPLES_PER_FRAME), dtype=np.uint8)
        self._state, self._line, self._hdr = tl.new_state()
        self._sync = np.zeros(3, dtype=np.int64)
        self._lines = np.zeros(tl.COUNTERS, dtype=np.int64)
        self._bits = self._syncs = self._errors = self._slips = self._truncated = 0
        self._done = False

    def feed(self, chunk: bytes | npt.NDArray[np.uint8], *, final: bool = False) -> DecodedLines:
        """Decode the next bytes of the stream; ``final`` on the last (may be empty) chunk."""
        if self._done:
            raise ValueError("the decoder was given its final chunk already")
        data = np.frombuffer(chunk, dtype=np.uint8) if isinstance(chunk, bytes) else chunk
        self._bits += data.size * 8
        buf = np.concatenate([self._tail, data, np.zeros(_PAD, dtype=np.uint8)])
        limit = (buf.size - _PAD) * 8
        n0 = self._carry.shape[0]
        cap = n0 + limit // (FRAME_BITS - ts.SLIP) + 2
        frames = np.empty((cap, ts.COLS), dtype=np.int64)
        samples = np.empty((cap, SAMPLES_PER_FRAME), dtype=np.uint8)
        frames[:n0], samples[:n0] = self._carry, self._carry_samples  # a few frames
        n, resume, self._locked = ts.track(buf, limit, self._start, self._locked,
                                           self._tolerance, final, frames, samples, self._sync,
                                           n0)
        new = frames[n0:n]
        new[:, ts.COL_POS] += self._base
        self._flag_slips(new)
        self._count_frames(new, final, limit - resume)
        keep = resume >> 3
        self._tail = buf[keep:buf.size - _PAD].copy()
        self._base, self._start = self._base + keep * 8, resume - keep * 8
        self._done = final
        return self._assemble(frames[:n], samples[:n], final, new[:, ts.COL_POS].copy())

    def _flag_slips(self, frames: npt.NDArray[np.int64]) -> None:
        spacing = np.diff(np.r_[self._last_pos, frames[:, ts.COL_POS]])
        after_lock = frames[:, ts.COL_FLAGS] & ts.FLAG_LOCK != 0
        frames[(spacing != FRAME_BITS) & ~after_lock, ts.COL_FLAGS] |= ts.FLAG_SLIP
        if frames.shape[0]:
            self._last_pos = int(frames[-1, ts.COL_POS])

    def _count_frames(self, frames: npt.NDArray[np.int64], final: bool, left: int) -> None:
        self._syncs += frames.shape[0]
        self._errors += int(frames[:, ts.COL_ERR].sum())
        self._slips += int(np.count_nonzero(frames[:, ts.COL_FLAGS] & ts.FLAG_SLIP))
        if final:
            self._truncated = left if self._locked and left >= 8 else 0  # < 8: byte padding

    def _assemble(self, table: npt.NDArray[np.int64], smp: npt.NDArray[np.uint8],
                  final: bool, positions: npt.NDArray[np.int64]) -> DecodedLines:
        """Lines from the carried and new frames ``table``; the unused ones are carried."""
        short = np.flatnonzero(np.diff(table[:, ts.COL_POS]) == FRAME_BITS - ts.SLIP)
        smp[short, -1] = 0  # its last 4 bits were not sent: the last sample is lost
        out_s, out_r = [], []
        while True:
            cap = max(16, table.shape[0] // 50 + 8)
            lines = np.empty((cap, LINE_BYTES), dtype=np.uint8)
            rows = np.empty((cap, tl.ROW), dtype=np.int64)
            k, used = tl.assemble(table, smp, final, self._state, self._line, self._hdr,
                                  _WIDTHS, lines, rows, self._lines)
            out_s.append(lines[:k])
            out_r.append(rows[:k])
            table, smp = table[used:], smp[used:]
            if table.shape[0] <= (0 if final else 2) or used == 0:
                break
        self._carry, self._carry_samples = table.copy(), smp.copy()
        return DecodedLines(np.concatenate(out_s), np.concatenate(out_r), positions)

    def counts(self) -> DecodeCounts:
        """The figures so far (final once the last chunk was fed)."""
        c = self._lines
        return DecodeCounts(
            bits=self._bits, syncs=self._syncs, sync_bit_errors=self._errors,
            acquisitions=int(self._sync[0]), lock_losses=int(self._sync[1]),
            frames_taken_back=int(self._sync[2]), slips=self._slips,
            frames_repaired=int(c[tl.C_REPAIRED]), frames_unrepaired=int(c[tl.C_UNREPAIRED]),
            repeated_frames=int(c[tl.C_REPEATS]), sentinels=int(c[tl.C_SENTINELS]),
            fill_runs=int(c[tl.C_FILL_RUNS]), fill_lines=int(c[tl.C_FILL_LINES]),
            lines=int(c[tl.C_LINES]), partial_lines=int(c[tl.C_PARTIAL]),
            segments=int(c[tl.C_SEGMENTS]), truncated_bits=self._truncated)


def decode(data: bytes | npt.NDArray[np.uint8], *, strict: bool = False,
           tolerance: int = MAX_SYNC_ERRORS) -> tuple[DecodedLines, DecodeCounts]:
    """Decode a whole stream in one go; ``strict``: the exact-sync-only baseline."""
    if not strict:
        decoder = TelemetryDecoder(tolerance=tolerance)
        return decoder.feed(data, final=True), decoder.counts()
    raw = np.frombuffer(data, dtype=np.uint8) if isinstance(data, bytes) else data
    buf = np.concatenate([raw, np.zeros(_PAD, dtype=np.uint8)])
    limit = raw.size * 8
    cap = limit // (FRAME_BITS - ts.SLIP) + 2
    frames = np.empty((cap, ts.COLS), dtype=np.int64)
    samples = np.empty((cap, SAMPLES_PER_FRAME), dtype=np.uint8)
    n = ts.strict_search(buf, limit, frames, samples)
    decoder = TelemetryDecoder(tolerance=0)
    decoder._bits, decoder._syncs = limit, n
    decoder._done = True
    return (decoder._assemble(frames[:n], samples[:n], True, frames[:n, ts.COL_POS].copy()),
            decoder.counts())
