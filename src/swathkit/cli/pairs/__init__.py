"""``swathkit pairs``: ALOS PALSAR RTC × USGS DSWE pairs."""
