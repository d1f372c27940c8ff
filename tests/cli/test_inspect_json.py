"""``swathkit inspect --json``: the summary for scripts, parsed, with stable keys."""

import json
from datetime import date

import pytest

from swathkit.cli.main import main
from swathkit.jobs.swaths.ingest import ingest
from swathkit.sim.bremen.asi import write_asi_days
from swathkit.stores.inspect import Summary


def _inspect_json(target, capsys):
    assert main(["inspect", str(target), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def store(l1b_files, tmp_path):
    path = tmp_path / "s.zarr"
    report = ingest([str(p) for p in l1b_files], str(path), channels="36.5H", coords=True,
                    workers=1)
    assert report.ok
    return path


def test_a_swath_store_gives_its_facts_and_variables_by_key(store, capsys):
    summary = _inspect_json(store, capsys)
    assert summary["kind"] == "swath_store" and str(store) in summary["title"]
    facts = summary["facts"]
    assert facts["granules"] == "4" and facts["channels"] == "36.5H"
    assert facts["lat_lon_kept"] == "yes" and "by_orbit_direction" in facts
    variables = {row["variable"]: row for row in summary["tables"]["variables"]}
    assert set(variables["tb_36_5h"]) == {"variable", "shape", "stored_dtype", "attributes"}
    assert variables["tb_36_5h"]["stored_dtype"] == "uint16"


def test_a_product_file_lists_its_datasets(l1b_files, capsys):
    summary = _inspect_json(l1b_files[0], capsys)
    assert summary["kind"] == "hdf5_file"
    names = [row["dataset"] for row in summary["tables"]["datasets"]]
    assert "Brightness Temperature (36.5GHz,H)" in names


def test_a_folder_of_asi_files_names_its_grid_and_missing_days(tmp_path, capsys):
    write_asi_days(tmp_path, "n6250", date(2024, 3, 4), 2)
    (tmp_path / "asi-AMSR2-n6250-20240304-v5.4.nc").rename(
        tmp_path / "asi-AMSR2-n6250-20240302-v5.4.nc")
    summary = _inspect_json(tmp_path, capsys)
    assert summary["kind"] == "asi_folder" and summary["tables"] == {}
    facts = summary["facts"]
    assert facts["grid"].startswith("asi-n6250") and facts["files"] == "2"
    assert facts["missing_days"].startswith("2: 2024-03-03 … 2024-03-04")


def test_without_json_the_same_summary_is_a_table(store, capsys):
    assert main(["inspect", str(store)]) == 0
    out = capsys.readouterr().out
    assert "lat/lon kept" in out
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)


def test_a_label_met_twice_keeps_both_values():
    summary = Summary("t", facts=[("Grid", "a"), ("grid", "b"), ("x / y", "c")], kind="k")
    assert summary.as_dict()["facts"] == {"grid": "a", "grid_2": "b", "x_y": "c"}
