from datetime import date
from pathlib import Path

import pytest

from swathkit.errors import FileNameError
from swathkit.products.asi import (
    ASI_GRIDS,
    BREMEN_URL,
    asi_file_name,
    asi_grid,
    asi_remote_path,
    asi_url,
    parse_asi_name,
)


@pytest.mark.parametrize("grid", sorted(ASI_GRIDS))
def test_file_name_round_trips(grid):
    name = asi_file_name(grid, date(2019, 2, 28))
    assert name == f"asi-AMSR2-{grid}-20190228-v5.4.nc"
    parsed = parse_asi_name(Path("/some/dir") / name)
    assert (parsed.grid, parsed.day, parsed.version) == (grid, date(2019, 2, 28), "5.4")
    assert parsed.file_name == name


def test_remote_path_and_url_follow_the_archive_tree():
    day = date(2013, 5, 10)
    path = "amsr2/asi_daygrid_swath/n3125/netcdf/2013/asi-AMSR2-n3125-20130510-v5.4.nc"
    assert asi_remote_path("n3125", day) == path
    assert asi_remote_path(asi_grid("n3125"), day) == path
    assert asi_url("n3125", day) == BREMEN_URL + path
    assert asi_url("n3125", day, base="http://127.0.0.1:8080/") == "http://127.0.0.1:8080/" + path


@pytest.mark.parametrize(("name", "says"), [
    ("asi-AMSR2-n3125-20190228-v5.4.h5", "not an ASI file name"),
    ("asi-AMSR2-n3125-2019022-v5.4.nc", "not an ASI file name"),
    ("ASI-amsr2-n3125-20190228-v5.4.nc", "not an ASI file name"),
    ("asi-AMSR2-n1250-20190228-v5.4.nc", "unknown grid"),
    ("asi-AMSR2-n3125-20190230-v5.4.nc", "is not a date"),
])
def test_bad_names_raise_file_name_error_saying_why(name, says):
    with pytest.raises(FileNameError, match=says):
        parse_asi_name(name)


def test_unknown_grid_name_lists_the_choices():
    with pytest.raises(ValueError, match="n3125, n6250, s3125, s6250"):
        asi_file_name("n12500", date(2020, 1, 1))
