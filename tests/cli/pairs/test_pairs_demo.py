"""The demo's pairs step: pairs run, the seed's CSV, a downloaded pair and its picture; again:
nothing changes."""

import os

import pytest

from swathkit.cli.main import main
from swathkit.stores.pair_table import PairTable

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def test_the_pairs_demo_leaves_the_table_a_downloaded_pair_and_its_picture(tmp_path, capsys):
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
    assert "downloaded" in capsys.readouterr().out
    [scene] = [p for p in (folder / "scenes").iterdir() if p.is_dir()]
    assert scene.name == kept[0].candidate.sar_name
    assert (scene / f"{scene.name}_HH.tif").is_file() and list((scene / "usgs_dswe").iterdir())
    assert not list((folder / "scenes").glob("*.zip"))  # deleted once extracted
    picture = folder / f"{scene.name}.png"
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and picture.stat().st_size > 50_000
    before = {p: p.stat().st_mtime_ns for p in folder.rglob("*") if "sim" not in p.parts}
    table = (folder / "pairs.parquet").read_bytes()
    assert main(["demo", "--only", "pairs", "--out", str(tmp_path)]) == 0
    assert (folder / "pairs.parquet").read_bytes() == table
    assert {p: p.stat().st_mtime_ns for p in (scene / "usgs_dswe").iterdir()} == {
        p: t for p, t in before.items() if p.parent == scene / "usgs_dswe"}
