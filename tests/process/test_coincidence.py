"""The bulk coincidence join: intersection, Δt window, cloud cover, date grouping, regions."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
import shapely
from shapely import affinity

from swathkit.errors import InputError
from swathkit.process.coincidence import DsweFootprint, SarFootprint, join

T0 = datetime(2008, 2, 24, 4, 0, tzinfo=UTC)
SCENE = affinity.rotate(shapely.box(-90.4, 30.1, -89.7, 30.7), 10)


def sar(sid: str = "ALPSRP111110580", when: datetime = T0, poly=SCENE) -> SarFootprint:
    return SarFootprint(sid, when, poly, name=f"AP_{sid[-9:]}")


def tile(tid: str, when: datetime, *, cloud: float = 5.0, region: str = "CU",
         poly=None, h: int = 19, v: int = 13) -> DsweFootprint:
    poly = poly if poly is not None else shapely.box(-91.0, 29.5, -89.0, 31.0)
    return DsweFootprint(tid, when, poly, cloud, region, h, v, when.date())


def test_a_tile_within_the_window_is_joined_and_one_beyond_is_not():
    near = tile("near", T0 + timedelta(hours=23))
    far = tile("far", T0 + timedelta(hours=25))
    [cand] = join([sar()], [near, far])
    assert cand.dswe_ids == ("near",)
    assert cand.dt_seconds == 23 * 3600
    assert join([sar()], [far]) == []
    assert [c.dswe_ids for c in join([sar()], [far], window=timedelta(days=2))] == [("far",)]


def test_cloud_cover_must_be_below_the_limit():
    clear = tile("clear", T0 + timedelta(hours=5), cloud=29.9)
    cloudy = tile("cloudy", T0 + timedelta(hours=5, seconds=1), cloud=30.0)
    [cand] = join([sar()], [clear, cloudy])
    assert cand.dswe_ids == ("clear",)
    assert join([sar()], [cloudy], max_cloud=50.0)[0].dswe_ids == ("cloudy",)


def test_tiles_that_miss_the_footprint_are_left_out():
    away = tile("away", T0 + timedelta(hours=5), poly=shapely.box(-80, 40, -79, 41))
    assert join([sar()], [away]) == []


def test_tiles_of_one_overpass_are_grouped_by_date_and_sorted_by_id():
    t = T0 + timedelta(hours=12)
    b = tile("LT05_CU_020013_b", t + timedelta(seconds=24), h=20)
    a = tile("LT05_CU_019013_a", t, h=19)
    [cand] = join([sar()], [b, a])
    assert cand.dswe_ids == ("LT05_CU_019013_a", "LT05_CU_020013_b")
    assert cand.tiles == ((19, 13), (20, 13))
    assert cand.dswe_date == t.date()


def test_the_nearest_date_wins_and_a_tie_goes_to_the_earlier_date():
    when = datetime(2008, 2, 24, 12, tzinfo=UTC)
    before = tile("before", when - timedelta(hours=20))
    after = tile("after", when + timedelta(hours=20))
    same = tile("same", when + timedelta(hours=6))
    assert join([sar(when=when)], [after, before, same])[0].dswe_ids == ("same",)
    [tie] = join([sar(when=when)], [after, before])
    assert tie.dswe_ids == ("before",) and tie.dswe_date == date(2008, 2, 23)


def test_grid_regions_are_never_mixed():
    t = T0 + timedelta(hours=3)
    cu = tile("cu", t, region="CU")
    ak = tile("ak", t + timedelta(seconds=5), region="AK")
    [cand] = join([sar()], [cu, ak])
    assert cand.region == "AK" and cand.dswe_ids == ("ak",)  # AK < CU: one region only


def test_output_is_sorted_by_sar_id_whatever_the_input_order():
    scenes = [sar(f"ALPSRP{i:09d}", T0 + timedelta(days=i)) for i in range(20)]
    tiles = [tile(f"t{i:02d}{k}", T0 + timedelta(days=i, hours=k)) for i in range(20)
             for k in range(2)]
    reference = join(scenes, tiles)
    shuffled_s, shuffled_t = scenes[:], tiles[:]
    random.Random(4).shuffle(shuffled_s)
    random.Random(5).shuffle(shuffled_t)
    assert join(shuffled_s, shuffled_t) == reference
    assert [c.sar_id for c in reference] == sorted(s.id for s in scenes)


def test_bad_window_and_region_are_input_errors():
    with pytest.raises(InputError, match="negative"):
        join([sar()], [], window=timedelta(hours=-1))
    with pytest.raises(InputError, match="grid region"):
        join([sar()], [tile("x", T0, region="PR")])
