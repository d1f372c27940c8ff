"""Terminal rendering shared by the verbs: progress bars and tables (rich).

rich takes longer to import than the rest of ``swathkit <verb> --help``, so it is
imported on the first output: ``console`` and ``err_console`` are made when first
used (module ``__getattr__``), and the functions import what they draw with.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

console: Console  # standard output, made on first use
err_console: Console  # standard error, made on first use


@functools.cache
def _console(stderr: bool) -> Console:
    from rich.console import Console

    # Wide lines when writing to a file or pipe, so logs keep whole paths and reasons.
    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, width=None if stream.isatty() else 200)


def __getattr__(name: str) -> Any:
    if name == "console":
        return _console(False)
    if name == "err_console":
        return _console(True)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@contextmanager
def progress_bar(label: str) -> Iterator[Any]:
    """Yield a ``progress(done, total, item)`` callback drawing a bar with rate and ETA."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"),
               TimeRemainingColumn(), TextColumn("[dim]{task.fields[item]}"))
    with Progress(*columns, console=_console(True), transient=False) as bar:
        task = bar.add_task(label, total=None, item="", rate="")

        def update(done: int, total: int, item: str) -> None:
            elapsed = bar.tasks[0].elapsed or 0.0
            rate = f"{done / elapsed:.2f}/s" if elapsed > 0 else ""
            bar.update(task, completed=done, total=total, item=item[-48:], rate=rate)

        yield update


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a table to standard output."""
    from rich.table import Table

    t = Table(title=title, title_justify="left", header_style="bold")
    for name in header:
        t.add_column(name, overflow="fold")
    for row in rows:
        t.add_row(*(str(x) for x in row))
    _console(False).print(t)


def facts(title: str, pairs: Sequence[tuple[str, Any]]) -> None:
    table(title, ("", ""), pairs)


def funnel(title: str, f: Any, seconds: float | None = None) -> None:
    """The processing-stage table: granules and bytes reaching each stage."""
    rows = [("found", f.found, ""), ("fetched", f.fetched, f"{f.bytes_fetched / 1e6:,.1f} MB"),
            ("verified", f.verified, ""), ("extracted", f.extracted, ""),
            ("committed", f.committed, f"{f.bytes_committed / 1e6:,.1f} MB"),
            ("failed", f.failed, ""), ("not published", f.not_published, "")]
    if seconds is not None:
        rate = f.committed / seconds if seconds > 0 else 0.0
        rows.append(("wall time", f"{seconds:,.1f} s", f"{rate:.2f} granules/s"))
    table(title, ("stage", "granules", "bytes"), rows)


def failures(rows: Sequence[tuple[str, str, str, int]]) -> None:
    """Failures grouped by error class, each with its reason and attempts."""
    if rows:
        table("failed granules (by reason)", ("granule", "error", "reason", "attempts"), rows)
