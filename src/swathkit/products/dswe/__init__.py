"""USGS Landsat DSWE (Dynamic Surface Water Extent), collection 2 level 3: the INWAM layer."""
