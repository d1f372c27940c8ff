"""S3 credentials come from the AWS chain (or storage_options) and never reach logs, error
messages or a location's repr."""

import logging

import pytest

from swathkit.errors import StoreError
from swathkit.sim.s3 import ACCESS_KEY, SECRET_KEY
from swathkit.stores.location import as_location
from swathkit.stores.schema import Layout
from swathkit.stores.swath_store import SwathStore, swath_writer

LAYOUT = Layout.of("36.5H", coords=True, scan_length=64)


def _records_text(caplog):
    """Every captured record as a handler would print it, plus its raw arguments."""
    out = []
    for rec in caplog.records:
        out.append(rec.getMessage())
        out.append(repr(rec.args))
        out.append(repr(rec.__dict__))
    return "\n".join(out)


@pytest.mark.timeout(60)
def test_a_commit_logs_no_secret_at_debug(s3, s3_url, record, caplog):
    with caplog.at_level(logging.DEBUG):
        with swath_writer(s3_url, LAYOUT) as w:
            w.write([record(0), record(1)])
        assert len(SwathStore.open(s3_url)) == 2
    text = _records_text(caplog)
    assert any(r.name.startswith("botocore") for r in caplog.records), "botocore was logging"
    assert "PutObject" in text or "put_object" in text  # the commit is in the log …
    assert SECRET_KEY not in text  # … its secret is not


@pytest.mark.timeout(60)
def test_a_wrong_bucket_error_names_the_store_not_the_secret(s3, record, caplog):
    url = "s3://no-such-bucket-here/s.zarr"
    with caplog.at_level(logging.DEBUG), pytest.raises(StoreError) as err, \
            swath_writer(url, LAYOUT) as w:
        w.write([record(0)])
    message = str(err.value)
    assert "no-such-bucket-here" in message and "NoSuchBucket" in message
    assert "\n" not in message
    assert SECRET_KEY not in message and SECRET_KEY not in _records_text(caplog)


@pytest.mark.timeout(60)
def test_explicit_storage_options_stay_out_of_reprs_and_messages(s3, s3_url, monkeypatch,
                                                                record, caplog):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    options = {"key": ACCESS_KEY, "secret": SECRET_KEY}
    location = as_location(s3_url, options)
    assert SECRET_KEY not in repr(location) and SECRET_KEY not in str(location)
    with caplog.at_level(logging.DEBUG):
        with swath_writer(location, LAYOUT) as w:
            w.write([record(0)])
        with pytest.raises(StoreError) as err:
            SwathStore.open(as_location("s3://no-such-bucket-here/s.zarr", options))
    assert SECRET_KEY not in str(err.value) and SECRET_KEY not in _records_text(caplog)
