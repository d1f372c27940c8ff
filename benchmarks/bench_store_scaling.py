"""Swath store scaling: open, read one swath, commit 8 granules at 1k, 10k and 160k granules.

Baseline ("root-attrs index"): the store layout and code of ``--baseline-ref``
(default ``main``, extracted with ``git archive``), which keeps the whole
granule index in the root ``zarr.json`` attributes (~120 bytes per granule).
Against it, this tree's layout (schema 2: constant-size root manifest, index in
hashed bucket documents, per-row ``state`` array).

The big stores are built fast, by writing the index and metadata arrays
directly (small swaths, ``--scans 8``; data chunks only for the granules read);
every figure is then measured through the real API, each layout by its own
code in a child process: ``SwathStore.open``, ``read_swath`` of one granule
(fresh open), ``swath_writer(...).write`` of 8 new granules (writer open, lock,
commit, close). Medians of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np

from common import median_time, print_table

HERE = Path(__file__).parent
CHANNEL = "36.5H"
T0 = np.datetime64("2012-07-03T00:00:00", "us")
STEP_US = 50 * 60 * 1_000_000  # one half orbit


def record(i: int, scans: int) -> Any:
    """A small synthetic granule (works with this tree's and the baseline's SwathRecord)."""
    from swathkit.process import footprint
    from swathkit.stores.records import SwathRecord

    rng = np.random.default_rng(i)
    counts = rng.integers(12000, 28000, (scans, 243)).astype(np.uint16)
    lat = np.linspace(-60, 60, scans)[:, None] + np.zeros((1, 243))
    lon = np.linspace(-10, 10, 243)[None, :] + np.full((scans, 1), 20.0 * (i % 9))
    t0 = T0 + np.timedelta64(i * STEP_US, "us")
    times = (t0 + np.arange(scans) * np.timedelta64(1500, "ms")).astype("datetime64[ns]")
    meta = {"start_time": str(times[0]), "end_time": str(times[-1]),
            "orbit_direction": "AD"[i % 2], "orbit_number": 1000 + i,
            "bbox": footprint.bbox(lat, lon), "coverage": footprint.coverage(lat, lon)}
    return SwathRecord(f"G{i:07d}", {"tb_36_5h": counts}, {"36G": (lat, lon)}, times, meta)


# --- building (this tree's code) -----------------------------------------------------------

def build(path: Path, n: int, scans: int) -> None:
    """An n-granule schema-2 store: 8 real granules, the rest written as index arrays."""
    from swathkit.stores import buckets as bk
    from swathkit.stores.commit import write_root
    from swathkit.stores.manifest import Manifest
    from swathkit.stores.schema import LIVE, Layout
    from swathkit.stores.swath_store import SwathStore, swath_writer

    layout = Layout.of(CHANNEL, coords=True, scan_length=scans)
    with swath_writer(path, layout) as w:
        w.write([record(i, scans) for i in range(8)])
    sw = SwathStore.open(path)
    digest = sw.digest_of("G0000000")
    zstore = sw.location.zarr_store(read_only=False)
    _fill_arrays(path, layout, n, scans)
    _copy_real_rows(path, layout, n)
    buckets = bk.Buckets(zstore, 0, sw.manifest.buckets)
    contents: dict[int, list[bk.Entry]] = {}
    for i in range(n):
        gid = f"G{i:07d}"
        row_digest = sw.digest_of(gid) if i < 8 else digest
        contents.setdefault(buckets.of(gid), []).append(bk.Entry(gid, i, row_digest))
    buckets.write(contents)
    manifest = Manifest(layout, rows=n, next_row=n, live=n, generation=sw.manifest.generation,
                        commits=sw.manifest.commits)
    state = _array(path, "state")
    state[:] = np.full(n, LIVE, np.uint8)
    write_root(zstore, manifest.to_attrs(), [s.name for s in layout.specs()])


def _array(path: Path, name: str) -> Any:
    import zarr

    from swathkit.stores.location import quiet_zarr

    with quiet_zarr():
        return zarr.open_array(zarr.storage.LocalStore(path), path=name, mode="r+")


def _fill_arrays(path: Path, layout: Any, n: int, scans: int) -> None:
    """Every array grown to n rows; metadata arrays filled for rows 8 and on."""
    rows = np.arange(8, n)
    start = T0.astype(np.int64) + rows * STEP_US
    values: dict[str, Any] = {
        "granule_id": np.array([f"G{i:07d}" for i in rows], dtype=object),
        "start_time": start, "end_time": start + (scans - 1) * 1_500_000,
        "orbit_direction": np.array(["AD"[i % 2] for i in rows], dtype=object),
        "orbit_number": (1000 + rows).astype(np.int32), "n_scans": np.full(n - 8, scans,
                                                                            np.int32)}
    for spec in layout.specs():
        arr = _array(path, spec.name)
        arr.resize((n, *arr.shape[1:]))
        if spec.name in values:
            arr[8:n] = values[spec.name]


def _copy_real_rows(path: Path, layout: Any, n: int) -> None:
    """Row 0's data chunks copied to the middle row (the granule the benchmark reads)."""
    mid = n // 2
    for spec in layout.data_specs():
        tail = "/0" * (len(spec.dims) - 1)
        src, dst = path / spec.name / f"c/0{tail}", path / spec.name / f"c/{mid}{tail}"
        if not src.exists():  # a chunk all fill value is not stored
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dst)


