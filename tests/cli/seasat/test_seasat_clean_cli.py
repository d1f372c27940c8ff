"""``swathkit seasat clean`` and ``swathkit sim generate seasat-hdr`` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from swathkit.cli.main import main
from swathkit.products.seasat.hdr import column, read_hdr


def _generate(tmp_path: Path, name: str, *extra: str) -> Path:
    path = tmp_path / name
    assert main(["sim", "generate", "seasat-hdr", "--lines", "12000", "--out", str(path),
                 *extra]) == 0
    return path


@pytest.mark.slow
def test_generate_then_clean_prints_the_funnel(tmp_path: Path, capsys) -> None:
    hdr = _generate(tmp_path, "take.hdr", "--seed", "3")
    truth = np.loadtxt(tmp_path / "take.truth.txt", dtype=np.int64)
    capsys.readouterr()
    assert main(["seasat", "clean", str(hdr), "--plot", str(tmp_path / "plots")]) == 0
    out = capsys.readouterr().out
    assert "funnel" in out and "good" in out and "take.hdr" in out
    cleaned = read_hdr(tmp_path / "take.clean.hdr")[:, column("msec")]
    assert np.mean(cleaned == truth[:, 1]) >= 0.999
    assert (tmp_path / "plots" / "take.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_json_reports_the_slope_mismatch(tmp_path: Path, capsys) -> None:
    hdr = _generate(tmp_path, "slow.hdr", "--slope", "0.486")
    capsys.readouterr()
    assert main(["seasat", "clean", str(hdr), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    (take,) = report["extras"]["takes"]
    assert take["slope_mismatch"] and abs(take["slope_used"] - 0.486) < 1e-5
    assert [s["items"] for s in report["extras"]["funnel"]["stages"]] == [1, 1, 1, 0]


def test_a_rejected_take_exits_1_and_says_why(tmp_path: Path, capsys) -> None:
    hdr = _generate(tmp_path, "flat.hdr", "--kind", "constant-2^24")
    capsys.readouterr()
    assert main(["seasat", "clean", str(hdr)]) == 1
    assert "16777216" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["seasat", "clean", "missing.hdr"],
                                  ["sim", "generate", "seasat-hdr", "--out", "x.txt"]])
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys, monkeypatch, argv) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and len(err.strip().splitlines()) == 1


def test_bad_slope_is_an_argparse_error(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["seasat", "clean", "x.hdr", "--expected-slope", "fast"])
    assert exit_info.value.code == 2 and "ms per line" in capsys.readouterr().err


def test_sim_generate_still_needs_start_for_granules(tmp_path: Path, capsys) -> None:
    assert main(["sim", "generate", "amsr2-l1b", "--out", str(tmp_path)]) == 2
    assert "needs --start" in capsys.readouterr().err
