"""swathkit smap consolidate: --json report, the summary table, exit codes."""

import json
from datetime import datetime

import pytest

from smap_files import folder_of, l3_days
from swathkit.cli.main import main

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    return l3_days(tmp_path_factory, datetime(2015, 4, 1), 1)[0]


def test_json_report_counts_the_days_and_names_the_variables(day, tmp_path, capsys):
    folder = folder_of([day], tmp_path / "in")
    code = main(["smap", "consolidate", str(folder), "--cube", str(tmp_path / "sm.zarr"),
                 "--layers", "soil_moisture", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["counts"]["added"] == 1
    assert out["extras"]["grid"] == "ease2-m36"
    assert out["extras"]["variables"] == ["soil_moisture_am", "soil_moisture_pm"]


def test_the_table_shows_the_outcome_and_a_bad_file_exits_1(day, tmp_path, capsys):
    folder = folder_of([day], tmp_path / "in")
    (folder / "SMAP_L3_SM_P_20150402_R19240_001.h5").write_text("not hdf5")
    code = main(["smap", "consolidate", str(folder), "--cube", str(tmp_path / "sm.zarr")])
    out = capsys.readouterr().out
    assert code == 1
    assert "added" in out and "SMAP_L3_SM_P_20150402_R19240_001.h5" in out


@pytest.mark.parametrize("args", [["--layers", "nope"], ["--polar"]])
def test_bad_input_exits_2(day, tmp_path, args, capsys):
    folder = folder_of([day], tmp_path / "in")
    code = main(["smap", "consolidate", str(folder), "--cube", str(tmp_path / "c.zarr"), *args])
    assert code == 2 and "error" in capsys.readouterr().err


def test_a_missing_folder_exits_2(tmp_path, capsys):
    code = main(["smap", "consolidate", str(tmp_path / "nowhere"), "--cube", "c.zarr"])
    assert code == 2 and "no such folder" in capsys.readouterr().err


def test_help_has_an_example(capsys):
    with pytest.raises(SystemExit):
        main(["smap", "consolidate", "--help"])
    assert "example" in capsys.readouterr().out
