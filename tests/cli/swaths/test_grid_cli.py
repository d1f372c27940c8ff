import json
from datetime import datetime

import pytest
import xarray as xr

from swath_grid_helpers import day_records, make_store
from swathkit.cli.main import main

DAY = datetime(2022, 2, 16)


@pytest.mark.slow
def test_grid_onto_ease2_n25_json_then_rerun(tmp_path, capsys):
    store = make_store(tmp_path / "s.zarr", day_records(DAY))
    args = ["grid", str(store), "--grid", "ease2-n25", "--start", "2022-02-16", "--end",
            "2022-02-16", "--cube", str(tmp_path / "tb.zarr"), "--json"]
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["added"] == 1 and report["extras"]["added"] == ["2022-02-16"]
    ds = xr.open_zarr(tmp_path / "tb.zarr")
    assert ds["tb_36_5h_asc"].shape[1:] == (720, 720)
    assert ds.attrs["swathkit"]["grid"]["name"] == "ease2-n25"
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["present"] == 1


def test_an_unknown_grid_exits_2_naming_the_known_ones(tmp_path, capsys):
    store = make_store(tmp_path / "s.zarr", day_records(DAY, 1))
    code = main(["grid", str(store), "--grid", "ease2-n99", "--start", "2022-02-16",
                 "--end", "2022-02-16", "--cube", str(tmp_path / "tb.zarr")])
    err = capsys.readouterr().err
    assert code == 2 and "unknown grid 'ease2-n99'" in err and "ease2-n25" in err


def test_help_has_an_example(capsys):
    with pytest.raises(SystemExit):
        main(["grid", "--help"])
    assert "example:" in capsys.readouterr().out
