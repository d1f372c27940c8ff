import numpy as np
import pytest

from swathkit.process import footprint


def test_bbox_of_a_swath_crossing_the_antimeridian():
    lat = np.array([10.0, 12.0, 14.0])
    lon = np.array([175.0, 179.5, -178.0])
    west, south, east, north = footprint.bbox(lat, lon)
    assert west == 175.0 and east == pytest.approx(-177.9, abs=1e-4)
    assert (south, north) == (10.0, 14.0)


def test_coverage_intersects_boxes_it_touches_only():
    lat, lon = np.array([[45.0, 46.0]]), np.array([[5.0, 7.0]])
    cov = footprint.coverage(lat, lon)[None, :]
    assert footprint.intersects(cov, footprint.bbox_coverage(0, 40, 10, 50))[0]
    assert not footprint.intersects(cov, footprint.bbox_coverage(-60, -40, -50, -30))[0]
    assert footprint.intersects(footprint.coverage(np.array([0.0]), np.array([179.5]))[None],
                                footprint.bbox_coverage(170, -5, -170, 5))[0]
