"""``SeaIceSequenceDataset``: (input days → target days) samples from a grid cube.

Each item is ``(inputs, targets)``, float32 tensors shaped ``(T, C, H, W)`` so that a
``DataLoader`` batch is ``(B, T, C, H, W)`` as in the seed's ``ConsolidatedSICDataset``.
Values are concentration times ``scale`` (fractions 0–1 by default). Pixels without a
value (land, pole hole, anything the gap filling left unfilled) become 0: a network
needs finite numbers, and 0 ("no ice") is what the seed's models saw after masking;
use ``mask="channel"`` to tell the model which zeros are land.

The dataset reads the cube through :class:`~swathkit.stores.grid_cube.GridCube`, exactly
the days and region it needs, straight from zarr, and keeps the decoded 8-day chunks of
the last batches (``cache_bytes``) in a reused pool for the next ones (from a local
cube the chunks are decoded without zarr's pipeline, see :mod:`swathkit.ml.seaice.chunkread`).
It carries no open handle into ``DataLoader`` workers: each process opens the store on
first use. Batches are written once into their final buffer:
:meth:`SeaIceSequenceDataset.loader` (worker processes writing into a ring of shared
batch buffers made before they start) and :meth:`SeaIceSequenceDataset.thread_loader`
(threads, no inter-process copy at all).
"""

from __future__ import annotations

import copy
import logging
import os
import threading
from collections.abc import Sequence
from datetime import date, timedelta
from functools import partial
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset, get_worker_info

from swathkit.ml.seaice.batching import (
    BatchRing,
    RingLoader,
    RingSamples,
    ThreadedBatches,
    batch_buffer,
    collate_sequences,
    emit_frames,
)
from swathkit.ml.seaice.chunkread import ChunkPool, ChunkReader
from swathkit.ml.seaice.extra import TBCube
from swathkit.ml.seaice.regions import NAMED_REGIONS, resolve_region
from swathkit.ml.seaice.selection import (
    BLOCK_DAYS,
    SampleSummary,
    calendar,
    missing_days,
    read_days,
    select_samples,
)
from swathkit.ml.seaice.windows import DateLike, SampleWindow
from swathkit.stores.grid_cube import GridCube
from swathkit.stores.location import StoreLocation, as_location
from swathkit.types import Region, RegionLike

log = logging.getLogger(__name__)

__all__ = ["NAMED_REGIONS", "Region", "RingLoader", "SampleSummary", "SeaIceSequenceDataset",
           "TBCube", "ThreadedBatches", "collate_sequences", "resolve_region"]

MASK_MODES = ("apply", "channel", "both")
CACHE_BYTES = 512 * 2**20  # decoded time chunks kept per process (one n3125 chunk: 280 MB)

CubeLike = GridCube | StoreLocation | str | os.PathLike[str]


def _open(location: StoreLocation) -> GridCube:
    return GridCube.open(location)


def _default_scale(cube: GridCube, variable: str) -> float:
    """0.01 for a percent variable (or one without units, as old sea-ice cubes), else 1."""
    try:
        units = cube.array(variable).attrs.get("units", "percent")
    except KeyError:  # not written yet (sic_filled before a fill): the checks below say so
        return 0.01
    return 0.01 if units in ("percent", "%") else 1.0


