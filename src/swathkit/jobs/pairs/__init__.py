"""ALOS PALSAR RTC × USGS DSWE pairs: the jobs (search, score, download, export)."""
