"""The shared values: day ranges, query checks, failures and their kinds."""

from datetime import UTC, date, datetime

import pytest

from swathkit import errors
from swathkit.errors import InputError
from swathkit.types import DayRange, Failure, FailureKind, Query, failure_kind, utc


def test_a_day_range_holds_both_ends_and_iterates_in_order():
    days = DayRange(date(2024, 2, 27), date(2024, 3, 1))
    assert list(days) == [date(2024, 2, 27), date(2024, 2, 28), date(2024, 2, 29),
                          date(2024, 3, 1)]
    assert len(days) == 4 and date(2024, 2, 29) in days and date(2024, 3, 2) not in days
    assert list(DayRange("2013-05-10", datetime(2013, 5, 10, 18, tzinfo=UTC))) == [
        date(2013, 5, 10)]
    assert str(days) == "2024-02-27..2024-03-01"


def test_a_reversed_day_range_is_an_input_error_that_says_what_to_do():
    with pytest.raises(InputError, match=r"end 2024-03-01 is before start 2024-03-02; give"):
        DayRange(date(2024, 3, 2), date(2024, 3, 1))
    with pytest.raises(ValueError, match="is not a day"):  # InputError is a ValueError
        DayRange("10/05/2013", "2013-05-11")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"start": "2022-02-17", "end": "2022-02-16"}, "is not after start"),
    ({"start": "2022-02-16", "end": "2022-02-16"}, "is not after start"),
    ({"orbit": "X"}, "orbit must be A"),
    ({"bbox": (10, 80, 20, 40)}, "south < north"),
    ({"bbox": (190, 40, 20, 80)}, "longitudes in -180..180"),
    ({"start": "yesterday"}, "not an ISO time"),
])
def test_an_impossible_query_is_an_input_error(kwargs, message):
    period = {"start": "2022-02-16", "end": "2022-02-17"} | kwargs
    with pytest.raises(InputError, match=message):
        Query("amsr2-l1b", **period)


def test_a_query_keeps_a_sound_bbox_as_floats():
    q = Query("amsr2-l1b", "2022-02-16", "2022-02-17", bbox=(-80, 40, 20, 85))
    assert q.bbox == (-80.0, 40.0, 20.0, 85.0) and q.start == utc("2022-02-16T00:00Z")


@pytest.mark.parametrize(("error", "kind"), [
    (errors.NotPublishedError("404"), FailureKind.NOT_PUBLISHED),
    (errors.AuthError("401"), FailureKind.AUTH),
    (errors.PermanentFetchError("400"), FailureKind.PERMANENT),
    (errors.TransientFetchError("reset"), FailureKind.TRANSIENT),
    (errors.ThrottledError("429"), FailureKind.TRANSIENT),
    (errors.ArchiveUnavailableError("down"), FailureKind.TRANSIENT),
    (errors.VerificationError("checksum"), FailureKind.BAD_PRODUCT),
    (errors.FormatError("truncated"), FailureKind.BAD_PRODUCT),
    (errors.FileNameError("bad name"), FailureKind.BAD_PRODUCT),
    (errors.InputError("no such file"), FailureKind.BAD_INPUT),
    (OSError("disk"), FailureKind.PERMANENT),
])
def test_every_error_of_the_tree_has_one_kind(error, kind):
    assert failure_kind(error) is kind
    assert failure_kind(type(error)) is kind


def test_a_failure_from_an_error_keeps_item_reason_and_attempts():
    failure = Failure.from_error("G1", errors.VerificationError("checksum mismatch"), attempts=2)
    assert failure == Failure(FailureKind.BAD_PRODUCT, "G1", "checksum mismatch", 2)
    assert Failure.from_error("f.h5", OSError("gone"), default=FailureKind.BAD_PRODUCT).kind is (
        FailureKind.BAD_PRODUCT)
