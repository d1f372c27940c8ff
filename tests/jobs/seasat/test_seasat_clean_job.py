"""seasat clean: outputs against the truth, the funnel, resume, duplicates, bad inputs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from swathkit.errors import InputError
from swathkit.jobs.seasat.clean import clean, outputs_of
from swathkit.process.timeseries import Reason
from swathkit.products.seasat.hdr import CONSTANT_FIELDS, column, read_hdr, write_hdr
from swathkit.sim.seasat.headers import TakeKind, synthetic_take

MSEC = column("msec")


@pytest.fixture
def takes(tmp_path: Path) -> dict[str, object]:
    made = {"good": synthetic_take(12_000, seed=1),
            "slow": synthetic_take(12_000, seed=2, slope=0.486),
            "random": synthetic_take(12_000, seed=3, kind=TakeKind.RANDOM)}
    for name, take in made.items():
        write_hdr(tmp_path / f"{name}.hdr", take.observed)
    return made


@pytest.mark.slow
def test_clean_writes_the_repaired_table_reasons_and_report(tmp_path: Path, takes: dict) -> None:
    report = clean([tmp_path / "good.hdr"])
    assert report.ok and report.counts["cleaned"] == 1
    out_hdr, out_reasons, out_json = outputs_of(tmp_path / "good.hdr")
    cleaned, truth = read_hdr(out_hdr), takes["good"].true
    assert np.mean(cleaned[:, MSEC] == truth[:, MSEC]) >= 0.999
    fields = [column(name) for name in CONSTANT_FIELDS]
    assert np.mean(cleaned[:, fields] == truth[:, fields]) >= 0.999
    rows = np.loadtxt(out_reasons, dtype=np.int64)
    assert np.array_equal(rows[:, 1], takes["good"].observed[:, MSEC])  # the original, kept
    assert np.array_equal(rows[:, 2], cleaned[:, MSEC])
    assert set(rows[:, 3]) <= {int(r) for r in Reason}
    saved = json.loads(out_json.read_text())
    assert saved["status"] == "cleaned" and saved["lines"] == 12_000
    assert len(saved["discontinuities"]) == len(takes["good"].lost)


@pytest.mark.slow
def test_funnel_counts_read_fixed_good_and_lists_why(tmp_path: Path, takes: dict) -> None:
    (tmp_path / "broken.hdr").write_text("1 2 3\n")
    report = clean(sorted(tmp_path.glob("*.hdr")))
    funnel = report.extras.funnel
    assert [(s.name, s.items) for s in funnel.stages] == [
        ("given", 4), ("read", 3), ("fixed", 2), ("good", 1)]
    reasons = {Path(f.item).name: f.reason for f in funnel.failures}
    assert "3 columns" in reasons["broken.hdr"]
    assert reasons["random.hdr"].startswith("rejected: random")
    assert "slope 0.486000" in reasons["slow.hdr"] and "not forced" in reasons["slow.hdr"]
    assert {Path(f.item).name for f in report.failures} == {"broken.hdr", "random.hdr"}
    assert report.exit_code == 1
    assert not outputs_of(tmp_path / "random.hdr")[0].exists()


def test_running_again_skips_finished_takes_and_keeps_bytes(tmp_path: Path, takes: dict) -> None:
    clean([tmp_path / "good.hdr"])
    out_hdr = outputs_of(tmp_path / "good.hdr")[0]
    first = out_hdr.read_bytes()
    again = clean([tmp_path / "good.hdr", out_hdr])  # its own output is left out
    assert again.counts["skipped"] == 1 and again.counts["cleaned"] == 0
    assert out_hdr.read_bytes() == first


def test_cleaning_the_output_changes_nothing(tmp_path: Path, takes: dict) -> None:
    clean([tmp_path / "good.hdr"])
    copy = tmp_path / "copy" / "again.hdr"
    copy.parent.mkdir()
    copy.write_bytes(outputs_of(tmp_path / "good.hdr")[0].read_bytes())
    report = clean([copy])
    assert report.extras.takes[0].counts == {}
    assert outputs_of(copy)[0].read_bytes() == copy.read_bytes()


def test_an_input_changed_since_is_cleaned_again(tmp_path: Path, takes: dict) -> None:
    clean([tmp_path / "good.hdr"])
    write_hdr(tmp_path / "good.hdr", takes["slow"].observed)
    assert clean([tmp_path / "good.hdr"]).counts["cleaned"] == 1


def test_a_duplicate_take_is_a_failure(tmp_path: Path, takes: dict) -> None:
    (tmp_path / "twin.hdr").write_bytes((tmp_path / "good.hdr").read_bytes())
    report = clean([tmp_path / "good.hdr", tmp_path / "twin.hdr"])
    (failure,) = report.failures
    assert failure.item.endswith("twin.hdr") and "the same take as" in failure.reason


def test_out_dir_and_progress(tmp_path: Path, takes: dict) -> None:
    seen: list[tuple[int, int, str]] = []
    clean([tmp_path / "good.hdr"], out_dir=tmp_path / "out",
          progress=lambda d, t, item: seen.append((d, t, item)))
    assert (tmp_path / "out" / "good.clean.hdr").is_file()
    assert seen == [(1, 1, "good.hdr")]


@pytest.mark.parametrize("name", ["absent.hdr", "notes.txt"])
def test_paths_that_are_not_hdr_files_are_input_errors(tmp_path: Path, name: str) -> None:
    if name.endswith(".txt"):
        (tmp_path / name).write_text("x")
    with pytest.raises(InputError, match=name):
        clean([tmp_path / name])
