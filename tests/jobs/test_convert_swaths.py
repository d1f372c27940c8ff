"""``swathkit convert`` of swaths: SMAP L1B_TB / L1C_S0_HiRes and AMSR2 swath stores onto a
named grid (nearest by default), checked against a kd-tree of the footprints in ECEF."""

from datetime import datetime

import h5py
import numpy as np
import pyproj
import pytest
import rasterio
from pykdtree.kdtree import KDTree

from smap_files import HALF_ORBIT, copy_of, smap_file
from swath_grid_helpers import LAYOUT, day_records, make_store
from swathkit.cli.main import main
from swathkit.products.grids import grid
from swathkit.products.smap import open_smap
from swathkit.stores.schema import Layout
from swathkit.stores.swath_store import SwathStore

pytestmark = pytest.mark.slow  # each writes a synthetic swath file or store, then resamples


def _ecef(lon, lat):
    return np.stack(pyproj.Transformer.from_crs(4326, 4978, always_xy=True).transform(
        lon, lat, np.zeros_like(lat)), axis=-1)


def _check_nearest(tif, lat, lon, values, g):
    """Every cell within a cell size of a footprint is written, with the value of the
    footprint nearest its centre; cells farther away are nodata.

    (pyresample measures on a sphere, this on WGS84: cells within 1 % of the radius,
    or whose two nearest footprints are within 1 % of each other, may go either way.)
    """
    with rasterio.open(tif) as src:
        assert src.crs.to_epsg() == g.epsg
        x0, dx, _, y0, _, dy = g.transform
        assert src.transform.to_gdal() == (x0, dx, 0.0, y0, 0.0, dy)  # exact, north-up grid
        got = src.read(1, masked=True)
        nodata = src.nodata
    ok = np.isfinite(lat) & np.isfinite(lon) & np.isfinite(values)
    tree = KDTree(_ecef(lon[ok], lat[ok]))
    glon, glat = g.lonlat(dtype=np.float64)
    dist, idx = tree.query(_ecef(glon.ravel(), glat.ravel()), k=2)
    d0 = dist[:, 0].reshape(g.shape)
    written = ~np.ma.getmaskarray(got)
    assert written.sum() > 100
    assert written[d0 < 0.99 * g.resolution].all()
    assert not written[d0 > 1.01 * g.resolution].any()
    clear = (written & (d0 < 0.99 * g.resolution)
             & (dist[:, 1] > 1.01 * dist[:, 0]).reshape(g.shape))
    assert clear.sum() > 0.5 * written.sum()  # dense swaths have many near-ties
    want = values[ok][idx[:, 0]].reshape(g.shape)
    assert np.array_equal(got.data[clear], want[clear].astype(got.dtype))
    return nodata


def test_an_l1b_tb_layer_is_the_nearest_footprint_of_each_cell(tmp_path_factory, tmp_path):
    path = smap_file(tmp_path_factory, "SPL1BTB", HALF_ORBIT)
    out = tmp_path / "tb.tif"
    assert main(["convert", str(path), "--layer", "Brightness_Temperature/tb_h",
                 "--grid", "ease2-m36", "--out", str(out)]) == 0
    tb = open_smap(path, group="Brightness_Temperature")["tb_h"]
    nodata = _check_nearest(out, tb["tb_lat"].values, tb["tb_lon"].values, tb.values,
                            grid("ease2-m36"))
    assert nodata == -9999.0
    with rasterio.open(out) as src:
        assert src.descriptions == ("Brightness_Temperature/tb_h",)
        assert src.tags()["resampling"] == "nearest" and src.units == ("Kelvin",)


