"""``seasat decode``: a raw Seasat telemetry file → one ``.dat`` + ``.hdr`` + report per segment.

The raw file is read in chunks (bounded memory whatever its size) and framed by
:class:`swathkit.process.telemetry.TelemetryDecoder`. Each segment (a run of lines
between losses of lock, 127 sentinels and fill runs) becomes ``<stem>_<NNN>.dat``
(lines × 13,680 bytes), ``<stem>_<NNN>.hdr`` (:mod:`swathkit.products.seasat.hdr`) and
``<stem>_<NNN>.json`` (its figures). Every file is written under a temporary name and
renamed when whole; on an error the open segment's temporary file is removed. The run's
own report, ``<stem>.decode.json``, is written last: a second run over the same raw file
(same size and modification time) finds it and does nothing.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from swathkit.errors import InputError
from swathkit.jobs.report import JobReport
from swathkit.process.telemetry import DecodeCounts, DecodedLines, TelemetryDecoder
from swathkit.products.seasat.hdr import column, write_hdr
from swathkit.types import Progress

__all__ = ["DecodeExtras", "SegmentFiles", "decode"]

log = logging.getLogger(__name__)

CHUNK_BYTES = 8 << 20
_SEG, _PARTIAL = column("segment"), column("partial")
_SUMMED = ("sync_errors", "frames_repaired", "fill_frames", "slips")


@dataclass(frozen=True)
class SegmentFiles:
    """One decoded segment: its files and figures."""

    segment: int
    dat: Path
    hdr: Path
    report: Path
    lines: int
    partial_lines: int


@dataclass(frozen=True)
class DecodeExtras:
    """What ``seasat decode`` saw: the segments written and the framing figures."""

    raw: Path
    segments: tuple[SegmentFiles, ...]
    framing: dict[str, int]
    already_done: bool = False


def _write_json(path: Path, value: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)


class _Segments:
    """The open segment's temporary ``.dat`` and its rows; finished segments renamed."""

    def __init__(self, raw: Path, out: Path) -> None:
        self.raw, self.out, self.stem = raw, out, raw.stem
        self.number = -1
        self.file: BinaryIO | None = None
        self.rows: list[npt.NDArray[np.int64]] = []
        self.done: list[SegmentFiles] = []

    def path(self, suffix: str) -> Path:
        return self.out / f"{self.stem}_{self.number:03d}{suffix}"

    def tmp(self) -> Path:
        return self.out / f".{self.stem}_{self.number:03d}.dat.tmp"

    def add(self, lines: DecodedLines) -> None:
        segments = lines.rows[:, _SEG]
        for seg in np.unique(segments):  # rows come in segment order
            take = segments == seg
            if seg != self.number:
                self.finish()
                self.number = int(seg)
                self.file = self.tmp().open("wb")
            assert self.file is not None
            self.file.write(np.ascontiguousarray(lines.samples[take]).tobytes())
            self.rows.append(lines.rows[take])

    def finish(self) -> None:
        if self.file is None:
            return
        self.file.close()
        self.file = None
        rows = np.concatenate(self.rows)
        self.rows = []
        dat, hdr, report = self.path(".dat"), self.path(".hdr"), self.path(".json")
        self.tmp().replace(dat)
        write_hdr(hdr, rows)
        summary: dict[str, Any] = {
            "raw": self.raw.name, "segment": self.number, "lines": int(rows.shape[0]),
            "partial_lines": int(rows[:, _PARTIAL].sum()),
            "first_bit": int(rows[0, column("bit_offset")]),
            "last_bit": int(rows[-1, column("bit_offset")]),
            **{name: int(rows[:, column(name)].sum()) for name in _SUMMED}}
        _write_json(report, summary)
        self.done.append(SegmentFiles(self.number, dat, hdr, report, summary["lines"],
                                      summary["partial_lines"]))

    def abandon(self) -> None:
        """Remove the open segment's temporary file (closed or not)."""
        if self.file is not None:
            self.file.close()
            self.file = None
        if self.number >= 0:
            self.tmp().unlink(missing_ok=True)


