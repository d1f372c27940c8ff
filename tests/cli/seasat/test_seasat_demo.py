"""The demo's Seasat step: generate, decode, clean, the funnel and the picture; again: resumes."""

import json

import pytest

from swathkit.cli.main import main

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def test_the_seasat_demo_leaves_the_take_its_repair_and_a_picture(tmp_path, capsys) -> None:
    assert main(["demo", "--only", "seasat", "--out", str(tmp_path)]) == 0
    folder = tmp_path / "seasat"
    assert (folder / "plots" / "take_000.png").stat().st_size > 10_000
    report = json.loads((folder / "decoded" / "take_000.clean.json").read_text())
    assert report
    assert "funnel" in capsys.readouterr().out
    raw_mtime = (folder / "take.raw").stat().st_mtime_ns
    assert main(["demo", "--only", "seasat", "--out", str(tmp_path)]) == 0
    assert (folder / "take.raw").stat().st_mtime_ns == raw_mtime