def test_l1c_s0_flags_keep_their_stored_values_and_dtype(tmp_path_factory, tmp_path):
    path = smap_file(tmp_path_factory, "SPL1CS0", HALF_ORBIT)
    out = tmp_path / "flag.tif"
    layer = "Sigma0_Data/cell_sigma0_qual_flag_vv"
    assert main(["convert", str(path), "--layer", layer, "--grid", "ease2-s36",
                 "--method", "bucket", "--out", str(out)]) == 0  # flags: nearest whatever
    with h5py.File(path) as f:
        flags = f[layer][...]
        fill = int(f[layer].attrs["_FillValue"])
    s0 = open_smap(path, group="Sigma0_Data")
    lat, lon = s0["cell_lat"].values, s0["cell_lon"].values
    lat = np.where(lat > 0, np.nan, lat)  # a polar grid takes only its own hemisphere
    valid = np.where(flags == fill, np.nan, flags.astype(np.float64))
    assert _check_nearest(out, lat, lon, valid, grid("ease2-s36")) == fill
    with rasterio.open(out) as src:
        assert src.dtypes == ("uint16",) and src.tags()["resampling"] == "nearest"


def test_a_swath_without_its_lat_lon_is_an_input_error(tmp_path_factory, tmp_path, capsys):
    broken = copy_of(smap_file(tmp_path_factory, "SPL1BTB", HALF_ORBIT), tmp_path)
    with h5py.File(broken, "a") as f:
        del f["Brightness_Temperature/tb_lat"]
    assert main(["convert", str(broken), "--layer", "Brightness_Temperature/tb_v",
                 "--grid", "ease2-m36"]) == 2
    err = capsys.readouterr().err
    assert "has no latitude/longitude" in err and broken.name in err
    assert not list(tmp_path.glob("*.tif"))


def test_a_swath_without_grid_says_so_and_lists_the_grids(tmp_path_factory, capsys):
    path = smap_file(tmp_path_factory, "SPL1CS0", HALF_ORBIT)
    assert main(["convert", str(path), "--layer", "Sigma0_Data/cell_sigma0_vv_fore"]) == 2
    err = capsys.readouterr().err
    assert "--grid NAME" in err and "ease2-n25" in err and "asi-n6250" in err


DAY = datetime(2022, 2, 16)


def test_an_amsr2_store_gives_one_cog_per_granule_on_the_grid(tmp_path):
    records = day_records(DAY)
    store = make_store(tmp_path / "s.zarr", records)
    out = tmp_path / "cogs"
    assert main(["convert", str(store), "--layer", "89.0AH", "--grid", "ease2-n25",
                 "--out", f"{out}/"]) == 0
    sw = SwathStore.open(store)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{g}_tb_89_0ah_ease2-n25.tif" for g in sw.granule_ids)
    first = sw.granule_ids[0]
    ds = sw.read_swath(first)
    _check_nearest(out / f"{first}_tb_89_0ah_ease2-n25.tif", ds["lat_89a"].values.astype(
        np.float64), ds["lon_89a"].values.astype(np.float64), ds["tb_89_0ah"].values,
        grid("ease2-n25"))


def test_a_store_granule_and_the_channels_variable_name(tmp_path, capsys):
    store = make_store(tmp_path / "s.zarr", day_records(DAY))
    first = SwathStore.open(store).granule_ids[0]
    out = tmp_path / "one.tif"
    assert main(["convert", str(store), "--layer", "tb_36_5h", "--grid", "ease2-n36",
                 "--granule", first, "--out", str(out)]) == 0
    with rasterio.open(out) as src:
        assert src.crs.to_epsg() == 6931 and src.descriptions == ("tb_36_5h",)
    assert main(["convert", str(store), "--layer", "10.7H", "--grid", "ease2-n36"]) == 2
    assert "no channel '10.7H' in the store; it holds tb_36_5h, tb_89_0ah" in (
        capsys.readouterr().err)
    assert main(["convert", str(store), "--layer", "36.5H"]) == 2
    assert "--grid NAME" in capsys.readouterr().err
    assert main(["convert", str(store), "--layer", "36.5H", "--grid", "ease2-n36",
                 "--granule", "G9999"]) == 2
    assert "no granule G9999" in capsys.readouterr().err


def test_a_store_without_coordinates_is_a_swath_without_lat_lon(tmp_path, capsys):
    bare = Layout.of(",".join(LAYOUT.channels), scan_length=64)
    store = make_store(tmp_path / "bare.zarr", day_records(DAY, 1), bare)
    assert main(["convert", str(store), "--layer", "36.5H", "--grid", "ease2-n36"]) == 2
    err = capsys.readouterr().err
    assert "has no latitude/longitude" in err and "--coords" in err
