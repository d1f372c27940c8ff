"""JAXA GCOM-W/AMSR2 Level 1B/1R brightness temperatures."""

from swathkit.products.amsr2.channels import CHANNELS, Channel, channel, parse_channels
from swathkit.products.amsr2.names import GranuleName, parse_name

__all__ = ["CHANNELS", "Channel", "GranuleName", "channel", "parse_channels", "parse_name"]
