import h5py
import numpy as np
import pytest

from swathkit.errors import InputError
from swathkit.jobs.swaths.ingest import ingest
from swathkit.products.amsr2.coregistration import great_circle_km
from swathkit.sim.gportal.amsr2_l1b import synthetic_granule
from swathkit.stores.location import LOCK_NAME
from swathkit.stores.swath_store import SwathStore
from swathkit.stores.swaths_dataset import open_swaths
from swathkit.types import FailureKind


def _truth(path):
    from datetime import timedelta

    from swathkit.products.amsr2.names import parse_name

    inside = parse_name(path).start + timedelta(minutes=1)  # names keep the start minute
    return synthetic_granule(inside, scans=80, seed=3)


def _store_bytes(store):
    return {p.relative_to(store): p.read_bytes() for p in sorted(store.rglob("*"))
            if p.is_file() and p.name != LOCK_NAME}


def test_stored_counts_and_geolocation_equal_the_truth(l1b_files, tmp_path):
    report = ingest(l1b_files, tmp_path / "s.zarr", channels="36.5H,89.0AH", coords=True,
                    workers=1, scan_length=128)
    assert report.ok and len(report.extras.added) == 4 and report.counts["added"] == 4
    store = SwathStore.open(tmp_path / "s.zarr")
    for path in l1b_files:
        truth = _truth(path)
        raw = store.read_raw(truth.name.granule_id)
        for ch, var in (("36.5H", "tb_36_5h"), ("89.0AH", "tb_89_0ah")):
            expected = np.where(truth.counts[ch] == 0, 65535, truth.counts[ch])
            assert np.array_equal(raw[var][:80], expected)
        lat, lon = truth.band_geolocation["36G"]
        assert great_circle_km(raw["lat_36g"][:80], raw["lon_36g"][:80], lat, lon).max() < 1.0


def test_rerun_is_idempotent(l1b_files, tmp_path):
    ingest(l1b_files[:2], tmp_path / "s.zarr", workers=1, scan_length=128)
    before = _store_bytes(tmp_path / "s.zarr")
    report = ingest(l1b_files[:2], tmp_path / "s.zarr", workers=1, scan_length=128)
    assert report.extras.added == [] and len(report.extras.unchanged) == 2
    assert _store_bytes(tmp_path / "s.zarr") == before


@pytest.mark.slow
def test_same_bytes_whatever_the_worker_count(l1b_files, tmp_path):
    ingest(l1b_files, tmp_path / "one.zarr", workers=1, batch_size=3, scan_length=128)
    ingest(list(reversed(l1b_files)), tmp_path / "two.zarr", workers=2, batch_size=3,
           scan_length=128)
    assert _store_bytes(tmp_path / "one.zarr") == _store_bytes(tmp_path / "two.zarr")


def _damage(kind, path):
    if kind == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif kind == "not hdf5":
        path.write_text("<html>session expired</html>")
    else:
        with h5py.File(path, "a") as f:
            if kind == "missing channel":
                del f["Brightness Temperature (36.5GHz,H)"]
            elif kind == "all missing":
                f["Brightness Temperature (36.5GHz,H)"][...] = 65535
            elif kind == "lat out of range":
                lat = f["Latitude of Observation Point for 89A"]
                lat[5, 5] = 123.0


@pytest.mark.slow
@pytest.mark.parametrize(("kind", "reason"), [
    ("truncated", "truncated"),
    ("not hdf5", "not an HDF5 file"),
    ("missing channel", "is missing"),
    ("all missing", "every pixel is missing"),
    ("lat out of range", "outside [-90, 90]"),
])
def test_a_bad_file_fails_alone_with_its_reason(l1b_files, tmp_path, kind, reason):
    _damage(kind, l1b_files[1])
    report = ingest(l1b_files, tmp_path / "s.zarr", coords=True, workers=2, scan_length=128)
    assert len(report.extras.added) == 3 and report.exit_code == 1
    assert [(f.kind, f.item) for f in report.failures] == [(FailureKind.BAD_PRODUCT,
                                                            str(l1b_files[1]))]
    assert reason in report.failures[0].reason and l1b_files[1].name in report.failures[0].reason


def test_a_missing_file_is_refused_before_any_work(l1b_files, tmp_path):
    with pytest.raises(InputError, match=r"nope\.h5: no such file"):
        ingest([*l1b_files, tmp_path / "nope.h5"], tmp_path / "s.zarr")
    assert not (tmp_path / "s.zarr").exists()


def test_open_swaths_after_ingest(l1b_files, tmp_path):
    ingest(l1b_files, tmp_path / "s.zarr", coords=True, workers=1, scan_length=128)
    ds = open_swaths(tmp_path / "s.zarr", scans=100)
    assert ds.sizes == {"granule": 4, "scan": 100, "pixel": 243, "bbox_edge": 4,
                        "coverage_byte": 2025} | {k: v for k, v in ds.sizes.items()
                                                  if k not in ("granule", "scan", "pixel",
                                                               "bbox_edge", "coverage_byte")}
    assert set(ds["orbit_direction"].values.tolist()) == {"A", "D"}
    tb = ds["tb_36_5h"].values
    assert np.nanmin(tb) > 50 and np.nanmax(tb) < 350 and np.isnan(tb[:, 80:]).all()


def test_a_path_that_is_no_file_stops_ingest_before_anything_is_written(l1b_files, tmp_path):
    from swathkit.errors import InputError

    missing = tmp_path / "nowhere" / l1b_files[0].name
    with pytest.raises(InputError, match=f"{missing}: no such file"):
        ingest([*l1b_files, missing], tmp_path / "s.zarr")
    assert not (tmp_path / "s.zarr").exists()
