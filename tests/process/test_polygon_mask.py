"""The scanline polygon mask gives GDAL's pixel-centre rule, in any thread."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import shapely
from affine import Affine
from rasterio.features import geometry_mask

from swathkit.errors import InputError
from swathkit.process.polygon_mask import polygon_mask

SHAPE = (240, 310)
TRANSFORM = Affine(30.0, 0.0, 500_013.0, 0.0, -30.0, 1_200_007.0)


def gdal(geometry: shapely.Geometry, transform: Affine = TRANSFORM) -> np.ndarray:
    return geometry_mask([geometry], out_shape=SHAPE, transform=transform, invert=True)


def random_polygons(n: int) -> list[shapely.Geometry]:
    """Rotated scenes, concave stars, a polygon with a hole, parts, some off the grid."""
    rng = np.random.default_rng(7)
    out = []
    for _ in range(n):
        cx, cy = 500_013 + rng.uniform(-800, 10_000), 1_200_007 - rng.uniform(-800, 7_900)
        k = int(rng.integers(3, 14))
        angles = np.sort(rng.uniform(0, 2 * np.pi, k))
        radii = rng.uniform(300, 4_000, k)
        out.append(shapely.Polygon(np.column_stack([cx + radii * np.cos(angles),
                                                    cy + radii * np.sin(angles)])))
    ring = shapely.Point(504_000, 1_196_000).buffer(2_500)
    out.append(ring.difference(shapely.Point(504_300, 1_196_200).buffer(900)))
    out.append(shapely.MultiPolygon([shapely.box(500_100, 1_195_000, 502_000, 1_199_000),
                                     shapely.box(505_000, 1_194_000, 508_333, 1_196_111)]))
    return out


def test_random_polygons_equal_rasterio_geometry_mask() -> None:
    for geometry in random_polygons(60):
        assert np.array_equal(polygon_mask(geometry, SHAPE, TRANSFORM), gdal(geometry))


def test_a_flipped_grid_equals_rasterio() -> None:
    flipped = Affine(-30.0, 0.0, 509_313.0, 0.0, 30.0, 1_192_807.0)
    for geometry in random_polygons(10):
        assert np.array_equal(polygon_mask(geometry, SHAPE, flipped), gdal(geometry, flipped))


def test_off_grid_and_empty_geometries_give_an_empty_mask() -> None:
    far = shapely.box(0, 0, 10, 10)
    assert not polygon_mask(far, SHAPE, TRANSFORM).any()
    assert not polygon_mask(shapely.Polygon(), SHAPE, TRANSFORM).any()


def test_a_rotated_transform_is_refused() -> None:
    with pytest.raises(InputError, match="north-up"):
        polygon_mask(shapely.box(0, 0, 1, 1), SHAPE, Affine.rotation(10) @ TRANSFORM)


def test_threads_give_the_same_masks_without_warnings() -> None:
    shapes = random_polygons(40)
    with ThreadPoolExecutor(4) as pool:
        masks = list(pool.map(lambda g: polygon_mask(g, SHAPE, TRANSFORM), shapes))
    assert all(np.array_equal(m, polygon_mask(g, SHAPE, TRANSFORM))
               for m, g in zip(masks, shapes, strict=True))
    assert sum(int(m.sum()) for m in masks) > 0


def test_spans_are_the_rows_of_the_mask_in_order() -> None:
    from swathkit.process.polygon_mask import polygon_spans

    for geometry in random_polygons(12):
        spans = polygon_spans(geometry, SHAPE, TRANSFORM)
        assert spans == sorted(spans) and all(stop > start for _, start, stop in spans)
        rebuilt = np.zeros(SHAPE, bool)
        for row, start, stop in spans:
            assert not rebuilt[row, start:stop].any()  # runs never overlap
            rebuilt[row, start:stop] = True
        assert np.array_equal(rebuilt, gdal(geometry))
