"""DataLoader throughput: swathkit's SeaIceSequenceDataset against the seed's read path.

Both read the same synthetic gap-filled days (the simulator's truth concentration, land
NaN): swathkit from a grid cube written with swathkit's writer, the baseline
(``seed_sicdataset.py``) from the consolidated NetCDF the seed's consolidate step
writes, opened with xarray per item. 5-in/3-out sequences, batch 4, 2 workers, whole
n3125 frames (3584 x 2432) by default, then a cropped region. Also shown: both with no
workers; swathkit's thread loader (2 threads instead of 2 worker processes); and a
"ceiling" dataset that reads nothing and only moves its batches from the workers through
shared memory, the most any dataset can deliver with 2 worker processes here. Each
configuration runs one warm-up pass (page cache, worker start) and then ``--passes``
timed passes with the same (persistent) workers; samples/s is samples served over the
timed wall time. The ratio is against the seed with 2 workers. "Cold" rows drop the
data files from the page cache after every batch (``posix_fadvise``, these files only),
as when the data are much larger than RAM.

    .venv/bin/python benchmarks/bench_dataloader.py [--quick] [--days 20] [--grid n3125]

The data are cached (default ``benchmarks/out/dataloader-cache``, git-ignored).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from common import print_table
from seed_sicdataset import SeedSICDataset, write_consolidated
from swathkit.ml.batching import batch_buffer, collate_sequences
from swathkit.ml.seaice import SeaIceSequenceDataset, ThreadedBatches, resolve_region
from swathkit.products.asi.grids import asi_grid
from swathkit.sim.asi import asi_truth
from swathkit.stores.grid_cube_writer import cube_writer

START = date(2020, 12, 28)  # on a time-chunk boundary of the cube (8-day chunks since 1970)
FLAG_OBSERVED, FLAG_SPACETIME, FLAG_LAND = 0, 2, 4
BLOCK = 8


def filled_day(grid: str, day: date) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(sic, sic_filled, fill_flag, land) of one synthetic day."""
    truth = asi_truth(grid, day)
    land = truth["land"]
    missing = truth["gap"] | truth["pole_hole"]
    sic = truth["ice"].copy()
    sic[missing] = np.nan
    flags = np.where(missing, FLAG_SPACETIME, FLAG_OBSERVED).astype(np.uint8)
    flags[land] = FLAG_LAND
    return sic, truth["ice"], flags, land


def build(cache: Path, grid: str, n_days: int) -> tuple[Path, Path]:
    """The cube and the consolidated NetCDF of ``n_days`` synthetic days (cached)."""
    params = {"grid": grid, "days": n_days, "start": START.isoformat(), "version": 1}
    folder = cache / f"{grid}_{n_days}"
    cube, netcdf, stamp = folder / "cube.zarr", folder / "consolidated.nc", folder / "done.json"
    if stamp.exists() and json.loads(stamp.read_text()) == params:
        return cube, netcdf
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    days = [START + timedelta(days=k) for k in range(n_days)]
    g = asi_grid(grid)
    filled_all = np.empty((n_days, *g.shape), np.float32)
    print(f"building {n_days} synthetic {grid} days in {folder} ...", flush=True)
    with cube_writer(cube, grid=g) as writer:
        land = None
        flags_all = np.empty((n_days, *g.shape), np.uint8)
        for k in range(0, n_days, BLOCK):
            block = days[k:k + BLOCK]
            raw = {}
            for i, d in enumerate(block):
                sic, filled, flags, land = filled_day(grid, d)
                raw[d], filled_all[k + i], flags_all[k + i] = sic, filled, flags
            writer.upsert_days(raw)
        assert land is not None
        writer.write_mask(land, land.astype(np.float32), info={"threshold": 0.85,
                                                                "source": "simulator truth"})
        writer.start_fill({"done": 0})
        for k in range(0, n_days, BLOCK):
            stop = min(k + BLOCK, n_days)
            writer.write_filled(k, filled_all[k:stop], flags_all[k:stop])
            writer.commit_fill({"done": stop})
    write_consolidated(netcdf, days, filled_all)
    stamp.write_text(json.dumps(params))
    return cube, netcdf


