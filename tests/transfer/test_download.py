"""fetch_file: one file, sibling .part, resume, size/checksum/format checks, atomic rename."""

import threading

import pytest
from fake_archive import sha256

from swathkit.errors import (
    FormatError,
    NotPublishedError,
    TransientFetchError,
    VerificationError,
)
from swathkit.transfer.download import (
    Interrupted,
    fetch_file,
    parse_checksum,
    part_path,
    verified_size,
)

REMOTE = "standard/GCOM-W/000.h5"


@pytest.fixture
def session(archive):
    s = archive.open()
    yield s
    s.close()


@pytest.fixture
def data(archive):
    return archive.files[REMOTE]


@pytest.fixture
def dest(out):
    return out / "sub" / "000.h5"


def test_fresh_download_lands_complete_with_no_part_left(session, data, dest):
    done = fetch_file(session, REMOTE, dest, checksum=sha256(data))
    assert dest.read_bytes() == data
    assert not part_path(dest).exists()
    assert (done.size, done.received, done.resumed_from) == (len(data), len(data), 0)


def test_temp_file_is_a_sibling_of_the_destination(dest):
    assert part_path(dest) == dest.parent / "000.h5.part"


def test_existing_part_is_resumed_from_its_size(archive, session, data, dest):
    dest.parent.mkdir(parents=True)
    part_path(dest).write_bytes(data[:300])
    done = fetch_file(session, REMOTE, dest, checksum=sha256(data))
    assert archive.reads == [(REMOTE, 300)]
    assert dest.read_bytes() == data
    assert (done.resumed_from, done.received) == (300, len(data) - 300)


def test_complete_part_is_not_read_again(archive, session, data, dest):
    dest.parent.mkdir(parents=True)
    part_path(dest).write_bytes(data)
    fetch_file(session, REMOTE, dest)
    assert archive.reads == []
    assert dest.read_bytes() == data


def test_part_longer_than_the_remote_file_is_restarted(archive, session, data, dest):
    dest.parent.mkdir(parents=True)
    part_path(dest).write_bytes(data + b"junk")
    fetch_file(session, REMOTE, dest)
    assert archive.reads == [(REMOTE, 0)]
    assert dest.read_bytes() == data


def test_dropped_connection_keeps_the_bytes_received(archive, session, data, dest):
    archive.drops[REMOTE].append(200)
    with pytest.raises(TransientFetchError, match="connection reset"):
        fetch_file(session, REMOTE, dest)
    assert part_path(dest).read_bytes() == data[:200]
    assert not dest.exists()


def test_stream_ending_early_is_a_transient_short_transfer(archive, session, data, dest):
    archive.truncations[REMOTE].append(500)
    with pytest.raises(TransientFetchError, match=f"500 of {len(data)} bytes"):
        fetch_file(session, REMOTE, dest)
    assert part_path(dest).stat().st_size == 500
    assert not dest.exists()


def test_more_bytes_than_announced_fails_verification_and_drops_the_part(archive, session,
                                                                          dest):
    archive.extra[REMOTE] = 1
    with pytest.raises(VerificationError, match="received"):
        fetch_file(session, REMOTE, dest)
    assert not part_path(dest).exists() and not dest.exists()


def test_checksum_mismatch_deletes_the_part(archive, session, data, dest):
    archive.corruptions[REMOTE] = 1
    with pytest.raises(VerificationError, match="checksum mismatch"):
        fetch_file(session, REMOTE, dest, checksum=sha256(data))
    assert not part_path(dest).exists() and not dest.exists()


def test_size_different_from_expected_fails_verification(session, data, dest):
    with pytest.raises(VerificationError, match="expected"):
        fetch_file(session, REMOTE, dest, expected_size=len(data) + 1)


def test_product_error_from_verify_is_a_verification_failure(session, dest):
    seen = []

    def verify(path):
        seen.append(path)
        raise FormatError("not HDF5")

    with pytest.raises(VerificationError, match="not HDF5") as info:
        fetch_file(session, REMOTE, dest, verify=verify)
    assert isinstance(info.value.__cause__, FormatError)
    assert seen == [part_path(dest)]  # verified before it is renamed into place
    assert not part_path(dest).exists() and not dest.exists()


def test_verification_error_from_verify_passes_through(session, dest):
    def verify(path):
        raise VerificationError("dataset missing")

    with pytest.raises(VerificationError, match="dataset missing"):
        fetch_file(session, REMOTE, dest, verify=verify)
    assert not part_path(dest).exists()


def test_missing_remote_file_is_not_published(session, dest):
    with pytest.raises(NotPublishedError):
        fetch_file(session, "standard/GCOM-W/nope.h5", dest)


def test_stop_between_blocks_interrupts_and_keeps_the_part(session, dest):
    stop = threading.Event()
    stop.set()
    with pytest.raises(Interrupted):
        fetch_file(session, REMOTE, dest, stop=stop)
    assert part_path(dest).stat().st_size == 64  # one block, then it noticed
    assert not dest.exists()


def test_existing_destination_that_verifies_is_reported_without_a_session(data, dest):
    dest.parent.mkdir(parents=True)
    dest.write_bytes(data)
    assert verified_size(dest, checksum=sha256(data), expected_size=len(data),
                         verify=lambda p: None) == len(data)


@pytest.mark.parametrize("damage", ["checksum", "size", "format"])
def test_existing_destination_that_fails_verification_is_not_trusted(data, dest, damage):
    dest.parent.mkdir(parents=True)
    dest.write_bytes(data[:-1] if damage == "size" else data)

    def verify(path):
        if damage == "format":
            raise FormatError("truncated")

    checksum = sha256(b"other") if damage == "checksum" else sha256(data)
    assert verified_size(dest, checksum=checksum, expected_size=len(data) if damage == "size"
                         else None, verify=verify) is None


def test_missing_destination_is_not_verified(dest):
    assert verified_size(dest) is None


@pytest.mark.parametrize("text", ["abc", "crc99:00", "sha256:xyz", ":00"])
def test_malformed_checksums_are_refused(text):
    with pytest.raises(ValueError):
        parse_checksum(text)


def test_checksum_algorithm_is_case_insensitive():
    assert parse_checksum("SHA256:AB") == ("sha256", "ab")
