"""``swathkit seaice consolidate | mask | fill`` end to end on a few synthetic days."""

import json
import re
from datetime import date

import pytest

from swathkit.cli.main import main
from swathkit.sim.bremen.asi import write_asi_days

D0 = date(2024, 3, 4)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    src = tmp_path_factory.mktemp("asi")
    write_asi_days(src, "n6250", D0, 4)
    return src


@pytest.mark.slow
def test_consolidate_mask_fill(files, tmp_path, capsys):
    cube = str(tmp_path / "c.zarr")
    assert main(["seaice", "consolidate", str(files), "--cube", cube]) == 0
    assert "added" in capsys.readouterr().out
    assert main(["seaice", "consolidate", str(files), "--cube", cube]) == 0
    out = capsys.readouterr().out
    assert re.search(r"already stored\s*│\s*4\s", out)
    assert main(["seaice", "mask", cube, "--start", "2024-03-04", "--end", "2024-03-07"]) == 0
    out = capsys.readouterr().out
    assert "coastline" in out and "intersection over union" in out
    assert main(["seaice", "fill", cube, "--unfilled", "repeat", "--space-window", "4"]) == 0
    out = capsys.readouterr().out
    assert "filled in time" in out and "filled in space-time" in out and "unfilled" in out


def test_consolidate_and_fill_print_json_reports(files, tmp_path, capsys):
    cube = str(tmp_path / "c.zarr")
    assert main(["seaice", "consolidate", str(files), "--cube", cube, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["job"] == "seaice consolidate" and report["counts"]["added"] == 4
    assert report["extras"]["added"] == ["2024-03-04", "2024-03-05", "2024-03-06",
                                         "2024-03-07"]
    assert main(["seaice", "fill", cube, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["days"] == report["counts"]["filled_now"] >= 4 and report["ok"]
    pixels = report["extras"]["pixels"]
    assert set(pixels) == {"observed", "filled_time", "filled_spacetime", "unfilled", "land",
                           "constant"} and pixels["observed"] > 0


@pytest.mark.slow
def test_a_bad_file_gives_exit_code_1(files, tmp_path, capsys):
    src = tmp_path / "src"
    src.mkdir()
    for p in files.iterdir():
        (src / p.name).write_bytes(p.read_bytes())
    bad = sorted(src.glob("*.nc"))[1]
    bad.write_bytes(b"garbage")
    assert main(["seaice", "consolidate", str(src), "--cube", str(tmp_path / "c.zarr")]) == 1
    out = capsys.readouterr().out
    assert "failures (by kind)" in out and bad.name in out


def test_bad_options_are_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["seaice", "fill", str(tmp_path / "c.zarr"), "--unfilled", "sometimes"])
    assert exit_info.value.code == 2
    assert main(["seaice", "fill", str(tmp_path / "none.zarr")]) == 2
    assert "no grid cube" in capsys.readouterr().err


def test_help_describes_each_verb(capsys):
    for verb in ("consolidate", "mask", "fill"):
        with pytest.raises(SystemExit):
            main(["seaice", verb, "--help"])
        assert "example" in capsys.readouterr().out
