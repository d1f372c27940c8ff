"""``swathkit pairs run``: search, score and download in one command; again: nothing to do."""

import json

import pytest

from pairs_sims import AOI, PERIOD, point_at, simulators
from swathkit.cli.main import main

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]  # the simulators build catalogues


@pytest.fixture(scope="module")
def sims(tmp_path_factory):
    with simulators(tmp_path_factory.mktemp("pairs-run")) as running:
        yield running


def _run(argv, capsys):
    code = main([*argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_run_does_every_stage_then_a_rerun_does_nothing(sims, monkeypatch, tmp_path, capsys):
    point_at(monkeypatch, *sims)
    monkeypatch.setenv("SWATHKIT_CACHE", str(tmp_path / "cache"))
    table, out = tmp_path / "pairs.parquet", tmp_path / "scenes"
    argv = ["pairs", "run", "--aoi", AOI.wkt, "--start", PERIOD[0], "--end", PERIOD[1],
            "--table", str(table), "--out", str(out), "--min-valid", "0", "--min-water", "0"]
    code, first = _run(argv, capsys)
    assert code == 0 and set(first) == {"search", "score", "download", "status"}
    added = first["search"]["counts"]["added"]
    assert added > 0 and first["score"]["counts"]["scored"] == added
    stages = first["status"]["stages"]
    assert stages["kept"] == stages["downloaded"] == first["download"]["counts"]["downloaded"]
    assert sorted(p.name for p in out.iterdir() if p.is_dir())  # scene folders

    code, again = _run(argv, capsys)
    assert code == 0 and again["search"]["counts"]["added"] == 0
    assert again["score"]["counts"]["to_score"] == 0
    assert again["download"]["counts"]["downloaded"] == 0
    assert again["status"] == first["status"]


def test_bad_input_stops_before_any_request(sims, monkeypatch, tmp_path, capsys):
    point_at(monkeypatch, *sims)
    code = main(["pairs", "run", "--aoi", "POLYGON((1 2, 3", "--start", PERIOD[0], "--end",
                 PERIOD[1], "--table", str(tmp_path / "t.parquet"), "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and "--aoi" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "t.parquet").exists()
