"""Batches of sequence samples, each frame written once.

The one-pass kernel that scales frames and zeroes gaps and land, the batch buffers (in
shared memory when a worker hands them to the main process) and the collate function
that passes such a buffer on without stacking it again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

import numba
import numpy as np
import torch
from torch.utils.data import BatchSampler, RandomSampler, SequentialSampler, default_collate


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
