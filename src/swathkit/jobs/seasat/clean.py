"""Clean decoded Seasat ``.hdr`` tables: repair MSEC and the constant fields, resumably.

For each ``<stem>.hdr`` the job writes, next to it (or into ``out_dir``):

- ``<stem>.clean.hdr``: the table with MSEC repaired (:func:`repair_series`) and the
  fields that should be constant repaired by a rolling mode;
- ``<stem>.clean.reasons``: per line, the original MSEC, the repaired one, its
  :class:`~swathkit.process.timeseries.Reason` code and a bit mask of the columns the
  rolling mode changed;
- ``<stem>.clean.json``: what was found (slope, discontinuities, counts per reason) and
  the size and SHA-256 of the input; written last, so it marks a finished take.

Each file is written to a temporary name and renamed. Running again skips takes whose
report matches the input's checksum; a rejected take (too short, constant, random, a gap
too large) or a duplicate of another input is a failure with its reason. The report
carries ASF's funnel: read → fixed → good.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from swathkit.errors import InputError
from swathkit.jobs.report import Funnel, FunnelStage, JobReport, jsonable
from swathkit.process.timeseries import (
    Reason,
    SeriesRepair,
    TrendParams,
    repair_series,
    rolling_mode,
)
from swathkit.products.seasat.hdr import CONSTANT_FIELDS, column, read_hdr, write_hdr
from swathkit.products.seasat.layout import MS_PER_LINE
from swathkit.types import Failure, FailureKind, Progress

__all__ = ["CleanExtras", "CleanReport", "TakeOutcome", "clean", "hdr_inputs", "outputs_of"]

log = logging.getLogger(__name__)

GOOD_SHARE = 0.10
"""A fixed take with more than this share of its lines repaired is not "good"."""

_MSEC = column("msec")


@dataclass(frozen=True, kw_only=True)
class TakeOutcome:
    """What cleaning did to one take (also its ``.clean.json``)."""

    file: str
    lines: int
    bytes: int
    sha256: str
    status: str  # "cleaned", "skipped" (already clean), "rejected", "duplicate"
    detail: str = ""
    slope: float = float("nan")
    slope_used: float = float("nan")
    slope_mismatch: bool = False
    discontinuities: tuple[tuple[int, float], ...] = ()  # (line, size in lines)
    counts: dict[str, int] | None = None
    fields_repaired: dict[str, int] | None = None

    @property
    def fixed(self) -> bool:
        return self.status in ("cleaned", "skipped")

    @property
    def good(self) -> bool:
        repaired = sum((self.counts or {}).values())
        return self.fixed and not self.slope_mismatch and repaired <= GOOD_SHARE * self.lines


@dataclass(frozen=True)
class CleanExtras:
    """The funnel (read → fixed → good) and each take's outcome."""

    funnel: Funnel
    takes: tuple[TakeOutcome, ...]


CleanReport = JobReport[CleanExtras]


def outputs_of(hdr: Path, out_dir: Path | None = None) -> tuple[Path, Path, Path]:
    """The ``.clean.hdr``, ``.clean.reasons`` and ``.clean.json`` files of an input."""
    stem = hdr.name.removesuffix(".hdr")
    folder = out_dir or hdr.parent
    return (folder / f"{stem}.clean.hdr", folder / f"{stem}.clean.reasons",
            folder / f"{stem}.clean.json")


