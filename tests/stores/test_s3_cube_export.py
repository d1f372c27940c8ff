"""The grid cube and the exports on S3 (moto's server on loopback), as on local disk."""

from datetime import date, timedelta

import numpy as np
import pytest
import xarray as xr
from grid_cube_helpers import TINY, field, fields

from swathkit.errors import StoreLockedError
from swathkit.stores.export import export
from swathkit.stores.grid_cube import GridCube
from swathkit.stores.grid_cube_writer import cube_writer
from swathkit.stores.location import REMOTE_LOCK_TTL_S, as_location, writer_lock
from swathkit.stores.schema import Layout
from swathkit.stores.swath_store import swath_writer

D0 = date(2024, 3, 5)
LAYOUT = Layout.of("36.5H", coords=True, scan_length=64)


@pytest.mark.timeout(90)
def test_grid_cube_upserts_days_on_s3_like_local(s3, s3_url, tmp_path):
    for target in (s3_url, tmp_path / "c.zarr"):
        with cube_writer(target, grid=TINY, space_chunk=16) as w:
            w.upsert_days(fields(D0, 6))
        with cube_writer(target, grid=TINY) as w:  # a re-run adds only the missing days
            w.upsert_days(fields(D0 + timedelta(days=4), 4))
    remote, local = GridCube.open(s3_url), GridCube.open(tmp_path / "c.zarr")
    assert remote.days == local.days == [D0 + timedelta(days=i) for i in range(8)]
    got = remote.read_days([D0 + timedelta(days=7), D0])
    assert got[0].tobytes() == field(D0 + timedelta(days=7)).tobytes()
    assert got[1].tobytes() == field(D0).tobytes()
    a, b = remote.dataset(), local.dataset()
    np.testing.assert_array_equal(a["sic"].values, b["sic"].values)
    ds = xr.open_zarr(s3_url, consolidated=True)  # plain xarray, straight from the bucket
    assert ds["sic"].attrs["grid_mapping"] == "polar_stereographic"
    key = s3_url.removeprefix(f"s3://{s3.bucket}/")
    body = s3.client().get_object(Bucket=s3.bucket, Key=f"{key}/zarr.json")["Body"].read()
    assert body == (tmp_path / "c.zarr" / "zarr.json").read_bytes()


@pytest.mark.timeout(60)
def test_a_cube_writer_whose_lock_was_taken_over_commits_nothing(s3, s3_url):
    with cube_writer(s3_url, grid=TINY, space_chunk=16) as first:
        first.upsert_days(fields(D0, 2))
        later = 4e9 + REMOTE_LOCK_TTL_S
        with writer_lock(as_location(s3_url), clock=lambda: later):
            pass  # another writer took the (as if stale) lock, and left
        with pytest.raises(StoreLockedError, match="lock was taken over"):
            first.upsert_days(fields(D0 + timedelta(days=2), 1))
    assert GridCube.open(s3_url).days == [D0, D0 + timedelta(days=1)]


@pytest.mark.timeout(90)
@pytest.mark.parametrize("fmt", ["npz", "netcdf"])
def test_export_from_s3_to_local_and_to_s3(s3, s3_url, tmp_path, record, fmt):
    with swath_writer(s3_url, LAYOUT) as w:
        w.write([record(i) for i in range(3)])
    local = export(s3_url, tmp_path / "out", fmt=fmt, parts=2)
    assert local[0].name.endswith("_part_1of2." + ("npz" if fmt == "npz" else "nc"))
    out_url = s3_url.rsplit("/", 1)[0] + "/export"
    remote = export(s3_url, out_url, fmt=fmt, parts=2)
    prefix = out_url.removeprefix(f"s3://{s3.bucket}/")
    assert s3.keys(prefix) == [f"{prefix}/{p.name}" for p in local]  # no .part left behind
    for path in local:
        body = s3.client().get_object(Bucket=s3.bucket, Key=f"{prefix}/{path.name}")["Body"]
        fetched = tmp_path / ("fetched-" + path.name)
        fetched.write_bytes(body.read())
        if fmt == "npz":
            with np.load(path, allow_pickle=False) as a, np.load(fetched, allow_pickle=False) as b:
                assert sorted(a.files) == sorted(b.files)
                for name in a.files:
                    np.testing.assert_array_equal(a[name], b[name])
        else:
            xr.testing.assert_identical(xr.load_dataset(path), xr.load_dataset(fetched))
    assert [p.name for p in remote] == [p.name for p in local]
    if fmt == "npz":
        with np.load(local[0], allow_pickle=False) as first:
            assert list(first["granule_id"]) == ["G0000", "G0001"]
    else:
        assert list(xr.load_dataset(local[0])["granule"].values) == ["G0000", "G0001"]
