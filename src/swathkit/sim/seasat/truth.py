"""What a synthetic Seasat raw stream holds: :class:`TelemetryTruth`, saved as ``<raw>.truth.npz``.

Plain arrays only (``np.savez``; loaded with ``allow_pickle=False``). ``samples`` are what
a perfect decoder writes for each line: the sent samples at their frame slots, zero where
a frame was dropped or before the first frame of a take's partial first line, and zero
for the last sample of a frame sent 147 bytes from the next (its last 4 bits were cut).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from swathkit.errors import InputError

__all__ = ["TelemetryTruth", "load_truth", "save_truth", "truth_path"]


@dataclass(frozen=True)
class TelemetryTruth:
    """The truth of a raw stream, one row per range line unless said otherwise.

    Attributes:
        samples: lines × 13,680 uint8 (empty, 0 × 13,680, when not kept).
        headers: lines × 9 int64, the header fields sent (``HEADER_FIELDS`` order).
        take: The take of each line (takes are segments a decoder should find).
        frames: 59 or 60.
        missing: Frames of the line not sent (dropped, or before a partial first line).
        repeated: Frames of the line sent twice.
        line_bit: Stream bit of the line's first sent frame (−1: none sent).
        frame_bit: Per sent frame (data, fill and sentinel alike), its stream bit.
        take_end: Per take, 0 a fill run, 1 the 127 sentinel.
        bit_errors: Bits flipped in the whole stream.
        slips: Cadence slips (147- or 148-byte spacing).
        bits: Length of the stream in bits (before padding to whole bytes).
        seed, ber: How it was made.
    """

    samples: npt.NDArray[np.uint8]
    headers: npt.NDArray[np.int64]
    take: npt.NDArray[np.int64]
    frames: npt.NDArray[np.int64]
    missing: npt.NDArray[np.int64]
    repeated: npt.NDArray[np.int64]
    line_bit: npt.NDArray[np.int64]
    frame_bit: npt.NDArray[np.int64]
    take_end: npt.NDArray[np.int64]
    bit_errors: int
    slips: int
    bits: int
    seed: int
    ber: float

    @property
    def lines(self) -> int:
        return int(self.take.size)


_SCALARS = {"bit_errors": int, "slips": int, "bits": int, "seed": int, "ber": float}


def truth_path(raw: str | os.PathLike[str]) -> Path:
    """``<raw>.truth.npz`` beside the raw file."""
    raw = Path(raw)
    return raw.with_name(raw.name + ".truth.npz")


def save_truth(path: str | os.PathLike[str], truth: TelemetryTruth) -> Path:
    """Write ``truth`` as an ``.npz`` of plain arrays, atomically."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as f:
        arrays: dict[str, Any] = {x.name: np.asarray(getattr(truth, x.name))
                                  for x in fields(truth)}
        np.savez(f, **arrays)
    tmp.replace(path)
    return path


def load_truth(path: str | os.PathLike[str]) -> TelemetryTruth:
    """Read a ``.truth.npz`` (no pickle).

    Raises:
        InputError: missing, not an npz, or without a field of :class:`TelemetryTruth`.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such truth file; `swathkit sim generate seasat` writes "
                         "one beside each raw file")
    try:
        with np.load(path, allow_pickle=False) as z:
            values = {x.name: z[x.name] for x in fields(TelemetryTruth)}
    except (KeyError, ValueError, OSError) as exc:
        raise InputError(f"{path}: not a swathkit telemetry truth file ({exc})") from None
    for name, kind in _SCALARS.items():
        values[name] = kind(values[name])
    return TelemetryTruth(**values)
