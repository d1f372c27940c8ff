import subprocess
import sys
from datetime import date

import pytest

from swathkit.cli.main import VERBS, build_parser, main


def test_every_verb_has_help_with_a_description(capsys):
    for verb in ("demo", "ingest", "inspect", "verify", "export", "sim"):
        with pytest.raises(SystemExit) as exit_info:
            main([verb, "--help"])
        assert exit_info.value.code == 0
    assert "example" in capsys.readouterr().out
    assert len(VERBS) >= 6 and build_parser().prog == "swathkit"


@pytest.mark.slow
def test_ingest_verify_inspect_export(l1b_files, tmp_path, capsys):
    store = str(tmp_path / "s.zarr")
    files = [str(p) for p in l1b_files]
    assert main(["ingest", *files, "--store", store, "--channels", "36.5H", "--coords",
                 "--workers", "1"]) == 0
    assert main(["verify", store, "--quicklook", str(tmp_path / "ql.png")]) == 0
    assert (tmp_path / "ql.png").stat().st_size > 10_000
    assert main(["inspect", store]) == 0
    assert main(["inspect", files[0]]) == 0
    assert main(["export", store, "--format", "npz", "--parts", "3",
                 "--out", str(tmp_path / "x")]) == 0
    out = capsys.readouterr().out
    assert "success rate" in out and "by orbit direction" in out
    assert "Brightness Temperature (36.5GHz,H)" in out and "part_2of2" in out


def test_ingest_exit_code_and_listing_when_a_file_is_bad(l1b_files, tmp_path, capsys):
    l1b_files[2].write_text("not a product")
    code = main(["ingest", *map(str, l1b_files), "--store", str(tmp_path / "s.zarr"),
                 "--workers", "1"])
    out = capsys.readouterr().out
    assert code == 1 and "failures (by kind)" in out and "bad_product" in out
    assert l1b_files[2].name in out


def test_errors_are_one_line_and_exit_2(tmp_path, capsys):
    assert main(["inspect", str(tmp_path / "nowhere.zarr")]) == 2
    assert "nowhere.zarr: no such file" in capsys.readouterr().err
    assert main(["ingest", "/nonexistent.h5", "--store", str(tmp_path / "s")]) == 2
    assert "/nonexistent.h5: no such file" in capsys.readouterr().err
    (tmp_path / "x.h5").write_bytes(b"")
    assert main(["ingest", str(tmp_path / "x.h5"), "--store", str(tmp_path / "s"),
                 "--channels", "37H"]) == 2


def test_sim_generate_writes_real_names(tmp_path):
    code = main(["sim", "generate", "amsr2-l1b", "--start", "2022-02-16T00:00",
                 "--granules", "2", "--scans", "10", "--out", str(tmp_path)])
    names = sorted(p.name for p in tmp_path.glob("*.h5"))
    assert code == 0 and len(names) == 2 and all(n.startswith("GW1AM2_2022021") for n in names)


def test_console_script_is_installed():
    out = subprocess.run([sys.executable, "-m", "swathkit.cli.main", "--version"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.startswith("swathkit ")


def test_every_step_of_the_sea_ice_demo_parses(tmp_path):
    from swathkit.cli.demo import seaice_parser
    from swathkit.cli.seaice.demo import steps

    parser = seaice_parser()
    for argv in steps(tmp_path, grid="n6250", start=date(2013, 5, 1), days=31, faults="flaky"):
        assert callable(parser.parse_args(argv).run), argv