def clean(paths: Iterable[str | os.PathLike[str]], *, expected_slope: float | None = MS_PER_LINE,
          params: TrendParams | None = None, out_dir: str | os.PathLike[str] | None = None,
          plot_dir: str | os.PathLike[str] | None = None,
          progress: Progress | None = None) -> CleanReport:
    """Clean ``.hdr`` files (see the module's docstring).

    Args:
        paths: ``.hdr`` files (``*.clean.hdr`` outputs among them are left out).
        expected_slope: MSEC per line it should rise by (1/PRF); None to only estimate.
        params: The repair's windows and thresholds (default: ASF's).
        out_dir: Where to write (default: next to each input).
        plot_dir: Write a before/after PNG per take there (needs matplotlib).
        progress: Called ``(done, total, file)`` after each take.

    Raises:
        InputError: no such file, or a path that is not a ``.hdr`` file.
    """
    started = time.monotonic()
    files = hdr_inputs(paths)
    folder = Path(out_dir) if out_dir is not None else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    takes: list[TakeOutcome] = []
    failures: list[Failure] = []
    seen: dict[str, str] = {}
    for done, path in enumerate(files, start=1):
        try:
            outcome = _clean_one(path, expected_slope, params, folder, plot_dir, seen)
        except InputError as exc:
            failures.append(Failure(FailureKind.BAD_INPUT, str(path), str(exc)))
        else:
            takes.append(outcome)
            if not outcome.fixed:
                failures.append(Failure(FailureKind.BAD_PRODUCT, str(path),
                                        f"{outcome.status}: {outcome.detail}"))
        if progress is not None:
            progress(done, len(files), path.name)
    return _report(files, takes, failures, time.monotonic() - started)


