"""The picture of a downloaded pair: built from the simulators' files, checked pixel by pixel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from PIL import Image
from pyproj import Transformer

from pairs_picture import Pair, build_pair
from swathkit.errors import InputError
from swathkit.plot.maps import save_png
from swathkit.plot.pairs import (
    PairFacts,
    pair_figure,
    plot_pair,
    read_db,
    warp_classes,
)
from swathkit.products.dswe.classes import CLOUD, FILL, NOT_WATER, WATER_HIGH

pytestmark = pytest.mark.slow  # the first builds the ALOS catalogue (seconds)


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Pair:
    return build_pair(tmp_path_factory.mktemp("pair") / "scenes")


def _interior(classes: np.ndarray, valid: np.ndarray, code: int) -> np.ndarray:
    """(row, col) of cells of ``code`` whose 8 neighbours are of it too, SAR valid."""
    same = (classes == code) & valid
    core = same.copy()
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            core &= np.roll(np.roll(same, dr, 0), dc, 1)
    core[[0, -1], :] = core[:, [0, -1]] = False
    return np.argwhere(core)


def _rgb(png: Path) -> np.ndarray:
    with Image.open(png) as image:
        return np.asarray(image.convert("RGB"), dtype=np.int64)


def _colours_at(png: Path, fig, cells: np.ndarray, grid) -> np.ndarray:
    """The PNG's RGB at the centres of grid cells, through the HH axes' data transform."""
    ax = fig.axes[0]
    x, y = grid.transform @ (cells[:, 1] + 0.5, cells[:, 0] + 0.5)
    px = ax.transData.transform(np.column_stack([x / 1e3, y / 1e3]))
    rgb = _rgb(png)
    rows = np.round(rgb.shape[0] - px[:, 1]).astype(int)
    cols = np.round(px[:, 0]).astype(int)
    return rgb[rows, cols]


@pytest.mark.timeout(120)
def test_the_dswe_water_is_blue_over_the_grey_scene(pair: Pair, tmp_path: Path) -> None:
    fig = pair_figure(pair.folder, pair.tiles, pair.footprint)
    png = save_png(fig, tmp_path / "pair.png", dpi=fig.dpi)
    width, height = (fig.get_size_inches() * fig.dpi).round().astype(int)
    assert _rgb(png).shape == (height, width, 3)
    hh = read_db(pair.folder / f"{pair.scene.name.stem}_HH.tif")
    classes = warp_classes(pair.tiles, hh)
    valid = np.isfinite(hh.db)
    rng = np.random.default_rng(0)
    picked = {}
    for code in (WATER_HIGH, NOT_WATER, CLOUD, FILL):
        cells = _interior(classes, valid, code)
        assert len(cells) >= 20, f"the pair has too few cells of class {code}"
        picked[code] = _colours_at(png, fig, rng.permutation(cells)[:200], hh)
    r, g, b = picked[WATER_HIGH].T
    assert np.all((b > r + 80) & (b > g + 40)), "DSWE water not painted blue"
    spread = picked[NOT_WATER].max(axis=1) - picked[NOT_WATER].min(axis=1)
    assert np.all(spread <= 6), "not-water cells are not the grey SAR"
    assert len(np.unique(picked[NOT_WATER].sum(axis=1))) > 20  # the scene's texture shows
    for code in (CLOUD, FILL):  # what DSWE did not see is never shown as water
        r, g, b = picked[code].T
        assert np.all(b - r < 30), f"class {code} looks like water"


@pytest.mark.timeout(120)
def test_the_footprint_outline_is_drawn_in_orange(pair: Pair, tmp_path: Path) -> None:
    png = plot_pair(pair.folder, pair.tiles, pair.footprint, tmp_path / "pair.png")
    rgb = _rgb(png)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    orange = (r > 220) & (g > 90) & (g < 170) & (b < 60)
    assert orange.sum() > 2000  # four edges of ~500 px, 1.6 pt wide, on both panels


@pytest.mark.timeout(120)
def test_the_same_pair_gives_the_same_png_bytes(pair: Pair, tmp_path: Path) -> None:
    facts = PairFacts(pair.scene.name.stem, pair.scene.start, pair.acquisitions[0].datetime.date(),
                      -43_800.0, 0.68, 0.28, "footprint", "keep")
    one = plot_pair(pair.folder, pair.tiles, pair.footprint, tmp_path / "a.png", facts=facts)
    two = plot_pair(pair.folder, list(reversed(pair.tiles)), pair.footprint,
                    tmp_path / "b.png", facts=facts)
    assert one.read_bytes() == two.read_bytes()
    assert not list(tmp_path.glob(".*.part"))


@pytest.mark.timeout(120)
def test_without_the_hv_the_picture_is_one_panel(pair: Pair, tmp_path: Path) -> None:
    fig = pair_figure(pair.folder, pair.tiles, pair.footprint, hv=False)
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert "HV γ⁰" not in titles and titles[0].startswith("HH")
    both = pair_figure(pair.folder, pair.tiles, pair.footprint)
    assert "HV γ⁰" in [ax.get_title(loc="left") for ax in both.axes]


@pytest.mark.timeout(60)
def test_the_title_gives_the_pairs_facts(pair: Pair) -> None:
    facts = PairFacts("AP_13392_FBD_F0680_RT1", pair.scene.start,
                      pair.acquisitions[0].datetime.date(), -43_800.0, 0.6812, 0.2791,
                      "footprint", "keep")
    title = pair_figure(pair.folder, pair.tiles, pair.footprint, facts=facts,
                        hv=False).get_suptitle()
    assert "AP_13392_FBD_F0680_RT1  ×  DSWE 2008-07-29 (Δt −12.2 h)" in title
    assert "valid 68.1%, water 27.9% inside the footprint" in title and "keep" in title


@pytest.mark.timeout(60)
def test_the_classes_are_warped_from_the_tiles_own_crs(pair: Pair) -> None:
    hh = read_db(pair.folder / f"{pair.scene.name.stem}_HH.tif")
    classes = warp_classes(pair.tiles, hh)
    rows, cols = np.mgrid[5:hh.shape[0]:17, 5:hh.shape[1]:17].reshape(2, -1)
    x, y = hh.transform @ (cols + 0.5, rows + 0.5)
    with rasterio.open(pair.tiles[0]) as tile:
        tx, ty = Transformer.from_crs(hh.crs, tile.crs, always_xy=True).transform(x, y)
        r, c = rasterio.transform.rowcol(tile.transform, tx, ty)
        r, c = np.asarray(r), np.asarray(c)
        data = tile.read(1)
    inside = (r >= 0) & (r < data.shape[0]) & (c >= 0) & (c < data.shape[1])
    expected = np.full(r.shape, FILL, np.uint8)
    expected[inside] = data[r[inside], c[inside]]
    agree = classes[rows, cols] == expected
    assert inside.sum() > 100
    assert agree.mean() > 0.97  # nearest at 300 m: class edges may fall either way


@pytest.mark.timeout(60)
def test_rasters_are_read_decimated(pair: Pair) -> None:
    path = pair.folder / f"{pair.scene.name.stem}_HH.tif"
    full, small = read_db(path), read_db(path, max_side=50)
    assert max(small.shape) <= 50 and small.extent_km == pytest.approx(full.extent_km)
    with rasterio.open(path) as src:
        power = src.read(1)
    assert np.isnan(full.db).sum() == (power == 0).sum()  # nodata stays transparent
    valid = small.db[np.isfinite(small.db)]
    assert valid.min() > 10 * np.log10(power[power > 0].min()) - 1e-3  # no 0 averaged in


@pytest.mark.timeout(60)
def test_a_folder_that_is_not_a_scene_is_an_input_error(pair: Pair, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=str(tmp_path)):
        plot_pair(tmp_path, pair.tiles, pair.footprint, tmp_path / "x.png")


@pytest.mark.timeout(60)
def test_a_tile_that_is_not_a_geotiff_is_an_input_error(pair: Pair, tmp_path: Path) -> None:
    bad = tmp_path / "LT05_CU_030011_20080729_20210101_02_INWAM.TIF"
    bad.write_text("<html>please log in</html>")
    with pytest.raises(InputError, match="not a readable GeoTIFF") as caught:
        plot_pair(pair.folder, [bad], pair.footprint, tmp_path / "x.png")
    assert str(bad) in str(caught.value) and not (tmp_path / "x.png").exists()
