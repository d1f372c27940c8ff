"""JobReport: ok and exit codes follow from the counts; JSON holds every field."""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from swathkit.jobs.report import JobReport, days_text
from swathkit.types import Failure, FailureKind


@dataclass(frozen=True)
class _Extras:
    days: tuple[date, ...]
    folder: Path


def _report(**kw):
    return JobReport(job="seaice download", target="out", unit="days",
                     counts={"asked": 2, "downloaded": 2}, extras=_Extras((), Path("out")), **kw)


def test_exit_codes_follow_the_report():
    failure = Failure(FailureKind.TRANSIENT, "day-1", "timed out", 8)
    assert (_report().ok, _report().exit_code) == (True, 0)
    assert (_report(failures=(failure,)).ok, _report(failures=(failure,)).exit_code) == (False, 1)
    assert _report(unfinished=1).exit_code == 1  # nothing failed, but something is left
    assert _report(interrupted=True, failures=(failure,)).exit_code == 130


def test_json_holds_every_field_as_plain_values():
    report = JobReport(job="x", counts={"found": 1, "failed": 1},
                       failures=(Failure(FailureKind.BAD_PRODUCT, "G1", "checksum", 2),),
                       bytes=5, seconds=1.5,
                       extras=_Extras((date(2013, 5, 11),), Path("/data/out")))
    data = json.loads(report.to_json())
    assert data == {"job": "x", "target": "", "unit": "items",
                    "counts": {"found": 1, "failed": 1}, "notes": {},
                    "failures": [{"kind": "bad_product", "item": "G1", "reason": "checksum",
                                  "attempts": 2}],
                    "bytes": 5, "seconds": 1.5, "interrupted": False, "unfinished": 0,
                    "extras": {"days": ["2013-05-11"], "folder": "/data/out"},
                    "ok": False, "exit_code": 1}


def test_long_day_lists_are_cut_with_their_count():
    days = [date(2013, 5, d) for d in range(1, 11)]
    assert days_text(days[:2]) == "2013-05-01, 2013-05-02"
    assert days_text(days).endswith(", 2013-05-06, … (10 days)")


def test_funnel_shares_follow_the_stages():
    from swathkit.jobs.report import Funnel, FunnelStage, jsonable

    funnel = Funnel(stages=(FunnelStage("read", 40, 4000), FunnelStage("fixed", 30, 3000),
                            FunnelStage("good", 0)))
    assert funnel.share(0) is None and funnel.share(1) == 0.75 and funnel.share(2) == 0.0
    assert funnel.overall == 0.0
    assert Funnel().overall is None
    assert json.loads(json.dumps(jsonable(funnel)))["stages"][1] == {
        "name": "fixed", "items": 30, "bytes": 3000}
