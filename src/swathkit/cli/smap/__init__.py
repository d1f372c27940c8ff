"""``swathkit smap``: SMAP products from NSIDC (and ASF for radar)."""
