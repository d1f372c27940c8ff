"""Every user mistake is one line on standard error and exit code 2, never a traceback."""

from datetime import date

import pytest

from swathkit.cli.main import main

# An unreachable G-Portal: every mistake below is found before any request.
PORTAL = ["--catalog-url", "http://127.0.0.1:9/csw", "--sftp-host", "127.0.0.1",
          "--sftp-port", "9", "--username", "u", "--password", "p"]


def _collect(tmp_path, *extra, start="2022-02-16", end="2022-02-17"):
    return ["collect", "amsr2-l1b", "--start", start, "--end", end,
            "--store", str(tmp_path / "s.zarr"), *PORTAL, *extra]


def _one_line_error(argv, capsys) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


def test_collect_with_the_end_before_the_start(tmp_path, capsys):
    line = _one_line_error(_collect(tmp_path, start="2022-02-17", end="2022-02-16"), capsys)
    assert "is not after start" in line and "give an end later than the start" in line


@pytest.mark.parametrize(("extra", "words"), [
    (["--bbox", "1,2,3"], "is not west,south,east,north"),
    (["--bbox", "10,80,20,40"], "south < north"),
    (["--bbox=-200,40,20,80"], "longitudes in -180..180"),
    (["--workers", "0"], "workers must be at least 1"),
    (["--extract-workers", "0"], "extract_workers must be at least 1"),
    (["--channels", "37H"], "unknown AMSR2 channel '37H'; choose from"),
])
def test_collect_with_impossible_options(tmp_path, capsys, extra, words):
    assert words in _one_line_error(_collect(tmp_path, *extra), capsys)
    assert not (tmp_path / "s.zarr.ledger.sqlite").exists()


def test_status_of_a_store_that_was_never_collected(tmp_path, capsys):
    line = _one_line_error(["status", str(tmp_path / "nothing.zarr")], capsys)
    assert "no ledger at" in line and "check the store path" in line


@pytest.mark.parametrize("verb", ["verify", "export"])
def test_a_store_that_does_not_exist(tmp_path, capsys, verb):
    line = _one_line_error([verb, str(tmp_path / "nothing.zarr")], capsys)
    assert "no swath store here" in line and "create one with" in line


def test_inspecting_a_path_that_does_not_exist(tmp_path, capsys):
    line = _one_line_error(["inspect", str(tmp_path / "nothing.zarr")], capsys)
    assert "no such file, folder or store" in line and "check the path" in line


def test_ingest_of_a_file_that_does_not_exist(tmp_path, capsys):
    line = _one_line_error(["ingest", str(tmp_path / "GW1AM2_x.h5"), "--store",
                            str(tmp_path / "s.zarr")], capsys)
    assert "GW1AM2_x.h5: no such file" in line
    assert not (tmp_path / "s.zarr").exists()


def test_ingest_with_no_worker(l1b_files, tmp_path, capsys):
    line = _one_line_error(["ingest", str(l1b_files[0]), "--store", str(tmp_path / "s.zarr"),
                            "--workers", "0"], capsys)
    assert "workers must be at least 1" in line


def _download(tmp_path, start, end, *extra):
    return ["seaice", "download", "--start", start, "--end", end, "--grid", "n6250",
            "--out", str(tmp_path / "out"), "--base-url", "http://127.0.0.1:9/", *extra]


@pytest.mark.parametrize(("start", "end", "extra", "words"), [
    ("2013-05-12", "2013-05-10", [], "end 2013-05-10 is before start 2013-05-12"),
    ("2012-06-01", "2012-06-02", [], "before the ASI AMSR2 record"),
    ("2013-05-10", "2013-05-12", ["--workers", "0"], "workers must be at least 1"),
    ("2013-05-10", "2013-05-12", ["--faults", "flaky"], "add --archive sim"),
])
def test_seaice_download_mistakes(tmp_path, capsys, start, end, extra, words):
    assert words in _one_line_error(_download(tmp_path, start, end, *extra), capsys)


@pytest.fixture(scope="module")
def asi_dir(tmp_path_factory):
    from swathkit.sim.bremen.asi import write_asi_days

    out = tmp_path_factory.mktemp("asi")
    write_asi_days(out, "n6250", date(2024, 3, 4), 2)
    return out


def test_consolidate_of_a_folder_that_does_not_exist(tmp_path, capsys):
    line = _one_line_error(["seaice", "consolidate", str(tmp_path / "nowhere"), "--cube",
                            str(tmp_path / "c.zarr")], capsys)
    assert "nowhere: no such folder" in line


def test_consolidate_with_the_end_before_the_start(asi_dir, tmp_path, capsys):
    line = _one_line_error(["seaice", "consolidate", str(asi_dir), "--cube",
                            str(tmp_path / "c.zarr"), "--start", "2024-03-05", "--end",
                            "2024-03-04"], capsys)
    assert "is before start" in line


def test_mask_with_the_end_before_the_start(tmp_path, capsys):
    line = _one_line_error(["seaice", "mask", str(tmp_path / "c.zarr"), "--start",
                            "2024-03-05", "--end", "2024-03-04"], capsys)
    assert "is before start" in line


def test_fill_with_a_negative_gap(tmp_path, capsys):
    line = _one_line_error(["seaice", "fill", str(tmp_path / "c.zarr"), "--max-gap", "-1"],
                           capsys)
    assert "max_gap must be >= 0, not -1" in line


@pytest.mark.parametrize(("extra", "words"), [
    (["--roi", "10:5,0:4"], "is empty"),
    (["--roi", "0:4000,0:4"], "outside grid asi-n6250"),
    (["--roi", "0:4,0:4", "--grid", "n1000"], "unknown ASI grid 'n1000'; choose one of"),
    (["--roi", "0:4,0:4", "--start", "2024-03-05", "--end", "2024-03-04"], "is before start"),
])
def test_seaice_report_mistakes(asi_dir, capsys, extra, words):
    assert words in _one_line_error(["seaice", "report", str(asi_dir), *extra], capsys)
