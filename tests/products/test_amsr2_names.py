from datetime import UTC, datetime

import pytest

from swathkit.errors import FileNameError
from swathkit.products.amsr2.names import GranuleName, parse_name


@pytest.mark.parametrize("name", [
    "GW1AM2_202202160040_188D_L1SGBTBR_2220220.h5",
    "GW1AM2_201607201808_128A_L1DLBTBR_1110110.h5",
    "GW1AM2_201607201808_128A_L1SGRTBR_2220220.h5",
])
def test_documented_names_round_trip(name):
    assert parse_name(name).file_name == name


def test_parse_reads_every_part():
    g = parse_name("/data/x/GW1AM2_202202160040_188D_L1SGBTBR_2220220.h5")
    assert g.start == datetime(2022, 2, 16, 0, 40, tzinfo=UTC)
    assert (g.path_number, g.orbit_direction, g.process_kind, g.level) == (188, "D", "SG", "L1B")
    assert (g.product_version, g.algorithm_version, g.parameter_version) == ("2", "220", "220")


def test_build_from_parts():
    g = GranuleName(start=datetime(2022, 1, 2, 3, 4, tzinfo=UTC), path_number=7,
                    orbit_direction="A")
    assert g.file_name == "GW1AM2_202201020304_007A_L1SGBTBR_2220220.h5"


@pytest.mark.parametrize(("name", "says"), [
    ("GW1AM2_202202160040_188X_L1SGBTBR_2220220.h5", "path/direction"),
    ("GW1AM3_202202160040_188D_L1SGBTBR_2220220.h5", "GW1AM2"),
    ("GW1AM2_2022021600_188D_L1SGBTBR_2220220.h5", "YYYYMMDDhhmm"),
    ("GW1AM2_202202160040_188D.h5", "5 parts"),
    ("GW1AM2_202213160040_188D_L1SGBTBR_2220220.h5", "not a date"),
])
def test_malformed_names_say_what_is_wrong(name, says):
    with pytest.raises(FileNameError, match=says):
        parse_name(name)
