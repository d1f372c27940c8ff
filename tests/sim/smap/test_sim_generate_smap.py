"""``swathkit sim generate smap``: days for L3, half orbits for L2, a clear error otherwise."""

import pytest

from swathkit.cli.main import main
from swathkit.products.registry import find_products


@pytest.mark.timeout(120)
def test_sim_generate_smap_writes_consecutive_half_orbits(tmp_path, capsys):
    code = main(["sim", "generate", "smap", "--product", "SPL2SMP", "--start",
                 "2015-04-01T06:00", "--granules", "3", "--out", str(tmp_path)])
    assert code == 0
    found = find_products(tmp_path)
    assert [f.product for f in found.files] == ["smap-spl2smp"] * 3 and not found.rejected
    orbits = [(f.name.orbit, f.name.direction) for f in found.files]
    assert orbits == [(873, "A"), (873, "D"), (874, "A")]
    assert "wrote 3 SPL2SMP files" in capsys.readouterr().out


@pytest.mark.timeout(60)
def test_sim_generate_smap_refuses_a_product_it_does_not_simulate(tmp_path, capsys):
    code = main(["sim", "generate", "smap", "--product", "SPL1BS0", "--start", "2015-04-01",
                 "--out", str(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err
    assert "does not write SPL1BS0 yet" in err and "SPL3SMP" in err
    assert not list(tmp_path.iterdir())


@pytest.mark.timeout(60)
def test_sim_generate_smap_needs_a_product(tmp_path, capsys):
    assert main(["sim", "generate", "smap", "--start", "2015-04-01", "--out",
                 str(tmp_path)]) == 2
    assert "--product" in capsys.readouterr().err


@pytest.mark.timeout(120)
@pytest.mark.parametrize("short_name", ["SPL2SMP", "SPL1CTB", "SPL1BTB", "SPL1CS0"])
def test_half_orbit_products_give_the_same_bytes_for_the_same_inputs(tmp_path, short_name):
    from datetime import datetime

    from swathkit.sim.smap.generate import write_smap

    start = datetime(2015, 4, 1, 6, 0)
    first = write_smap(tmp_path / "a", short_name, start, seed=2)[0]
    second = write_smap(tmp_path / "b", short_name, start, seed=2)[0]
    assert first.name == second.name and first.read_bytes() == second.read_bytes()
