from datetime import UTC, datetime, timedelta

import pytest

from swathkit.sim.stac.landsat import acquisitions

pytestmark = pytest.mark.slow  # the per-path geometry is computed on first use (seconds)

JUNE = datetime(2008, 6, 1, tzinfo=UTC), datetime(2008, 7, 1, tzinfo=UTC)


def test_tiles_of_one_overpass_share_the_day_and_differ_by_seconds():
    passes = {}
    for a in acquisitions(*JUNE):
        passes.setdefault((a.platform.name, a.orbit), []).append(a)
    one = max(passes.values(), key=len)
    times = sorted(a.datetime for a in one)
    assert len({a.datetime.date() for a in one}) == 1
    assert timedelta(0) < times[-1] - times[0] < timedelta(minutes=15)
    assert len(set(times)) == len(times)


def test_a_path_repeats_every_16_days_and_landsat_5_follows_landsat_7_by_8():
    tile_days = {}
    for a in acquisitions(*JUNE):
        if a.path == 25:
            tile_days.setdefault(a.platform.name, set()).add(a.datetime.date())
    l7, l5 = sorted(tile_days["LANDSAT_7"]), sorted(tile_days["LANDSAT_5"])
    assert (l7[1] - l7[0]).days == 16
    assert (l5[0] - l7[0]).days % 16 == 8


def test_catalogue_is_deterministic_and_cloud_cover_is_a_percentage():
    first = [(a.tile_id, a.datetime, a.cloud_cover) for a in acquisitions(*JUNE)]
    again = [(a.tile_id, a.datetime, a.cloud_cover) for a in acquisitions(*JUNE)]
    assert first == again
    covers = [c for _, _, c in first]
    assert all(0 <= c <= 100 for c in covers)
    assert min(covers) == 0 and max(covers) > 50  # clear days and cloudy ones
