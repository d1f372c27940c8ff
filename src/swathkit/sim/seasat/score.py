"""How well a decoder recovered a synthetic stream: :func:`score` against its truth.

A decoded line is matched to a true line by the stream bit of its first frame. It is
recovered exactly when every one of its 60 frame slots holds the right frame: a slot
the truth leaves empty (a dropped frame) is all zeros, and a filled slot agrees with the
truth on at least 80 % of its samples (bit errors in the samples are not the framer's to
fix; a frame in the wrong slot agrees on about 1 sample in 12). A frame is wrongly
accepted when no frame was sent at its position.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from swathkit.products.seasat.layout import LINE_BYTES, LINE_FRAMES, SAMPLES_PER_FRAME
from swathkit.sim.seasat.truth import TelemetryTruth

__all__ = ["Score", "score"]

AGREEMENT = 0.8


@dataclass(frozen=True)
class Score:
    """Lines recovered exactly (of the true lines) and frames wrongly accepted."""

    lines: int
    exact: int
    frames_sent: int
    frames_found: int
    wrongly_accepted: int

    @property
    def exact_share(self) -> float:
        return self.exact / self.lines if self.lines else 0.0

    @property
    def found_share(self) -> float:
        return self.frames_found / self.frames_sent if self.frames_sent else 0.0


def _slots_right(decoded: npt.NDArray[np.uint8], true: npt.NDArray[np.uint8]) -> bool:
    d = decoded.reshape(LINE_FRAMES, SAMPLES_PER_FRAME)
    t = true.reshape(LINE_FRAMES, SAMPLES_PER_FRAME)
    empty = ~t.any(axis=1)
    agree = (d == t).mean(axis=1) >= AGREEMENT
    return bool(np.all(np.where(empty, ~d.any(axis=1), agree)))


def score(samples: npt.NDArray[np.uint8], rows: npt.NDArray[np.int64],
          positions: npt.NDArray[np.int64], truth: TelemetryTruth) -> Score:
    """Score decoded lines (``samples``, ``.hdr`` ``rows``) and frame ``positions``."""
    if truth.samples.shape != (truth.lines, LINE_BYTES):
        raise ValueError("the truth was made without its samples (keep_samples=False)")
    index = {int(bit): i for i, bit in enumerate(truth.line_bit) if bit >= 0}
    exact = 0
    for k in range(rows.shape[0]):
        i = index.get(int(rows[k, 2]))
        if i is not None and _slots_right(samples[k], truth.samples[i]):
            exact += 1
    sent = np.isin(positions, truth.frame_bit)
    return Score(lines=truth.lines, exact=exact, frames_sent=int(truth.frame_bit.size),
                 frames_found=int(np.count_nonzero(sent)),
                 wrongly_accepted=int(np.count_nonzero(~sent)))
