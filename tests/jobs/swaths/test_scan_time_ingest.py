"""Ingest flags bad AMSR2 scan times per scan, repairs them only when asked; verify lists them."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import h5py
import numpy as np
import pytest

from swathkit.jobs.swaths.ingest import ingest
from swathkit.process.qc import SCAN_JUMP, SCAN_OFF_LINE, SCAN_REPAIRED
from swathkit.stores.schema import Layout
from swathkit.stores.swath_store import SwathStore, swath_writer
from swathkit.stores.verify import verify


@pytest.fixture
def bad_times(l1b_files: list[Path]) -> Path:
    """The first granule with a scan time going back and a jump of 4 scans."""
    path = l1b_files[0]
    with h5py.File(path, "r+") as f:
        times = f["Scan Time"][()]
        times[50:] += 6.0
        times[20] -= 30.0
        f["Scan Time"][...] = times
    return path


def _stored(store: Path) -> tuple[np.ndarray, np.ndarray]:
    sw = SwathStore.open(store)
    rows = sw.read_raw(sw.granule_ids[0])
    n = sw.n_scans(sw.granule_ids[0])
    return rows["scan_time"][:n], rows["scan_time_flag"][:n]


@pytest.mark.slow
def test_ingest_flags_scan_times_and_verify_reports_them(tmp_path: Path, bad_times) -> None:
    path = bad_times
    store = tmp_path / "s.zarr"
    assert ingest([path], store, workers=1).ok
    times, flags = _stored(store)
    assert np.flatnonzero(flags).tolist() == [20, 50]
    assert flags[20] == SCAN_OFF_LINE and flags[50] == SCAN_JUMP
    assert np.diff(times)[19] < 0  # kept as sent
    report = verify(store, workers=1)
    assert report.ok  # flagged times are not damage
    assert "1 scan times off the line of their neighbours (not repaired)" in (
        report.scan_times[SwathStore.open(store).granule_ids[0]])


@pytest.mark.slow
def test_ingest_repairs_scan_times_when_asked(tmp_path: Path, bad_times) -> None:
    path = bad_times
    store = tmp_path / "s.zarr"
    assert ingest([path], store, workers=1, repair_scan_times=True).ok
    times, flags = _stored(store)
    assert flags[20] == SCAN_OFF_LINE | SCAN_REPAIRED
    diffs = np.diff(times)
    assert (diffs > 0).all() and set(diffs.tolist()) == {1_500_000, 7_500_000}
    assert diffs[19] == 1_500_000 and diffs[49] == 7_500_000  # the jump is kept


@pytest.mark.slow
def test_a_store_made_before_scan_flags_keeps_its_layout(tmp_path: Path, bad_times) -> None:
    store = tmp_path / "old.zarr"
    with swath_writer(store, dataclasses.replace(Layout.of("36.5H"), scan_flags=False)):
        pass
    assert ingest([bad_times], store, workers=1).ok
    sw = SwathStore.open(store)
    assert not sw.layout.scan_flags and "scan_time_flag" not in sw.read_raw(sw.granule_ids[0])
    # verify checks the stored times themselves
    assert "1 jumps in scan time" in verify(store, workers=1).scan_times[sw.granule_ids[0]]
