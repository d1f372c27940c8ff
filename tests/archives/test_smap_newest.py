"""Keeping the newest release of each SMAP granule: highest counter of a CRID, newest CRID."""

import itertools
from datetime import UTC, datetime

from swathkit.archives.smap import newest_releases
from swathkit.types import Granule


def granule(name, remote=None):
    day = datetime(2015, 4, 1, tzinfo=UTC)
    return Granule(name.removesuffix(".h5"), "SPL3SMP", day, day, remote or f"DP1/x/{name}")


NAMES = ["SMAP_L3_SM_P_20150401_R19240_001.h5", "SMAP_L3_SM_P_20150401_R19240_002.h5",
         "SMAP_L3_SM_P_20150401_R18290_003.h5", "SMAP_L3_SM_P_20150402_R18290_001.h5",
         "SMAP_L3_SM_P_20150402_R19240_001.h5",
         "SMAP_L2_SM_P_00871_D_20150401T030944_R19240_001.h5",
         "SMAP_L2_SM_P_00871_D_20150401T030944_R19240_004.h5"]


def test_the_highest_counter_of_the_newest_crid_is_kept_whatever_the_order():
    expected = ["SMAP_L2_SM_P_00871_D_20150401T030944_R19240_004.h5",
                "SMAP_L3_SM_P_20150401_R19240_002.h5", "SMAP_L3_SM_P_20150402_R19240_001.h5"]
    for order in itertools.islice(itertools.permutations(NAMES), 0, 5040, 97):
        kept = newest_releases(granule(n) for n in order)
        assert sorted(g.file_name for g in kept) == expected


def test_a_record_that_is_not_a_smap_file_is_left_out():
    kept = newest_releases([granule(NAMES[0]), granule("readme", "DP1/readme.txt")])
    assert [g.file_name for g in kept] == [NAMES[0]]
