"""swathkit smap download: --json report, exit codes, bad input."""

import json

import pytest

from smap_sim import nsidc
from swathkit.cli.main import main


def test_json_report_lists_the_newest_files(monkeypatch, tmp_path, capsys):
    with nsidc(monkeypatch):
        code = main(["smap", "download", "--product", "spl3smp", "--start", "2015-04-01",
                     "--end", "2015-04-02", "--out", str(tmp_path), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["counts"]["downloaded"] == 2
    assert out["extras"]["files"] == ["SMAP_L3_SM_P_20150401_R19240_002.h5",
                                      "SMAP_L3_SM_P_20150402_R19240_001.h5"]


@pytest.mark.parametrize("args", [["--bbox", "1,2,3"], ["--product", "SPLXXX"],
                                  ["--end", "2015-03-01"]])
def test_bad_input_exits_2(tmp_path, args, capsys):
    base = {"--product": "SPL3SMP", "--start": "2015-04-01", "--end": "2015-04-02",
            "--bbox": "0,0,10,10"}
    base |= dict(zip(args[::2], args[1::2], strict=True))
    argv = ["smap", "download", "--out", str(tmp_path)] + [x for kv in base.items() for x in kv]
    with pytest.raises(SystemExit) as info:
        code = main(argv)
        raise SystemExit(code)
    assert info.value.code == 2
