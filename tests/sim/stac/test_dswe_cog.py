from datetime import UTC, datetime

import numpy as np
import pytest
import rasterio
from rasterio.windows import Window

from swathkit.products.dswe import classes as c
from swathkit.sim.stac.dswe_cog import surface_truth, write_inwam
from swathkit.sim.stac.landsat import acquisitions
from swathkit.sim.surface_water import LAND, WATER, WETLAND

pytestmark = pytest.mark.slow


def _pick(platform):
    for a in acquisitions(datetime(2008, 6, 1, tzinfo=UTC), datetime(2008, 6, 17, tzinfo=UTC)):
        if a.platform.name == platform and 15 < a.cloud_cover < 60 and a.track.blocks > 7000:
            return a
    raise AssertionError("no acquisition")


@pytest.fixture(scope="module")
def l5_tif(tmp_path_factory):
    acq = _pick("LANDSAT_5")
    return acq, write_inwam(acq, tmp_path_factory.mktemp("cog") / "t.tif", pixels=500)


def test_cog_layout_is_dswe_inwam(l5_tif):
    acq, path = l5_tif
    with rasterio.open(path) as ds:
        assert (ds.count, ds.dtypes[0], ds.nodata, ds.width) == (1, "uint8", 255, 500)
        assert ds.block_shapes[0] == (256, 256) and ds.compression.name == "deflate"
        assert ds.overviews(1)
        assert ds.crs.to_epsg() is None and "6378140" in ds.crs.to_wkt()
        assert ds.transform.c == acq.tile.upper_left[0] and ds.transform.a == 300.0


def test_windowed_read_gives_the_classes_of_the_truth(l5_tif):
    acq, path = l5_tif
    with rasterio.open(path) as ds:
        window = ds.read(1, window=Window(100, 150, 200, 120))
    truth = surface_truth(acq.tile, 500)[150:270, 100:300]
    seen = ~np.isin(window, (c.CLOUD, c.FILL))
    assert seen.sum() > 1000
    assert np.all(np.isin(window[seen & (truth == WATER)], (c.WATER_HIGH, c.WATER_MODERATE)))
    assert np.all(np.isin(window[seen & (truth == WETLAND)],
                          (c.POTENTIAL_WETLAND, c.LOW_CONFIDENCE_WATER)))
    assert np.all(window[seen & (truth == LAND)] == c.NOT_WATER)


def _cloud_share(path):
    with rasterio.open(path) as ds:
        data = ds.read(1)
    return 100 * np.count_nonzero(data == c.CLOUD) / np.count_nonzero(data != c.FILL)


def test_cloud_cover_is_the_raster_cloud_share_landsat_5(l5_tif):
    acq, path = l5_tif
    assert _cloud_share(path) == pytest.approx(acq.cloud_cover, abs=0.01)


def test_cloud_cover_is_near_the_raster_share_under_slc_off_stripes(tmp_path):
    acq = _pick("LANDSAT_7")
    path = write_inwam(acq, tmp_path / "l7.tif", pixels=500)
    with rasterio.open(path) as ds:
        fill = np.count_nonzero(ds.read(1) == c.FILL)
    assert fill > 500 * 500 - acq.track.blocks * 25  # stripes fill more than the swath edge
    assert _cloud_share(path) == pytest.approx(acq.cloud_cover, abs=3.0)


def test_same_acquisition_gives_the_same_bytes(l5_tif, tmp_path):
    acq, path = l5_tif
    again = write_inwam(acq, tmp_path / "again.tif", pixels=500)
    assert again.read_bytes() == path.read_bytes()
