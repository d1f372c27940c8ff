"""Pixel-level overlap scoring: exact counts inside a footprint or the seed's box."""

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from dswe_tiles import ALBERS, RES, X0, Y0, lonlat, origin, pixel_box, rotated
from swathkit.errors import InputError
from swathkit.process.overlap import ScoreRules, footprint_in, read_bounds, score

TRANSFORM = origin(X0, Y0)


def pattern() -> np.ndarray:
    """100 × 100: water (1) in columns < 30, moderate water (2) in 30..39, cloud (9) in rows
    < 20, fill (255) in rows ≥ 90, not water (0) elsewhere."""
    a = np.zeros((100, 100), np.uint8)
    a[:, :30] = 1
    a[:, 30:40] = 2
    a[:20] = 9
    a[90:] = 255
    return a


def test_counts_inside_an_axis_aligned_footprint_are_exact():
    # rows 10..29 × columns 20..59: 10 rows of cloud, 10 rows of (10 water, 10 moderate, 20 not)
    result = score(pattern(), TRANSFORM, ALBERS, lonlat(pixel_box(10, 20, 30, 60)))
    assert result.n == 800
    assert dict(result.counts) == {0: 200, 1: 100, 2: 100, 3: 0, 4: 0, 9: 400, 255: 0}
    assert result.valid_fraction == pytest.approx(0.5)
    assert result.water_fraction == pytest.approx(0.25)
    assert result.decision == "keep" and result.reasons == ()


def _centres_inside(area: shapely.Geometry) -> np.ndarray:
    rows, cols = np.mgrid[0:100, 0:100]
    xs, ys = X0 + (cols + 0.5) * RES, Y0 - (rows + 0.5) * RES
    return shapely.contains_xy(area, xs, ys)


def test_footprint_and_bbox_count_different_pixels_of_a_rotated_scene():
    scene = lonlat(rotated(25, 25, 75, 75, 20.0))
    inside = score(pattern(), TRANSFORM, ALBERS, scene)
    boxed = score(pattern(), TRANSFORM, ALBERS, scene, rules=ScoreRules(within="bbox"))
    expected_in = _centres_inside(footprint_in(scene, ALBERS))
    fwd = Transformer.from_crs("EPSG:4326", ALBERS, always_xy=True)
    box = shapely.box(*fwd.transform_bounds(*scene.bounds, densify_pts=21))
    expected_box = _centres_inside(box)
    assert inside.n == int(expected_in.sum())
    assert boxed.n == int(expected_box.sum())
    assert boxed.n > inside.n * 1.2  # the box of a 20° rotated square is much larger
    assert inside.count(1) == int((pattern()[expected_in] == 1).sum())
    assert boxed.count(9) == int((pattern()[expected_box] == 9).sum())


def test_read_bounds_hold_the_footprint():
    scene = lonlat(rotated(25, 25, 75, 75))
    left, bottom, right, top = read_bounds(scene, ALBERS)
    assert shapely.box(left, bottom, right, top).contains(footprint_in(scene, ALBERS))


def test_cloudy_and_dry_overlaps_are_rejected_with_their_reasons():
    cloudy = score(pattern(), TRANSFORM, ALBERS, lonlat(pixel_box(0, 0, 20, 100)))
    dry = score(pattern(), TRANSFORM, ALBERS, lonlat(pixel_box(20, 50, 90, 100)))
    assert cloudy.decision == "reject"
    assert cloudy.reasons == ("valid 0.000 < 0.5", "water 0.000 < 0.05")
    assert dry.decision == "reject" and dry.reasons == ("water 0.000 < 0.05",)


def test_thresholds_and_classes_are_configurable():
    area = lonlat(pixel_box(10, 20, 30, 60))
    strict = score(pattern(), TRANSFORM, ALBERS, area, rules=ScoreRules(min_water=0.3))
    only_high = score(pattern(), TRANSFORM, ALBERS, area, rules=ScoreRules(water_classes=(1,)))
    counted = score(pattern(), TRANSFORM, ALBERS, area, rules=ScoreRules(valid_classes=(1,)))
    assert strict.decision == "reject"
    assert only_high.water_fraction == pytest.approx(100 / 800)
    assert counted.valid_fraction == pytest.approx(100 / 800)


def test_the_tile_crs_is_used_not_epsg_5070():
    scene = lonlat(rotated(25, 25, 75, 75))
    own = np.asarray(footprint_in(scene, ALBERS).exterior.coords)
    nad83 = np.asarray(footprint_in(scene, "EPSG:5070").exterior.coords)
    fwd = Transformer.from_crs("EPSG:4326", ALBERS, always_xy=True)
    corner = np.array(fwd.transform(*scene.exterior.coords[0]))
    assert np.abs(own[0] - corner).max() < 1e-6
    assert np.abs(own - nad83).max() > 0.3  # metres: the spheroids differ (6378140, GRS80)


def test_a_footprint_off_the_array_is_an_input_error():
    far = lonlat(pixel_box(1000, 1000, 1010, 1010))
    with pytest.raises(InputError, match="does not cover any pixel"):
        score(pattern(), TRANSFORM, ALBERS, far)


def test_bad_rules_are_input_errors():
    with pytest.raises(InputError, match="within"):
        ScoreRules(within="circle")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="fraction"):
        ScoreRules(min_valid=1.5)
