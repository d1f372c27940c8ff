"""The one shape of what a job did: :class:`JobReport`.

Every job (collect, ingest, the sea-ice download, consolidate and fill) returns a
``JobReport``: counts per stage or outcome, the failures with their kind, bytes,
wall time, whether it was interrupted, and its own details in ``extras`` (a
typed dataclass per job). The CLI renders every report with one function and
prints it as JSON with ``--json``; the exit code follows from the report.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from pathlib import PurePath
from typing import Any, Generic, TypeVar

from swathkit.types import Failure

__all__ = ["EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "Funnel", "FunnelStage", "JobReport",
           "days_text", "jsonable"]

E = TypeVar("E")

EXIT_OK = 0  # every item done
EXIT_FAILED = 1  # some items failed (or are left unfinished)
EXIT_INTERRUPTED = 130  # Ctrl-C: run the same command to resume
# (2, bad input, is never a report: the job raises InputError before it runs)


@dataclass(frozen=True, kw_only=True)
class JobReport(Generic[E]):
    """What one run of a job did.

    Attributes:
        job: The job, as the command line names it (``"collect"``, ``"seaice download"``).
        target: What it wrote into (a store, a cube, a folder).
        unit: What ``counts`` count (``"granules"``, ``"days"``, ``"files"``).
        counts: Items per stage or outcome, in the order to show them (``found``,
            ``fetched`` …, ``failed``, ``not_published``).
        notes: A short detail beside a count (``"12.5 MB"``, a list of days).
        failures: The items that failed, with their kind.
        bytes: Bytes moved over the network (or read) by the run.
        seconds: Wall time.
        interrupted: Ctrl-C stopped the run; running it again resumes.
        unfinished: Items neither done nor failed (left for the next run).
        extras: The job's own details.
    """

    job: str
    target: str = ""
    unit: str = "items"
    counts: dict[str, int] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    failures: tuple[Failure, ...] = ()
    bytes: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    unfinished: int = 0
    extras: E

    @property
    def ok(self) -> bool:
        """Every item is done: nothing failed, nothing left, not interrupted."""
        return not self.interrupted and not self.failures and self.unfinished == 0

    @property
    def exit_code(self) -> int:
        """0 all done, 1 some items failed or are left, 130 interrupted."""
        if self.interrupted:
            return EXIT_INTERRUPTED
        return EXIT_OK if self.ok else EXIT_FAILED

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON values (dates as ISO text, kinds as their names)."""
        out = {f.name: jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}
        return {**out, "ok": self.ok, "exit_code": self.exit_code}

    def to_json(self) -> str:
        """The report as one JSON document (keys sorted, so runs compare line by line)."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)


@dataclass(frozen=True)
class FunnelStage:
    """One stage of a processing funnel: the items (and their bytes) that reached it."""

    name: str
    items: int
    bytes: int = 0


@dataclass(frozen=True, kw_only=True)
class Funnel:
    """A processing funnel like ASF's Seasat table: stages in order, each with the items
    and bytes that reached it, and the failures (with their reasons) lost on the way.

    Attributes:
        unit: What the stages count (``"files"``, ``"granules"``).
        stages: In processing order; a stage holds the items that reached it.
        failures: The items that did not go on, with the reason.
    """

    unit: str = "files"
    stages: tuple[FunnelStage, ...] = ()
    failures: tuple[Failure, ...] = ()

    def share(self, index: int) -> float | None:
        """Items of stage ``index`` as a share of the stage before (None for the first)."""
        if index == 0 or not self.stages[index - 1].items:
            return None
        return self.stages[index].items / self.stages[index - 1].items

    def failed_by_kind(self) -> dict[str, int]:
        """Failures counted by kind (``auth``, ``bad_product`` …), in the kinds' order."""
        counts: dict[str, int] = {}
        for failure in sorted(self.failures, key=lambda f: f.kind):
            counts[failure.kind.value] = counts.get(failure.kind.value, 0) + 1
        return counts

    @property
    def overall(self) -> float | None:
        """Items of the last stage as a share of the first."""
        if not self.stages or not self.stages[0].items:
            return None
        return self.stages[-1].items / self.stages[0].items


def jsonable(value: Any) -> Any:
    """``value`` with dataclasses, enums, dates and paths turned into JSON values."""
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(jsonable(k)): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items) if isinstance(value, set | frozenset) else items
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, PurePath):
        return str(value)
    return value


def days_text(days: Sequence[date], limit: int = 6) -> str:
    """Days as ``"2013-05-11, 2013-05-12, … (40 days)"``: a note beside a count."""
    text = ", ".join(d.isoformat() for d in days[:limit])
    return text + (f", … ({len(days)} days)" if len(days) > limit else "")
