"""Swath store against the seed's archive format (issue: AMSR2 L1B swath store).

Baseline ("seed format"): ``np.savez_compressed`` of a pickled list of
``{'temperature', 'metadata'}`` dicts (plus lat/lon for the with-coordinates
variant), read back with ``np.load(..., allow_pickle=True)`` which unpickles
the whole list. The baseline needs pickle by construction; swathkit never does.

Figures, on N full-size synthetic 36.5H swaths:
- bytes per swath, store against seed format (target ≤ 0.75×);
- time to read one swath (fresh open each time), against the seed format
  (target ≥ 100× faster), at N and 4N swaths (flat).
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np

from common import du, median_time, print_table
from swathkit.process import footprint
from swathkit.products.amsr2.channels import channel
from swathkit.sim.gportal.amsr2_l1b import granules_between, synthetic_granule
from swathkit.stores.records import SwathRecord
from swathkit.stores.schema import Layout
from swathkit.stores.swath_store import SwathStore, swath_writer

CH = channel("36.5H")


def swaths(n: int, seed: int = 0):
    """n consecutive full-size synthetic granules (36.5H counts and 36G truth geolocation)."""
    slots = granules_between(np.datetime64("2022-01-01T00:00"),
                             np.datetime64("2022-01-01T00:00") + np.timedelta64(n * 3000, "s"))
    for slot in slots[:n]:
        g = synthetic_granule(slot.start + np.timedelta64(60, "s"), seed=seed)
        lat, lon = g.band_geolocation["36G"]
        yield g, g.counts["36.5H"], lat.astype(np.float32), lon.astype(np.float32)


def record(g, counts, lat, lon) -> SwathRecord:
    meta = {"start_time": str(g.scan_time[0]), "end_time": str(g.scan_time[-1]),
            "orbit_direction": g.orbit_direction[0], "orbit_number": g.orbit_number,
            "bbox": footprint.bbox(g.lat_89a, g.lon_89a),
            "coverage": footprint.coverage(g.lat_89a, g.lon_89a)}
    return SwathRecord(g.name.granule_id, {CH.variable: counts}, {"36G": (lat, lon)},
                       g.scan_time, meta)


def seed_dict(g, counts, lat, lon, coords: bool) -> dict:
    valid = counts[(counts != 65535) & (counts != 0)]
    meta = {"orbit_type": g.name.orbit_direction, "scale_factor": 0.01,
            "temp_range": (int(valid.min()), int(valid.max())), "shape": counts.shape}
    out = {"temperature": counts.astype(np.int16) if False else counts, "metadata": meta}
    if coords:
        out |= {"latitude": lat, "longitude": lon}
        meta |= {"lat_range": (float(np.nanmin(lat)), float(np.nanmax(lat))),
                 "lon_range": (float(np.nanmin(lon)), float(np.nanmax(lon)))}
    return out


def write_seed(path: Path, dicts: list[dict]) -> None:
    arr = np.empty(len(dicts), dtype=object)
    arr[:] = dicts
    np.savez_compressed(path, swath_array=arr, period="benchmark")


def read_seed(path: Path, k: int) -> np.ndarray:
    with np.load(path, allow_pickle=True) as data:  # the seed's way: unpickle everything
        return data["swath_array"][k]["temperature"]


def build(n: int, workdir: Path, coords: bool) -> tuple[Path, Path, list[str]]:
    store, seed = workdir / f"store_{n}_{coords}.zarr", workdir / f"seed_{n}_{coords}.npz"
    layout = Layout.of("36.5H", coords=coords)
    dicts, ids = [], []
    with swath_writer(store, layout) as w:
        batch = []
        for g, counts, lat, lon in swaths(n):
            batch.append(record(g, counts, lat, lon))
            dicts.append(seed_dict(g, counts, lat, lon, coords))
            ids.append(g.name.granule_id)
            if len(batch) == 50:
                w.write(batch)
                batch = []
        if batch:
            w.write(batch)
    write_seed(seed, dicts)
    return store, seed, ids


def read_store(store: Path, gid: str, metadata: bool = False) -> np.ndarray:
    """Open the store and read one swath, decoded to Kelvin (the way a training loop would)."""
    return SwathStore.open(store).read_swath(gid, metadata=metadata)[CH.variable].values


def main() -> None:
    warnings.filterwarnings("ignore", message="Numcodecs codecs are not in the Zarr")
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=200, help="swaths (and 4n for flatness)")
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--skip-large", action="store_true", help="skip the 4n flatness run")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="swathkit-bench-"))
    try:
        size_rows, read_rows = [], []
        for coords in (False, True):
            store, seed, ids = build(args.n, work, coords)
            s_bytes, z_bytes = du(seed) / args.n, du(store) / args.n
            size_rows.append(("with lat/lon" if coords else "temperature only", args.n,
                              f"{s_bytes / 1e6:.3f}", f"{z_bytes / 1e6:.3f}",
                              f"{z_bytes / s_bytes:.2f}×"))
            if not coords:
                read_rows.append(_reads(store, seed, ids, args.repeat))
        if not args.skip_large:
            store, seed, ids = build(4 * args.n, work, False)
            read_rows.append(_reads(store, seed, ids, max(3, args.repeat // 5)))
        print_table("Bytes per 36.5H swath (store: numcodecs.pcodec level 8 → crc32c, one "
                    "chunk per granule; seed: savez_compressed of pickled dicts)",
                    ("format", "swaths", "seed MB/swath", "store MB/swath", "store/seed"),
                    size_rows)
        print_table("Time to read one swath (fresh open each time; Kelvin array; the seed "
                    "unpickles the whole file)",
                    ("swaths", "seed s", "store ms", "speed-up", "store ms with metadata attrs",
                     "speed-up"), read_rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _reads(store: Path, seed: Path, ids: list[str], repeat: int) -> tuple:
    rng = random.Random(1)
    k = rng.randrange(len(ids))
    t_seed = median_time(lambda: read_seed(seed, k), max(1, repeat // 5))
    t_store = median_time(lambda: read_store(store, ids[rng.randrange(len(ids))]), repeat)
    t_meta = median_time(lambda: read_store(store, ids[rng.randrange(len(ids))], True), repeat)
    return (len(ids), f"{t_seed:.2f}", f"{1e3 * t_store:.1f}", f"{t_seed / t_store:.0f}×",
            f"{1e3 * t_meta:.1f}", f"{t_seed / t_meta:.0f}×")


if __name__ == "__main__":
    main()