def to_root_attrs_layout(src: Path, dst: Path) -> None:
    """The same store in the baseline's layout: the whole index in the root attributes."""
    from swathkit.stores.swath_store import SwathStore

    shutil.copytree(src, dst)
    sw = SwathStore.open(src)
    root = json.loads((dst / "zarr.json").read_text())
    n = sw.manifest.rows
    mid_digest = sw.digest_of(f"G{n // 2:07d}")
    granules = {f"G{i:07d}": [i, sw.digest_of(f"G{i:07d}") if i < 8 else mid_digest]
                for i in range(n)}
    root["attributes"] = {"swathkit": {
        "kind": "amsr2-l1b-swaths", "schema": 1, "layout": sw.layout.to_json(), "rows": n,
        "granules": granules, "retired": [], "commits": sw.commits}}
    del root["consolidated_metadata"]["metadata"]["state"]
    (dst / "zarr.json").write_text(json.dumps(root, indent=1, sort_keys=True))
    shutil.rmtree(dst / "state")
    shutil.rmtree(dst / "_index")


# --- measuring (whichever code is on sys.path) ---------------------------------------------

def measure(store: Path, n: int, scans: int, repeat: int) -> dict[str, float]:
    import warnings

    import xarray as xr

    from swathkit.stores.schema import Layout
    from swathkit.stores.swath_store import SwathStore, swath_writer

    warnings.filterwarnings("ignore")
    layout = Layout.of(CHANNEL, coords=True, scan_length=scans)
    gid = f"G{n // 2:07d}"
    SwathStore.open(store).read_swath(gid)  # warm-up: zarr's event loop, codecs
    t_open = median_time(lambda: SwathStore.open(store), repeat)
    t_read = median_time(lambda: SwathStore.open(store).read_swath(gid), repeat)
    batches = iter(range(repeat))

    def commit() -> None:
        k = next(batches)
        with swath_writer(store, layout) as w:
            w.write([record(10_000_000 + 8 * k + j, scans) for j in range(8)])

    t_commit = median_time(commit, repeat)
    attrs = len(json.dumps(xr.open_zarr(store, consolidated=True).attrs))
    return {"open": t_open, "read": t_read, "commit": t_commit, "attrs": attrs,
            "root": (store / "zarr.json").stat().st_size}


def _child(src: Path, store: Path, n: int, scans: int, repeat: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run([sys.executable, __file__, "--measure", str(store), "--n", str(n),
                          "--scans", str(scans), "--repeat", str(repeat)],
                         env=env, cwd=HERE, check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def baseline_source(ref: str, work: Path) -> Path:
    """The baseline's ``src`` folder, from git (not from any worktree on disk)."""
    repo = HERE.parent
    tar = subprocess.run(["git", "-C", str(repo), "archive", ref, "src"], check=True,
                         capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(tar)) as archive:
        archive.extractall(work / "baseline", filter="data")
    return work / "baseline" / "src"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="1000,10000,160000", help="granule counts")
    ap.add_argument("--scans", type=int, default=8, help="scans per swath (padded length)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--baseline-ref", default="main", help="git ref of the baseline layout")
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure), args.n, args.scans, args.repeat)))
        return
    sys.path.insert(0, str(HERE.parent / "src"))  # build with this tree's code
    work = Path(tempfile.mkdtemp(prefix="swathkit-bench-scaling-"))
    try:
        _run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(args: argparse.Namespace, work: Path) -> None:
    ours_src, base_src = HERE.parent / "src", baseline_source(args.baseline_ref, work)
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        new, old = work / f"new_{n}.zarr", work / f"old_{n}.zarr"
        build(new, n, args.scans)
        to_root_attrs_layout(new, old)
        ours = _child(ours_src, new, n, args.scans, args.repeat)
        base = _child(base_src, old, n, args.scans, args.repeat)
        rows.append((f"{n:,}", *(f"{1e3 * base[k]:.1f} / {1e3 * ours[k]:.1f}"
                                 f" ({base[k] / ours[k]:.1f}×)" for k in ("open", "read",
                                                                           "commit")),
                     f"{base['root'] / 1e6:.2f} / {ours['root'] / 1e3:.1f} kB",
                     f"{base['attrs'] / 1e6:.2f} MB / {ours['attrs']} B"))
        shutil.rmtree(new)
        shutil.rmtree(old)
    print_table(f"Swath store scaling ({args.scans}-scan swaths; ms, baseline "
                f"{args.baseline_ref} root-attrs index / this tree (speed-up))",
                ("granules", "open ms", "open + read one swath ms", "commit 8 granules ms",
                 "root zarr.json MB / kB", "xarray attrs"), rows)


if __name__ == "__main__":
    main()
