"""The demo's pairs step: search, score, the funnel and the seed's CSV; again: resumes."""

import os

import pytest

from swathkit.cli.main import main
from swathkit.stores.pair_table import PairTable

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def test_the_pairs_demo_leaves_a_scored_table_and_restores_the_environment(tmp_path, capsys):
    before = dict(os.environ)
    assert main(["demo", "--only", "pairs", "--out", str(tmp_path)]) == 0
    assert dict(os.environ) == before  # the simulated endpoints and accounts were for the step
    folder = tmp_path / "pairs"
    rows = PairTable(folder / "pairs.parquet").rows()
    assert rows and {r.state for r in rows} == {"scored"}
    kept = [r for r in rows if r.score and r.score.decision == "keep"]
    assert kept, "the demo's area should give at least one kept pair"
    lines = (folder / "alos_dswe_database.csv").read_text().splitlines()
    assert lines[0] == "ALOS_scene,DSWE_tiles" and len(lines) == 1 + len(kept)
    assert "kept" in capsys.readouterr().out
    table = (folder / "pairs.parquet").read_bytes()
    assert main(["demo", "--only", "pairs", "--out", str(tmp_path)]) == 0
    assert (folder / "pairs.parquet").read_bytes() == table