def evictor(paths: list[Path]) -> Callable[[], None]:
    """Drops these files from the page cache (as if the data were much larger than RAM)."""
    files = [f for p in paths for f in (sorted(p.rglob("*")) if p.is_dir() else [p])
             if f.is_file()]

    def evict() -> None:
        for f in files:
            fd = os.open(f, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
    return evict


def throughput(make: Callable[..., DataLoader], *, batch: int, workers: int, passes: int,
               shuffle: bool, evict: Callable[[], None] | None = None) -> float:
    """Samples per second over ``passes`` passes after one warm-up pass (same workers).

    With ``evict``, the data files leave the page cache before each pass and after every
    batch, so reads come from disk.
    """
    loader = make(batch_size=batch, num_workers=workers, shuffle=shuffle,
                  persistent_workers=workers > 0)

    def one_pass() -> int:
        n = 0
        if evict:
            evict()
        for x, y in loader:
            n += x.shape[0]
            del x, y
            if evict:
                evict()
        return n

    one_pass()
    t0 = time.perf_counter()
    served = sum(one_pass() for _ in range(passes))
    return served / (time.perf_counter() - t0)


def check_same_samples(ours: SeaIceSequenceDataset, seed: SeedSICDataset) -> None:
    """Both serve the same days; ours = seed values x 0.01 with NaN (land) as 0."""
    assert len(ours) == len(seed), (len(ours), len(seed))
    for i in (0, len(ours) - 1):
        for a, b in zip(ours[i], seed[i], strict=True):
            assert a.shape == b.shape, (a.shape, b.shape)
            expected = torch.nan_to_num(b, nan=0.0) * 0.01
            assert torch.allclose(a, expected, atol=1e-6), float((a - expected).abs().max())


class Ceiling(Dataset):
    """No reading at all: each batch written once into the shared memory that carries it.

    The most any dataset can deliver through DataLoader workers on this machine.
    """

    def __init__(self, n: int, shape_x: tuple[int, ...], shape_y: tuple[int, ...]) -> None:
        self.n, self.shape_x, self.shape_y = n, shape_x, shape_y

    def __len__(self) -> int:
        return self.n

    def __getitems__(self, indices: list[int]) -> list[tuple[torch.Tensor, torch.Tensor]]:
        xs = batch_buffer((len(indices), *self.shape_x), True)
        ys = batch_buffer((len(indices), *self.shape_y), True)
        xs.numpy()[...] = 0.5
        ys.numpy()[...] = 0.5
        return [(xs[b], ys[b]) for b in range(len(indices))]


def threads(ds: SeaIceSequenceDataset, *, batch_size: int, num_workers: int, shuffle: bool,
            persistent_workers: bool) -> ThreadedBatches:
    """The thread loader with as many threads as the DataLoader has workers."""
    return ds.thread_loader(batch_size=batch_size, shuffle=shuffle, threads=num_workers)


def measure(seed: SeedSICDataset, ours: SeaIceSequenceDataset, uncached: SeaIceSequenceDataset,
            label: str, opts: dict) -> list[list[str]]:
    rows = []
    h, w = ours.region.shape
    ceiling = Ceiling(len(ours), (5, 1, h, w), (3, 1, h, w))
    n = opts["workers"]
    in_process = {**opts, "workers": 0}
    for shuffle in (False, True):
        base = throughput(partial(DataLoader, seed), shuffle=shuffle, **opts)
        rows.append([label, f"seed ConsolidatedSICDataset (xarray per item), {n} workers",
                     _order(shuffle), f"{base:.2f}", "1.0"])
        for name, make, kw in (
                (f"swathkit, DataLoader(dataset), {n} workers", partial(DataLoader, ours), opts),
                (f"swathkit, dataset.loader(), {n} workers", ours.loader, opts),
                (f"ceiling: no reads, batches through shared memory, {n} workers",
                 partial(DataLoader, ceiling, collate_fn=collate_sequences), opts),
                ("seed, no workers", partial(DataLoader, seed), in_process),
                ("swathkit, dataset.loader(), no workers", ours.loader, in_process),
                (f"swathkit, dataset.thread_loader(threads={n})", partial(threads, ours), opts),
                (f"swathkit, dataset.thread_loader(threads={n}), cache_bytes=0",
                 partial(threads, uncached), opts)):
            rate = throughput(make, shuffle=shuffle, **kw)
            rows.append([label, name, _order(shuffle), f"{rate:.2f}", f"{rate / base:.1f}"])
    return rows


def measure_cold(seed: SeedSICDataset, uncached: SeaIceSequenceDataset, label: str,
                 opts: dict, evict: Callable[[], None]) -> list[list[str]]:
    """Reads from disk (page cache dropped after every batch), no chunk cache."""
    rows = []
    n = opts["workers"]
    for shuffle in (False, True):
        base = throughput(partial(DataLoader, seed), shuffle=shuffle, evict=evict, **opts)
        rows.append([label, f"seed, {n} workers, from disk", _order(shuffle), f"{base:.2f}",
                     "1.0"])
        for name, make in (
                (f"swathkit, dataset.loader(), {n} workers, from disk", uncached.loader),
                (f"swathkit, dataset.thread_loader(threads={n}), from disk",
                 partial(threads, uncached))):
            rate = throughput(make, shuffle=shuffle, evict=evict, **opts)
            rows.append([label, name, _order(shuffle), f"{rate:.2f}", f"{rate / base:.1f}"])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n6250, 12 days, 1 pass")
    parser.add_argument("--grid", default="n3125")
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--region", default="central_arctic",
                        help="named region for the cropped rows ('' to skip them)")
    parser.add_argument("--cache", type=Path,
                        default=Path(__file__).parent / "out" / "dataloader-cache")
    args = parser.parse_args()
    if args.quick:
        args.grid, args.days, args.passes = "n6250", 12, 1
    logging.basicConfig(level=logging.WARNING)
    torch.set_num_threads(1)
    cube, netcdf = build(args.cache, args.grid, args.days)
    end = START + timedelta(days=args.days - 1)
    g = asi_grid(args.grid)
    opts = {"batch": args.batch, "workers": args.workers, "passes": args.passes}
    window = {"input_length": 5, "pred_length": 3}
    rows = []
    for region in ([None, args.region] if args.region else [None]):
        box = None if region is None else resolve_region(g, region)
        seed = SeedSICDataset(netcdf, START, end, region=box and box.as_tuple(), **window)
        ours = SeaIceSequenceDataset(cube, start=START, end=end, region=region, **window)
        uncached = SeaIceSequenceDataset(cube, start=START, end=end, region=region,
                                         cache_bytes=0, **window)
        check_same_samples(ours, seed)
        h, w = ours.region.shape
        label = f"{h} x {w}" + ("" if region is None else f" ({region})")
        # small frames pass quickly: more passes for a steadier figure
        scaled = {**opts, "passes": opts["passes"] * (1 if region is None else 10)}
        rows += measure(seed, ours, uncached, label, scaled)
        if region is None:
            evict = evictor([netcdf, cube / "sic_filled"])
            rows += measure_cold(seed, uncached, label + ", cold", opts, evict)
    print_table(f"DataLoader, {args.grid} 5-in/3-out, batch {args.batch}, {args.workers} "
                f"workers, {len(ours)} samples x {args.passes} passes (x 10 cropped) "
                "(target: >= 3x the seed)",
                ["frames", "dataset", "order", "samples/s", "x seed"], rows)
    print("\nThe ceiling row reads nothing: with worker processes every batch is written to a "
          "new shared-memory\nsegment and mapped again in the main process, which caps any "
          "dataset; threads avoid it.\nThe chunk cache (cache_bytes, 512 MB a process) keeps "
          "decoded 8-day chunks for the next batch;\nwhen the data fit in it (the cropped "
          "rows), later passes decode nothing; cache_bytes=0 decodes every time.\n"
          "Cold rows: the data files are dropped from the page cache after every batch "
          "(data much larger than RAM),\nno chunk cache; the cube's filled values take "
          "about a tenth of the NetCDF's bytes.")


def _order(shuffle: bool) -> str:
    return "shuffled" if shuffle else "in order"


if __name__ == "__main__":
    main()
