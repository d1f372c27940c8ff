"""The Seasat SAR minor frame and range line, as ASF's rescue decoded them.

A minor frame is 1180 bits (147.5 bytes): a 24-bit sync code, one fill-flag bit,
a 7-bit frame number, 8 header bits and 228 samples of 5 bits. Frames alternate
byte-aligned and nibble-offset. A range line is the run of frames numbered 0 …
59 or 60; decoded it is 13,680 bytes of 8-bit samples (60 × 228). The header
fields of a line are subcommutated over its frames 0–9.
"""

from __future__ import annotations

__all__ = [
    "BITS_PER_SAMPLE", "FILL_RUN", "FRAME_BITS", "FRAME_NUMBER_BITS", "HEADER_BITS",
    "HEADER_FIELDS", "HEADER_FRAMES", "LINE_BYTES", "LINE_FRAMES", "MAX_FRAME_NUMBER",
    "MAX_SYNC_ERRORS", "MS_PER_LINE", "NO_DATA_FRAME", "PRF_HZ", "SAMPLES_PER_FRAME",
    "STATIONS", "SYNC_BITS", "SYNC_CODE",
]

SYNC_CODE = 0xF9A8ED
SYNC_BITS = 24
FRAME_NUMBER_BITS = 7
HEADER_BITS = 8
SAMPLES_PER_FRAME = 228
BITS_PER_SAMPLE = 5
FRAME_BITS = SYNC_BITS + 1 + FRAME_NUMBER_BITS + HEADER_BITS + SAMPLES_PER_FRAME * BITS_PER_SAMPLE
assert FRAME_BITS == 1180
MAX_SYNC_ERRORS = 7
"""ASF accepts a sync code with up to 7 wrong bits of 24 (at a predicted position only)."""
MAX_FRAME_NUMBER = 60
"""A line ends at frame 59 or 60."""
LINE_FRAMES = 60
"""Frames of a long line (a short one has 59): ``LINE_BYTES`` = 60 × 228 samples.

swathkit reads the facts' "ending at frame 59 or 60" as the count of frames: frames are
numbered from 0, so a line's last number is 58 or 59 (``LINE_FRAMES - 1`` at most), and
never two 60-frame lines follow each other."""
NO_DATA_FRAME = 127
"""Frame number 127 twice in a row: a no-data sentinel."""
LINE_BYTES = 13_680
PRF_HZ = 1647.0
MS_PER_LINE = 0.607164541590771
"""The expected MSEC slope, 1/PRF in ms per range line."""
STATIONS = {5: "Fairbanks", 6: "Goldstone", 7: "Merritt Island", 9: "Oakhanger", 10: "Shoe Cove"}

HEADER_FIELDS: tuple[tuple[str, int], ...] = (
    ("station", 4),
    ("year_digit", 4),
    ("day_of_year", 9),
    ("msec", 27),
    ("clock_drift", 12),
    ("bits_per_sample", 4),
    ("prf_code", 3),
    ("delay", 9),
    ("status", 8),
)
"""The subcommutated header fields, (name, bits), in transmission order.

swathkit's layout (the facts name the fields, not their bits): the 8 header bits of
minor frames 0–9 of a line, concatenated most significant bit first, are these 80
bits. Frame 0 carries station and year digit, frame 1 and the top bit of frame 2 the
day of year, …, frame 9 the status bits. The header bits of frames 10–60 are spare.
"""
HEADER_FRAMES = 10
"""Minor frames 0–9 of a line carry its header fields."""
assert sum(bits for _, bits in HEADER_FIELDS) == HEADER_BITS * HEADER_FRAMES
FILL_RUN = 48
"""Consecutive fill-flag frames that end a data take (~60 in the archive; the flag is
unreliable alone, so a run, tolerating single flipped flags, is needed)."""
