"""Batches of sequence samples, each frame written once.

The one-pass kernel that scales frames and zeroes gaps and land, the batch buffers (in
shared memory when a worker hands them to the main process) and the collate function
that passes such a buffer on without stacking it again.
"""

from __future__ import annotations

import threading
import weakref
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

import numba
import numpy as np
import torch
from torch.utils.data import (
    BatchSampler,
    DataLoader,
    RandomSampler,
    Sampler,
    SequentialSampler,
    default_collate,
)


class BatchSource(Protocol):
    def __len__(self) -> int: ...
    def __getitems__(self, indices: Sequence[int]) -> list[tuple[torch.Tensor, torch.Tensor]]:
        ...


class ThreadedBatches:
    """Collated batches of a dataset's ``__getitems__``, prefetched by a thread pool.

    Args:
        dataset: Anything with ``__len__`` and ``__getitems__``.
        batch_size, shuffle, generator, drop_last: As for ``DataLoader``.
        threads: Threads reading batches ahead; ``2 * threads`` batches are in flight.
    """

    def __init__(self, dataset: BatchSource, *, batch_size: int, shuffle: bool, threads: int,
                 generator: torch.Generator | None = None, drop_last: bool = False) -> None:
        if threads < 1:
            raise ValueError(f"threads must be at least 1, not {threads}")
        order = (RandomSampler(range(len(dataset)), generator=generator) if shuffle
                 else SequentialSampler(range(len(dataset))))
        self.dataset, self.threads = dataset, threads
        self.batches = BatchSampler(order, batch_size, drop_last)

    def __len__(self) -> int:
        return len(self.batches)

    def __iter__(self) -> Iterator[list[torch.Tensor]]:
        indices = iter(self.batches)
        with ThreadPoolExecutor(self.threads, thread_name_prefix="swathkit-batches") as pool:
            pending: deque[Future[list[torch.Tensor]]] = deque()
            for batch in indices:
                pending.append(pool.submit(self._batch, batch))
                if len(pending) >= 2 * self.threads:
                    break
            try:
                while pending:
                    done = pending.popleft().result()
                    following = next(indices, None)
                    if following is not None:
                        pending.append(pool.submit(self._batch, following))
                    yield done
            finally:  # the consumer stopped early: drop the batches not started yet
                for future in pending:
                    future.cancel()

    def _batch(self, indices: list[int]) -> list[torch.Tensor]:
        return collate_sequences(self.dataset.__getitems__(indices))


def collate_sequences(batch: list[tuple[torch.Tensor, torch.Tensor]]) -> list[torch.Tensor]:
    """``default_collate`` that returns the batch buffer when the samples are its rows.

    ``SeaIceSequenceDataset.__getitems__`` writes a batch into one ``(B, T, C, H, W)``
    buffer; stacking its rows again would copy every frame once more (the largest cost
    of a loader over full n3125 frames). Any other list of samples is stacked as usual.
    """
    stacked = [_rows_of_one_buffer([sample[k] for sample in batch]) for k in range(2)]
    if stacked[0] is None or stacked[1] is None:
        return list(default_collate(batch))
    return [stacked[0], stacked[1]]


def _rows_of_one_buffer(tensors: list[torch.Tensor]) -> torch.Tensor | None:
    base = tensors[0]._base
    if base is None or base.shape[0] != len(tensors) or not base.is_contiguous():
        return None
    for b, t in enumerate(tensors):
        if t._base is not base or t.data_ptr() != base[b].data_ptr() or t.shape != base[b].shape:
            return None
    return base


def batch_buffer(shape: tuple[int, ...], shared: bool) -> torch.Tensor:
    """A float32 buffer, allocated in shared memory if asked (as default_collate does)."""
    if not shared:  # numpy asks for transparent huge pages: fewer page faults than torch
        return torch.from_numpy(np.empty(shape, np.float32))
    proto = torch.empty(0, dtype=torch.float32)
    storage = proto._typed_storage()._new_shared(int(np.prod(shape)), device=proto.device)
    return proto.new(storage).resize_(shape)


