"""SMAP products: the jobs (download from NSIDC, consolidate daily L3 into a grid cube)."""
