"""A writer killed in the middle of a batch leaves the store as it was."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from swathkit.stores.schema import Layout
from swathkit.stores.swath_store import SwathStore, swath_writer
from swathkit.stores.swaths_dataset import open_swaths
from swathkit.stores.verify import verify

HERE = Path(__file__).parent

WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {here!r})
    from conftest import make_record
    from swathkit.stores.schema import Layout
    from swathkit.stores.swath_store import swath_writer
    layout = Layout.of("36.5H", coords=True)
    records = [make_record(i, 2000) for i in range(100, 160)]
    print("ready", flush=True)
    with swath_writer({store!r}, layout) as w:
        w.write(records)
    print("committed", flush=True)
""")


def _rows_on_disk(store: Path) -> set[int]:
    chunks = store / "tb_36_5h" / "c"
    return {int(p.name) for p in chunks.iterdir()} if chunks.exists() else set()


@pytest.mark.slow
def test_sigkill_mid_batch_keeps_the_committed_store(tmp_path, record):
    store = tmp_path / "s.zarr"
    layout = Layout.of("36.5H", coords=True)
    with swath_writer(store, layout) as w:
        w.write([record(i, 2000) for i in range(3)])
    before = SwathStore.open(store).manifest
    root_before = (store / "zarr.json").read_bytes()

    code = WRITER.format(here=str(HERE), store=str(store))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    deadline = time.monotonic() + 120
    while not (_rows_on_disk(store) - {0, 1, 2}) and time.monotonic() < deadline:
        assert proc.poll() is None, "writer finished before it could be killed"
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()  # reaps it and closes the pipe
    assert _rows_on_disk(store) - {0, 1, 2}, "the kill did not land mid-batch"

    assert (store / "zarr.json").read_bytes() == root_before
    after = SwathStore.open(store)
    assert after.manifest == before and after.granule_ids == ["G0000", "G0001", "G0002"]
    assert open_swaths(store).sizes["granule"] == 3
    assert xr.open_zarr(store, consolidated=True).sizes["granule"] == 3
    assert verify(store).ok

    # the lock died with the writer; the next writer commits over the debris
    with swath_writer(store, layout) as w:
        summary = w.write([record(7, 2000)])
    assert summary.added == ("G0007",)
    final = SwathStore.open(store)
    assert final.granule_ids == ["G0000", "G0001", "G0002", "G0007"]
    assert np.array_equal(final.read_raw("G0007")["tb_36_5h"][:2000],
                          record(7, 2000).counts["tb_36_5h"])
    assert verify(store).ok
