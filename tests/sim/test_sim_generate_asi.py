import numpy as np
import pytest

from swathkit.cli.main import main
from swathkit.products.asi import open_asi


def test_sim_generate_asi_writes_consecutive_days(tmp_path, capsys):
    code = main(["sim", "generate", "asi", "--grid", "s6250", "--start", "2020-02-28",
                 "--days", "3", "--out", str(tmp_path), "--seed", "4"])
    names = sorted(p.name for p in tmp_path.glob("*.nc"))
    assert code == 0
    assert names == [f"asi-AMSR2-s6250-{d}-v5.4.nc" for d in ("20200228", "20200229",
                                                             "20200301")]
    assert "wrote 3 days of s6250" in capsys.readouterr().out
    ds = open_asi(sorted(tmp_path.glob("*.nc")))
    assert ds.sic.shape == (3, 1328, 1264) and np.isnan(ds.sic.values).any()


@pytest.mark.parametrize("bad", [["--days", "0"], ["--grid", "n1250"]])
def test_sim_generate_asi_rejects_zero_days_and_unknown_grids(tmp_path, bad):
    with pytest.raises(SystemExit) as exit_info:
        main(["sim", "generate", "asi", "--start", "2020-01-01", "--out", str(tmp_path), *bad])
    assert exit_info.value.code == 2
    assert not list(tmp_path.glob("*.nc"))
