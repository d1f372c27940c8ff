"""Synthetic Seasat SAR raw telemetry: the bit stream of several data takes, and its truth.

Each minor frame is 1180 bits (``swathkit.products.seasat.layout``): the sync code
0xF9A8ED, the fill flag, the 7-bit frame number, 8 header bits (frames 0–9 carry the
line's header fields, ``HEADER_FIELDS``, most significant bit first; later frames send
zeros) and 228 five-bit samples. Samples are a near-Gaussian echo (the sum of two random
nibbles, 0–30, centred on 15, as raw SAR looks), drawn per block of frames from the seed.
The takes are laid out by :mod:`swathkit.sim.seasat.plan`; bits are then flipped over the
whole stream (sync codes included) at the bit-error rate.

Deterministic: the same headers, options and seed give the same bytes (every random
draw comes from a generator seeded by (seed, take, block), and blocks are fixed-size).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from swathkit.products.seasat.layout import (
    BITS_PER_SAMPLE,
    HEADER_FIELDS,
    LINE_BYTES,
    MS_PER_LINE,
    SAMPLES_PER_FRAME,
    SYNC_BITS,
    SYNC_CODE,
)
from swathkit.sim.seasat.plan import END_FILL, END_SENTINEL, SLIP_BITS, TakePlan, plan_take
from swathkit.sim.seasat.truth import TelemetryTruth, save_truth, truth_path
from swathkit.types import Progress

__all__ = ["TelemetryOptions", "clean_headers", "generate_telemetry", "header_bytes",
           "write_telemetry"]

BLOCK = 4096  # source frames per block of random draws (fixed: it is part of the bytes)
ROW_BITS = 1180 + SLIP_BITS
_SYNC = ((SYNC_CODE >> np.arange(SYNC_BITS - 1, -1, -1)) & 1).astype(np.uint8)
_SHIFTS = np.arange(BITS_PER_SAMPLE - 1, -1, -1, dtype=np.uint8)
_ECHO = ((np.arange(256) >> 4) + (np.arange(256) & 15)).astype(np.uint8)  # byte → 0..30


@dataclass(frozen=True, kw_only=True)
class TelemetryOptions:
    """How damaged the stream is.

    Attributes:
        ber: Bit-error rate over the whole stream.
        takes: Data takes in the file (lines are shared among them).
        drop_rate, repeat_rate: Per frame, the chance it is lost or sent twice.
        slip_rate: Per frame, the chance of a 147- or 148-byte cadence slip after it.
        seed: Seed of every random draw.
        keep_samples: Keep every line's samples in the truth (off for huge streams).
    """

    ber: float = 1e-3
    takes: int = 1
    drop_rate: float = 5e-4
    repeat_rate: float = 5e-4
    slip_rate: float = 5e-4
    seed: int = 0
    keep_samples: bool = True


def clean_headers(lines: int, *, start_msec: int = 40_000_000, slope: float = MS_PER_LINE,
                  station: int = 5, day_of_year: int = 190) -> npt.NDArray[np.int64]:
    """Error-free header fields (lines × 9, ``HEADER_FIELDS`` order): a linear MSEC clock."""
    out = np.zeros((lines, len(HEADER_FIELDS)), dtype=np.int64)
    msec = start_msec + np.round(np.arange(lines) * slope).astype(np.int64)
    out[:] = (station, 8, day_of_year, 0, 1234, 5, 4, 107, 0)
    out[:, 3] = msec % (1 << 27)
    return out


def header_bytes(headers: npt.NDArray[np.int64]) -> npt.NDArray[np.uint8]:
    """The 10 header bytes of each line (frames 0–9), fields packed most significant first."""
    parts = []
    for col, (name, bits) in enumerate(HEADER_FIELDS):
        values = headers[:, col]
        if values.min(initial=0) < 0 or values.max(initial=0) >= 1 << bits:
            raise ValueError(f"header field {name} has values outside {bits} bits")
        parts.append((values[:, None] >> np.arange(bits - 1, -1, -1)) & 1)
    return np.packbits(np.concatenate(parts, axis=1).astype(np.uint8), axis=1)


def _rng(options: TelemetryOptions, *key: int) -> np.random.Generator:
    return np.random.default_rng([options.seed, *key])


class _Packer:
    """Bits in, whole bytes out to ``sink``; flips bits at the error rate on the way."""

    def __init__(self, sink: Callable[[bytes], object], ber: float) -> None:
        self.sink, self.ber = sink, ber
        self.carry = np.zeros(0, dtype=np.uint8)
        self.bits = self.errors = 0

    def add(self, bits: npt.NDArray[np.uint8], rng: np.random.Generator) -> None:
        flips = np.unique(rng.integers(0, bits.size, rng.binomial(bits.size, self.ber)))
        bits[flips] ^= 1
        self.errors += flips.size
        self.bits += bits.size
        stream = np.concatenate([self.carry, bits])
        whole = stream.size - stream.size % 8
        self.sink(np.packbits(stream[:whole]).tobytes())
        self.carry = stream[whole:]

    def close(self) -> None:
        if self.carry.size:
            self.sink(np.packbits(self.carry).tobytes())  # zero-padded to a whole byte


def _frame_bits(plan: TakePlan, sent: slice, samples: npt.NDArray[np.uint8],
                hbytes: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """The bits of the sent frames ``sent`` (``samples``: theirs, m × 228)."""
    number, fill, src = plan.sent_number[sent], plan.sent_fill[sent], plan.sent_src[sent]
    m = number.size
    header = np.zeros(m, dtype=np.uint8)
    data = src >= 0
    lines, numbers = plan.src_line[src[data]], plan.src_number[src[data]]
    in_header = numbers < hbytes.shape[1]
    idx = np.flatnonzero(data)[in_header]
    header[idx] = hbytes[lines[in_header], numbers[in_header]]
    rows = np.zeros((m, ROW_BITS), dtype=np.uint8)
    rows[:, :SYNC_BITS] = _SYNC
    rows[:, 24] = fill
    rows[:, 25:32] = (number[:, None] >> np.arange(6, -1, -1)) & 1
    rows[:, 32:40] = (header[:, None] >> np.arange(7, -1, -1).astype(np.uint8)) & 1
    rows[:, 40:1180] = ((samples[:, :, None] >> _SHIFTS) & 1).reshape(m, -1)
    keep = np.arange(ROW_BITS)[None, :] < plan.spacing[sent][:, None]
    return rows[keep]


def _take_samples(plan: TakePlan, options: TelemetryOptions, take: int,
                  block: int) -> npt.NDArray[np.uint8]:
    """Samples of the take's source frames of one block (BLOCK × 228)."""
    rng = _rng(options, take, 1, block)
    return _ECHO[rng.integers(0, 256, (BLOCK, SAMPLES_PER_FRAME), dtype=np.uint8)]


