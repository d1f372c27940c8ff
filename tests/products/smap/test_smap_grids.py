"""The EASE-Grid 2.0 grids SMAP uses are the facts' table, to the metre's millionth."""

import numpy as np
import pyproj
import pytest

from swathkit.products.grids import grid
from swathkit.products.smap import SMAP_PRODUCTS

# The facts' table (NSIDC .gpd): name -> (EPSG, cols, rows, cell m, upper-left x, y)
M_CORNER = (-17367530.4451615, 7314540.8306386)
FACTS = {
    "ease2-m36": (6933, 964, 406, 36032.220840584, *M_CORNER),
    "ease2-m09": (6933, 3856, 1624, 9008.055210146, *M_CORNER),
    "ease2-m03": (6933, 11568, 4872, 3002.6850700487, *M_CORNER),
    "ease2-m01": (6933, 34704, 14616, 1000.89502334956, *M_CORNER),
    "ease2-n36": (6931, 500, 500, 36000.0, -9000000.0, 9000000.0),
    "ease2-n09": (6931, 2000, 2000, 9000.0, -9000000.0, 9000000.0),
    "ease2-s36": (6932, 500, 500, 36000.0, -9000000.0, 9000000.0),
    "ease2-s09": (6932, 2000, 2000, 9000.0, -9000000.0, 9000000.0),
}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("name", sorted(FACTS))
def test_registry_grids_equal_the_facts_table(name):
    epsg, cols, rows, cell, x0, y0 = FACTS[name]
    g = grid(name)
    assert (g.epsg, g.cols, g.rows) == (epsg, cols, rows)
    assert g.crs == pyproj.CRS.from_epsg(epsg)
    np.testing.assert_allclose(g.transform, (x0, cell, 0, y0, 0, -cell), rtol=0, atol=1e-6)
    np.testing.assert_allclose(g.x()[[0, -1]], [x0 + cell / 2, x0 + (cols - 0.5) * cell],
                               rtol=0, atol=1e-6)
    np.testing.assert_allclose(g.y()[[0, -1]], [y0 - cell / 2, y0 - (rows - 0.5) * cell],
                               rtol=0, atol=1e-6)


@pytest.mark.timeout(30)
def test_m36_cell_centres_are_the_facts_latitudes_and_longitudes():
    lon, lat = grid("ease2-m36").lonlat(dtype=np.float64)
    assert lat[0, 0] == pytest.approx(83.63197527895065, abs=1e-9)
    assert lon[0, 0] == pytest.approx(-179.81327800829868, abs=1e-9)


@pytest.mark.timeout(30)
def test_every_grid_of_the_smap_table_is_registered():
    names = {g.grid for p in SMAP_PRODUCTS for g in p.groups if g.grid}
    assert names == {"ease2-m36", "ease2-m09", "ease2-n36", "ease2-s36", "ease2-n09"}
    assert all(grid(n).name == n for n in names)


@pytest.mark.timeout(30)
@pytest.mark.parametrize(("name", "toward"), [("ease2-n36", -1), ("ease2-s36", 1)])
def test_longitude_zero_points_down_in_the_north_grid_and_up_in_the_south(name, toward):
    g = grid(name)
    col = int(np.argmin(np.abs(g.x())))  # the column through the pole
    row = int(np.argmin(np.abs(g.y() - toward * 3_000_000.0)))
    lon, _ = g.lonlat(rows=slice(row, row + 1), cols=slice(col, col + 1), dtype=np.float64)
    assert abs(lon[0, 0]) < 2.5  # 0°E is toward -y (N) / +y (S), up to half a cell off
