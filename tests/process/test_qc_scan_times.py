"""Scan-time checks of a swath: flags per scan, repair only when asked."""

from __future__ import annotations

import numpy as np

from swathkit.process.qc import SCAN_JUMP, SCAN_OFF_LINE, SCAN_REPAIRED, scan_time_flags


def _times(n: int = 120) -> np.ndarray:
    start = np.datetime64("2022-02-16T00:00:00", "ns")
    return start + np.arange(n) * np.timedelta64(1500, "ms")


def test_regular_scan_times_have_no_flags() -> None:
    flags, times, problems = scan_time_flags(_times())
    assert not flags.any() and problems == []
    assert np.array_equal(times, _times())


def test_backward_duplicated_and_jumping_times_are_flagged_not_changed() -> None:
    t = _times()
    t[10] -= np.timedelta64(30, "s")  # goes back
    t[60] = t[59]  # the same time twice
    t[80:] += np.timedelta64(6, "s")  # four scans lost
    flags, times, problems = scan_time_flags(t)
    assert np.flatnonzero(flags).tolist() == [10, 60, 80]
    assert flags[10] == flags[60] == SCAN_OFF_LINE and flags[80] == SCAN_JUMP
    assert np.array_equal(times, t)
    assert problems == ["2 scan times off the line of their neighbours (not repaired)",
                        "1 jumps in scan time"]


def test_repair_restores_the_line_and_keeps_the_jump() -> None:
    truth = _times()
    truth[80:] += np.timedelta64(6, "s")
    t = truth.copy()
    t[10] -= np.timedelta64(30, "s")
    t[33] += np.timedelta64(400, "ms")
    flags, times, _ = scan_time_flags(t, repair=True)
    assert np.array_equal(times, truth)
    assert flags[10] == flags[33] == SCAN_OFF_LINE | SCAN_REPAIRED


def test_short_swaths_and_missing_times_are_checked_for_order_only() -> None:
    t = _times(8)
    t[3] = t[1]
    assert np.flatnonzero(scan_time_flags(t)[0]).tolist() == [3]
    gaps = _times()
    gaps[5] = np.datetime64("NaT")
    assert not scan_time_flags(gaps)[0].any()
