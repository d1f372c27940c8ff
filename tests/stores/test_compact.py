"""compact: only live granules, in time order; schema-1 stores open and are upgraded."""

import json
import shutil

import numpy as np
import pytest
import xarray as xr

from swathkit.cli.main import main
from swathkit.errors import StoreError
from swathkit.stores.location import quiet_zarr
from swathkit.stores.schema import Layout
from swathkit.stores.swath_store import SwathStore, swath_writer
from swathkit.stores.swaths_dataset import open_swaths
from swathkit.stores.verify import verify

LAYOUT = Layout.of("36.5H", coords=True, scan_length=16)


def _xr(path):
    with quiet_zarr():
        return xr.open_zarr(path, consolidated=True)


@pytest.fixture
def messy(tmp_path, record):
    """Out-of-time-order batches, a replaced granule, a reserved row never filled."""
    path = tmp_path / "s.zarr"
    with swath_writer(path, LAYOUT) as w:
        w.write([record(5, 12), record(2, 12)])
        w.reserve(1)  # a row for a granule that never came
        w.write([record(1, 12), record(2, 12, offset=4)])
    return path


@pytest.mark.slow
def test_before_compact_xarray_sees_every_row_with_its_state(messy):
    ds = _xr(messy)
    assert list(ds.granule_id.values) == ["G0002", "G0005", "", "G0001", "G0002"]
    assert list(ds.state.values) == [2, 1, 0, 1, 1]  # retired, live, empty, live, live
    assert list(open_swaths(messy).granule.values) == ["G0001", "G0002", "G0005"]


@pytest.mark.slow
def test_compact_leaves_only_live_granules_in_time_order(messy, record):
    before = open_swaths(messy).load()
    assert main(["compact", str(messy), "--json"]) == 0
    ds = _xr(messy)
    assert list(ds.granule_id.values) == ["G0001", "G0002", "G0005"]
    assert (ds.state.values == 1).all()
    assert (np.diff(ds.start_time.values) > np.timedelta64(0)).all()
    sw = SwathStore.open(messy)
    assert (sw.manifest.rows, sw.retired, len(sw)) == (3, 0, 3)
    xr.testing.assert_identical(open_swaths(messy).load(), before)
    assert np.array_equal(sw.read_raw("G0002")["tb_36_5h"][:12],
                          record(2, 12, offset=4).counts["tb_36_5h"])
    assert verify(messy).ok
    assert not (messy / "tb_36_5h" / "c").exists()  # the old chunks are gone


@pytest.mark.slow
def test_compact_json_reports_what_it_dropped(messy, capsys):
    assert main(["compact", str(messy), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"] == {"rows before": 5, "live": 3, "retired dropped": 1,
                                "empty dropped": 1}


@pytest.mark.slow
def test_a_compacted_store_takes_new_writes_and_compacts_again(messy, record):
    compact_once = main(["compact", str(messy)])
    with swath_writer(messy, LAYOUT) as w:
        w.write([record(3, 12), record(5, 12, offset=1)])
    assert compact_once == 0 and main(["compact", str(messy)]) == 0
    assert SwathStore.open(messy).granule_ids == ["G0001", "G0002", "G0003", "G0005"]
    assert verify(messy).ok


def _to_schema_1(path):
    """Rewrite a store's root the way swathkit ≤ 63fcde9 kept it (index in the attributes)."""
    sw = SwathStore.open(path)
    root = json.loads((path / "zarr.json").read_text())
    granules = {g: [sw.row_of(g), sw.digest_of(g)] for g in sw.granule_ids}
    retired = [r for r in range(sw.manifest.rows) if r not in sw.live_rows()]
    root["attributes"] = {"swathkit": {
        "kind": "amsr2-l1b-swaths", "schema": 1, "layout": sw.layout.to_json(),
        "rows": sw.manifest.rows, "granules": granules, "retired": retired,
        "commits": sw.commits}}
    del root["consolidated_metadata"]["metadata"]["state"]
    (path / "zarr.json").write_text(json.dumps(root))
    shutil.rmtree(path / "state")
    shutil.rmtree(path / "_index")


@pytest.mark.slow
def test_a_schema_1_store_opens_refuses_writes_and_compact_upgrades_it(tmp_path, record):
    path = tmp_path / "old.zarr"
    with swath_writer(path, LAYOUT) as w:
        w.write([record(4, 12), record(3, 12)])
        w.write([record(4, 12, offset=2)])
    _to_schema_1(path)
    old = SwathStore.open(path)
    assert old.legacy is not None and sorted(old.granule_ids) == ["G0003", "G0004"]
    assert list(open_swaths(path).granule.values) == ["G0003", "G0004"] and verify(path).ok
    with pytest.raises(StoreError, match="swathkit compact"), swath_writer(path, LAYOUT):
        pass
    assert main(["compact", str(path)]) == 0
    new = SwathStore.open(path)
    assert new.legacy is None and new.granule_ids == ["G0003", "G0004"] and verify(path).ok
    with swath_writer(path, LAYOUT) as w:
        assert w.write([record(5, 12)]).added == ("G0005",)
