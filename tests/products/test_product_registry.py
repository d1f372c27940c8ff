"""The product registry: magic bytes first, then the name; one folder finder."""

import socket
from datetime import date

import h5py
import pytest

from swathkit.errors import FileNameError, FormatError, InputError
from swathkit.products.amsr2.names import GranuleName
from swathkit.products.asi.names import AsiName
from swathkit.products.formats import sniff
from swathkit.products.registry import PRODUCTS, find_products, identify, spec

ASI = "asi-AMSR2-n6250-20240417-v5.4.nc"
L1B = "GW1AM2_202202160037_181D_L1SGBTBR_2220220.h5"


def _hdf5(path):
    """A minimal real HDF5 file (also what a NetCDF-4 file is underneath)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with h5py.File(path, "w") as f:
        f["x"] = [1.0]
    return path


def test_every_row_of_the_table_recognises_its_own_example(tmp_path):
    for row in PRODUCTS:
        found = identify(_hdf5(tmp_path / row.example))
        assert (found.product, found.format) == (row.product, row.format)
        assert found.path == tmp_path / row.example


def test_an_asi_file_of_the_simulator_is_recognised(tmp_path):
    from swathkit.sim.bremen.asi import write_asi_day

    path = write_asi_day(tmp_path, "n6250", date(2024, 4, 17))
    found = identify(path)
    assert (found.product, found.format) == ("asi-amsr2", "netcdf4")
    assert found.name == AsiName("n6250", date(2024, 4, 17))
    assert sniff(path) == "hdf5"


def test_an_amsr2_granule_of_the_simulator_is_recognised(l1b_dir):
    path = sorted(l1b_dir.glob("*.h5"))[0]
    found = identify(path, product="amsr2-l1b")
    assert found.product == "amsr2-l1b" and isinstance(found.name, GranuleName)
    assert found.name.file_name == path.name


def test_a_missing_path_is_no_such_file(tmp_path):
    with pytest.raises(InputError, match=r"nowhere\.h5: no such file$"):
        identify(tmp_path / "nowhere.h5")


def test_a_folder_where_a_file_is_expected(tmp_path):
    with pytest.raises(InputError, match="a folder, not a file"):
        identify(tmp_path)


def test_an_unreadable_file_says_so(tmp_path):
    path = tmp_path / ASI
    with socket.socket(socket.AF_UNIX) as sock:  # a socket cannot be opened, even by root
        sock.bind(str(path))
        with pytest.raises(InputError, match="cannot be read"):
            identify(path)


def test_other_bytes_are_a_format_error_showing_them(tmp_path):
    path = tmp_path / L1B
    path.write_bytes(b"<html>404</html>")
    with pytest.raises(FormatError, match=r"not an HDF5 file \(first bytes b'<html>40'\)"):
        identify(path, product="amsr2-l1b")
    with pytest.raises(FormatError, match="not an HDF5 file"):  # what its name announces
        identify(path)
    other = tmp_path / "notes.txt"
    other.write_bytes(b"hello")
    with pytest.raises(FormatError, match="not an HDF5 or a NetCDF-4 file"):
        identify(other)


def test_netcdf_classic_is_recognised_by_its_magic_but_is_no_product_here(tmp_path):
    path = tmp_path / ASI
    path.write_bytes(b"CDF\x01" + bytes(60))
    assert sniff(path) == "netcdf3"
    with pytest.raises(FormatError, match="a NetCDF classic file, where asi-amsr2 needs a "
                                          "NetCDF-4 file"):
        identify(path)


def test_a_name_no_product_accepts_lists_what_names_look_like(tmp_path):
    path = _hdf5(tmp_path / "day.nc")
    with pytest.raises(FileNameError, match=f"expected a name like .*{ASI[:10]}"):
        identify(path)
    with pytest.raises(FileNameError, match="not an ASI file name"):  # the grammar's words
        identify(path, product="asi-amsr2")
    broken = _hdf5(tmp_path / "asi-AMSR2-n6250-20241341-v5.4.nc")
    with pytest.raises(FileNameError, match="is not a date"):
        identify(broken)


def test_a_download_is_judged_by_its_final_name(tmp_path):
    part = _hdf5(tmp_path / (ASI + ".part"))
    assert identify(part, name=ASI).name == AsiName("n6250", date(2024, 4, 17))
    with pytest.raises(FileNameError):
        identify(part)


def test_an_unknown_product_id_lists_the_known_ones():
    with pytest.raises(InputError, match="amsr2-l1b, amsr2-l1r, asi-amsr2"):
        spec("smap-l3")


def test_find_products_recurses_and_skips_hidden_partial_and_store_files(tmp_path):
    names = [f"asi-AMSR2-n6250-202404{d:02d}-v5.4.nc" for d in range(10, 16)]
    _hdf5(tmp_path / "2024" / "04" / names[3])
    _hdf5(tmp_path / names[1])
    _hdf5(tmp_path / "b" / names[0])
    _hdf5(tmp_path / "a" / L1B)
    _hdf5(tmp_path / ".hidden" / names[2])
    _hdf5(tmp_path / f".{names[4]}")
    _hdf5(tmp_path / (names[5] + ".part"))
    (tmp_path / "cube.zarr").mkdir()
    (tmp_path / "cube.zarr" / "zarr.json").write_text("{}")
    _hdf5(tmp_path / "cube.zarr" / names[5])
    (tmp_path / "notes.txt").write_text("not a product")
    scan = find_products(tmp_path)
    assert [f.path for f in scan.files] == [tmp_path / "a" / L1B, tmp_path / "b" / names[0],
                                            tmp_path / names[1],
                                            tmp_path / "2024" / "04" / names[3]]
    assert scan.rejected == ()
    only = find_products(tmp_path, "asi-amsr2")
    assert [f.product for f in only.files] == ["asi-amsr2"] * 3


def test_find_products_rejects_files_named_like_products_with_the_reason(tmp_path):
    _hdf5(tmp_path / ASI)
    (tmp_path / "asi-AMSR2-n6250-20240418-v5.4.nc").write_bytes(b"truncated")
    _hdf5(tmp_path / "asi-AMSR2-x9999-20240418-v5.4.nc")
    scan = find_products(tmp_path)
    assert [f.path.name for f in scan.files] == [ASI]
    reasons = dict((p.name, why) for p, why in scan.rejected)
    assert "not a NetCDF-4 file" in reasons["asi-AMSR2-n6250-20240418-v5.4.nc"]
    assert "not an ASI file name" in reasons["asi-AMSR2-x9999-20240418-v5.4.nc"]


def test_find_products_needs_a_folder(tmp_path):
    with pytest.raises(InputError, match="no such folder"):
        find_products(tmp_path / "nowhere")
    with pytest.raises(InputError, match="not a folder"):
        find_products(_hdf5(tmp_path / ASI))