@numba.njit(cache=True, nogil=True)
def emit_frames(block: np.ndarray, rows: np.ndarray, out: np.ndarray, keep: np.ndarray,
                scale: np.float32) -> None:  # pragma: no cover - compiled
    """``out[t, 0] = block[rows[t]] * scale``; NaN and pixels not kept → 0. One pass."""
    for t in range(rows.shape[0]):
        src = block[rows[t]]
        dst = out[t, 0]
        for i in range(src.shape[0]):
            for j in range(src.shape[1]):
                v = src[i, j]
                dst[i, j] = v * scale if keep[i, j] and not np.isnan(v) else np.float32(0.0)


@dataclass(frozen=True)
class RingBatch:
    """What a worker returns for a batch it wrote into ring slot ``slot``: ``n`` samples."""

    slot: int
    n: int


class RingSamples(list[tuple[torch.Tensor, torch.Tensor]]):
    """Samples that are the rows of ring slot ``slot`` (what a worker's dataset returns)."""

    slot: int = -1

    @classmethod
    def of(cls, samples: list[tuple[torch.Tensor, torch.Tensor]], slot: int) -> RingSamples:
        out = cls(samples)
        out.slot = slot
        return out


class SlotIndices(list[int]):
    """The sample indices of one batch and the ring slot (or None) it is written into."""

    slot: int | None = None

    @classmethod
    def of(cls, indices: Sequence[int], slot: int | None) -> SlotIndices:
        batch = cls(indices)
        batch.slot = slot
        return batch


class BatchRing:
    """A fixed set of batch buffers in shared memory, made before the workers start.

    Each slot is one ``(B, T, C, H, W)`` input buffer and one target buffer, written
    (pre-faulted) once in the main process. Workers inherit them (fork) or receive them
    with the dataset (spawn, forkserver: torch passes the shared memory by file
    descriptor), write a batch straight into the slot the main process assigned, and
    return only :class:`RingBatch`. The main process hands out views of the slot; the
    slot becomes free again only when every tensor viewing it is gone, so a batch the
    caller keeps is never overwritten. The segments are unlinked at creation: nothing
    is left in ``/dev/shm`` whatever happens to the processes.

    Only the buffers travel to the workers; the slot bookkeeping stays in the main
    process.
    """

    def __init__(self, slots: int, shape_x: tuple[int, ...], shape_y: tuple[int, ...]) -> None:
        if slots < 1:
            raise ValueError(f"a ring needs at least one slot, not {slots}")
        self.shape_x, self.shape_y = tuple(shape_x), tuple(shape_y)
        self.x = [batch_buffer(self.shape_x, True).zero_() for _ in range(slots)]
        self.y = [batch_buffer(self.shape_y, True).zero_() for _ in range(slots)]
        self._lock = threading.Lock()
        self._free = list(range(slots))
        self._held: set[int] = set()  # slots whose batch the caller still has
        self.fallbacks = 0  # batches that found no free slot (written the ordinary way)

    @property
    def slots(self) -> int:
        return len(self.x)

    def __getstate__(self) -> dict[str, Any]:
        return {"shape_x": self.shape_x, "shape_y": self.shape_y, "x": self.x, "y": self.y}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock, self._free, self._held, self.fallbacks = threading.Lock(), [], set(), 0

    def take(self) -> int | None:
        """A free slot for the next batch, or None (that batch then travels as usual)."""
        with self._lock:
            if self._free:
                return self._free.pop(0)
            self.fallbacks += 1
            return None

    def reset(self) -> None:
        """A new pass: every slot not held by the caller is free (earlier passes' batches
        still in flight were discarded by the DataLoader, their workers are done)."""
        with self._lock:
            self._free = [s for s in range(self.slots) if s not in self._held]

    def free_slots(self) -> int:
        with self._lock:
            return len(self._free)

    def views(self, batch: RingBatch) -> list[torch.Tensor]:
        """``[inputs, targets]`` of a batch: tensors over its slot, which returns to the
        free list when the last tensor (or view of one) sharing their memory is freed."""
        slot, n = batch.slot, batch.n
        with self._lock:
            self._held.add(slot)
        pending = [2]
        lock = self._lock

        def dropped() -> None:
            with lock:
                pending[0] -= 1
                if pending[0] == 0:
                    self._held.discard(slot)
                    self._free.append(slot)

        out = []
        for buffers in (self.x, self.y):
            rows = buffers[slot].numpy()[:n]  # a new ndarray the new tensor alone refers to
            weakref.finalize(rows, dropped)
            out.append(torch.from_numpy(rows))
            del rows
        return out


