"""Synthetic SMAP files for the tests, written once per test session by swathkit.sim.smap."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from swathkit.sim.smap.generate import write_smap

DAY = datetime(2015, 4, 1)  # spring: frozen ground in the north, thawed tropics
HALF_ORBIT = datetime(2015, 4, 1, 6, 0)  # inside orbit 873's ascending half
_MADE: dict[tuple[str, datetime, int], Path] = {}


def smap_file(factory: pytest.TempPathFactory, short_name: str,
              start: datetime = DAY, seed: int = 0) -> Path:
    """The synthetic file of ``short_name`` (first day or half orbit from ``start``)."""
    key = (short_name, start, seed)
    if key not in _MADE or not _MADE[key].is_file():
        out = factory.mktemp(short_name.lower())
        _MADE[key] = write_smap(out, short_name, start, seed=seed)[0]
    return _MADE[key]


def copy_of(path: Path, folder: Path) -> Path:
    """A copy of ``path`` in ``folder`` (same name) that a test may damage."""
    target = folder / path.name
    shutil.copyfile(path, target)
    return target


_DAYS: dict[tuple[str, datetime, int, int, int], list[Path]] = {}


def l3_days(factory: pytest.TempPathFactory, start: datetime = DAY, days: int = 1, *,
            short_name: str = "SPL3SMP", counter: int = 1, seed: int = 0) -> list[Path]:
    """Synthetic daily L3 files from ``start`` (made once per session; copy before use)."""
    key = (short_name, start, days, counter, seed)
    if key not in _DAYS or not all(p.is_file() for p in _DAYS[key]):
        out = factory.mktemp(f"{short_name.lower()}-days")
        _DAYS[key] = write_smap(out, short_name, start, days=days, counter=counter, seed=seed)
    return _DAYS[key]


def folder_of(files: list[Path], folder: Path) -> Path:
    """``folder`` holding copies of ``files`` (mtimes kept, so sources compare equal)."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in files:
        shutil.copy2(path, folder / path.name)
    return folder