def hdr_inputs(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The ``.hdr`` files to clean, sorted, without duplicates or ``*.clean.hdr`` outputs.

    Raises:
        InputError: no such file, or not a ``.hdr`` file.
    """
    files = []
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            raise InputError(f"{path}: no such file; give decoded .hdr files")
        if path.suffix != ".hdr":
            raise InputError(f"{path}: not a .hdr file; give the .hdr tables the decoder wrote")
        if path.name.endswith(".clean.hdr"):
            log.info("%s: an output of clean, left out", path)
            continue
        files.append(path)
    return sorted(dict.fromkeys(files))


def _clean_one(path: Path, expected: float | None, params: TrendParams | None,
               folder: Path | None, plot_dir: str | os.PathLike[str] | None,
               seen: dict[str, str]) -> TakeOutcome:
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    out_hdr, out_reasons, out_json = outputs_of(path, folder)
    previous = _finished(out_json, digest)
    if previous is not None:
        return _remember(previous, seen, out_hdr)
    table = read_hdr(path)
    repair = repair_series(table[:, _MSEC], expected_slope=expected, params=params,
                           keep_stages=plot_dir is not None)
    base: dict[str, Any] = {"file": str(path), "lines": int(table.shape[0]), "bytes": len(data),
                            "sha256": digest}
    if repair.rejected is not None:
        return TakeOutcome(status="rejected", detail=f"{repair.rejected.value}: {repair.detail}",
                           slope=repair.slope, **base)
    cleaned, masks, fields = _repair_fields(table, repair)
    outcome = TakeOutcome(
        status="cleaned", slope=repair.slope, slope_used=repair.slope_used,
        slope_mismatch=repair.slope_mismatch, counts=repair.counts, fields_repaired=fields,
        discontinuities=tuple((d.index, round(d.samples, 1)) for d in repair.discontinuities),
        detail=_detail(repair, expected), **base)
    duplicate = seen.get(_fingerprint(cleaned))
    if duplicate is not None:
        return TakeOutcome(status="duplicate", detail=f"the same take as {duplicate}", **base)
    seen[_fingerprint(cleaned)] = str(path)
    write_hdr(out_hdr, cleaned)
    _write_reasons(out_reasons, repair, masks)
    if plot_dir is not None:
        from swathkit.plot.seasat import plot_repair

        plot_repair(repair, Path(plot_dir) / f"{path.name.removesuffix('.hdr')}.png",
                    title=path.name)
    _atomic_text(out_json, json.dumps(jsonable(outcome), indent=2, sort_keys=True) + "\n")
    return outcome


def _repair_fields(table: npt.NDArray[np.int64], repair: SeriesRepair) -> tuple[
        npt.NDArray[np.int64], npt.NDArray[np.int64], dict[str, int]]:
    cleaned = table.copy()
    cleaned[:, _MSEC] = repair.values
    masks = np.zeros(table.shape[0], np.int64)
    fields: dict[str, int] = {}
    for name in CONSTANT_FIELDS:
        col = column(name)
        values, reasons = rolling_mode(table[:, col])
        changed = reasons == Reason.MODE
        cleaned[:, col] = values
        masks[changed] |= 1 << col
        if changed.any():
            fields[name] = int(np.count_nonzero(changed))
    return cleaned, masks, fields


def _detail(repair: SeriesRepair, expected: float | None) -> str:
    if repair.slope_mismatch:
        return (f"slope {repair.slope:.6f} ms/line, expected {expected:.6f}: reported, not "
                "forced (the estimate was used)")
    return ""


def _fingerprint(table: npt.NDArray[np.int64]) -> str:
    cols = [column(name) for name in ("station", "day_of_year", "msec")]
    return hashlib.sha256(np.ascontiguousarray(table[:, cols]).tobytes()).hexdigest()


def _remember(previous: TakeOutcome, seen: dict[str, str], out_hdr: Path) -> TakeOutcome:
    if out_hdr.is_file():
        seen[_fingerprint(read_hdr(out_hdr))] = previous.file
    return TakeOutcome(**{**previous.__dict__, "status": "skipped"})


def _finished(report: Path, digest: str) -> TakeOutcome | None:
    """The outcome recorded by an earlier run for the same input bytes, if any."""
    if not report.is_file():
        return None
    try:
        data: dict[str, Any] = json.loads(report.read_text())
    except (OSError, ValueError):
        return None
    if data.get("sha256") != digest:
        return None
    data["discontinuities"] = tuple(tuple(d) for d in data.get("discontinuities", ()))
    return TakeOutcome(**data)


def _write_reasons(path: Path, repair: SeriesRepair, masks: npt.NDArray[np.int64]) -> None:
    lines = np.arange(repair.values.size)
    table = np.column_stack([lines, repair.original, repair.values,
                             repair.reasons.astype(np.int64), masks])
    tmp = path.with_name(f".{path.name}.tmp")
    codes = ", ".join(f"{r.value} {r.name.lower()}" for r in Reason)
    np.savetxt(tmp, table, fmt="%d", header=f"line msec_original msec reason fields_mask\n"
               f"reason codes: {codes}; fields_mask: bit n = .hdr column n by rolling mode")
    tmp.replace(path)


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


def _report(files: Sequence[Path], takes: Sequence[TakeOutcome], failures: list[Failure],
            seconds: float) -> CleanReport:
    read = list(takes)
    fixed = [t for t in takes if t.fixed]
    good = [t for t in fixed if t.good]
    stages = (FunnelStage("given", len(files), sum(p.stat().st_size for p in files)),
              FunnelStage("read", len(read), sum(t.bytes for t in read)),
              FunnelStage("fixed", len(fixed), sum(t.bytes for t in fixed)),
              FunnelStage("good", len(good), sum(t.bytes for t in good)))
    not_good = [Failure(FailureKind.BAD_PRODUCT, t.file, _why_not_good(t)) for t in fixed
                if not t.good]
    funnel = Funnel(unit="files", stages=stages, failures=(*failures, *not_good))
    counts = {"given": len(files), "cleaned": sum(t.status == "cleaned" for t in takes),
              "skipped": sum(t.status == "skipped" for t in takes), "good": len(good),
              "failed": len(failures)}
    return JobReport(job="seasat clean", unit="files", counts=counts, failures=tuple(failures),
                     bytes=sum(t.bytes for t in read), seconds=seconds,
                     extras=CleanExtras(funnel, tuple(takes)))


def _why_not_good(take: TakeOutcome) -> str:
    if take.slope_mismatch:
        return take.detail
    repaired = sum((take.counts or {}).values())
    return f"{repaired} of {take.lines} lines repaired (more than {GOOD_SHARE:.0%})"
