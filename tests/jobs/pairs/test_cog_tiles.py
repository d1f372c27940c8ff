"""The internal tiles of a COG under a box, and prefetching them through a RangeOpener."""

import numpy as np
import pytest
import rasterio
from affine import Affine
from rasterio.warp import transform_bounds
from shapely.geometry import box

from swathkit.archives.credentials import Credentials
from swathkit.archives.ers import ErsAuth
from swathkit.archives.http import HttpClient
from swathkit.archives.http_range import RangeOpener
from swathkit.archives.stac import StacCatalog
from swathkit.jobs.pairs.cog_tiles import prefetch_tiles, tile_ranges
from swathkit.process.overlap import read_bounds
from swathkit.products.dswe.window import read_merged
from swathkit.sim.stac.server import SimulatedLandsatLook
from swathkit.types import Query


@pytest.fixture
def cog(tmp_path):
    """A 1024 × 1024 tiled GeoTIFF (256 × 256 tiles, deflate) of noise, 30 m, origin (0, 0)."""
    path = tmp_path / "tiles.tif"
    data = np.random.default_rng(0).integers(0, 5, (1024, 1024), dtype=np.uint8)
    with rasterio.open(path, "w", driver="GTiff", width=1024, height=1024, count=1,
                       dtype="uint8", crs="EPSG:32615", transform=Affine(30, 0, 0, 0, -30, 0),
                       tiled=True, blockxsize=256, blockysize=256, compress="deflate") as ds:
        ds.write(data, 1)
    return path


@pytest.mark.timeout(30)
def test_tile_ranges_are_the_tiles_the_box_meets(cog):
    with rasterio.open(cog) as ds:
        def item(kind, col, row):
            return int(ds.get_tag_item(f"BLOCK_{kind}_{col}_{row}", "TIFF", bidx=1))

        # pixels (cols 300–500, rows 520–700): tile column 1, tile rows 2
        one = tile_ranges(ds, (300 * 30, -700 * 30, 500 * 30, -520 * 30))
        assert one == [(item("OFFSET", 1, 2), item("OFFSET", 1, 2) + item("SIZE", 1, 2))]
        # across tile columns 0–1 and rows 0–1: four tiles, row by row
        four = tile_ranges(ds, (100 * 30, -300 * 30, 300 * 30, -100 * 30))
        assert [start for start, _ in four] == [item("OFFSET", c, r)
                                                 for r in (0, 1) for c in (0, 1)]
        assert tile_ranges(ds, (2000 * 30, -100 * 30, 2100 * 30, -50 * 30)) == []  # outside
        everything = tile_ranges(ds, ds.bounds)
        assert len(everything) == 16


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    with SimulatedLandsatLook(users={"alice": "pw"}, pixels=500,
                              cache_dir=tmp_path_factory.mktemp("ll")) as running:
        yield running


@pytest.mark.slow  # the simulator makes its COG on first request
@pytest.mark.timeout(60)
def test_after_prefetch_the_window_read_sends_no_request_and_reads_the_same(sim):
    query = Query("dswe", "2008-06-01", "2008-06-05", bbox=(-91, 34, -89, 36))
    href = next(StacCatalog(sim.stac_url, ca_bundle=sim.ca_file).search(query)).remote_path
    auth = ErsAuth(Credentials("alice", "pw"), login_url=sim.base_url + "login",
                   ca_bundle=sim.ca_file)
    with HttpClient(auth=auth, ca_bundle=sim.ca_file) as http:
        with rasterio.open(href, opener=RangeOpener(http)) as ds:
            west, south, _, _ = transform_bounds(ds.crs, "EPSG:4326", *ds.bounds)
        footprint = box(west + 0.2, south + 0.2, west + 0.7, south + 0.6)
        plain = read_merged([href], lambda crs: read_bounds(footprint, crs),
                            opener=RangeOpener(http, block_size=512))
        opener = RangeOpener(http, block_size=512, cache_blocks=4096)
        sent = prefetch_tiles([href], footprint, opener)
        before = opener.requests
        merged = read_merged([href], lambda crs: read_bounds(footprint, crs), opener=opener)
    assert sent >= 1 and opener.requests == before
    np.testing.assert_array_equal(merged.classes, plain.classes)
