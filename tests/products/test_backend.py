"""``xr.open_dataset(path, engine="swathkit")``: every product through its own reader."""

import tomllib
from pathlib import Path

import h5py
import numpy as np
import pytest
import xarray as xr

from smap_files import smap_file
from swathkit.errors import FileNameError, InputError
from swathkit.products.backend import SwathkitBackend, open_product
from swathkit.products.registry import identify

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def l3(tmp_path_factory):
    return smap_file(tmp_path_factory, "SPL3SMP")


@pytest.mark.timeout(60)
def test_the_backend_class_opens_smap_with_its_grid(l3):
    ds = xr.open_dataset(l3, engine=SwathkitBackend, group="am")
    assert ds.soil_moisture.dims == ("y", "x") and ds.attrs["product"] == "SPL3SMP"
    assert "lambert_cylindrical_equal_area" in ds.variables
    raw = h5py.File(l3)["Soil_Moisture_Retrieval_Data_AM/soil_moisture"][()]
    np.testing.assert_array_equal(np.isnan(ds.soil_moisture.values), raw == -9999.0)


@pytest.mark.timeout(60)
def test_drop_variables_and_dask_chunks_pass_through(l3):
    ds = xr.open_dataset(l3, engine=SwathkitBackend, drop_variables=["tb_h_corrected"],
                         chunks={})
    assert "tb_h_corrected" not in ds and "overpass" in ds.dims
    assert hasattr(ds.soil_moisture.data, "dask")


@pytest.fixture
def declared_engine(tmp_path, monkeypatch):
    """The ``xarray.backends`` entry point as pyproject.toml declares it, made visible to
    importlib.metadata through a dist-info folder (the shared venv's editable install may
    predate the declaration)."""
    from xarray.backends.plugins import list_engines

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["entry-points"]["xarray.backends"]
    if "swathkit" not in list_engines():
        info = tmp_path / "swathkit_backend_probe-0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: swathkit-backend-probe\n"
                                       "Version: 0\n")
        lines = "".join(f"{k} = {v}\n" for k, v in declared.items())
        (info / "entry_points.txt").write_text(f"[xarray.backends]\n{lines}")
        monkeypatch.syspath_prepend(str(tmp_path))
    list_engines.cache_clear()
    yield declared
    list_engines.cache_clear()


@pytest.mark.timeout(60)
def test_the_declared_engine_name_opens_smap(l3, declared_engine):
    assert declared_engine == {"swathkit": "swathkit.products.backend:SwathkitBackend"}
    assert isinstance(xr.backends.list_engines()["swathkit"], SwathkitBackend)
    ds = xr.open_dataset(l3, engine="swathkit", group="pm")
    assert ds.attrs["group"] == "Soil_Moisture_Retrieval_Data_PM"


@pytest.mark.timeout(60)
def test_guess_can_open_knows_product_files_only(l3, tmp_path):
    other = tmp_path / "notes.h5"
    other.write_text("not a product")
    backend = SwathkitBackend()
    assert backend.guess_can_open(l3) and backend.guess_can_open(str(l3))
    assert not backend.guess_can_open(other) and not backend.guess_can_open(b"bytes")


@pytest.mark.timeout(120)
def test_amsr2_files_open_through_the_same_backend(l1b_files):
    ds = xr.open_dataset(l1b_files[0], engine=SwathkitBackend)
    assert identify(l1b_files[0]).product == "amsr2-l1b"
    assert ds.attrs["sensor"] == "AMSR2" and ds.sizes["scan"] == 80


@pytest.mark.timeout(60)
def test_a_group_for_a_product_without_groups_says_to_drop_it(l1b_files):
    with pytest.raises(InputError, match="no groups to choose"):
        open_product(l1b_files[0], group="am")


@pytest.mark.timeout(30)
def test_a_file_of_no_known_product_is_refused_with_the_registry_reason(tmp_path):
    path = tmp_path / "random.h5"
    with h5py.File(path, "w") as f:
        f["x"] = [1.0]
    with pytest.raises(FileNameError, match=r"random\.h5"):
        open_product(path)


@pytest.mark.timeout(120)
def test_asi_days_open_through_the_same_backend(tmp_path):
    from datetime import date

    from swathkit.sim.bremen.asi import write_asi_day

    path = write_asi_day(tmp_path, "s6250", date(2020, 2, 28))
    ds = xr.open_dataset(path, engine=SwathkitBackend)
    assert ds.sic.dims == ("time", "y", "x") and ds.sizes["x"] == 1264