class SlotBatchSampler(Sampler[SlotIndices]):
    """A ``BatchSampler`` whose batches carry the ring slot to write them into.

    It runs in the main process as the DataLoader dispatches batches, so it is what
    assigns slots; when none is free (the caller keeps many batches) the batch gets no
    slot and travels the ordinary way, so the ring never grows and nothing blocks.
    """

    def __init__(self, batches: BatchSampler) -> None:
        self.batches = batches
        self.ring: BatchRing | None = None

    def __len__(self) -> int:
        return len(self.batches)

    def __iter__(self) -> Iterator[SlotIndices]:
        ring = self.ring
        if ring is not None:
            ring.reset()
        for indices in self.batches:
            yield SlotIndices.of(indices, ring.take() if ring is not None else None)


def collate_ring(batch: list[tuple[torch.Tensor, torch.Tensor]]) -> RingBatch | list[torch.Tensor]:
    """:func:`collate_sequences`; a batch written into a ring slot becomes its slot number
    (the main process has the slot's memory already)."""
    if isinstance(batch, RingSamples):
        return RingBatch(batch.slot, len(batch))
    return collate_sequences(batch)


class RingLoader:
    """Batches ``[inputs, targets]`` of a real ``DataLoader`` whose workers write each
    batch into a preallocated shared-memory ring (see :class:`BatchRing`).

    Iterating yields tensors over the ring; a batch stays valid for as long as the
    caller keeps it. With ``num_workers=0`` it is a plain (copy-free collating)
    DataLoader. ``dataloader`` is the underlying ``DataLoader``.
    """

    def __init__(self, dataset: Any, *, batch_size: int, shuffle: bool, num_workers: int,
                 shape_x: tuple[int, ...], shape_y: tuple[int, ...],
                 generator: torch.Generator | None = None, drop_last: bool = False,
                 prefetch_factor: int | None = None, **kwargs: Any) -> None:
        order = (RandomSampler(range(len(dataset)), generator=generator) if shuffle
                 else SequentialSampler(range(len(dataset))))
        self.dataset, self.num_workers = dataset, num_workers
        self.batch_sampler = SlotBatchSampler(BatchSampler(order, batch_size, drop_last))
        if num_workers > 0:
            prefetch_factor = 2 if prefetch_factor is None else prefetch_factor
            kwargs["prefetch_factor"] = prefetch_factor
            self.ring_slots = num_workers * prefetch_factor + 2
        else:
            self.ring_slots = 0
        self._shapes = ((batch_size, *shape_x), (batch_size, *shape_y))
        self._pin = bool(kwargs.pop("pin_memory", False)) and torch.cuda.is_available()
        self.ring: BatchRing | None = None
        self.dataloader = DataLoader(dataset, batch_sampler=self.batch_sampler,
                                     num_workers=num_workers, collate_fn=collate_ring,
                                     generator=generator, **kwargs)

    def __len__(self) -> int:
        return len(self.dataloader)

    def __iter__(self) -> Iterator[list[torch.Tensor]]:
        if self.ring_slots and self.ring is None:  # before the first workers start
            self.ring = BatchRing(self.ring_slots, *self._shapes)
            self.dataset._ring = self.batch_sampler.ring = self.ring
        it = iter(self.dataloader)
        try:
            for batch in it:
                if isinstance(batch, RingBatch):
                    assert self.ring is not None
                    batch = self.ring.views(batch)
                if self._pin:
                    batch = [t.pin_memory() for t in batch]
                yield batch
        finally:
            if not self.dataloader.persistent_workers:
                shutdown = getattr(it, "_shutdown_workers", None)
                if shutdown is not None:  # join them: none may still write into a slot
                    shutdown()
