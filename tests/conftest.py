"""Shared fixtures: tiny synthetic AMSR2 L1B granules written by swathkit.sim."""

from pathlib import Path

import pytest

START = "2022-02-16T00:00:00"


@pytest.fixture(scope="session")
def l1b_dir(tmp_path_factory) -> Path:
    """Four consecutive small granules (80 scans each), written once per session."""
    from swathkit.sim.gportal.amsr2_l1b import write_granules

    out = tmp_path_factory.mktemp("l1b")
    write_granules(out, START, 4, scans=80, seed=3)
    return out


@pytest.fixture
def l1b_files(l1b_dir, tmp_path) -> list[Path]:
    """Private copies of the session granules (tests may damage or delete them)."""
    import shutil

    out = []
    for src in sorted(l1b_dir.glob("*.h5")):
        dst = tmp_path / "in" / src.name
        dst.parent.mkdir(exist_ok=True)
        shutil.copy(src, dst)
        out.append(dst)
    return out
