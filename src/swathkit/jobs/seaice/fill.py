"""Fill the gaps of a grid cube in bounded memory, resumably, exactly as one in-memory fill.

The time axis is cut into blocks of whole time chunks and, if a block is too big for
the memory budget, into bands of whole row chunks. Each piece is read with
``options.halo_days()`` days and ``options.halo_pixels()`` rows of context on each
side, filled with :func:`swathkit.process.gapfill.fill_array`, and only its own days
and rows are written, so the result equals one ``fill_array`` over the whole period
bit for bit, whatever the block size. Each time block is committed with the progress
(``done`` days), so a killed or interrupted fill resumes where it stopped; days added
or replaced since are refilled from the first block they can influence.

On a cluster (``scheduler``, :mod:`swathkit.jobs.cluster`): this process reads each
piece with its halo and a worker fills it (:func:`fill_piece`, plain arrays in and
out); the pieces are written here in block and band order, so the filled arrays have
the bytes of the single-process run. At most two pieces per worker are in flight,
each within ``memory_bytes``.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from swathkit.errors import InputError, StoreError
from swathkit.jobs.cluster import Executor, check_scheduler, open_executor
from swathkit.jobs.report import JobReport
from swathkit.process.gapfill import (
    FLAG_CONSTANT,
    FLAG_LAND,
    FLAG_OBSERVED,
    FLAG_SPACETIME,
    FLAG_TIME,
    FLAG_UNFILLED,
    FillOptions,
    fill_array,
)
from swathkit.stores.cube_schema import CubeIndex
from swathkit.stores.grid_cube import GridCube, StoreLike
from swathkit.stores.grid_cube_writer import GridCubeWriter, cube_writer
from swathkit.types import Progress

log = logging.getLogger(__name__)

DEFAULT_BLOCK_DAYS = 32
DEFAULT_MEMORY_BYTES = 512 << 20  # input stack per piece; the fill needs about 3× that
COUNTS = ("observed", "filled_time", "filled_spacetime", "unfilled", "land", "constant")
_FLAG_OF = dict(zip(COUNTS, (FLAG_OBSERVED, FLAG_TIME, FLAG_SPACETIME, FLAG_UNFILLED,
                             FLAG_LAND, FLAG_CONSTANT), strict=True))


@dataclass(frozen=True)
class FillExtras:
    """Pixel counts by flag over the whole filled period, and what this run did.

    Attributes:
        days: Days of the cube.
        pixels: Pixels of the whole period by how they were filled (``observed``,
            ``filled_time``, ``filled_spacetime``, ``unfilled``, ``land``, ``constant``).
        days_filled_now: Days this run filled.
        resumed_from: Time position this run started at (0: from scratch).
        land_mask: Whether the cube's land mask kept land unfilled.
    """

    days: int
    pixels: dict[str, int]
    days_filled_now: int
    resumed_from: int
    land_mask: bool


FillReport = JobReport[FillExtras]
"""The report of :func:`fill`: days filled now, and the pixels by flag in ``extras``."""


def fill(cube: StoreLike, *, options: FillOptions | None = None,
         block_days: int = DEFAULT_BLOCK_DAYS, memory_bytes: int = DEFAULT_MEMORY_BYTES,
         storage_options: dict[str, Any] | None = None, scheduler: str | None = None,
         progress: Progress | None = None) -> FillReport:
    """Fill the cube's ``sic`` into ``sic_filled`` and ``fill_flag``.

    Args:
        cube: Cube path or URL.
        options: The fill parameters (default ``FillOptions()``; a change refills all).
        block_days: Days per time block (rounded up to whole time chunks).
        memory_bytes: Budget for one piece's input stack; blocks are cut into row bands
            to stay under it.
        storage_options: fsspec options for a remote cube.
        scheduler: Fill the pieces on dask.distributed: ``local:N`` or ``tcp://host:port``
            (None: in this process). The filled arrays are the same either way.
        progress: Called as ``progress(days_done, days_total, last_day)``.

    Raises:
        InputError: ``block_days`` or ``memory_bytes`` below 1; a malformed or unreachable
            scheduler.
        StoreError: the cube is empty.
    """
    t0 = time.perf_counter()
    if block_days < 1 or memory_bytes < 1:
        raise InputError(f"block_days and memory_bytes must be at least 1, not {block_days} "
                         f"and {memory_bytes}")
    check_scheduler(scheduler)
    options = options or FillOptions()
    with open_executor(scheduler) as executor, \
            cube_writer(cube, storage_options=storage_options) as writer:
        reader = writer.cube
        index = reader.index
        if index.length == 0 or not reader.days:
            raise StoreError(f"{reader.location}: no days to fill; consolidate first")
        land = reader.land_mask()
        if land is None:
            log.warning("%s has no land mask: land is filled like ocean; run "
                        "`swathkit seaice mask` first to keep it masked", reader.location)
        signature = {"options": _options_json(options), "land_mask": _mask_digest(land)}
        start = _resume_point(index, signature, options)
        step = _round_up(block_days, index.time_chunk)
        blocks = list(range(start, index.length, step))
        counts = _kept_counts(index.fill, start) if start else []
        if not blocks and index.fill and index.fill.get("length") == index.length:
            return _report(reader, counts, 0, start, land is not None, t0)  # up to date
        info = {**signature, "done": start, "length": index.length, "sic_rev": index.commits,
                "blocks": counts}
        writer.start_fill(info)
        for b0 in blocks:
            b1 = min(b0 + step, index.length)
            counts.append([b0, b1, *_fill_block(executor, writer, reader, land, options, b0,
                                                b1, memory_bytes)])
            info = {**info, "done": b1, "blocks": counts}
            writer.commit_fill(info)
            if progress:
                progress(b1 - start, index.length - start, str(index.day_at(b1 - 1)))
        return _report(reader, counts, index.length - start, start, land is not None, t0)


def _options_json(options: FillOptions) -> dict[str, Any]:
    return {k: (v if not isinstance(v, float) or np.isfinite(v) else str(v))
            for k, v in asdict(options).items()}


def _mask_digest(land: np.ndarray | None) -> str | None:
    if land is None:
        return None
    return hashlib.sha256(np.ascontiguousarray(land, dtype=np.uint8).tobytes()).hexdigest()


def _round_up(n: int, multiple: int) -> int:
    return max(multiple, -(-n // multiple) * multiple)


def _resume_point(index: CubeIndex, signature: dict[str, Any], options: FillOptions) -> int:
    """First time position to (re)fill: 0, or the block before the earliest change."""
    state = index.fill
    if not state or any(state.get(k) != v for k, v in signature.items()):
        return 0
    restart = int(state.get("done", 0))
    changes = [index.index_of(d) for d, rec in index.days.items()
               if rec.rev > int(state.get("sic_rev", -1))]
    old_length = int(state.get("length", 0))
    if old_length != index.length:  # the edge of the period moved
        changes.append(min(old_length, index.length))
    if changes:
        restart = min(restart, max(0, min(changes) - options.halo_days()))
    if restart >= index.length:
        return index.length  # up to date
    for b0, b1, *_ in state.get("blocks", []):
        if b0 <= restart < b1:  # redo whole recorded blocks, so the counts stay whole
            return int(b0)
    return restart - restart % index.time_chunk


def _kept_counts(state: dict[str, Any] | None, start: int) -> list[list[int]]:
    return [list(b) for b in (state or {}).get("blocks", []) if b[1] <= start]


@dataclass(frozen=True)
class _Piece:
    """One band of one time block: where its input (with halo) sits and what it writes."""

    r0: int  # first day read (the block's first day less the halo)
    r1: int  # day after the last read
    ya: int  # first row read
    yb: int  # row after the last read
    b0: int  # first day written
    b1: int  # day after the last written
    y0: int  # first row written
    y1: int  # row after the last written


def fill_piece(sic: np.ndarray, land: np.ndarray | None, options: FillOptions,
               piece: _Piece) -> tuple[np.ndarray, np.ndarray]:
    """Fill one piece read with its halo; only its own days and rows (runs on workers)."""
    out, flag = fill_array(sic, land=land, options=options)
    days = slice(piece.b0 - piece.r0, piece.b1 - piece.r0)
    rows = slice(piece.y0 - piece.ya, piece.y1 - piece.ya)
    return np.ascontiguousarray(out[days, rows]), np.ascontiguousarray(flag[days, rows])


def _fill_block(executor: Executor, writer: GridCubeWriter, cube: GridCube,
                land: np.ndarray | None, options: FillOptions, b0: int, b1: int,
                memory_bytes: int) -> list[int]:
    """Fill and write days ``b0:b1`` band by band, each with its halo of days and rows."""
    pieces = list(_pieces(cube, options, b0, b1, memory_bytes))
    counts = np.zeros(len(COUNTS), np.int64)

    def inputs() -> Iterator[tuple[Any, ...]]:  # read lazily: the executor bounds how many
        for p in pieces:
            sic = cube.read_block(p.r0, p.r1, region=(slice(p.ya, p.yb), slice(None)))
            yield sic, None if land is None else land[p.ya:p.yb], options, p

    for piece, (out, flag) in zip(pieces, executor.ordered(fill_piece, inputs()),
                                  strict=True):
        writer.write_filled(piece.b0, out, flag, row=piece.y0)
        counts += _count(flag)
    return [int(c) for c in counts]


def _pieces(cube: GridCube, options: FillOptions, b0: int, b1: int,
            memory_bytes: int) -> Iterator[_Piece]:
    rows, cols = cube.grid.shape
    halo_t, halo_y = options.halo_days(), options.halo_pixels()
    r0, r1 = max(0, b0 - halo_t), min(cube.index.length, b1 + halo_t)
    band = _band_rows(r1 - r0, rows, cols, halo_y, cube.index.space_chunk[0], memory_bytes)
    for y0 in range(0, rows, band):
        y1 = min(y0 + band, rows)
        yield _Piece(r0, r1, max(0, y0 - halo_y), min(rows, y1 + halo_y), b0, b1, y0, y1)


def _band_rows(days: int, rows: int, cols: int, halo: int, chunk: int, budget: int) -> int:
    """Rows per band (whole row chunks) so one band's input stays within ``budget`` bytes."""
    per_row = days * cols * 4
    fit = budget // per_row - 2 * halo
    if fit >= rows:
        return rows
    return max(chunk, (fit // chunk) * chunk)


def _count(flags: np.ndarray) -> np.ndarray:
    hist = np.bincount(flags.ravel(), minlength=256)
    return np.array([hist[_FLAG_OF[name]] for name in COUNTS], np.int64)


def _report(cube: GridCube, blocks: list[list[int]], now: int, start: int, land: bool,
            t0: float) -> FillReport:
    totals = np.sum([b[2:] for b in blocks], axis=0) if blocks else np.zeros(len(COUNTS))
    length = cube.index.length
    extras = FillExtras(length, {name: int(v) for name, v in zip(COUNTS, totals, strict=True)},
                        now, start, land)
    notes = {"filled_now": "already up to date" if now == 0 else
             f"resumed from {cube.index.day_at(start)}" if start else "from the first day"}
    return JobReport(job="seaice fill", target=str(cube.location), unit="days",
                     counts={"days": length, "filled_now": now}, notes=notes,
                     seconds=time.perf_counter() - t0, extras=extras)


__all__ = ["FillExtras", "FillReport", "fill"]
