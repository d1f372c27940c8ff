"""The swath store on S3 (moto's server on loopback) against local disk, and the S3 commit point.

Table 1, through the real API, each layout's median of ``--repeat`` runs: ingest
throughput (``--n`` small granules, batches of 16, one writer), ``SwathStore.open``,
open + ``read_swath`` of one granule, and a commit of 8 new granules (writer open,
lock, commit, close); ratio to local disk.

Table 2, the writer's exclusion and commit point on S3: taking and releasing the
writer lock by conditional PUT/DELETE (``If-None-Match: *`` / ``If-Match``) against
the old exists → put → read back → delete (not exclusive); the root ``zarr.json``
PUT with ``If-Match`` against a plain PUT; and, when ``icechunk`` is importable, an
icechunk commit (optimistic: its branch ref moved by a conditional write) after
writing 8 granules of one array, against swathkit's 8-granule write of that array
alone plus its root commit.

The server (moto's, with S3's atomic conditional writes: :mod:`swathkit.sim.s3`)
runs in its own process. moto is not S3: the figures show what the protocol costs
in requests on loopback, not network latency.
Run: ``.venv/bin/python benchmarks/bench_s3_store.py``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from common import median_time, print_table

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "src"))

from bench_store_scaling import record  # noqa: E402  (one home for the synthetic granule)
from swathkit.sim.s3 import ACCESS_KEY, REGION, SECRET_KEY, LocalS3  # noqa: E402
from swathkit.stores.commit import read_root, write_root  # noqa: E402
from swathkit.stores.location import (  # noqa: E402
    LOCK_NAME,
    REMOTE_LOCK_TTL_S,
    _holder,
    _remote_lock,
    as_location,
)
from swathkit.stores.schema import Layout  # noqa: E402
from swathkit.stores.swath_store import SwathStore, swath_writer  # noqa: E402

LAYOUT = Layout.of("36.5H", coords=True, scan_length=8)


def store_table(local: str, remote: str, n: int, repeat: int) -> None:
    rows = []
    figures: dict[str, list[float]] = {}
    for target in (local, remote):
        records = [record(i, 8) for i in range(n)]

        def ingest(target: str = target, records: list[Any] = records) -> None:
            with swath_writer(target, LAYOUT) as w:
                for first in range(0, len(records), 16):
                    w.write(records[first:first + 16])

        t_ingest = median_time(ingest, 1)
        probe = SwathStore.open(target).granule_ids[n // 2]
        t_open = median_time(lambda target=target: SwathStore.open(target), repeat)
        t_read = median_time(
            lambda target=target, probe=probe: SwathStore.open(target).read_swath(probe),
                             repeat)
        batch = iter(range(n, n + 8 * repeat))

        def commit8(target: str = target, batch: Any = batch) -> None:
            with swath_writer(target, LAYOUT) as w:
                w.write([record(next(batch), 8) for _ in range(8)])

        t_commit = median_time(commit8, repeat)
        figures[target] = [n / t_ingest, t_open, t_read, t_commit]
    names = ("ingest (granules/s)", "open (ms)", "open + read one swath (ms)",
             "commit 8 granules (ms)")
    for k, name in enumerate(names):
        a, b = figures[local][k], figures[remote][k]
        scale = 1 if k == 0 else 1000
        rows.append((name, f"{a * scale:.1f}", f"{b * scale:.1f}", f"{b / a:.2f}×"))
    print_table(f"swath store, {n} granules of 8 scans: local disk vs S3 (moto, loopback)",
                ("figure", "local disk", "S3", "S3 / local"), rows)


def lock_table(s3: LocalS3, url: str, repeat: int) -> None:
    from zarr.core.sync import sync

    location = as_location(url)
    store: Any = location.zarr_store(read_only=False)

    def conditional() -> None:
        lock = sync(store.take_lock(LOCK_NAME, _holder(), clock=lambda: 0.0,
                                    ttl=REMOTE_LOCK_TTL_S))
        sync(store.delete_object(LOCK_NAME, lock.etag))

    def old() -> None:
        with _remote_lock(location):
            pass

    root = read_root(store, location)
    assert root is not None
    names = list(root["consolidated_metadata"]["metadata"])
    fs, path = location.filesystem()
    payload = s3.client().get_object(Bucket=s3.bucket, Key=path.split("/", 1)[1]
                                     + "/zarr.json")["Body"].read()

    def root_conditional() -> None:
        write_root(store, root["attributes"], names)

    def root_plain() -> None:
        fs.pipe_file(f"{path}/zarr-plain.json", payload)

    t = {k: median_time(f, repeat) for k, f in (("cond", conditional), ("old", old),
                                                   ("rc", root_conditional),
                                                   ("rp", root_plain))}
    rows = [("writer lock, take + release", "conditional PUT / DELETE (exclusive)",
             f"{t['cond'] * 1000:.1f}", "exists/put/read-back/delete (racy)",
             f"{t['old'] * 1000:.1f}", f"{t['cond'] / t['old']:.2f}×"),
            ("root commit (zarr.json put)", "PUT If-Match (+ array docs read)",
             f"{t['rc'] * 1000:.1f}", "plain PUT of the same bytes",
             f"{t['rp'] * 1000:.1f}", f"{t['rc'] / t['rp']:.2f}×")]
    rows += icechunk_rows(s3, repeat)
    print_table("S3 commit point and writer exclusion (moto, loopback), median ms",
                ("step", "swathkit", "ms", "baseline", "ms", "ratio"), rows)


def icechunk_rows(s3: LocalS3, repeat: int) -> list[tuple[str, ...]]:
    """8 granules of one array written and committed: icechunk against swathkit."""
    try:
        import icechunk
        import zarr
    except ImportError:
        return [("icechunk commit", "—", "—", "icechunk not installed", "—", "—")]
    storage = icechunk.s3_storage(bucket=s3.bucket, prefix="bench/icechunk",
                                  endpoint_url=s3.endpoint_url, allow_http=True,
                                  access_key_id=ACCESS_KEY, secret_access_key=SECRET_KEY,
                                  region=REGION, force_path_style=True)
    repo = icechunk.Repository.create(storage)
    session = repo.writable_session("main")
    zarr.group(store=session.store).create_array("tb", shape=(0, 8, 243), chunks=(1, 8, 243),
                                                 dtype="u2")
    session.commit("create")
    data = np.random.default_rng(0).integers(0, 60000, (8, 8, 243)).astype("u2")
    commits: list[float] = []

    def write_and_commit() -> None:
        s = repo.writable_session("main")
        arr = zarr.open_array(s.store, path="tb")
        n = arr.shape[0]
        arr.resize((n + 8, 8, 243))
        arr[n:n + 8] = data
        commits.append(median_time(lambda: s.commit("8 granules"), 1))

    total = median_time(write_and_commit, repeat)
    ours = swathkit_one_array(s3, data, repeat)
    return [("8 granules, one array: write + commit", "swathkit (lock, chunks, root)",
             f"{ours * 1000:.1f}", f"icechunk {icechunk.__version__} session",
             f"{total * 1000:.1f}", f"{ours / total:.2f}×"),
            ("… of which the commit itself", "root PUT If-Match", "see above",
             "icechunk commit (snapshot + ref)", f"{float(np.median(commits)) * 1000:.1f}", "")]


def swathkit_one_array(s3: LocalS3, data: np.ndarray, repeat: int) -> float:
    """The same 8-granule append through swathkit's lock and conditional root (one array)."""
    import zarr
    from zarr.core.sync import sync

    location = as_location(s3.url("bench/one-array.zarr"))
    store: Any = location.zarr_store(read_only=False)
    read_root(store, location)
    zarr.open_group(store, mode="a").create_array("tb", shape=(0, 8, 243), chunks=(1, 8, 243),
                                                  dtype="u2")
    write_root(store, {}, ["tb"])

    def append() -> None:
        lock = sync(store.take_lock(LOCK_NAME, _holder(), clock=lambda: 0.0,
                                    ttl=REMOTE_LOCK_TTL_S))
        store.held = lock
        arr = zarr.open_array(store, path="tb", mode="r+")
        n = arr.shape[0]
        arr.resize((n + 8, 8, 243))
        arr[n:n + 8] = data
        write_root(store, {}, ["tb"])
        sync(store.delete_object(LOCK_NAME, lock.etag))

    return median_time(append, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200, help="granules ingested (default 200)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (default 5)")
    args = parser.parse_args()
    server = subprocess.Popen([sys.executable, "-m", "swathkit.sim.s3", "bench"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(HERE.parent / "src")})
    try:
        s3 = RemoteS3("bench", server.stdout.readline().strip())  # type: ignore[union-attr]
        _tables(s3, args)
    finally:
        server.communicate("")


class RemoteS3(LocalS3):
    """The server of ``python -m swathkit.sim.s3`` (its own process: no shared GIL)."""

    def __init__(self, bucket: str, endpoint: str) -> None:
        super().__init__(bucket)
        self._endpoint = endpoint

    @property
    def endpoint_url(self) -> str:
        return self._endpoint


def _tables(s3: LocalS3, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.update(s3.environment())
        store_table(str(Path(tmp) / "s.zarr"), s3.url("s.zarr"), args.n, args.repeat)
        lock_table(s3, s3.url("s.zarr"), args.repeat)


if __name__ == "__main__":
    main()