def _check_raw(raw: Path) -> int:
    if not raw.is_file():
        raise InputError(f"{raw}: no such file; give a raw Seasat telemetry file")
    size = raw.stat().st_size
    if size == 0:
        raise InputError(f"{raw}: empty file; a Seasat raw telemetry file holds minor frames "
                         "of 147.5 bytes starting with the sync code 0xF9A8ED")
    return size


def _stamp(raw: Path) -> dict[str, Any]:
    st = raw.stat()
    return {"raw": str(raw.resolve()), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _previous(marker: Path, raw: Path) -> dict[str, Any] | None:
    try:
        done = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return done if isinstance(done, dict) and done.get("stamp") == _stamp(raw) else None


def decode(raw: str | os.PathLike[str], out: str | os.PathLike[str], *,
           chunk_bytes: int = CHUNK_BYTES,
           progress: Progress | None = None) -> JobReport[DecodeExtras]:
    """Decode ``raw`` into segment files in ``out`` (created if missing).

    Raises:
        InputError: ``raw`` missing or empty, or no sync code found in it.
    """
    raw, out = Path(raw), Path(out)
    size = _check_raw(raw)
    marker = out / f"{raw.stem}.decode.json"
    previous = _previous(marker, raw)
    if previous is not None:
        return _report(raw, out, previous, size, 0.0, already_done=True)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    counts = _run(raw, out, size, chunk_bytes, progress)
    done = {"stamp": _stamp(raw), "framing": counts[0].to_dict(),
            "segments": [_segment_json(s) for s in counts[1]]}
    _write_json(marker, done)
    return _report(raw, out, done, size, time.perf_counter() - started)


def _run(raw: Path, out: Path, size: int, chunk_bytes: int,
         progress: Progress | None) -> tuple[DecodeCounts, list[SegmentFiles]]:
    decoder, segments, read = TelemetryDecoder(), _Segments(raw, out), 0
    try:
        with raw.open("rb") as f:
            while chunk := f.read(chunk_bytes):
                read += len(chunk)
                segments.add(decoder.feed(chunk))
                if progress is not None:
                    progress(read, size, raw.name)
        segments.add(decoder.feed(b"", final=True))
        segments.finish()
    except BaseException:
        segments.abandon()
        raise
    counts = decoder.counts()
    if counts.syncs == 0:
        raise InputError(f"{raw}: no Seasat sync code (0xF9A8ED, 4 frames in a row) in "
                         f"{size:,} bytes; is this raw Seasat SAR telemetry?")
    return counts, segments.done


def _segment_json(s: SegmentFiles) -> dict[str, Any]:
    return {"segment": s.segment, "dat": s.dat.name, "hdr": s.hdr.name,
            "report": s.report.name, "lines": s.lines, "partial_lines": s.partial_lines}


def _report(raw: Path, out: Path, done: dict[str, Any], size: int, seconds: float, *,
            already_done: bool = False) -> JobReport[DecodeExtras]:
    framing = {k: int(v) for k, v in done["framing"].items()}
    segs = tuple(SegmentFiles(s["segment"], out / s["dat"], out / s["hdr"], out / s["report"],
                              s["lines"], s["partial_lines"]) for s in done["segments"])
    counts = {"segments": len(segs), "lines": framing["lines"],
              "partial_lines": framing["partial_lines"], "frames": framing["syncs"],
              "frames_repaired": framing["frames_repaired"],
              "frames_unrepaired": framing["frames_unrepaired"],
              "sync_bit_errors": framing["sync_bit_errors"]}
    notes = {"segments": "already decoded (same raw file)" if already_done else "",
             "frames": f"{framing['lock_losses']} losses of lock, {framing['slips']} slips"}
    if framing["truncated_bits"]:
        notes["lines"] = f"the file ends inside a frame ({framing['truncated_bits']} bits left)"
    return JobReport(job="seasat decode", target=str(out), unit="count", counts=counts,
                     notes=notes, bytes=0 if already_done else size, seconds=seconds,
                     extras=DecodeExtras(raw=raw, segments=segs, framing=framing,
                                         already_done=already_done))