class SeaIceSequenceDataset(Dataset[tuple[torch.Tensor, torch.Tensor]]):
    """Forecasting samples (input days → target days) from a grid cube.

    Args:
        cube: A :class:`GridCube`, or the path/URL of one.
        start, end: First and last day any sample may use (default: the cube's calendar).
        input_length, input_gap, pred_shift, pred_gap, pred_length, samples_gap: The
            seed's sample geometry, see :class:`~swathkit.ml.seaice.windows.SampleWindow`.
        variable: Cube variable to serve: ``"sic_filled"``, ``"sic"``, or any float day
            variable of another cube (``"soil_moisture_am"`` of ``swathkit smap
            consolidate``; serve it with ``mask=None`` unless the cube has a land mask).
        max_filled_share: Skip samples in which more than this share of the ocean
            pixels (fill flag not land) was filled (flags 1, 2, 5), over all frames.
        mask: ``"apply"``: land pixels → 0; ``"channel"``: the land mask (1 = land)
            becomes a second input channel; ``"both"``; ``None``: the mask is not used.
        region: A :class:`~swathkit.types.Region`, ``(r0, r1, c0, c1)``,
            ``"R0:R1,C0:C1"`` or a name from :data:`NAMED_REGIONS`.
        preload: Read every day the samples need once, into memory.
        scale: Factor applied to the stored values; None: 0.01 for percent (a
            concentration becomes a fraction), 1 for any other units (the variable's
            ``units`` attribute).
        cache_bytes: Decoded time chunks each reading process (or thread) keeps for the
            next batches; the pool always holds at least the chunks of one batch.
        extra: Extra input channels from a cube on the same grid (daily brightness
            temperatures of ``swathkit grid``), after the concentration (and the land
            mask channel); samples whose input days it lacks are skipped. See
            :mod:`swathkit.ml.seaice.extra`.

    Raises:
        ValueError: Bad options, or a mask requested from a cube without one.
        InputError: An extra cube on another grid, or without the variables named.
    """

    def __init__(self, cube: CubeLike, *, start: DateLike | None = None,
                 end: DateLike | None = None, input_length: int = 5, input_gap: int = 1,
                 pred_shift: int = 1, pred_gap: int = 1, pred_length: int = 3,
                 samples_gap: int = 1, variable: str = "sic_filled",
                 max_filled_share: float | None = None, mask: str | None = "apply",
                 region: RegionLike | None = None, preload: bool = False,
                 scale: float | None = None,
                 cache_bytes: int = CACHE_BYTES, extra: TBCube | None = None) -> None:
        if mask not in (*MASK_MODES, None):
            raise ValueError(f"mask must be one of {MASK_MODES} or None, not {mask!r}")
        handle = cube if isinstance(cube, GridCube) else _open(as_location(cube))
        self._cube: GridCube | None = handle
        self._pid = os.getpid()
        self._location = handle.location
        self.window = SampleWindow(input_length, input_gap, pred_shift, pred_gap, pred_length,
                                   samples_gap)
        self.variable, self.mask = variable, mask
        self.scale = float(scale) if scale is not None else _default_scale(handle, variable)
        self.region = resolve_region(handle.grid, region)
        self.extra = extra
        extra_days = set(extra.open(handle.grid).days) if extra else None
        land = self._land_mask(handle) if mask else np.zeros(self.region.shape, bool)
        self._keep = np.ascontiguousarray(~land)  # pixels that keep their value
        self._all = np.ones(self.region.shape, bool)
        first, last = calendar(handle, start, end)
        self.start, self.end = first, last
        needs_fill = variable in ("sic_filled", "fill_flag") or max_filled_share is not None
        if needs_fill and not handle.fill_info:
            raise ValueError(f"{self._location}: the cube has no gap-filled values; run "
                             "`swathkit seaice fill` first, or use variable='sic' without "
                             "max_filled_share")
        missing = missing_days(handle, first, last, filled=needs_fill)
        self._starts, self.summary = select_samples(handle, self.window, first, last,
                                                    self.region, missing, max_filled_share,
                                                    extra_days)
        self.cache_bytes = int(cache_bytes)
        self._lock: threading.Lock | None = threading.Lock()
        self._pools: list[ChunkPool] = []  # this process's idle chunk pools
        self._shared_batches = False  # set on the copy that loader() hands to DataLoader
        self._ring: BatchRing | None = None  # set on the copy that loader() hands on
        self._preloaded: np.ndarray | None = None
        self._preload_rows: dict[date, int] = {}
        if preload:
            self._preload()
        log.info("sea-ice dataset %s..%s: %s", first, last, self.summary)

    # -- public description -------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._starts)

    @property
    def channels(self) -> int:
        """Input channels: concentration, the land mask if a channel, then the extra ones.

        Targets always have 1.
        """
        base = 2 if self.mask in ("channel", "both") else 1
        return base + (len(self.extra.variables) if self.extra else 0)

    def sample_days(self, index: int) -> tuple[list[date], list[date]]:
        """The input days and target days of sample ``index``."""
        t0 = self._starts[index]
        return ([t0 + timedelta(days=int(k)) for k in self.window.input_offsets()],
                [t0 + timedelta(days=int(k)) for k in self.window.target_offsets()])

    def days(self) -> set[date]:
        """Every day used by any sample."""
        used: set[date] = set()
        for i in range(len(self)):
            inputs, targets = self.sample_days(i)
            used.update(inputs, targets)
        return used

    # -- items --------------------------------------------------------------------------

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        if not -len(self) <= index < len(self):
            raise IndexError(f"sample {index} of {len(self)}")
        return self.__getitems__([index % len(self)])[0]

    def __getitems__(self, indices: Sequence[int]) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """A batch of samples; days shared by several samples are read once.

        The DataLoader calls this with the indices of one batch. Consecutive samples
        overlap (5-in/3-out with ``samples_gap=1`` shares 7 of 8 days), so reading the
        union of their days cuts the reads by up to the sample length. The samples are
        the rows of one ``(B, T, C, H, W)`` buffer, which :func:`collate_sequences` hands
        on without copying. In a worker of :meth:`loader`, the buffer is the ring slot
        the main process assigned (the samples then come as :class:`RingSamples`, which
        the loader's collate function turns into a slot number), or new shared memory
        if no slot was free.
        """
        per_sample = [self.sample_days(int(i)) for i in indices]
        days = sorted({d for ins, outs in per_sample for d in (*ins, *outs)})
        pool = None if self._preloaded is not None else self._take_pool()
        try:
            return self._emit(indices, per_sample, *self._raw(days, pool))
        finally:
            if pool is not None:
                self._pools.append(pool)  # (list.append is atomic)

    def _emit(self, indices: Sequence[int], per_sample: list[tuple[list[date], list[date]]],
              block: np.ndarray, row: dict[date, int]) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """The samples' frames from ``block`` into the batch buffers (see __getitems__)."""
        h, w = self.region.shape
        n = len(indices)
        slot: int | None = getattr(indices, "slot", None)
        in_worker = get_worker_info() is not None
        ring = self._ring if slot is not None and in_worker else None
        if ring is not None and slot is not None:
            xs, ys = ring.x[slot][:n], ring.y[slot][:n]
        else:
            shared = self._shared_batches and in_worker
            xs = batch_buffer((n, self.window.input_length, self.channels, h, w), shared)
            ys = batch_buffer((n, self.window.pred_length, 1, h, w), shared)
        keep = self._keep if self.mask in ("apply", "both") else self._all
        extra = self._extra_frames(sorted({d for ins, _ in per_sample for d in ins}))
        for b, (ins, outs) in enumerate(per_sample):
            x, y = xs[b].numpy(), ys[b].numpy()
            emit_frames(block, np.array([row[d] for d in ins]), x, keep, np.float32(self.scale))
            emit_frames(block, np.array([row[d] for d in outs]), y, keep, np.float32(self.scale))
            if self.mask in ("channel", "both"):
                x[:, 1] = ~self._keep
            if extra is not None:
                x[:, self.channels - extra[0].shape[1]:] = extra[0][[extra[1][d] for d in ins]]
        samples = [(xs[b], ys[b]) for b in range(n)]
        return samples if ring is None or slot is None else RingSamples.of(samples, slot)

    def _extra_frames(self, days: list[date]
                      ) -> tuple[np.ndarray, dict[date, int]] | None:
        """The extra channels of ``days`` (days, channels, H, W) and each day's row."""
        if self.extra is None:
            return None
        cube = self.extra.open(self._handle().grid)
        return self.extra.frames(cube, days, self.region), {d: k for k, d in enumerate(days)}

    def loader(self, *, batch_size: int = 4, shuffle: bool = False, num_workers: int = 0,
               **kwargs: Any) -> RingLoader:
        """Batches ``[inputs, targets]`` from a ``DataLoader`` over this dataset, each
        written once, straight into the shared memory the main process reads it from.

        Same batches as ``DataLoader(self, batch_size=..., shuffle=...)``. With worker
        processes, a ring of ``num_workers * prefetch_factor + 2`` batch buffers in shared
        memory is made (and its pages touched) in the main process at the first
        iteration; each worker decodes straight into its reused chunk pool and writes
        the batch into the slot the main process assigned, so no batch-sized memory is
        allocated, sent or mapped per batch (on this kind of machine the largest cost
        for whole n3125 frames: a fresh page costs more than decoding it). A batch the
        caller keeps stays valid: its slot is reused only once every tensor over it is
        gone; if the caller keeps so many that no slot is free, the next batches travel
        the ordinary way. Keyword arguments go to ``DataLoader`` (``generator``,
        ``drop_last``, ``prefetch_factor``, ``persistent_workers``, ...); the
        ``DataLoader`` itself is the ``dataloader`` attribute.
        """
        batched = copy.copy(self)
        batched._shared_batches = True
        batched._ring = None
        h, w = self.region.shape
        return RingLoader(batched, batch_size=batch_size, shuffle=shuffle,
                          num_workers=num_workers,
                          shape_x=(self.window.input_length, self.channels, h, w),
                          shape_y=(self.window.pred_length, 1, h, w), **kwargs)

    def thread_loader(self, *, batch_size: int = 4, shuffle: bool = False, threads: int = 2,
                      generator: torch.Generator | None = None,
                      drop_last: bool = False) -> ThreadedBatches:
        """Batches ``[inputs, targets]`` prefetched by threads of this process.

        Decoding (blosc) and the frame kernel release the GIL, so threads use every core
        without what worker processes pay per batch: a shared-memory segment written,
        sent and mapped again (on this kind of machine the larger cost for whole n3125
        frames). Batches are those of ``DataLoader(self, batch_size=..., shuffle=...)``
        (with ``shuffle``, drawn from ``generator``).
        """
        return ThreadedBatches(self, batch_size=batch_size, shuffle=shuffle, threads=threads,
                               generator=generator, drop_last=drop_last)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        # never carry an open store, a cache or a lock into another process
        state.update(_cube=None, _pools=[], _lock=None, _pid=-1)
        return state

    # -- reading ------------------------------------------------------------------------

    def _process_lock(self) -> threading.Lock:
        """This process's lock; a new process (a worker) starts without store or cache."""
        if self._pid != os.getpid() or self._lock is None:
            self._pid, self._lock = os.getpid(), threading.Lock()
            self._cube, self._pools = None, []
        return self._lock

    def _handle(self) -> GridCube:
        with self._process_lock():
            if self._cube is None:
                self._cube = _open(self._location)
            return self._cube

    def _raw(self, days: Sequence[date],
             pool: ChunkPool | None) -> tuple[np.ndarray, dict[date, int]]:
        """Stored values (percent, NaN) holding ``days``, and each day's row in them.

        Lazily: the rows of ``pool``, where the time chunks of ``days`` were decoded (or
        still are from an earlier batch); no copy is made.
        """
        if self._preloaded is not None or pool is None:
            assert self._preloaded is not None
            return self._preloaded, self._preload_rows
        cube = self._handle()
        step = cube.index.time_chunk
        positions = {d: cube.time_index(d) for d in days}
        slots = pool.hold(sorted({p // step for p in positions.values()}),
                          partial(self._decode_chunk, cube, pool))
        return pool.data, {d: slots[p // step] * step + p % step for d, p in positions.items()}

    def _take_pool(self) -> ChunkPool:
        """An idle chunk pool of this process (reading threads each hold one while they
        read a batch; pools and their decoded chunks outlive the threads)."""
        cube = self._handle()
        try:
            return self._pools.pop()  # (list.pop is atomic)
        except IndexError:
            slot_bytes = cube.index.time_chunk * 4 * int(np.prod(self.region.shape))
            pool = ChunkPool(cube.index.time_chunk, self.region.shape,
                             max(1, self.cache_bytes // slot_bytes))
            meta = cube.array(self.variable).metadata.to_dict()
            pool.reader = ChunkReader.for_array(self._location, self.variable, meta,
                                                self.region)
            if self.variable in cube.variables:  # a day variable: valid where present
                valid = np.zeros(cube.index.length, bool)
                valid[[cube.time_index(d) for d in cube.days]] = True
            else:
                valid = cube.filled_days()
            pool.valid = valid
            return pool

    def _decode_chunk(self, cube: GridCube, pool: ChunkPool, k: int, out: np.ndarray) -> None:
        """Time chunk ``k`` of the region into ``out`` (days not valid: NaN, as zarr reads)."""
        step = cube.index.time_chunk
        if pool.reader is None:
            data = cube.read_block(k * step, (k + 1) * step, variable=self.variable,
                                   region=self.region.slices())
            out[:data.shape[0]] = data
            return
        pool.reader.read_into(k, out)
        for t in np.flatnonzero(~pool.valid[k * step:(k + 1) * step]):
            out[t] = np.nan

    def _preload(self) -> None:
        needed = sorted(self.days())
        h, w = self.region.shape
        data = np.empty((len(needed), h, w), np.float32)
        cube = self._handle()
        for k in range(0, len(needed), BLOCK_DAYS):
            part = needed[k: k + BLOCK_DAYS]
            data[k: k + len(part)] = read_days(cube, part, self.variable, self.region)
        self._preloaded = data
        self._preload_rows = {d: k for k, d in enumerate(needed)}

    # -- set-up -------------------------------------------------------------------------

    def _land_mask(self, cube: GridCube) -> np.ndarray:
        land = cube.land_mask()
        if land is None:
            raise ValueError(f"{self._location}: the cube has no land mask; run "
                             "`swathkit seaice mask` first or pass mask=None")
        return np.asarray(np.asarray(land)[self.region.slices()] != 0)

