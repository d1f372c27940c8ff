"""Check a swath store granule by granule: readable, plausible, consistent, untampered."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from swathkit.process import qc
from swathkit.products.amsr2.channels import FILL_COUNT, SCALE_FACTOR
from swathkit.stores.location import StoreLocation
from swathkit.stores.records import rows_digest
from swathkit.stores.swath_store import SwathStore
from swathkit.types import Progress


@dataclass
class VerifyReport:
    """Damaged granules with reasons, and the share that passed."""

    checked: int = 0
    damaged: dict[str, str] = field(default_factory=dict)
    scan_times: dict[str, str] = field(default_factory=dict)
    """Granules whose scan times are off the line or jump (not damage: the data are as sent)."""

    @property
    def success_rate(self) -> float:
        return 1.0 if self.checked == 0 else (self.checked - len(self.damaged)) / self.checked

    @property
    def ok(self) -> bool:
        return not self.damaged


def _check(store: SwathStore, granule_id: str) -> tuple[list[str], list[str]]:
    """The granule's damage, and its scan-time notes."""
    try:
        rows = store.read_raw(granule_id)
        n_scans = store.n_scans(granule_id)
    except Exception as exc:
        return [f"unreadable: {type(exc).__name__}: {exc}"], []
    return _problems(store, granule_id, rows, n_scans), _time_notes(rows, n_scans)


def _time_notes(rows: dict[str, np.ndarray], n_scans: int) -> list[str]:
    """What ingest flagged per scan; stores made before the flags: checked now."""
    if "scan_time_flag" in rows:
        return qc.time_problems(rows["scan_time_flag"][:n_scans])
    times = rows["scan_time"][:n_scans].astype("datetime64[us]")  # TIME_FILL is NaT
    return qc.scan_time_flags(times)[2]


def _problems(store: SwathStore, granule_id: str, rows: dict[str, np.ndarray],
              n_scans: int) -> list[str]:
    problems = []
    if rows_digest(rows) != store.digest_of(granule_id):
        problems.append("content differs from its recorded sha256")
    length = store.layout.scan_length
    if not 0 < n_scans <= length:
        problems.append(f"n_scans {n_scans} outside 1..{length}")
    for spec in store.layout.data_specs():
        problems += _row_problems(spec.name, spec.fill, rows[spec.name], n_scans)
    return problems


def _row_problems(name: str, fill: Any, values: np.ndarray, n_scans: int) -> list[str]:
    body, pad = values[:n_scans], values[n_scans:]
    padded_ok = np.isnan(pad).all() if values.dtype.kind == "f" else (pad == fill).all()
    problems = [] if padded_ok else [f"{name}: data beyond n_scans"]
    if name.startswith("tb_"):
        problems += qc.counts_problems(name, body, fill=FILL_COUNT, scale=SCALE_FACTOR)
    elif name.startswith("lat_"):
        problems += qc.latlon_problems(name, body, np.zeros_like(body))
    elif name.startswith("lon_"):
        problems += qc.latlon_problems(name, np.zeros_like(body), body)
    return problems


def verify(store: str | StoreLocation, *, workers: int = 4,
           progress: Progress | None = None) -> VerifyReport:
    """Read every committed granule and check shapes, ranges, n_scans and checksums.

    Chunks carry CRC32C checksums (a corrupted chunk fails to decode) and each
    granule's rows carry the sha256 recorded when they were committed.
    """
    sw = SwathStore.open(store)
    report = VerifyReport()
    ids = sw.granule_ids
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done, (gid, (problems, notes)) in enumerate(
                zip(ids, pool.map(lambda g: _check(sw, g), ids), strict=True), 1):
            report.checked += 1
            if problems:
                report.damaged[gid] = "; ".join(problems)
            if notes:
                report.scan_times[gid] = "; ".join(notes)
            if progress:
                progress(done, len(ids), gid)
    return report
