"""The synthetic L3_SM_P file has the real files' layout, as the facts describe it.

Every expectation here is written from formats/smap.md (names, dtypes, fills, shapes,
chunks, attributes, the traps), not from the writer's own constants.
"""

import h5py
import numpy as np
import pytest

from smap_files import DAY, smap_file

AM, PM = "Soil_Moisture_Retrieval_Data_AM", "Soil_Moisture_Retrieval_Data_PM"
FACT_VARS = ["soil_moisture", "soil_moisture_error", "retrieval_qual_flag", "surface_flag",
             "tb_h_corrected", "tb_v_corrected", "surface_temperature", "vegetation_opacity",
             "latitude", "longitude", "EASE_row_index", "EASE_column_index", "tb_time_seconds",
             "tb_time_utc", "landcover_class", "landcover_class_fraction"]
FLAGS = ["retrieval_qual_flag", "surface_flag", "EASE_row_index", "EASE_column_index"]


@pytest.fixture(scope="module")
def l3(tmp_path_factory):
    return smap_file(tmp_path_factory, "SPL3SMP")


@pytest.mark.timeout(60)
def test_the_name_and_metadata_say_the_product(l3):
    assert l3.name == "SMAP_L3_SM_P_20150401_R19240_001.h5"
    with h5py.File(l3) as f:
        ident = f["Metadata/DatasetIdentification"].attrs
        assert ident["shortName"] == b"SPL3SMP" and ident["SMAPShortName"] == b"L3_SM_P"
        assert ident["CompositeReleaseID"] == b"R19240"
        extent = f["Metadata/Extent"].attrs
        assert extent["rangeBeginningDateTime"].decode().startswith("2015-04-01T00:00:00")
        assert extent["rangeEndingDateTime"].decode().endswith("Z")
        xml = f["Metadata"].attrs["iso_19139_dataset_xml"].decode()
        assert xml.startswith("<?xml") and "gmd:MD_Metadata" in xml and l3.name in xml


@pytest.mark.timeout(60)
def test_both_overpasses_hold_the_facts_variables_on_406_by_964(l3):
    with h5py.File(l3) as f:
        assert set(FACT_VARS) <= set(f[AM])
        assert set(f[PM]) == {f"{name}_pm" for name in f[AM]}  # every PM name ends _pm
        for name in FACT_VARS:
            ds = f[AM][name]
            want = (406, 964, 3) if name.startswith("landcover") else (406, 964)
            assert ds.shape == want, name
            assert ds.chunks == (1, 964, *want[2:]) and ds.compression == "gzip", name
            assert ds.compression_opts == 2, name


@pytest.mark.timeout(60)
def test_dtypes_and_fills_are_the_facts(l3):
    with h5py.File(l3) as f:
        g = f[AM]
        for name in ("soil_moisture", "tb_h_corrected", "surface_temperature"):
            assert g[name].dtype == np.float32 and g[name].attrs["_FillValue"] == -9999.0
            assert {"valid_min", "valid_max", "units", "long_name", "coordinates"} <= set(
                g[name].attrs)
        assert g["tb_time_seconds"].dtype == np.float64
        for name in FLAGS:
            assert g[name].dtype == np.uint16 and g[name].attrs["_FillValue"] == 65534, name
        sm = g["soil_moisture"]
        assert (sm.attrs["valid_min"], sm.attrs["valid_max"]) == pytest.approx((0.02, 0.5))
        assert sm.attrs["units"] == b"cm**3/cm**3"
        qual = g["retrieval_qual_flag"].attrs
        assert list(qual["flag_masks"][:3]) == [1, 2, 4]
        assert qual["flag_meanings"].split()[0] == b"retrieval_recommended"


@pytest.mark.timeout(60)
def test_the_traps_of_the_real_files_are_there(l3):
    with h5py.File(l3) as f:
        for name in ("latitude", "longitude"):
            assert "_FillValue" not in f[AM][name].attrs
            assert (f[AM][name][()] == -9999.0).any()  # fill without _FillValue
        coords = f[PM]["soil_moisture_pm"].attrs["coordinates"].decode()
        assert f"/{AM}/latitude" in coords and "_PM" not in coords  # PM names AM variables
        flags = f[AM]["retrieval_qual_flag"][()]
        assert (flags == 65534).any() and (flags != 65534).any()


@pytest.mark.timeout(60)
def test_am_is_descending_near_6_am_and_pm_ascending_near_6_pm_local_time(l3):
    with h5py.File(l3) as f:
        for group, hour in ((AM, 6.0), (PM, 18.0)):
            suffix = "_pm" if group == PM else ""
            seconds = f[group][f"tb_time_seconds{suffix}"][()]
            lon = f[group][f"longitude{suffix}"][()]
            seen = seconds > 0
            utc_hours = (seconds[seen] + 43135.816) / 3600.0  # J2000 ~ 11:58:55.816 UTC
            local = (utc_hours + lon[seen] / 15.0) % 24.0
            tropics = np.abs(f[group][f"latitude{suffix}"][()][seen]) < 20
            assert tropics.sum() > 1000
            assert np.abs(local[tropics] - hour).max() < 0.6  # the swath edges: ±0.3 h


@pytest.mark.timeout(60)
def test_land_has_soil_moisture_and_ocean_is_fill(l3):
    with h5py.File(l3) as f:
        sm = f[AM]["soil_moisture"][()]
        lat = f[AM]["latitude"][()]
    valid = sm != -9999.0
    assert 0.05 < valid.mean() < 0.4  # land in the swaths of one day
    assert ((sm[valid] >= 0.02) & (sm[valid] <= 0.5)).all()
    assert (lat[~valid] == -9999.0).mean() > 0.5  # no data where no land or no pass


@pytest.mark.timeout(60)
def test_frozen_ground_is_flagged_and_not_retrieved(l3):
    with h5py.File(l3) as f:
        surface = f[AM]["surface_flag"][()]
        qual = f[AM]["retrieval_qual_flag"][()]
        sm = f[AM]["soil_moisture"][()]
    frozen = (surface != 65534) & ((surface & (1 << 7)) != 0)  # radiometer frozen ground
    assert frozen.sum() > 100
    assert (sm[frozen] == -9999.0).all() and ((qual[frozen] & 1) == 1).all()


@pytest.mark.timeout(120)
def test_same_inputs_give_the_same_bytes_and_another_seed_other_bytes(tmp_path, l3):
    from swathkit.sim.smap.generate import write_smap

    again = write_smap(tmp_path / "a", "SPL3SMP", DAY)[0]
    other = write_smap(tmp_path / "b", "SPL3SMP", DAY, seed=1)[0]
    assert again.read_bytes() == l3.read_bytes()
    assert other.read_bytes() != l3.read_bytes()
