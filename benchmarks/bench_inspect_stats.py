"""``swathkit inspect --stats`` on a ~500 MB HDF5 file: wall time and peak memory.

The file is made before timing (kept in ``benchmarks/out/``, git-ignored, so a second
run skips it): an L1C_S0_HiRes-like ``Sigma0_Data`` group of ``--datasets`` float32
(scan, cell) arrays with the -9999 fill and a valid range, plus a uint16 quality flag,
chunked by 256 scans, deflate level 1 (the real files are compressed). Each run is a
fresh child process (``inspect FILE --stats --json``) that reports its own peak RSS
(``resource.getrusage(RUSAGE_SELF).ru_maxrss`` at exit).

Baseline: the same statistics (count of valid values, min, max, mean) the obvious way,
in a child process too: each dataset read whole with h5py, masked with ``np.where`` on
fill and range, ``np.nanmin``/``nanmax``/``nanmean``. The table shows time and peak
RSS of both and the ratios, and on how many datasets both give the same figures.

Run: ``.venv/bin/python benchmarks/bench_inspect_stats.py [--mb 500] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import json
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
# each child writes its own peak RSS (kB) on standard error as it exits
PEAK = ("import atexit, resource, sys; atexit.register(lambda: sys.stderr.write("
        "f'PEAK_RSS_KB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n'))\n")


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


def child(code: str, args: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB, the child's own ru_maxrss) and standard output."""
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK + code, *args], capture_output=True,
                          text=True, check=True)
    seconds = time.perf_counter() - t0
    peak = next(int(line.split()[1]) for line in done.stderr.splitlines()
                if line.startswith("PEAK_RSS_KB"))
    return seconds, peak / 1024, done.stdout


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
    runs = [child(OURS, ["inspect", str(path), "--stats", "--json"])
            for _ in range(args.repeat)]
    ours_s = statistics.median(r[0] for r in runs)
    ours_rss = runs[0][1]
    ours_out = json.loads(runs[-1][2])
    base = [child(BASELINE, [str(path)]) for _ in range(args.repeat)]
    base_s = statistics.median(r[0] for r in base)
    base_rss = base[0][1]
    with h5py.File(path) as f:
        sizes = {name: ds.size for name, ds in f["Sigma0_Data"].items()}
    agree = _agree(ours_out, json.loads(base[-1][2]), sizes)
    print_table(f"inspect --stats on {path.name}: {raw / 1e6:,.0f} MB of arrays, "
                f"{path.stat().st_size / 1e6:,.0f} MB on disk (median of {args.repeat}, "
                "child processes)",
                ("run", "wall s", "peak RSS MB", "time ratio", "memory ratio"),
                [("swathkit inspect --stats", f"{ours_s:.2f}", f"{ours_rss:,.0f}",
                  f"{ours_s / base_s:.2f}", f"{ours_rss / base_rss:.2f}"),
                 ("baseline: whole arrays + np.nan*", f"{base_s:.2f}", f"{base_rss:,.0f}",
                  "1.00", "1.00")])
    print(f"min, max, mean and valid share equal to the baseline's: {agree}")


def _agree(ours: dict, base: dict, sizes: dict[str, int]) -> str:
    """Datasets whose min, max, mean (to the printed digits) and valid share both agree on."""
    rows = {r["dataset"].rsplit("/", 1)[-1]: r for r in ours["tables"]["statistics"]}
    same = 0
    for name, (count, lo, hi, mean) in base.items():
        r = rows.get(name)
        if r is None:
            continue
        share = float(r["valid"].rstrip(" %"))
        if (all(np.isclose(float(r[k]), v, rtol=1e-4, atol=1e-6)
                for k, v in (("min", lo), ("max", hi), ("mean", mean)))
                and abs(share - 100 * count / sizes[name]) < 0.01):
            same += 1
    return f"{same} of {len(base)} float datasets"


if __name__ == "__main__":
    main()
