"""Sea-ice pictures on the polar stereographic grid: projection, graticule, PNGs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import pytest

pytest.importorskip("matplotlib")

import xarray as xr
from matplotlib.image import imread

from swathkit.plot.graticule import graticule_lines
from swathkit.plot.polar import MapFrame, lonlat_transform
from swathkit.plot.seaice import (
    plot_day,
    plot_fill_comparison,
    plot_mask,
    plot_roi,
)
from swathkit.plot.seaice_panels import FLAG_STYLE
from swathkit.products.asi import asi_grid
from swathkit.products.grids import grid

GRID = asi_grid("n6250")
DAY = date(2024, 4, 17)
CROP = (slice(700, 1000), slice(400, 700))  # 300 × 300 cells around the pole
LAND = np.zeros(GRID.shape, bool)
LAND[850:900, 450:520] = True
RED = (1.0, 0.0, 0.0)


def _dataset(days: int = 2) -> xr.Dataset:
    """Concentration rising towards the pole, land NaN, a gap on the second day."""
    xx, yy = np.meshgrid(GRID.x(), GRID.y())
    radius = np.hypot(xx, yy)
    sic = np.clip(100.0 - radius / 15_000.0, 0.0, 100.0).astype(np.float32)
    stack = np.repeat(sic[None], days, axis=0)
    stack[:, LAND] = np.nan
    stack[1:, 900:950, 600:680] = np.nan  # a swath gap
    gap = np.isnan(stack) & ~LAND
    filled = np.where(gap, np.float32(55.0), stack)
    flags = np.where(LAND, 4, np.where(gap, 2, 0)).astype(np.uint8)
    flags[:, 900:950, 600:620] = np.where(LAND[900:950, 600:620], 4, 1)
    freq = np.where(LAND, 1.0, 0.1).astype(np.float32)
    return xr.Dataset(
        {"sic": (("time", "y", "x"), stack),
         "sic_filled": (("time", "y", "x"), filled),
         "fill_flag": (("time", "y", "x"), flags),
         "land_mask": (("y", "x"), LAND.astype(np.uint8)),
         "nan_frequency": (("y", "x"), freq, {"threshold": 0.85}),
         "polar_stereographic": ((), np.int32(0), asi_grid(GRID, DAY).grid_mapping_attrs())},
        coords={"time": pd.date_range(DAY, periods=days), "y": GRID.y(), "x": GRID.x()},
        attrs={"grid": GRID.name})


@pytest.fixture(scope="module")
def ds() -> xr.Dataset:
    return _dataset()


def _pixels(path: Path) -> np.ndarray:
    image = imread(path)
    return np.round(image[..., :3], 2)


def _has_colour(image: np.ndarray, rgb: tuple[float, float, float], tol: float = 0.02) -> bool:
    return bool((np.abs(image - np.array(rgb)) <= tol).all(axis=-1).any())


def _hex(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour[i:i + 2], 16) / 255.0 for i in (1, 3, 5))  # type: ignore[return-value]


@pytest.mark.parametrize("epsg", [3411, 3413])
def test_north_pole_projects_to_the_grid_origin(epsg: int) -> None:
    x, y = lonlat_transform(epsg)(np.array([0.0, 120.0]), np.array([90.0, 90.0]))
    assert np.allclose(x, 0.0, atol=1e-6) and np.allclose(y, 0.0, atol=1e-6)


def test_south_pole_projects_to_the_origin_and_the_north_is_cut() -> None:
    transform = lonlat_transform(3976)
    x, y = transform(np.array([0.0, 10.0]), np.array([-90.0, 60.0]))
    assert np.allclose([x[0], y[0]], 0.0, atol=1e-6)
    assert np.isnan(x[1]) and np.isnan(y[1])  # a northern coastline stays off a south map


def test_graticule_meridians_meet_at_the_pole_and_parallels_are_circles() -> None:
    lines = graticule_lines(3413)
    meridians = [g for g in lines if g.kind == "lon"]
    to_pole = [g for g in meridians if g.value % 90 == 0]
    assert len(meridians) == 12 and len(to_pole) == 4
    for g in to_pole:
        assert np.allclose(g.xy[-1], 0.0, atol=1e-6)
    parallel_70 = next(g for g in lines if g.kind == "lat" and g.value == 70.0)
    radius = np.hypot(parallel_70.xy[:, 0], parallel_70.xy[:, 1])
    assert np.ptp(radius) < 1e-3 * radius.mean()
    # the central meridian is -45°, so 0° runs to the lower right at 45°, 135°E straight up
    greenwich = next(g for g in meridians if g.value == 0.0)
    assert np.allclose(greenwich.xy[:, 0], -greenwich.xy[:, 1])
    assert (greenwich.xy[:-1, 0] > 0).all()
    up = next(g for g in meridians if g.value == 150.0).xy[0]
    assert up[1] > 0 > up[0] and up[1] > 3 * -up[0]  # 150°E: up, a little to the left


def test_frame_reads_the_grid_mapping(ds: xr.Dataset) -> None:
    frame = MapFrame.from_xarray(ds)
    assert frame.crs.to_epsg() == 3413 and frame.hemisphere == "n"
    x0, y0, x1, y1 = GRID.bounds
    assert frame.extent == (x0, x1, y0, y1) and frame.origin == "lower"
    assert frame.resolution == GRID.resolution and frame.label == "asi-n6250 · EPSG:3413"
    assert frame.box(slice(0, 2), slice(0, 1)) == (x0, x0 + 6250.0, y0, y0 + 12500.0)
    assert MapFrame.from_grid(GRID).extent == frame.extent


def test_frame_without_a_crs_asks_for_one(ds: xr.Dataset) -> None:
    bare = ds["sic"]
    with pytest.raises(ValueError, match="pass crs="):
        MapFrame.from_xarray(bare)
    assert MapFrame.from_xarray(bare, crs="EPSG:3411").crs == pyproj.CRS.from_epsg(3411)


@pytest.mark.slow
def test_plot_day_draws_ice_water_land_and_gaps(ds: xr.Dataset, tmp_path: Path) -> None:
    out = plot_day(ds, tmp_path / "day.png", day="2024-04-18", region=CROP, dpi=60)
    image = _pixels(out)
    assert out.stat().st_size > 20_000
    assert image.shape[0] > 300 and image.shape[1] > 250
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 50  # a colour scale, not a blank
    assert _has_colour(image, (0.62, 0.62, 0.62))  # land grey
    assert _has_colour(image, (0.97, 0.98, 1.0))  # concentration near 100 % (Blues_r top)
    assert _has_colour(image, (0.03, 0.19, 0.42), tol=0.03)  # open water (Blues_r bottom)


def test_plot_day_accepts_a_bare_array_with_a_crs(ds: xr.Dataset, tmp_path: Path) -> None:
    day = ds["sic"].isel(time=0).isel(y=CROP[0], x=CROP[1])
    out = plot_day(day, tmp_path / "bare.png", crs=3413, land=LAND[CROP], dpi=40)
    assert out.stat().st_size > 10_000


def test_plot_day_rejects_a_day_not_in_the_data(ds: xr.Dataset, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no day 2025-01-01"):
        plot_day(ds, tmp_path / "x.png", day="2025-01-01", region=CROP)
    with pytest.raises(ValueError, match="no variable 'ice'"):
        plot_day(ds, tmp_path / "x.png", variable="ice")
    assert not (tmp_path / "x.png").exists()


def test_plot_mask_shows_binary_mask_and_frequency(ds: xr.Dataset, tmp_path: Path) -> None:
    out = plot_mask(ds, tmp_path / "mask.png", region=CROP, dpi=60)
    image = _pixels(out)
    assert image.shape[1] > 1.6 * image.shape[0] * 0.8  # two panels side by side
    assert _has_colour(image, _hex("#6b6b6b"))  # land in the binary panel
    assert _has_colour(image, _hex("#cfe3f3"))  # sea in the binary panel


@pytest.mark.slow
def test_plot_fill_comparison_marks_how_pixels_were_filled(ds: xr.Dataset,
                                                           tmp_path: Path) -> None:
    out = plot_fill_comparison(ds, tmp_path / "cmp.png", day=date(2024, 4, 18), region=CROP,
                               dpi=60)
    image = _pixels(out)
    assert image.shape[1] > 2 * image.shape[0]  # three panels
    colours = {name: colour for _, name, colour in FLAG_STYLE}
    for name in ("filled in time", "filled in space-time"):
        assert _has_colour(image, _hex(colours[name]), tol=0.03), name
    assert not _has_colour(image, _hex(colours["constant"]), tol=0.01)  # no such flag here


@pytest.mark.slow
def test_plot_roi_draws_a_red_box_and_the_chart(ds: xr.Dataset, tmp_path: Path) -> None:
    missing = [(date(2024, 4, 17), 0.0), (date(2024, 4, 18), 12.5), (date(2024, 4, 19), None)]
    out = plot_roi(ds, tmp_path / "roi.png", region=(slice(880, 960), slice(580, 700)),
                   day=date(2024, 4, 18), missing=missing, dpi=50)
    image = _pixels(out)
    assert _has_colour(image, RED, tol=0.01)
    assert _has_colour(image, _hex("#b2182b"), tol=0.02)  # the bar of the day with gaps
    plain = plot_roi(ds, tmp_path / "plain.png", region=(slice(0, 10), slice(0, 10)), dpi=50)
    assert imread(plain).shape[1] < image.shape[1]  # no chart without per-day numbers


def test_big_grids_are_reduced_by_blocks_keeping_rare_categories() -> None:
    from swathkit.plot.polar import _block_mean, _block_top

    flags = np.array([[0, 0, 4, 4], [0, 1, 4, 4], [9, 3, 0, 0], [0, 0, 0, 0]], float)
    assert _block_top(flags, 2, (4, 0, 1, 5, 2, 3)).tolist() == [[1, 4], [3, 0]]
    sic = np.array([[10, 20, np.nan, np.nan], [30, np.nan, np.nan, 5.0]], np.float32)
    assert np.allclose(_block_mean(sic, 2), [[20.0, np.nan]], equal_nan=True)


def test_a_north_up_grid_draws_each_cell_where_it_lies() -> None:
    from swathkit.plot.polar import new_figure, setup_map_axes, show_field

    g = grid("ease2-n36")  # row 0 is the top (largest y)
    frame = MapFrame.from_grid(g)
    x0, y0, x1, y1 = g.bounds
    assert frame.north_up and frame.origin == "upper" and frame.extent == (x0, x1, y0, y1)
    values = np.zeros(g.shape, np.float32)
    values[:100] = 1.0  # the top 100 rows white, the rest black
    fig = new_figure(5, 5, dpi=100)  # 500 × 500 pixels: a pixel per cell
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    setup_map_axes(ax, frame, missing_hatch=False)
    show_field(ax, frame, values, cmap="gray", vmin=0.0, vmax=1.0, categorical=True)
    fig.canvas.draw()
    rgba = np.asarray(fig.canvas.buffer_rgba())
    for row, col in ((10, 250), (90, 30), (110, 250), (400, 480)):
        px, py = ax.transData.transform((g.x()[col], g.y()[row]))
        shown = rgba[rgba.shape[0] - 1 - int(py), int(px), 0]
        assert shown == (255 if values[row, col] else 0), (row, col)


def test_plot_day_takes_the_grid_for_data_without_coordinates(tmp_path: Path) -> None:
    from swathkit.plot.polar import on_grid

    g = grid("ease2-n36")
    xx, yy = np.meshgrid(g.x(), g.y())
    sic = np.clip(100.0 - np.hypot(xx, yy) / 30_000.0, 0.0, 100.0).astype(np.float32)
    bare = xr.DataArray(sic, dims=("y", "x"))
    frame = MapFrame.from_xarray(bare, crs=g)
    assert frame.label == "ease2-n36 · EPSG:6931" and frame.crs.to_epsg() == 6931
    assert frame.extent == MapFrame.from_grid(g).extent
    crop = on_grid(bare, g).isel(y=slice(200, 300), x=slice(200, 300))
    rows_cols = (slice(200, 300), slice(200, 300))
    assert MapFrame.from_xarray(crop, crs=g).extent == frame.box(*rows_cols)
    with pytest.raises(ValueError, match="not on grid ease2-n36"):
        on_grid(bare.isel(y=slice(0, 10)), g)
    land = np.zeros(g.shape, bool)
    out = plot_day(bare, tmp_path / "ease.png", crs=g, land=land, dpi=40)
    part = plot_day(bare, tmp_path / "crop.png", crs=g, region="200:300,200:300", land=land,
                    dpi=40)
    assert out.stat().st_size > 10_000 and part.stat().st_size > 10_000
