"""The ALOS orbit and FBD scene catalogue: realistic count, geometry, determinism, fast queries."""

from datetime import UTC, datetime

import numpy as np
import pytest
import shapely

from swathkit.geodata import land_fraction
from swathkit.geodata.usa import USA
from swathkit.sim.cmr.alos import (
    FRAME_STEP,
    MISSION,
    PERIOD_S,
    REPEAT_DAYS,
    REPEAT_REVS,
    Catalogue,
    catalogue,
)


@pytest.mark.slow  # builds the catalogue (about a second)
def test_the_mission_holds_about_the_seeds_count_of_fbd_scenes_over_the_usa():
    count = len(catalogue())
    assert 28_000 <= count <= 33_000  # the seed found 30,743


def test_the_orbit_repeats_every_46_days_in_671_revolutions():
    assert abs(PERIOD_S * REPEAT_REVS - REPEAT_DAYS * 86_400) < 1e-6
    assert 98.0 < PERIOD_S / 60 < 99.5


def test_scenes_lie_within_the_mission_on_standard_frames():
    cat = catalogue()
    first = datetime.fromtimestamp(cat.start_ms[0] / 1000, UTC).date()
    last = datetime.fromtimestamp(cat.start_ms[-1] / 1000, UTC).date()
    assert MISSION[0] <= first and last <= MISSION[1]
    assert np.all(cat.frame % FRAME_STEP == 0) and np.all(np.diff(cat.start_ms) >= 0)


def test_every_scene_touches_us_land():
    cat = catalogue()
    rows = np.arange(0, len(cat), 997)
    for i in rows:
        poly = shapely.Polygon(cat.corners[i])
        assert poly.intersects(USA)
    centres = cat.center[rows]
    assert np.mean(land_fraction(centres[:, 1], centres[:, 0]) > 0.5) > 0.7


def test_ascending_passes_are_at_night_and_descending_by_day():
    cat = catalogue()
    hours = (cat.start_ms / 3.6e6 + cat.center[:, 0] / 15.0) % 24  # local solar time
    night = (hours > 20) | (hours < 2)
    day = (hours > 8) & (hours < 14)
    assert np.all(night[cat.direction == "A"]) and np.all(day[cat.direction == "D"])
    assert (cat.direction == "A").sum() > 5 * (cat.direction == "D").sum()


def test_scenes_are_about_70_km_square():
    cat = catalogue()
    corners = cat.corners[1234]
    km_lon = 111.32 * np.cos(np.radians(corners[:, 1].mean()))
    side = np.hypot((corners[1, 0] - corners[0, 0]) * km_lon,
                    (corners[1, 1] - corners[0, 1]) * 111.32)
    assert 60 < side < 80


@pytest.mark.slow  # builds two more catalogues
def test_the_catalogue_is_deterministic_and_seeded():
    again = Catalogue(0)
    assert np.array_equal(again.orbit, catalogue().orbit)
    assert np.array_equal(again.start_ms, catalogue().start_ms)
    other = Catalogue(1)
    assert not np.array_equal(other.orbit[:100], again.orbit[:100])


def test_select_finds_exactly_what_a_scan_of_every_scene_finds():
    cat = catalogue()
    start, end = cat.start_ms[5000], cat.start_ms[5000] + 40 * 86_400_000
    box = (-105.0, 35.0, -95.0, 42.0)
    rows = cat.select(start, end, box)
    brute = np.flatnonzero((cat.end_ms >= start) & (cat.start_ms <= end)
                           & (cat.east >= box[0]) & (cat.west <= box[2])
                           & (cat.north >= box[1]) & (cat.south <= box[3]))
    assert len(rows) > 0 and np.array_equal(np.sort(rows), brute)
