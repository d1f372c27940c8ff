"""``swathkit quicklook``: SMAP L3 layers drawn in the EASE-Grid 2.0 projection."""

import json

import numpy as np
import pytest
from matplotlib.image import imread

from smap_files import smap_file
from swathkit.cli.main import main
from swathkit.errors import InputError
from swathkit.jobs.quicklook import quicklook_layer
from swathkit.plot.raster_quicklook import categories, categories_figure, stretched_figure
from swathkit.process.stretch import stretch
from swathkit.products.grids import grid
from swathkit.products.smap import open_smap

GROUP = "Soil_Moisture_Retrieval_Data_AM"


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_percentile_png_and_json_limits_are_the_valid_values_percentiles(
        tmp_path_factory, tmp_path, capsys):
    path = smap_file(tmp_path_factory, "SPL3SMP")
    out = tmp_path / "sm.png"
    assert main(["quicklook", str(path), "--layer", f"{GROUP}/soil_moisture",
                 "--out", str(out), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    sm = open_smap(path, group=GROUP)["soil_moisture"]
    v = sm.values[np.isfinite(sm.values)]
    v = v[(v >= float(sm.attrs["valid_min"])) & (v <= float(sm.attrs["valid_max"]))]
    assert got["limits"] == pytest.approx(np.percentile(v, [2, 98]).tolist())
    assert got["out"] == str(out) and got["grid"] == "ease2-m36"
    img = imread(out)
    assert img.shape[0] > 400 and img.shape[1] > 800
    assert len(np.unique(img.reshape(-1, img.shape[-1]), axis=0)) > 50  # a picture, not blank


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_flag_layer_is_categories_named_by_the_bits_set(tmp_path_factory, tmp_path):
    path = smap_file(tmp_path_factory, "SPL3SMP")
    got = quicklook_layer(path, f"{GROUP}/retrieval_qual_flag", tmp_path / "q.png")
    assert got["drawn_as"] == "categories" and got["limits"] is None
    tags = {"flag_masks": "1 2 4 8",
            "flag_meanings": "recommended attempted success ft_success"}
    cats = categories(np.array([[0, 7], [65534, 1]], dtype=np.uint16), 65534, tags)
    assert cats == [(0, "none"), (1, "recommended"), (7, "recommended+attempted+success")]
    enum = categories(np.array([1, 3, 3]), None, {"flag_values": "1 3",
                                                  "flag_meanings": "land water"})
    assert enum == [(1, "land"), (3, "water")]


@pytest.mark.slow
def test_axes_are_the_grid_extent_in_metres_and_the_bar_shows_the_limits():
    g = grid("ease2-m36")
    values = np.linspace(0.0, 1.0, g.rows * g.cols).reshape(g.shape)
    s = stretch(values, "minmax", limits=(0.1, 0.5))
    fig = stretched_figure(s, g, title="t", units="cm**3/cm**3")
    x0, y0, x1, y1 = g.bounds
    ax, bar = fig.axes
    assert ax.get_xlim() == pytest.approx((x0, x1)) and ax.get_ylim() == pytest.approx((y0, y1))
    labels = [t.get_text() for t in bar.get_yticklabels()]
    assert labels[0] == "0.1" and labels[-1] == "0.5"
    assert "cm**3/cm**3" in bar.get_ylabel() and "[0.1, 0.5]" in bar.get_ylabel()
    flags = np.zeros(g.shape, dtype=np.uint16)
    flags[:10] = 5
    fig = categories_figure(flags, 65534.0, {"flag_masks": "1 2 4", "flag_meanings": "a b c"},
                            g, title="t")
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert texts == ["0: none", "5: a+c"]
    assert fig.axes[0].get_xlim() == pytest.approx((x0, x1))


@pytest.mark.timeout(120)
def test_unknown_layer_lists_the_layers(tmp_path_factory, tmp_path):
    path = smap_file(tmp_path_factory, "SPL3SMP")
    with pytest.raises(InputError, match=r"its layers: .*soil_moisture"):
        quicklook_layer(path, "nope", tmp_path / "x.png")
    assert main(["quicklook", str(path), "--layer", f"{GROUP}/soil_moisture",
                 "--limits", "3,1"]) == 2



@pytest.mark.slow
def test_gamma_colour_bar_ticks_are_data_values():
    g = grid("ease2-m36")
    values = np.linspace(0.0, 100.0, g.rows * g.cols).reshape(g.shape)
    fig = stretched_figure(stretch(values, "gamma", gamma=2.0), g, title="t", units="K")
    labels = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert labels == ["0", "6.25", "25", "56.2", "100"]  # lo + t**2 (hi - lo), t = 0, ¼, ½, ¾, 1