def _emit_take(plan: TakePlan, options: TelemetryOptions, take: int,
               hbytes: npt.NDArray[np.uint8], packer: _Packer,
               truth_samples: npt.NDArray[np.uint8] | None) -> None:
    """Send one take: the noise gap, then its frames block by block."""
    gap = _rng(options, take, 2).integers(0, 2, plan.gap_bits, dtype=np.uint8)
    packer.add(gap, _rng(options, take, 3))
    src = plan.sent_src
    block_of = np.where(src >= 0, src // BLOCK, (src.max(initial=0) // BLOCK) + 1)
    bounds = np.flatnonzero(np.diff(block_of)) + 1
    for k, (a, b) in enumerate(zip(np.r_[0, bounds], np.r_[bounds, src.size], strict=True)):
        block = int(block_of[a])
        samples = np.zeros((b - a, SAMPLES_PER_FRAME), dtype=np.uint8)
        data = src[a:b] >= 0
        if data.any():
            drawn = _take_samples(plan, options, take, block)
            samples[data] = drawn[src[a:b][data] - block * BLOCK]
        if truth_samples is not None:
            _record(plan, slice(a, b), samples, truth_samples)
        packer.add(_frame_bits(plan, slice(a, b), samples, hbytes), _rng(options, take, 4, k))


def _record(plan: TakePlan, sent: slice, samples: npt.NDArray[np.uint8],
            out: npt.NDArray[np.uint8]) -> None:
    """What a perfect decoder writes for the first copies of the sent frames ``sent``."""
    src = plan.sent_src[sent]
    first = plan.first_sent[sent] & (src >= 0)
    cut = first & (plan.spacing[sent] < 1180)
    values = samples[first].copy()
    values[cut[first], -1] = 0
    lines, numbers = plan.src_line[src[first]], plan.src_number[src[first]]
    cols = numbers[:, None] * SAMPLES_PER_FRAME + np.arange(SAMPLES_PER_FRAME)
    out[lines[:, None], cols] = values


def _stream(headers: npt.NDArray[np.int64], options: TelemetryOptions,
            sink: Callable[[bytes], object], progress: Progress | None) -> TelemetryTruth:
    headers = np.asarray(headers, dtype=np.int64)
    if headers.ndim != 2 or headers.shape[1] != len(HEADER_FIELDS) or headers.shape[0] < 1:
        raise ValueError(f"headers must be lines × {len(HEADER_FIELDS)}, got {headers.shape}")
    if not 1 <= options.takes <= headers.shape[0]:
        raise ValueError(f"takes must be 1..{headers.shape[0]} (the lines), got {options.takes}")
    hbytes = header_bytes(headers)
    packer = _Packer(sink, options.ber)
    parts: list[dict[str, npt.NDArray[np.int64]]] = []
    kept: list[npt.NDArray[np.uint8]] = []
    splits = np.array_split(np.arange(headers.shape[0]), options.takes)
    for take, rows in enumerate(splits):
        end = END_SENTINEL if take % 2 else END_FILL
        plan = plan_take(rows.size, end=end, drop_rate=options.drop_rate,
                         repeat_rate=options.repeat_rate, slip_rate=options.slip_rate,
                         rng=_rng(options, take, 0))
        start_bit = packer.bits
        samples = np.zeros((rows.size, LINE_BYTES), np.uint8) if options.keep_samples else None
        _emit_take(plan, options, take, hbytes[rows], packer, samples)
        parts.append(_take_truth(plan, take, start_bit))
        if samples is not None:
            kept.append(samples)
        if progress is not None:
            progress(take + 1, options.takes, f"take {take}")
    packer.close()
    cat = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    return TelemetryTruth(
        samples=np.concatenate(kept) if kept else np.zeros((0, LINE_BYTES), np.uint8),
        headers=headers, take=cat["take"], frames=cat["frames"], missing=cat["missing"],
        repeated=cat["repeated"], line_bit=cat["line_bit"], frame_bit=cat["frame_bit"],
        take_end=np.array([take % 2 for take in range(options.takes)], dtype=np.int64),
        bit_errors=packer.errors, slips=int(cat["slips"].sum()), bits=packer.bits,
        seed=options.seed, ber=options.ber)


def _take_truth(plan: TakePlan, take: int, start_bit: int) -> dict[str, npt.NDArray[np.int64]]:
    lines = plan.line_frames.size
    bit = start_bit + plan.gap_bits + np.r_[0, np.cumsum(plan.spacing)[:-1]]
    data = plan.sent_src >= 0
    sent_line = plan.src_line[plan.sent_src[data]]
    line_bit = np.full(lines, -1, dtype=np.int64)
    first_of_line = np.r_[True, sent_line[1:] != sent_line[:-1]]
    line_bit[sent_line[first_of_line]] = bit[data][first_of_line]
    sent_first = np.bincount(sent_line[plan.first_sent[data]], minlength=lines)
    return {"take": np.full(lines, take, dtype=np.int64), "frames": plan.line_frames,
            "missing": plan.line_frames - sent_first,
            "repeated": np.bincount(sent_line, minlength=lines) - sent_first,
            "line_bit": line_bit, "frame_bit": bit.astype(np.int64),
            "slips": np.array([np.count_nonzero(plan.spacing != 1180)])}


def generate_telemetry(
        headers: npt.NDArray[np.int64],
        options: TelemetryOptions = TelemetryOptions()) -> tuple[bytes, TelemetryTruth]:
    """The raw stream (in memory) and its truth, for lines with the given header fields."""
    chunks: list[bytes] = []
    truth = _stream(headers, options, chunks.append, None)
    return b"".join(chunks), truth


def write_telemetry(path: str | os.PathLike[str], headers: npt.NDArray[np.int64],
                    options: TelemetryOptions = TelemetryOptions(), *,
                    progress: Progress | None = None) -> TelemetryTruth:
    """Write the raw stream to ``path`` and its truth to ``<path>.truth.npz`` (both atomic)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tmp.open("wb") as f:
            truth = _stream(headers, options, f.write, progress)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    save_truth(truth_path(path), truth)
    return truth
