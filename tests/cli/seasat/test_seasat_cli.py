"""``swathkit sim generate seasat`` and ``swathkit seasat decode`` from the command line."""

from __future__ import annotations

import json

from swathkit.cli.main import main
from swathkit.sim.seasat.truth import load_truth, truth_path


def test_generate_then_decode_as_json(tmp_path, capsys) -> None:
    raw = tmp_path / "take.raw"
    assert main(["sim", "generate", "seasat", "--lines", "40", "--ber", "1e-3", "--takes", "2",
                 "--seed", "3", "--out", str(raw)]) == 0
    assert load_truth(truth_path(raw)).lines == 40
    capsys.readouterr()
    assert main(["seasat", "decode", str(raw), "--out", str(tmp_path / "dec"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["segments"] == 2 and report["counts"]["lines"] == 40
    assert (tmp_path / "dec" / "take_001.hdr").is_file()


def test_decode_of_a_missing_file_is_one_line_and_exit_2(tmp_path, capsys) -> None:
    assert main(["seasat", "decode", str(tmp_path / "none.raw"), "--out", str(tmp_path)]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and "no such file" in err[0]


def test_seasat_help_shows_an_example(capsys) -> None:
    try:
        main(["seasat", "decode", "--help"])
    except SystemExit as done:
        assert done.code == 0
    assert "example: swathkit seasat decode" in capsys.readouterr().out


def test_generate_with_an_impossible_bit_error_rate_is_exit_2(tmp_path, capsys) -> None:
    assert main(["sim", "generate", "seasat", "--ber", "0.7", "--out", str(tmp_path / "x")]) == 2
    assert "give a bit-error rate in [0, 0.5)" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_generate_amsr2_still_needs_a_start(tmp_path, capsys) -> None:
    assert main(["sim", "generate", "amsr2-l1b", "--out", str(tmp_path)]) == 2
    assert "needs --start" in capsys.readouterr().err
