"""The swath store on S3 (moto's server on loopback), as on local disk."""

import numpy as np
import pytest
import xarray as xr

from swathkit.stores.compact import compact_store
from swathkit.stores.schema import Layout, as_text
from swathkit.stores.swath_store import SwathStore, swath_writer
from swathkit.stores.swaths_dataset import open_swaths
from swathkit.stores.verify import verify

LAYOUT = Layout.of("36.5H", coords=True)


def _write(store, records, batches=1):
    step = -(-len(records) // batches)
    with swath_writer(store, LAYOUT) as w:
        for first in range(0, len(records), step):
            w.write(records[first:first + step])


@pytest.mark.timeout(60)
def test_create_ingest_open_read_on_s3_gives_the_local_bytes(s3, s3_url, tmp_path, record):
    records = [record(i) for i in (3, 1, 2, 0)]
    _write(s3_url, records, batches=2)
    _write(tmp_path / "s.zarr", records, batches=2)
    remote, local = SwathStore.open(s3_url), SwathStore.open(tmp_path / "s.zarr")
    assert remote.granule_ids == local.granule_ids == ["G0001", "G0003", "G0000", "G0002"]
    assert remote.commits == 2 and len(remote) == 4
    for gid in local.granule_ids:
        a, b = remote.read_raw(gid), local.read_raw(gid)
        assert a.keys() == b.keys()
        for name in a:
            np.testing.assert_array_equal(a[name], b[name])
    key = s3_url.removeprefix(f"s3://{s3.bucket}/")
    body = s3.client().get_object(Bucket=s3.bucket, Key=f"{key}/zarr.json")["Body"].read()
    assert body == (tmp_path / "s.zarr" / "zarr.json").read_bytes()
    assert verify(s3_url).ok


@pytest.mark.timeout(60)
def test_upsert_and_compact_on_s3(s3, s3_url, record):
    _write(s3_url, [record(i) for i in range(4)])
    _write(s3_url, [record(1, offset=7), record(4)])  # one replaced, one new
    before = SwathStore.open(s3_url)
    assert before.retired == 1 and len(before) == 5
    replaced = before.read_raw("G0001")["tb_36_5h"]
    result = compact_store(s3_url)
    assert (result.live, result.retired_dropped) == (5, 1)
    after = SwathStore.open(s3_url)
    assert after.retired == 0 and after.manifest.rows == 5
    assert after.granule_ids == [f"G{i:04d}" for i in range(5)]
    np.testing.assert_array_equal(after.read_raw("G0001")["tb_36_5h"], replaced)
    key = s3_url.removeprefix(f"s3://{s3.bucket}/")
    chunks = [k for k in s3.keys(f"{key}/tb_36_5h/") if not k.endswith("zarr.json")]
    assert len(chunks) == 5, "the old epoch's chunks are deleted after the flip"
    ds = xr.open_zarr(s3_url)
    assert [str(g) for g in as_text(ds["granule_id"].values)] == after.granule_ids
    assert open_swaths(s3_url).sizes["granule"] == 5
