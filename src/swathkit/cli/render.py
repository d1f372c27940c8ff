"""Terminal rendering shared by the verbs: progress bars and tables (rich).

rich takes longer to import than the rest of ``swathkit <verb> --help``, so it is
imported on the first output: ``console`` and ``err_console`` are made when first
used (module ``__getattr__``), and the functions import what they draw with.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from swathkit.jobs.report import Funnel, JobReport
    from swathkit.types import Failure

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

        try:
            yield update
        except BaseException:
            bar.update(task, visible=False)  # the error's one line says it all
            raise


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a table to standard output."""
    from rich.table import Table

    t = Table(title=title, title_justify="left", header_style="bold")
    for name in header:
        t.add_column(name, overflow="fold")
    for row in rows:
        t.add_row(*(str(x) for x in row))
    _console(False).print(t)


def note(text: str) -> None:
    """One line for the user (no markup)."""
    _console(False).print(text, highlight=False, markup=False)


def facts(title: str, pairs: Sequence[tuple[str, Any]]) -> None:
    table(title, ("", ""), pairs)


def add_json_option(p: argparse.ArgumentParser) -> None:
    """``--json``: print the job's report as JSON on standard output instead of tables."""
    p.add_argument("--json", action="store_true",
                   help="print the report as one JSON document on standard output (the "
                   "exit code is the same)")


_LABELS = {"not_published": "not published upstream", "skipped": "already present (verified)",
           "unchanged": "already stored", "absent": "absent (no file)",
           "filled_now": "filled now", "asked": "asked for"}

_KIND_HINTS = {  # by FailureKind value (swathkit.types is not imported for --help)
    "transient": "retries ran out: run the same command again later "
                 "(collect: add --retry-failed)",
    "permanent": "the archive refused them: retrying will not help",
    "auth": "the archive refused the credentials: check the username and password",
    "bad_product": "not sound products (the reason says what is wrong): report them "
                   "to the archive or leave them out",
    "bad_input": "the request for them was impossible: check the options",
    "not_published": "the archive has no such files",
}


def job_report(report: JobReport[Any], *, as_json: bool = False, title: str | None = None,
               hints: Sequence[str] = ()) -> int:
    """Show a job's report (a summary table, then failures by kind) or print it as JSON.

    Args:
        report: What the job returned.
        as_json: Print only ``report.to_json()`` on standard output.
        title: The table's title (default: job and target).
        hints: Lines to print under the tables (on standard error with ``as_json``).

    Returns:
        The exit code: 0 all done, 1 some items failed, 130 interrupted.
    """
    notes = list(hints)
    if report.interrupted:
        notes.append("interrupted: run the same command to resume")
    if as_json:
        sys.stdout.write(report.to_json() + "\n")
        for line in notes:
            _console(True).print(line, highlight=False)
        return report.exit_code
    rows = [(_LABELS.get(k, k.replace("_", " ")), f"{n:,}", report.notes.get(k, "") if n else "")
            for k, n in report.counts.items()]
    if report.seconds:
        speed = report.bytes / 1e6 / report.seconds if report.bytes else 0.0
        rows.append(("wall time", f"{report.seconds:,.1f} s",
                     f"{speed:,.1f} MB/s" if speed else ""))
    table(title or f"{report.job} {report.target}", ("", report.unit, ""), rows)
    failures(report.failures)
    for line in notes:
        _console(False).print(line, highlight=False)
    return report.exit_code


def funnel(stages: Funnel, *, title: str = "processing funnel") -> None:
    """A funnel as a table (stage, items, bytes, share of the stage before), then its
    failures by kind with their reasons."""
    rows = []
    for index, stage in enumerate(stages.stages):
        share = stages.share(index)
        rows.append((stage.name, f"{stage.items:,}", _size(stage.bytes),
                     "" if share is None else f"{share:.0%}"))
    overall = stages.overall
    if overall is not None and len(stages.stages) > 2:
        rows.append(("overall", "", "", f"{overall:.0%}"))
    rows.append(("failed", f"{len(stages.failures):,}", "", "reasons below" if stages.failures
                 else ""))
    table(title, ("stage", stages.unit, "bytes", "of previous"), rows)
    failures(stages.failures)


def _size(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n} B"


def failures(items: Sequence[Failure]) -> None:
    """Failures grouped by kind, each with its reason and attempts, and what to do."""
    if not items:
        return
    ordered = sorted(items, key=lambda f: (f.kind, f.item))
    table("failures (by kind)", ("kind", "item", "reason", "attempts"),
          [(f.kind.value, _name(f.item), f.reason.removeprefix(f"{f.item}: "), f.attempts)
           for f in ordered])
    for kind in dict.fromkeys(f.kind for f in ordered):
        _console(False).print(f"{kind.value}: {_KIND_HINTS[kind.value]}", highlight=False)


def _name(item: str) -> str:
    """A file's name without its folder (the reason keeps the whole path); ids as they are."""
    return item.rsplit("/", 1)[-1]
