"""JAXA GCOM-W/AMSR2 Level 1B/1R brightness temperatures."""

from swathkit.products.amsr2.channels import CHANNELS, Channel, channel, parse_channels
from swathkit.products.amsr2.names import GranuleName, parse_name
from swathkit.products.amsr2.reader import footprint_latlon, open_l1b, parse_coregistration

__all__ = [
    "CHANNELS",
    "Channel",
    "GranuleName",
    "channel",
    "footprint_latlon",
    "open_l1b",
    "parse_channels",
    "parse_coregistration",
    "parse_name",
]
