"""``swathkit seaice download`` through the CLI: summary, resume, exit codes, help."""

import json

import pytest

import swathkit.jobs.seaice.download as job
from swathkit.archives.registry import ARCHIVES, ArchiveEntry
from swathkit.cli.main import main
from swathkit.errors import ArchiveUnavailableError
from swathkit.sim.bremen import simulated_bremen
from swathkit.sim.bremen.server import SimulatedBremen
from swathkit.sim.faults import FaultPlan

NAME = "asi-AMSR2-n6250-20130510-v5.4.nc"  # the one published day of 2013-05-10..12


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("bremen-cache")


@pytest.fixture
def sim_with(monkeypatch, cache):
    """Register a ``bremen-sim`` that reuses the module's generated files (and given faults)."""
    def use(faults=None):
        def simulated(**options):
            options["cache_dir"] = cache
            if faults is not None:
                options["faults"] = faults
            return simulated_bremen(**options)
        entry = ArchiveEntry(simulated, "the simulated Bremen archive, for these tests")
        monkeypatch.setitem(ARCHIVES, "bremen-sim", entry)
    use()
    return use


def _args(out, *extra):
    return ["seaice", "download", "--start", "2013-05-10", "--end", "2013-05-12",
            "--grid", "n6250", "--out", str(out), *extra]


def test_a_download_from_the_simulator_summarises_and_exits_0(sim_with, tmp_path, capsys):
    assert main(_args(tmp_path, "--archive", "sim", "--workers", "2")) == 0
    out = capsys.readouterr().out
    assert "downloaded" in out and "not published upstream" in out
    assert "2013-05-11, 2013-05-12" in out
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [NAME]


def test_a_rerun_keeps_the_verified_file_and_force_fetches_it(sim_with, tmp_path, capsys):
    assert main(_args(tmp_path, "--archive", "sim")) == 0
    capsys.readouterr()
    assert main(_args(tmp_path, "--archive", "sim")) == 0
    rows = {line.split("│")[1].strip(): line.split("│")[2].strip()
            for line in capsys.readouterr().out.splitlines() if line.count("│") == 4}
    assert rows["already present (verified)"] == "1" and rows["downloaded"] == "0"
    assert main(_args(tmp_path, "--archive", "sim", "--force")) == 0
    rows = {line.split("│")[1].strip(): line.split("│")[2].strip()
            for line in capsys.readouterr().out.splitlines() if line.count("│") == 4}
    assert rows["downloaded"] == "1"


def test_a_failed_day_exits_1_and_is_listed_with_its_reason(sim_with, tmp_path, capsys):
    sim_with(FaultPlan(corrupt_share=1.0, corrupt_permanent_share=1.0))
    assert main(_args(tmp_path, "--archive", "sim")) == 1
    out = capsys.readouterr().out
    assert "failures (by kind)" in out and "bad_product" in out
    assert NAME.removesuffix(".nc") in out


def test_json_prints_the_report_alone_on_standard_output(sim_with, tmp_path, capsys):
    assert main(_args(tmp_path, "--archive", "sim", "--json")) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["job"] == "seaice download" and report["ok"] and report["unit"] == "days"
    assert report["counts"] == {"asked": 3, "downloaded": 1, "skipped": 0,
                                "not_published": 2, "failed": 0}
    assert report["extras"]["not_published"] == ["2013-05-11", "2013-05-12"]
    assert report["extras"]["downloaded"] == [NAME]


def test_json_lists_failures_with_their_kind_and_exits_1(sim_with, tmp_path, capsys):
    sim_with(FaultPlan(corrupt_share=1.0, corrupt_permanent_share=1.0))
    assert main(_args(tmp_path, "--archive", "sim", "--json")) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(f["kind"], f["item"], f["attempts"]) for f in report["failures"]] == [
        ("bad_product", NAME.removesuffix(".nc"), 2)]
    assert not report["ok"] and report["exit_code"] == 1


def test_base_url_points_at_any_compatible_server(cache, tmp_path, monkeypatch):
    with SimulatedBremen(cache_dir=cache) as s:
        monkeypatch.setenv("SWATHKIT_CA_BUNDLE", str(s.ca_file))  # as `sim serve` says
        assert main(_args(tmp_path, "--base-url", s.base_url)) == 0
    assert (tmp_path / NAME).is_file()


def test_an_archive_that_is_down_exits_2(monkeypatch, tmp_path, capsys):
    def down(*args, **kw):
        raise ArchiveUnavailableError("data.seaice.uni-bremen.de: 10 failures in a row")
    monkeypatch.setattr(job, "download_asi", down)
    assert main(_args(tmp_path)) == 2
    assert "10 failures in a row" in capsys.readouterr().err


@pytest.mark.parametrize("extra", [["--faults", "flaky"], ["--workers", "0"],
                                   ["--archive", "sim", "--base-url", "http://127.0.0.1:9/"]])
def test_inconsistent_options_exit_2(tmp_path, capsys, extra):
    assert main(_args(tmp_path, *extra)) == 2
    assert capsys.readouterr().err


def test_an_end_before_the_start_exits_2_with_the_reason(tmp_path, capsys):
    args = _args(tmp_path, "--archive", "sim")
    args[args.index("--end") + 1] = "2013-05-01"
    assert main(args) == 2
    assert "before start" in capsys.readouterr().err


def test_a_malformed_date_is_a_usage_error(tmp_path, capsys):
    args = _args(tmp_path)
    args[args.index("--start") + 1] = "10/05/2013"
    with pytest.raises(SystemExit) as usage:
        main(args)
    assert usage.value.code == 2 and "2024-04-01" in capsys.readouterr().err


def test_help_shows_an_example(capsys):
    with pytest.raises(SystemExit) as done:
        main(["seaice", "download", "--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0 and "examples:" in out
    assert "swathkit seaice download --start" in out and "--archive sim" in out
