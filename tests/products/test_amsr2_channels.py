import pytest

from swathkit.errors import ProductError
from swathkit.products.amsr2.channels import CHANNELS, channel, parse_channels


def test_table_has_14_low_and_4_high_channels():
    assert len(CHANNELS) == 16
    assert sum(ch.is_89 for ch in CHANNELS.values()) == 4


@pytest.mark.parametrize(("spelling", "name"), [
    ("36.5H", "36.5H"), ("36.5h", "36.5H"), ("89.0AH", "89.0AH"), ("89AH", "89.0AH"),
    ("89.0BV", "89.0BV"), ("6.9V", "6.9V"), (" 7.3H ", "7.3H")])
def test_channel_spellings(spelling, name):
    assert channel(spelling).name == name


def test_dataset_names_follow_the_files():
    assert channel("36.5H").l1b_dataset == "Brightness Temperature (36.5GHz,H)"
    assert channel("89.0BV").l1b_dataset == "Brightness Temperature (89.0GHz-B,V)"
    assert channel("6.9V").l1r_dataset("res06") == "Brightness Temperature (res06,6.9GHz,V)"
    assert channel("36.5H").variable == "tb_36_5h"
    assert channel("89.0AH").band == "89A"


def test_unknown_channel_lists_the_choices():
    with pytest.raises(ProductError, match=r"choose from 6\.9H"):
        channel("37H")


def test_parse_channels_dedups_in_table_order():
    assert [c.name for c in parse_channels("89.0AH,36.5H,36.5h")] == ["36.5H", "89.0AH"]
    with pytest.raises(ProductError):
        parse_channels("")
