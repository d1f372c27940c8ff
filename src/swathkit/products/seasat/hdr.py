"""The ``.hdr`` table of a decoded segment: one line of 20 integers per range line.

Columns (:data:`HDR_COLUMNS`), in order: the decoded header fields (station, year
digit, day of year, MSEC, clock drift, bits per sample, PRF code, delay, status)
and what the decoder saw on that line (frames, sync bit errors, repaired frame
numbers, ...). Written atomically; read with one clear error per problem.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import numpy.typing as npt

from swathkit.errors import InputError

__all__ = ["CONSTANT_FIELDS", "HDR_COLUMNS", "column", "read_hdr", "write_hdr"]

HDR_COLUMNS: tuple[str, ...] = (
    "line",             # line number within the segment, from 0
    "segment",          # segment number within the raw file
    "bit_offset",       # position of the line's first sync code in the raw stream, in bits
    "frames",           # frames in the line (59 or 60; fewer on a partial line)
    "partial",          # 1 if frames are missing and their samples were zero-filled
    "sync_errors",      # wrong sync bits summed over the line's frames
    "frames_repaired",  # frame numbers repaired from context
    "fill_frames",      # frames with the fill flag set
    "slips",            # cadence slips (147- or 148-byte spacing) inside the line
    "nibble",           # 1 if the line's first frame is nibble-offset, 0 if byte-aligned
    "station",          # 5 Fairbanks, 6 Goldstone, 7 Merritt Island, 9 Oakhanger, 10 Shoe Cove
    "year_digit",       # last digit of the year (8 for 1978)
    "day_of_year",
    "msec",             # milliseconds of day, 27 bits
    "clock_drift",      # 12 bits
    "bits_per_sample",  # always 5
    "prf_code",         # always 4 (1647 Hz)
    "delay",            # delay to digitisation
    "status",           # status bits
    "reserved",         # 0: kept so the table has ASF's 20 columns
)
assert len(HDR_COLUMNS) == 20

CONSTANT_FIELDS: tuple[str, ...] = ("station", "year_digit", "day_of_year", "bits_per_sample",
                                    "prf_code", "delay")
"""The header fields that should be constant over a take (the day changes at most once,
the delay a handful of times): repaired by a rolling mode."""


def column(name: str) -> int:
    """The index of a column of :data:`HDR_COLUMNS`."""
    try:
        return HDR_COLUMNS.index(name)
    except ValueError:
        raise InputError(
            f"no .hdr column {name!r}; the columns are {', '.join(HDR_COLUMNS)}") from None


def write_hdr(path: str | os.PathLike[str], table: npt.NDArray[np.int64]) -> Path:
    """Write ``table`` (lines × 20) as text, atomically (temp file + rename)."""
    table = np.asarray(table)
    if table.ndim != 2 or table.shape[1] != len(HDR_COLUMNS):
        raise ValueError(f"a .hdr table has {len(HDR_COLUMNS)} columns, got shape {table.shape}")
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    np.savetxt(tmp, table.astype(np.int64), fmt="%d", delimiter=" ")
    tmp.replace(path)
    return path


def read_hdr(path: str | os.PathLike[str]) -> npt.NDArray[np.int64]:
    """The table of a ``.hdr`` file, lines × 20 int64.

    Raises:
        InputError: no such file, not integers, or a line without 20 columns.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    rows: list[list[int]] = []
    with path.open("r", encoding="ascii", errors="replace") as lines:
        for number, text in enumerate(lines, start=1):
            fields = text.split()
            if not fields:
                continue
            if len(fields) != len(HDR_COLUMNS):
                raise InputError(f"{path}: line {number} has {len(fields)} columns, a .hdr line "
                                 f"has {len(HDR_COLUMNS)}; is this a swathkit/ASF .hdr file?")
            try:
                rows.append([int(field) for field in fields])
            except ValueError:
                raise InputError(
                    f"{path}: line {number} holds a value that is not an integer") from None
    if not rows:
        raise InputError(f"{path}: empty .hdr file (no range lines)")
    return np.asarray(rows, dtype=np.int64)
