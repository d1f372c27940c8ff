"""Sea-ice day sources and inspection find files through the product registry."""

from datetime import date

import h5py
import numpy as np
import pytest
from grid_cube_helpers import fields

from swathkit.errors import FileNameError, FormatError, InputError
from swathkit.products.grids import grid
from swathkit.sim.bremen.asi import write_asi_day
from swathkit.stores.grid_cube_writer import cube_writer
from swathkit.stores.grid_source import CubeSource, FileSource, open_source
from swathkit.stores.inspect import grid_facts, inspect

D0 = date(2024, 4, 17)


@pytest.fixture(scope="module")
def asi_tree(tmp_path_factory):
    """Two days in year folders, a download in progress and a hidden temporary file."""
    root = tmp_path_factory.mktemp("tree")
    write_asi_day(root / "2024" / "04", "n6250", D0)
    day = write_asi_day(root / "2024" / "05", "n6250", date(2024, 5, 1))
    (root / (day.name + ".part")).write_bytes(b"half a download")
    (root / f".{day.name}").write_bytes(b"someone's temporary file")
    return root


def test_a_file_source_finds_the_days_in_sub_folders(asi_tree):
    source = open_source(asi_tree)
    assert isinstance(source, FileSource) and source.grid is grid("asi-n6250")
    assert sorted(source.files) == [D0, date(2024, 5, 1)]
    values = source.read([D0], "100:110,200:220")
    assert values.shape == (1, 10, 20) and values.dtype == np.float32


def test_a_missing_source_is_no_such_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        open_source(tmp_path / "nowhere")


def test_a_file_that_is_not_an_asi_file_says_so(tmp_path):
    other = tmp_path / "GW1AM2_202202160037_181D_L1SGBTBR_2220220.h5"
    with h5py.File(other, "w") as f:
        f["x"] = [1]
    with pytest.raises(FileNameError, match="not an ASI file name"):
        open_source(other)


def test_a_cube_source_on_an_ease2_grid_gives_days_in_its_crs(tmp_path):
    g = grid("ease2-n36")
    with cube_writer(tmp_path / "c.zarr", grid=g) as w:
        w.upsert_days(fields(D0, 1, shape=g.shape))
    source = open_source(tmp_path / "c.zarr")
    assert isinstance(source, CubeSource) and source.grid is g
    ds = source.day(D0)
    assert ds["lambert_azimuthal_equal_area"].attrs["epsg_code"] == "EPSG:6931"
    assert ds.attrs["grid"] == "ease2-n36" and ds["y"].values[0] > ds["y"].values[-1]


def test_inspect_a_missing_path_is_no_such_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        inspect(tmp_path / "nowhere.h5")


def test_inspect_a_file_that_is_no_product_names_what_it_is(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    with pytest.raises(FormatError, match="not an HDF5 or a NetCDF-4 file"):
        inspect(notes)
    any_hdf5 = tmp_path / "mine.h5"
    with h5py.File(any_hdf5, "w") as f:
        f["counts"] = np.zeros((3, 4), np.uint16)
    _, rows = inspect(any_hdf5).tables["datasets"]
    assert rows[0][:3] == ["counts", "(3, 4)", "uint16"]


def test_inspect_a_folder_of_asi_files_in_sub_folders(asi_tree):
    facts = dict(inspect(asi_tree).facts)
    assert facts["files"] == "2" and facts["time range"].startswith("2024-04-17 → 2024-05-01")
    assert facts["grid"] == "asi-n6250 (north polar stereographic)"


def test_grid_facts_of_a_north_up_grid():
    facts = dict(grid_facts(grid("ease2-n25"), []))
    assert facts["grid"] == "ease2-n25 (north lambert azimuthal equal area)"
    assert facts["CRS"].startswith("EPSG:6931")
    assert facts["y extent"] == "-9,000,000 … 9,000,000 m (row 0 = northern edge, y descending)"
    assert facts["dims (shape)"] == "y=720 × x=720"
