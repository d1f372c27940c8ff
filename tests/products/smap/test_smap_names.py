"""SMAP file names: the facts' real examples parse and format back; bad names say why."""

from datetime import UTC, date, datetime

import pytest

from swathkit.errors import FileNameError
from swathkit.products.smap import SMAP_PRODUCTS, SmapName, parse_smap_name, smap_product

REAL_NAMES = [  # from the facts (formats/smap.md)
    "SMAP_L1B_TB_30039_A_20200915T114352_R17000_001.h5",
    "SMAP_L1C_TB_00869_A_20150331T230335_R11850_002.h5",
    "SMAP_L2_SM_P_30058_D_20200916T194350_R19240_001.h5",
    "SMAP_L3_SM_P_20170307_R14010_001.h5",
    "SMAP_L3_SM_P_E_20240715_R19240_002.h5",
    "SMAP_L1B_S0_LORES_01056_A_20150413T175549_R12240_001.h5",
]


@pytest.mark.timeout(10)
@pytest.mark.parametrize("name", REAL_NAMES)
def test_real_names_round_trip(name):
    assert parse_smap_name(name).file_name == name


@pytest.mark.timeout(10)
def test_a_half_orbit_name_gives_its_parts():
    n = parse_smap_name("/data/SMAP_L2_SM_P_30058_D_20200916T194350_R19240_001.h5")
    assert (n.level, n.orbit, n.direction, n.crid, n.counter) == ("L2_SM_P", 30058, "D",
                                                                  "R19240", 1)
    assert n.start == datetime(2020, 9, 16, 19, 43, 50, tzinfo=UTC) and n.day is None
    assert n.product.short_name == "SPL2SMP"


@pytest.mark.timeout(10)
def test_a_daily_name_gives_its_day_and_the_e_product_is_not_the_plain_one():
    plain = parse_smap_name("SMAP_L3_SM_P_20170307_R14010_001.h5")
    enhanced = parse_smap_name("SMAP_L3_SM_P_E_20240715_R19240_002.h5")
    assert plain.day == date(2017, 3, 7) and plain.product.short_name == "SPL3SMP"
    assert enhanced.product.short_name == "SPL3SMP_E" and enhanced.counter == 2


@pytest.mark.timeout(10)
def test_the_highest_counter_of_a_crid_is_the_newest_release():
    names = [parse_smap_name(f"SMAP_L3_SM_P_20170307_R14010_00{i}.h5") for i in (1, 3, 2)]
    assert max(names, key=lambda n: n.release).counter == 3


@pytest.mark.timeout(10)
def test_every_product_of_the_table_formats_its_own_example():
    for product in SMAP_PRODUCTS:
        assert parse_smap_name(product.example).product is product


@pytest.mark.timeout(10)
@pytest.mark.parametrize(("name", "says"), [
    ("SMAP_L3_SM_P_20170307_R14010_001.h5.iso.xml", "must end with .h5"),
    ("SMAP_L3_SM_P_20170307_R1401_001.h5", "CRID"),
    ("SMAP_L3_SM_P_20170231_R14010_001.h5", "not a calendar date"),
    ("SMAP_L4_SM_gph_20170307_R14010_001.h5", "not a SMAP file name"),
    ("SMAP_L2_SM_A_30058_D_20200916T194350_R19240_001.h5", "not a product swathkit knows"),
    ("SMAP_L2_SM_P_20170307_R14010_001.h5", "named by half orbit .*, this one by day"),
    ("SMAP_L3_SM_P_30058_D_20200916T194350_R19240_001.h5", "named by day .*, this one by half"),
    ("GW1AM2_202202160037_181D_L1SGBTBR_2220220.h5", "must start with SMAP_"),
])
def test_bad_names_raise_a_file_name_error_that_says_why(name, says):
    with pytest.raises(FileNameError, match=says):
        parse_smap_name(name)


@pytest.mark.timeout(10)
def test_a_name_is_either_daily_or_a_half_orbit():
    with pytest.raises(ValueError, match="not a SMAP name"):
        SmapName("L3_SM_P", "R19240", 1, day=date(2017, 3, 7), orbit=5, direction="A",
                 start=datetime(2017, 3, 7, tzinfo=UTC))


@pytest.mark.timeout(10)
def test_the_table_gives_each_group_its_grid_by_the_facts():
    assert [(g.name, g.grid, g.overpass, g.suffix) for g in smap_product("SPL3SMP").groups] == [
        ("Soil_Moisture_Retrieval_Data_AM", "ease2-m36", "am", ""),
        ("Soil_Moisture_Retrieval_Data_PM", "ease2-m36", "pm", "_pm")]
    e = smap_product("spl3smp_e")
    assert {g.name: g.grid for g in e.groups} == {
        "Soil_Moisture_Retrieval_Data_AM": "ease2-m09", "Soil_Moisture_Retrieval_Data_PM":
        "ease2-m09", "Soil_Moisture_Retrieval_Data_Polar_AM": "ease2-n09",
        "Soil_Moisture_Retrieval_Data_Polar_PM": "ease2-n09"}
    l1c = smap_product("SPL1CTB")
    assert [g.grid for g in l1c.groups] == ["ease2-m36", "ease2-n36", "ease2-s36"]
    assert smap_product("SPL2SMP").groups[0].row_index == "EASE_row_index"
    assert smap_product("SPL1CS0").archive == "asf" and smap_product("SPL1BTB").layout == "swath"
