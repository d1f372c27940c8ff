"""Offline coastlines, map helpers and swath quicklooks (``swathkit[plot]``)."""

from __future__ import annotations

import importlib
import sys

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.image import imread

import swathkit.plot as plot
from swathkit.plot import (
    coastlines,
    draw_coastlines,
    format_lon,
    quicklook_panel,
    quicklook_swath,
    split_at_antimeridian,
    wrap_offsets,
)

MAGENTA = (1.0, 0.0, 1.0)


@pytest.fixture(scope="module")
def swath() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A 6°-wide band along the antimeridian from 80°S to 80°N, with gaps."""
    scans, pixels = 400, 24
    lat = np.repeat(np.linspace(-80.0, 80.0, scans)[:, None], pixels, axis=1)
    lon = np.repeat(np.linspace(177.0, 183.0, pixels)[None, :], scans, axis=0)
    lon = (lon + 180.0) % 360.0 - 180.0  # 179 is followed by -179 across each scan
    tb = 250.0 + 20.0 * np.sin(np.radians(4.0 * lat))
    tb[::7, 3] = np.nan
    tb[100:120] = np.nan
    return tb, lat, lon


def _axes() -> Axes:
    return Figure().add_subplot()


def test_public_api_is_listed() -> None:
    assert sorted(plot.__all__) == [
        "LonLatTransform",
        "coastlines",
        "draw_coastlines",
        "draw_graticule",
        "draw_land",
        "format_lat",
        "format_lon",
        "quicklook_panel",
        "quicklook_swath",
        "split_at_antimeridian",
        "wrap_offsets",
    ]


def test_import_without_matplotlib_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "swathkit.plot" or m.startswith("swathkit.plot.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"pip install 'swathkit\[plot\]'"):
        importlib.import_module("swathkit.plot")


def test_coastlines_are_lonlat_polylines_in_range() -> None:
    lines = coastlines()
    assert len(lines) > 100
    for line in lines:
        assert line.ndim == 2 and line.shape[1] == 2 and len(line) >= 2
        assert line.dtype == np.float64
    points = np.vstack(lines)
    assert np.all(np.abs(points[:, 0]) <= 180.0)
    assert np.all(np.abs(points[:, 1]) <= 90.0)


@pytest.mark.parametrize(
    ("place", "lon", "lat"),
    [("Gibraltar", -5.6, 36.0), ("Miami", -80.13, 25.77), ("Cape Town", 18.4, -33.9)],
)
def test_coastlines_pass_known_coasts(place: str, lon: float, lat: float) -> None:
    points = np.vstack(coastlines())
    nearest = np.hypot(points[:, 0] - lon, points[:, 1] - lat).min()
    assert nearest < 0.3, place


def test_no_coastline_jumps_across_the_map() -> None:
    assert all(np.abs(np.diff(line[:, 0])).max() <= 180.0 for line in coastlines())


def test_coastlines_are_cached_and_read_only() -> None:
    first, second = coastlines(4), coastlines(4)
    assert first[0] is second[0]
    with pytest.raises(ValueError, match="read-only"):
        first[0][0, 0] = 0.0


def test_split_at_antimeridian_ends_pieces_on_the_seam() -> None:
    line = np.array([[178.0, 0.0], [-178.0, 4.0], [-177.0, 5.0]])
    west, east = split_at_antimeridian(line)
    assert west[-1].tolist() == [180.0, 2.0]
    assert east[0].tolist() == [-180.0, 2.0]


def test_wrap_offsets_cover_a_map_centred_on_the_antimeridian() -> None:
    assert wrap_offsets(-180.0, 180.0, (150.0, 210.0)) == [0.0, 360.0]
    assert wrap_offsets(170.0, 190.0, (-180.0, 180.0)) == [-360.0, 0.0]


def test_longitude_labels_wrap() -> None:
    assert [format_lon(v) for v in (190.0, 180.0, -30.0, 0.0)] == ["170°W", "180°", "30°W", "0°"]


def test_draw_coastlines_keeps_limits() -> None:
    ax = _axes()
    ax.set_xlim(-10.0, 5.0)
    ax.set_ylim(30.0, 45.0)
    draw_coastlines(ax)
    assert ax.get_xlim() == (-10.0, 5.0) and ax.get_ylim() == (30.0, 45.0)


def test_draw_coastlines_projected_breaks_lines_at_unmapped_points() -> None:
    def north_polar(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        r = np.where(lat > 0.0, np.tan(np.radians(45.0 - lat / 2.0)), np.nan)
        return r * np.sin(np.radians(lon)), -r * np.cos(np.radians(lon))

    segments = draw_coastlines(_axes(), transform=north_polar).get_segments()
    assert segments
    assert all(len(s) >= 2 and np.isfinite(s).all() for s in segments)
    assert max(np.hypot(*s.T).max() for s in segments) <= 1.0  # northern hemisphere only


@pytest.mark.slow
def test_quicklook_writes_png_of_expected_size(swath, tmp_path) -> None:
    out = quicklook_swath(*swath, tmp_path / "q.png", title="band", units="K")
    assert out == tmp_path / "q.png"
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert imread(out).shape[:2] == (605, 1100)


def test_quicklook_is_deterministic(swath, tmp_path) -> None:
    a = quicklook_swath(*swath, tmp_path / "a.png")
    b = quicklook_swath(*swath, tmp_path / "b.png")
    assert a.read_bytes() == b.read_bytes()


def test_antimeridian_swath_does_not_smear_across_the_map(swath, tmp_path) -> None:
    tb = np.where(np.isnan(swath[0]), np.nan, 1.0)
    out = quicklook_swath(tb, *swath[1:], tmp_path / "m.png", cmap=ListedColormap([MAGENTA]))
    rgb = imread(out)[..., :3]
    magenta = np.all(np.abs(rgb - MAGENTA) < 0.05, axis=-1)
    # the 6° band plus the colour bar: a few percent; a smear would cover half the image
    assert 0.005 < magenta.mean() < 0.05


def test_swath_over_a_pole_renders(tmp_path) -> None:
    lat = np.repeat(np.linspace(60.0, 89.0, 50)[:, None], 40, axis=1)
    lon = np.repeat(np.linspace(-180.0, 170.0, 40)[None, :], 50, axis=0)
    lat[-5:] = 89.9
    out = quicklook_swath(np.cos(np.radians(lon)) + lat, lat, lon, tmp_path / "p.png")
    assert imread(out).shape[:2] == (605, 1100)


def test_panel_adds_the_raw_array(swath, tmp_path) -> None:
    out = quicklook_panel(*swath, tmp_path / "panel.png", title="band")
    assert imread(out).shape[:2] == (605, 1540)


def test_all_nan_swath_raises_nothing_to_draw(swath, tmp_path) -> None:
    tb = np.full_like(swath[0], np.nan)
    with pytest.raises(ValueError, match="nothing to draw"):
        quicklook_swath(tb, *swath[1:], tmp_path / "nan.png")
    assert not (tmp_path / "nan.png").exists()


def test_mismatched_shapes_raise(swath, tmp_path) -> None:
    tb, lat, lon = swath
    with pytest.raises(ValueError, match="one shape"):
        quicklook_swath(tb, lat[:-1], lon, tmp_path / "bad.png")
