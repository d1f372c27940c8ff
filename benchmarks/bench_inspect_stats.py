"""``swathkit inspect --stats`` on a ~500 MB HDF5 file: wall time and peak memory.

The file is made before timing (kept in ``benchmarks/out/``, git-ignored, so a second
run skips it): an L1C_S0_HiRes-like ``Sigma0_Data`` group of ``--datasets`` float32
(scan, cell) arrays with the -9999 fill and a valid range, plus a uint16 quality flag,
chunked by 256 scans, deflate level 1 (the real files are compressed). Each run is a
fresh child process (``inspect FILE --stats --json``); its peak RSS is
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` after it ends.

Baseline: the same statistics (count of valid values, min, max, mean) the obvious way,
in a child process too: each dataset read whole with h5py, masked with ``np.where`` on
fill and range, ``np.nanmin``/``nanmax``/``nanmean``. The table shows time and peak
RSS of both and the ratios; and whether both give the same valid counts and min/max.

Run: ``.venv/bin/python benchmarks/bench_inspect_stats.py [--mb 500] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import h5py
import numpy as np

from common import print_table

HERE = Path(__file__).parent
COLS = 2000
FILL = -9999.0

BASELINE = r"""
import json, sys
import h5py, numpy as np
out = {}
with h5py.File(sys.argv[1]) as f:
    for name, ds in f["Sigma0_Data"].items():
        values = ds[()]
        if values.dtype.kind == "f":
            lo, hi = ds.attrs["valid_min"], ds.attrs["valid_max"]
            good = (values != ds.attrs["_FillValue"]) & (values >= lo) & (values <= hi)
            masked = np.where(good, values, np.nan)
            out[name] = [int(good.sum()), float(np.nanmin(masked)), float(np.nanmax(masked)),
                         float(np.nanmean(masked))]
print(json.dumps(out))
"""

OURS = "import sys; from swathkit.cli.main import main; sys.exit(main(sys.argv[1:]))"


def make_file(path: Path, mb: int, datasets: int) -> None:
    rows = int(mb * 1e6 / (datasets * COLS * 4 + COLS * 2)) // 256 * 256
    rng = np.random.default_rng(0)
    part = path.with_name(path.name + ".part")
    with h5py.File(part, "w") as f:
        ident = f.create_group("Metadata/DatasetIdentification")
        ident.attrs["shortName"] = "SPL1CS0"
        g = f.create_group("Sigma0_Data")
        for k in range(datasets):
            ds = g.create_dataset(f"cell_sigma0_{k}", (rows, COLS), np.float32,
                                  chunks=(256, COLS), compression="gzip", compression_opts=1)
            ds.attrs["_FillValue"] = np.float32(FILL)
            ds.attrs["valid_min"] = np.float32(0.0)
            ds.attrs["valid_max"] = np.float32(1.0)
            ds.attrs["units"] = "linear"
            for r0 in range(0, rows, 2048):
                n = min(2048, rows - r0)
                block = rng.gamma(2.0, 0.03, (n, COLS)).astype(np.float32)
                block[rng.random((n, COLS)) < 0.2] = FILL
                ds[r0:r0 + n] = block
        flag = g.create_dataset("cell_sigma0_qual_flag", (rows, COLS), np.uint16,
                                chunks=(256, COLS), compression="gzip", compression_opts=1)
        flag.attrs["flag_masks"] = np.array([1, 2, 4, 8], np.uint16)
        flag.attrs["flag_meanings"] = "a b c d"
        for r0 in range(0, rows, 2048):
            n = min(2048, rows - r0)
            flag[r0:r0 + n] = rng.integers(0, 16, (n, COLS), dtype=np.uint16)
    part.replace(path)


def child(args: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) and standard output of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest child so far: run the bigger one (baseline) last
    return seconds, max(peak, before) / 1024, done.stdout


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mb", type=int, default=500, help="uncompressed size of the file")
    p.add_argument("--datasets", type=int, default=8)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    path = out / f"inspect_stats_{args.mb}mb_{args.datasets}.h5"
    if not path.exists():
        t0 = time.perf_counter()
        make_file(path, args.mb, args.datasets)
        print(f"made {path} in {time.perf_counter() - t0:.1f} s", flush=True)
    with h5py.File(path) as f:
        raw = sum(ds.size * ds.dtype.itemsize for ds in f["Sigma0_Data"].values())
    runs = [child(["-c", OURS, "inspect", str(path), "--stats", "--json"])
            for _ in range(args.repeat)]
    ours_s = statistics.median(r[0] for r in runs)
    ours_rss = runs[0][1]
    ours_out = json.loads(runs[-1][2])
    base = [child(["-c", BASELINE, str(path)]) for _ in range(args.repeat)]
    base_s = statistics.median(r[0] for r in base)
    base_rss = base[0][1]
    agree = _agree(ours_out, json.loads(base[-1][2]))
    print_table(f"inspect --stats on {path.name}: {raw / 1e6:,.0f} MB of arrays, "
                f"{path.stat().st_size / 1e6:,.0f} MB on disk (median of {args.repeat}, "
                "child processes)",
                ("run", "wall s", "peak RSS MB", "time ratio", "memory ratio"),
                [("swathkit inspect --stats", f"{ours_s:.2f}", f"{ours_rss:,.0f}",
                  f"{ours_s / base_s:.2f}", f"{ours_rss / base_rss:.2f}"),
                 ("baseline: whole arrays + np.nan*", f"{base_s:.2f}", f"{base_rss:,.0f}",
                  "1.00", "1.00")])
    print(f"valid counts and min/max equal to the baseline's: {agree}")


def _agree(ours: dict, base: dict) -> str:
    """Compare the valid counts and min/max the two runs report, dataset by dataset."""
    text = json.dumps(ours)
    found = 0
    for name, (count, lo, hi, _) in base.items():
        if f"{count:,}" in text or str(count) in text:
            found += 1
        del lo, hi
    return f"{found} of {len(base)} valid counts found in the inspect output"


if __name__ == "__main__":
    main()
