"""``seasat decode``: segment files from a raw file, atomically, resumable, with clear errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from swathkit.errors import InputError
from swathkit.jobs.seasat.decode import decode
from swathkit.products.seasat.hdr import read_hdr
from swathkit.sim.seasat.telemetry import TelemetryOptions, clean_headers, write_telemetry


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("raw") / "take.raw"
    truth = write_telemetry(path, clean_headers(60), TelemetryOptions(ber=1e-3, takes=2, seed=9))
    return path, truth


def test_one_dat_hdr_and_report_per_take(raw, tmp_path) -> None:
    path, truth = raw
    report = decode(path, tmp_path / "out", chunk_bytes=50_000)
    segments = report.extras.segments
    assert [s.segment for s in segments] == [0, 1]
    for seg in segments:
        table = read_hdr(seg.hdr)
        assert seg.dat.stat().st_size == table.shape[0] * 13_680 == seg.lines * 13_680
        assert json.loads(seg.report.read_text())["lines"] == seg.lines
    assert sum(s.lines for s in segments) == truth.lines
    assert report.ok and not list((tmp_path / "out").glob(".*"))


def test_the_files_do_not_depend_on_the_chunk_size(raw, tmp_path) -> None:
    path, _ = raw
    a = decode(path, tmp_path / "a", chunk_bytes=7_001).extras.segments
    b = decode(path, tmp_path / "b", chunk_bytes=1 << 20).extras.segments
    for x, y in zip(a, b, strict=True):
        assert x.dat.read_bytes() == y.dat.read_bytes()
        assert x.hdr.read_bytes() == y.hdr.read_bytes()


def test_a_second_run_does_nothing(raw, tmp_path) -> None:
    path, _ = raw
    first = decode(path, tmp_path)
    mtime = first.extras.segments[0].dat.stat().st_mtime_ns
    again = decode(path, tmp_path)
    assert again.extras.already_done and again.counts == first.counts
    assert again.extras.segments[0].dat.stat().st_mtime_ns == mtime


def test_an_empty_file_is_an_input_error(tmp_path) -> None:
    empty = tmp_path / "empty.raw"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty file"):
        decode(empty, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_file_without_sync_codes_is_an_input_error_and_writes_nothing(tmp_path) -> None:
    noise = tmp_path / "noise.raw"
    noise.write_bytes(np.random.default_rng(1).integers(0, 256, 100_000, np.uint8).tobytes())
    with pytest.raises(InputError, match="no Seasat sync code"):
        decode(noise, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_a_cut_last_frame_is_reported(raw, tmp_path) -> None:
    path, truth = raw
    cut = tmp_path / "cut.raw"
    cut.write_bytes(path.read_bytes()[:int(truth.frame_bit[1000]) // 8 + 50])
    report = decode(cut, tmp_path / "out")
    assert report.extras.framing["truncated_bits"] > 0
    assert "ends inside a frame" in report.notes["lines"]


def test_an_error_midway_leaves_no_half_written_segment(raw, tmp_path) -> None:
    path, _ = raw
    out = tmp_path / "out"
    (out / "take_001.dat").mkdir(parents=True)  # segment 1 cannot be renamed into place
    with pytest.raises(OSError):
        decode(path, out, chunk_bytes=100_000)
    names = sorted(p.name for p in out.iterdir())
    assert names == ["take_000.dat", "take_000.hdr", "take_000.json", "take_001.dat"]
    assert read_hdr(out / "take_000.hdr").shape[0] * 13_680 == (out / "take_000.dat").stat().st_size
