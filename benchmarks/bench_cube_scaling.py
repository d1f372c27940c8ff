"""Grid cube scaling: open, read one day, commit one day at 1, 100, 1,000 and 5,000 days.

Baseline ("root-attrs index"): the cube layout and code of ``--baseline-ref``
(default ``f5a64f5``, the last commit before schema 3, extracted with ``git
archive``, run by its own code), schema 2, which keeps every day's record (state,
rev, sha256, CRS, source file) in the root ``zarr.json`` attributes (~230 bytes a
day) and rewrites them at every
commit. Against it, this tree's schema 3: a constant-size root header plus the
records of the last commit, one small document per time chunk (``_days/``) and
the ``day_state`` (time,) flag array.

Each cube is built once with this tree's code (``cube_writer(...).upsert_days``
of every day of a 16 × 16 ad-hoc grid, one commit per 8-day time chunk); the
baseline's copy is the same cube with its root rewritten in schema 2 (every
record put back in ``days``, ``day_state`` and ``_days`` removed), which is what
the baseline's code reads and writes. Every figure is measured through the API,
each layout by its own code in a child process: ``GridCube.open``; open +
``read_days`` of the middle day; ``cube_writer(...).upsert_days`` of one new day
in a time chunk of its own (writer open, lock, commit, close). Medians of
``--repeat`` runs.
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
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import numpy as np

from common import median_time, print_table

HERE = Path(__file__).parent
D0 = date(2020, 1, 1)
SHAPE = (16, 16)


def tiny_grid() -> Any:
    from swathkit.products.grids import Grid

    return Grid("bench16", 3413, SHAPE, (-50_000.0, 6250.0, 0.0, -50_000.0, 0.0, 6250.0))


def field(day: date) -> np.ndarray:
    rng = np.random.default_rng(day.toordinal())
    return (rng.random(SHAPE, dtype=np.float32) * 100).astype(np.float32)


# --- building (this tree's code) -----------------------------------------------------------

def build(path: Path, n: int) -> None:
    """An n-day schema-3 cube (present days from D0, one commit per time chunk)."""
    from swathkit.stores.grid_cube_writer import cube_writer

    days = {D0 + timedelta(days=i): field(D0 + timedelta(days=i)) for i in range(n)}
    with cube_writer(path, grid=tiny_grid(), space_chunk=16) as w:
        w.upsert_days(days)


def to_schema2(src: Path, dst: Path) -> None:
    """The same cube in the baseline's layout: every day record in the root attributes."""
    from swathkit.stores.grid_cube import GridCube

    shutil.copytree(src, dst)
    records = dict(GridCube.open(src).index.days.items())
    root = json.loads((dst / "zarr.json").read_text())
    info = root["attributes"]["swathkit"]
    del info["last"]
    info["schema"] = 2
    info["days"] = {d.isoformat(): rec.to_json() for d, rec in sorted(records.items())}
    del root["consolidated_metadata"]["metadata"]["day_state"]
    (dst / "zarr.json").write_text(json.dumps(root, indent=1, sort_keys=True))
    shutil.rmtree(dst / "day_state")
    shutil.rmtree(dst / "_days")


# --- measuring (whichever code is on sys.path) ---------------------------------------------

def measure(store: Path, n: int, repeat: int) -> dict[str, float]:
    import warnings

    import xarray as xr

    from swathkit.stores.grid_cube import GridCube
    from swathkit.stores.grid_cube_writer import cube_writer

    warnings.filterwarnings("ignore")
    middle = D0 + timedelta(days=n // 2)
    GridCube.open(store).read_days([middle])  # warm-up: zarr's event loop, codecs
    t_open = median_time(lambda: GridCube.open(store), repeat)
    t_read = median_time(lambda: GridCube.open(store).read_days([middle]), repeat)
    first_free = -(-n // 8) * 8 + 8  # a time chunk of its own, after the last day's
    batches = iter(range(repeat))

    def commit() -> None:
        day = D0 + timedelta(days=first_free + 8 * next(batches))
        with cube_writer(store) as w:
            w.upsert_days({day: field(day)})

    t_commit = median_time(commit, repeat)
    attrs = len(json.dumps(xr.open_zarr(store, consolidated=True).attrs))
    return {"open": t_open, "read": t_read, "commit": t_commit, "attrs": attrs,
            "root": (store / "zarr.json").stat().st_size}


def _child(src: Path, store: Path, n: int, repeat: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run([sys.executable, __file__, "--measure", str(store), "--n", str(n),
                          "--repeat", str(repeat)],
                         env=env, cwd=HERE, check=True, capture_output=True, text=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def baseline_source(ref: str, work: Path) -> Path:
    """The baseline's ``src`` folder, from git (not from any worktree on disk)."""
    tar = subprocess.run(["git", "-C", str(HERE.parent), "archive", ref, "src"], check=True,
                         capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(tar)) as archive:
        archive.extractall(work / "baseline", filter="data")
    return work / "baseline" / "src"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="1,100,1000,5000", help="days in the cube")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--baseline-ref", default="f5a64f5", help="git ref of the baseline layout")
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure), args.n, args.repeat)))
        return
    sys.path.insert(0, str(HERE.parent / "src"))  # build with this tree's code
    work = Path(tempfile.mkdtemp(prefix="swathkit-bench-cube-"))
    try:
        _run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(args: argparse.Namespace, work: Path) -> None:
    ours_src, base_src = HERE.parent / "src", baseline_source(args.baseline_ref, work)
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[int, tuple[dict[str, float], dict[str, float]]] = {}
    for n in sizes:
        new, old = work / f"new_{n}.zarr", work / f"old_{n}.zarr"
        build(new, n)
        to_schema2(new, old)
        results[n] = (_child(base_src, old, n, args.repeat), _child(ours_src, new, n, args.repeat))
        shutil.rmtree(new)
        shutil.rmtree(old)
    rows = []
    for n, (base, ours) in results.items():
        rows.append((f"{n:,}", *(f"{1e3 * base[k]:.1f} / {1e3 * ours[k]:.1f}"
                                 for k in ("open", "read", "commit")),
                     f"{base['root'] / 1e3:.1f} / {ours['root'] / 1e3:.1f}",
                     f"{base['attrs'] / 1e3:.1f} / {ours['attrs'] / 1e3:.1f}"))
    lo, hi = results[sizes[0]], results[sizes[-1]]
    rows.append((f"{sizes[-1]:,} / {sizes[0]:,}",
                 *(f"{hi[0][k] / lo[0][k]:.1f}× / {hi[1][k] / lo[1][k]:.1f}×"
                   for k in ("open", "read", "commit", "root", "attrs"))))
    print_table(f"Grid cube scaling ({SHAPE[0]}×{SHAPE[1]} grid; baseline "
                f"{args.baseline_ref} root-attrs index / this tree)",
                ("days", "open ms", "open + read one day ms", "commit one day ms",
                 "root zarr.json kB", "xarray attrs kB"), rows)


if __name__ == "__main__":
    main()
