"""Region: one window of grid indices, parsed once at the boundary."""

import numpy as np
import pytest

from swathkit.errors import InputError
from swathkit.types import Region, as_region


def test_a_region_indexes_rows_then_columns():
    region = Region((2, 5), (1, 4))
    values = np.arange(60).reshape(6, 10)
    assert region.shape == (3, 3) and region.size == 9
    assert np.array_equal(values[region.slices()], values[2:5, 1:4])
    assert str(region) == "2:5,1:4"


def test_the_cli_syntax_parses_with_spaces_and_checks_the_shape():
    assert Region.parse("100:200,300:400") == Region((100, 200), (300, 400))
    assert Region.parse(" 0:1 , 2:3 ", (10, 10)) == Region((0, 1), (2, 3))
    with pytest.raises(InputError, match=r"is outside grid n6250 \(1792 rows × 1216 columns"):
        Region.parse("0:1793,0:10").within((1792, 1216), grid="n6250")


@pytest.mark.parametrize("text", ["100:200", "200:100,0:5", "a:b,c:d", "0:10,5:5", "1:2,3:4,5"])
def test_bad_text_is_an_input_error_naming_it(text):
    with pytest.raises(InputError, match="region"):
        Region.parse(text)


def test_every_accepted_form_gives_the_same_region():
    want = Region((3, 37), (1, 29))
    for value in (want, "3:37,1:29", (3, 37, 1, 29), ((3, 37), (1, 29)),
                  (slice(3, 37), slice(1, 29))):
        assert as_region(value, (40, 30)) == want
    assert as_region((slice(None), slice(5, None)), (40, 30)) == Region((0, 40), (5, 30))
    assert Region.whole((40, 30)) == Region((0, 40), (0, 30))


def test_open_slices_need_the_shape_and_steps_are_refused():
    with pytest.raises(InputError, match="open end"):
        as_region((slice(None), slice(0, 3)))
    with pytest.raises(InputError, match="step 2"):
        Region.of(slice(0, 10, 2), slice(0, 3))
    with pytest.raises(InputError, match="is outside the grid"):
        as_region((0, 41, 0, 30), (40, 30))
    with pytest.raises(InputError, match="empty"):
        Region((5, 5), (0, 1))
    with pytest.raises(InputError, match="not R0:R1,C0:C1"):
        as_region([0, 1, 2, 3])  # type: ignore[arg-type]
