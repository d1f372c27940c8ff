"""Safe zip extraction: every member checked first, staged, verified, renamed into place.

Hostile zips are built here with ``zipfile`` or by hand (struct-packed headers);
an audit hook records every path written during an extraction, so "nothing
written" is checked directly, not only by listing folders afterwards.
"""

from __future__ import annotations

import os
import re
import stat
import struct
import sys
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from swathkit.errors import CorruptArchiveError, InputError, UnsafeArchiveError
from swathkit.products.alos_rtc.layout import members
from swathkit.products.alos_rtc.names import RtcName
from swathkit.sim.cmr.alos import Scene
from swathkit.sim.cmr.rtc_zip import write_rtc_zip
from swathkit.transfer.extract import extract_zip

KB = 1024
TOP = "top"
EXPECTED = {f"{TOP}/a.bin", f"{TOP}/b.bin"}
CAPS = {"max_member_bytes": 64 * KB, "max_total_bytes": 128 * KB}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_RECORDING: list[list[str]] = []


def _audit(event: str, args: tuple[object, ...]) -> None:
    if not _RECORDING:
        return
    opened = event == "open" and isinstance(args[2], int) and args[2] & _WRITE_FLAGS
    if opened or event in ("os.mkdir", "os.remove", "os.rmdir", "os.truncate"):
        paths = [args[0]]
    elif event == "os.rename":
        paths = [args[0], args[1]]
    else:
        return
    _RECORDING[-1].extend(os.path.abspath(os.fsdecode(p)) for p in paths  # type: ignore[arg-type]
                          if isinstance(p, str | bytes | os.PathLike))


sys.addaudithook(_audit)


@pytest.fixture
def writes() -> Iterator[list[str]]:
    """Every path opened for writing, made, removed or renamed while the test runs."""
    _RECORDING.append([])
    try:
        yield _RECORDING[-1]
    finally:
        _RECORDING.pop()


def _tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def _zip(path: Path, entries: list[tuple[str, bytes]], *, mode: int = 0o644 << 16,
         method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(2010, 1, 1, 0, 0, 0))
            info.compress_type, info.external_attr = method, mode
            archive.writestr(info, data)
    return path


def _good(path: Path) -> Path:
    return _zip(path, [(f"{TOP}/a.bin", b"a" * 500), (f"{TOP}/b.bin", os.urandom(700))])


def _refused(zip_path: Path, dest: Path, writes: list[str], match: str) -> None:
    """Extraction is refused with ``match`` in the reason, and nothing at all is written."""
    before = _tree(zip_path.parent)
    writes.clear()  # building the zip was a write
    with pytest.raises(UnsafeArchiveError, match=match) as caught:
        extract_zip(zip_path, dest, expected=EXPECTED, **CAPS)
    assert str(zip_path) in str(caught.value) and "\n" not in str(caught.value)
    assert writes == []
    assert _tree(zip_path.parent) == before


# --- the good path ------------------------------------------------------------------------


def _scene() -> Scene:
    ring = ((-90.3, 29.8), (-89.6, 29.8), (-89.6, 30.4), (-90.3, 30.4), (-90.3, 29.8))
    start = int(datetime(2010, 6, 1, 16, 30, tzinfo=UTC).timestamp() * 1000)
    return Scene(RtcName(23456, 600), start, "A", 160, (-89.95, 30.1), ring)


def test_an_rtc_zip_extracts_exactly_its_layout(tmp_path: Path) -> None:
    scene = _scene()
    path = write_rtc_zip(scene, tmp_path / scene.name.zip_name, pixels=16)
    layout = members(scene.name)
    required = {name for name, layer in layout.items() if layer.required}
    dest = tmp_path / "scenes"
    result = extract_zip(path, dest, expected=set(layout), required=required,
                         max_member_bytes=1 << 20, max_total_bytes=1 << 22)
    assert result.extracted and result.directory == dest / scene.name.stem
    assert {p.relative_to(dest).as_posix() for p in result.files} == required
    assert _tree(dest) == required | {scene.name.stem}
    with zipfile.ZipFile(path) as archive:
        for file in result.files:
            assert file.read_bytes() == archive.read(file.relative_to(dest).as_posix())
    assert result.size == sum(f.stat().st_size for f in result.files)


def test_a_second_extraction_is_a_no_op(tmp_path: Path, writes: list[str]) -> None:
    path, dest = _good(tmp_path / "good.zip"), tmp_path / "out"
    first = extract_zip(path, dest, expected=EXPECTED, **CAPS)
    stamps = {f: f.stat().st_mtime_ns for f in first.files}
    writes.clear()
    again = extract_zip(path, dest, expected=EXPECTED, **CAPS)
    assert not again.extracted and again.files == first.files
    assert writes == [] and {f: f.stat().st_mtime_ns for f in again.files} == stamps


def test_a_partial_folder_from_an_older_crash_is_replaced(tmp_path: Path) -> None:
    path, dest = _good(tmp_path / "good.zip"), tmp_path / "out"
    (dest / TOP).mkdir(parents=True)
    (dest / TOP / "a.bin").write_bytes(b"a" * 500)
    (dest / TOP / "b.bin").write_bytes(b"half")
    result = extract_zip(path, dest, expected=EXPECTED, **CAPS)
    assert result.extracted and _tree(dest) == {TOP, *EXPECTED}
    with zipfile.ZipFile(path) as archive:
        assert (dest / TOP / "b.bin").read_bytes() == archive.read(f"{TOP}/b.bin")


def test_a_kept_folder_does_not_make_the_top_folder_incomplete(tmp_path: Path,
                                                               writes: list[str]) -> None:
    path, dest = _good(tmp_path / "good.zip"), tmp_path / "out"
    extract_zip(path, dest, expected=EXPECTED, keep=("mine",), **CAPS)
    (dest / TOP / "mine").mkdir()
    (dest / TOP / "mine" / "tile.tif").write_bytes(b"II*\x00 ours")
    writes.clear()
    again = extract_zip(path, dest, expected=EXPECTED, keep=("mine",), **CAPS)
    assert not again.extracted and writes == []
    assert (dest / TOP / "mine" / "tile.tif").read_bytes() == b"II*\x00 ours"


def test_a_replaced_top_folder_carries_the_kept_folder_over(tmp_path: Path) -> None:
    path, dest = _good(tmp_path / "good.zip"), tmp_path / "out"
    (dest / TOP / "mine").mkdir(parents=True)
    (dest / TOP / "mine" / "tile.tif").write_bytes(b"II*\x00 ours")
    (dest / TOP / "b.bin").write_bytes(b"half")
    result = extract_zip(path, dest, expected=EXPECTED, keep=("mine",), **CAPS)
    assert result.extracted and _tree(dest) == {TOP, *EXPECTED, f"{TOP}/mine",
                                                f"{TOP}/mine/tile.tif"}
    assert (dest / TOP / "mine" / "tile.tif").read_bytes() == b"II*\x00 ours"
    assert not [p for p in dest.iterdir() if p.name.startswith(".staging-")]


def test_a_member_named_like_a_kept_entry_is_refused(tmp_path: Path,
                                                    writes: list[str]) -> None:
    path = _zip(tmp_path / "clash.zip", [(f"{TOP}/a.bin", b"a"), (f"{TOP}/mine", b"x")])
    writes.clear()
    with pytest.raises(UnsafeArchiveError, match="kept beside the extracted files"):
        extract_zip(path, tmp_path / "out", expected={*EXPECTED, f"{TOP}/mine"},
                    keep=("mine",), **CAPS)
    assert writes == []


def test_writes_stay_in_the_staging_folder_until_the_final_rename(
        tmp_path: Path, writes: list[str]) -> None:
    path, dest = _good(tmp_path / "good.zip"), tmp_path / "out"
    dest.mkdir()
    writes.clear()
    extract_zip(path, dest, expected=EXPECTED, **CAPS)
    staging = {w for w in writes if w.startswith(str(dest / ".staging-top-"))}
    assert set(writes) - staging == {str(dest / TOP)}  # the rename's target, nothing else


def test_progress_is_reported_per_member(tmp_path: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    extract_zip(_good(tmp_path / "good.zip"), tmp_path / "out", expected=EXPECTED,
                progress=lambda done, total, name: seen.append((done, total, name)), **CAPS)
    assert seen == [(1, 2, f"{TOP}/a.bin"), (2, 2, f"{TOP}/b.bin")]


# --- refused before anything is written ---------------------------------------------------


@pytest.mark.parametrize(("name", "reason"), [
    ("../evil", r"'\.\.' path component"),
    (f"{TOP}/../../evil", r"'\.\.' path component"),
    ("/abs", "absolute path"),
    ("C:/evil", "drive letter"),
    (f"{TOP}\\..\\evil", "backslash"),
    (f"{TOP}/extra.bin", "not in the expected layout"),
    ("evil.bin", "outside the top folder"),
])
def test_bad_member_names_are_refused(tmp_path: Path, writes: list[str], name: str,
                                      reason: str) -> None:
    path = _zip(tmp_path / "bad.zip", [(f"{TOP}/a.bin", b"a"), (name, b"evil")])
    _refused(path, tmp_path / "out", writes, reason)


def test_a_symlink_member_is_refused(tmp_path: Path, writes: list[str]) -> None:
    path = _zip(tmp_path / "link.zip", [(f"{TOP}/a.bin", b"/etc/passwd")],
                mode=(stat.S_IFLNK | 0o777) << 16, method=zipfile.ZIP_STORED)
    _refused(path, tmp_path / "out", writes, "symbolic link")


def test_a_device_member_is_refused(tmp_path: Path, writes: list[str]) -> None:
    path = _zip(tmp_path / "dev.zip", [(f"{TOP}/a.bin", b"")], mode=(stat.S_IFCHR | 0o644) << 16)
    _refused(path, tmp_path / "out", writes, "special file")


def test_a_duplicate_member_is_refused(tmp_path: Path, writes: list[str]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns "Duplicate name"
        path = _zip(tmp_path / "dup.zip", [(f"{TOP}/a.bin", b"1"), (f"{TOP}/a.bin", b"2")])
    _refused(path, tmp_path / "out", writes, "appears twice")


def test_a_member_over_the_cap_is_refused(tmp_path: Path, writes: list[str]) -> None:
    path = _zip(tmp_path / "big.zip", [(f"{TOP}/a.bin", b"\0" * (64 * KB + 1))])
    _refused(path, tmp_path / "out", writes, "per-member cap")


def test_members_over_the_total_cap_are_refused(tmp_path: Path, writes: list[str]) -> None:
    path = _zip(tmp_path / "total.zip", [(f"{TOP}/a.bin", b"\0" * 64 * KB),
                                         (f"{TOP}/b.bin", b"\1" * (64 * KB + 0) + b"!")])
    writes.clear()
    with pytest.raises(UnsafeArchiveError, match="in all, over the cap"):
        extract_zip(path, tmp_path / "out", expected=EXPECTED, max_member_bytes=128 * KB,
                    max_total_bytes=128 * KB)
    assert writes == [] and _tree(tmp_path) == {"total.zip"}


def test_a_missing_required_member_is_refused(tmp_path: Path, writes: list[str]) -> None:
    path = _zip(tmp_path / "short.zip", [(f"{TOP}/a.bin", b"a")])
    writes.clear()
    with pytest.raises(UnsafeArchiveError, match=re.escape("lacks member 'top/b.bin'")):
        extract_zip(path, tmp_path / "out", expected=EXPECTED, required=EXPECTED, **CAPS)
    assert writes == []


def _patch_sizes(path: Path, name: str, size: int) -> None:
    """Rewrite a member's uncompressed size in its local and central headers."""
    with zipfile.ZipFile(path) as archive:
        info, pos = archive.getinfo(name), archive.start_dir
    data = bytearray(path.read_bytes())
    struct.pack_into("<L", data, info.header_offset + 22, size)
    while data[pos + 46:pos + 46 + len(name)] != name.encode():  # walk the central entries
        pos += 46 + sum(struct.unpack_from("<3H", data, pos + 28))
    struct.pack_into("<L", data, pos + 24, size)
    path.write_bytes(bytes(data))


def test_a_header_declaring_less_than_its_data_is_refused(tmp_path: Path,
                                                          writes: list[str]) -> None:
    path = _zip(tmp_path / "liar.zip", [(f"{TOP}/a.bin", os.urandom(40 * KB))])
    _patch_sizes(path, f"{TOP}/a.bin", 100)
    _refused(path, tmp_path / "out", writes, "the header lies")


def _local(name: bytes, data: bytes) -> bytes:
    return struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0x21, zlib.crc32(data),
                       len(data), len(data), len(name), 0) + name + data


def _central(name: bytes, data: bytes, offset: int) -> bytes:
    return struct.pack("<4s4B4H3L5H2L", b"PK\x01\x02", 20, 3, 20, 0, 0, 0, 0, 0x21,
                       zlib.crc32(data), len(data), len(data), len(name), 0, 0, 0, 0,
                       0o100644 << 16, offset) + name


def test_an_overlapped_entry_zip_bomb_is_refused(tmp_path: Path, writes: list[str]) -> None:
    # CVE-2024-0450: member a's stored data *is* member b (header and data), so the two
    # central entries share bytes; repeated, this multiplies output without bound
    inner = _local(b"top/b.bin", b"B" * 200)
    outer = _local(b"top/a.bin", inner)
    directory = (_central(b"top/a.bin", inner, 0)
                 + _central(b"top/b.bin", b"B" * 200, len(outer) - len(inner)))
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 2, 2, len(directory), len(outer), 0)
    path = tmp_path / "bomb.zip"
    path.write_bytes(outer + directory + end)
    assert zipfile.ZipFile(path).testzip() is None  # this Python's zipfile sees no problem
    _refused(path, tmp_path / "out", writes, "overlaps member 'top/b.bin'")


def test_a_member_overlapping_the_central_directory_is_refused(tmp_path: Path,
                                                               writes: list[str]) -> None:
    data = b"A" * 100
    local = _local(b"top/a.bin", data)[:-10]  # declares 100 bytes, the directory follows at 90
    directory = _central(b"top/a.bin", data, 0)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), len(local), 0)
    path = tmp_path / "cd.zip"
    path.write_bytes(local + directory + end)
    _refused(path, tmp_path / "out", writes, "overlaps the central directory")


def test_an_entry_pointing_before_the_file_is_corrupt(tmp_path: Path, writes: list[str]) -> None:
    data = b"A" * 100
    local = _local(b"top/a.bin", data)
    directory = _central(b"top/a.bin", data, 0)
    # the end record puts the directory 10 bytes past where it is: every offset shifts by -10
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), len(local) + 10, 0)
    path = tmp_path / "shift.zip"
    path.write_bytes(local + directory + end)
    writes.clear()
    with pytest.raises(CorruptArchiveError, match="has no local header"):
        extract_zip(path, tmp_path / "out", expected=EXPECTED, **CAPS)
    assert writes == []


# --- failing midway leaves nothing behind -------------------------------------------------


def test_a_member_failing_its_crc_leaves_no_debris(tmp_path: Path, writes: list[str]) -> None:
    path = _zip(tmp_path / "crc.zip", [(f"{TOP}/a.bin", b"a" * 500),
                                       (f"{TOP}/b.bin", b"b" * 500)], method=zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    data[data.rindex(b"b" * 500) + 250] ^= 0xFF
    path.write_bytes(bytes(data))
    dest = tmp_path / "out"
    writes.clear()
    with pytest.raises(CorruptArchiveError, match=re.escape("'top/b.bin' is damaged")):
        extract_zip(path, dest, expected=EXPECTED, **CAPS)
    assert any(w.endswith("a.bin") for w in writes)  # it failed midway, after a.bin
    assert _tree(tmp_path) == {"crc.zip", "out"} and not any(dest.iterdir())


def test_data_beyond_the_declared_size_fails_without_debris(tmp_path: Path) -> None:
    # compressible data deflates small, so a declared size of 1000 looks plausible
    path = _zip(tmp_path / "long.zip", [(f"{TOP}/a.bin", b"\0" * 50 * KB)])
    _patch_sizes(path, f"{TOP}/a.bin", 1000)
    with pytest.raises(CorruptArchiveError, match=re.escape("'top/a.bin'")):
        extract_zip(path, tmp_path / "out", expected=EXPECTED, **CAPS)
    assert _tree(tmp_path) == {"long.zip", "out"}


def test_an_interruption_midway_leaves_no_debris(tmp_path: Path) -> None:
    def stop(done: int, total: int, name: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        extract_zip(_good(tmp_path / "good.zip"), tmp_path / "out", expected=EXPECTED,
                    progress=stop, **CAPS)
    assert _tree(tmp_path) == {"good.zip", "out"}


def test_not_a_zip_is_a_corrupt_archive(tmp_path: Path) -> None:
    path = tmp_path / "AP_00001_FBD_F0001_RT1.zip"
    path.write_bytes(b"<html>maintenance</html>")
    with pytest.raises(CorruptArchiveError, match="not a readable zip"):
        extract_zip(path, tmp_path / "out", expected=EXPECTED, **CAPS)


def test_a_missing_zip_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such zip"):
        extract_zip(tmp_path / "nope.zip", tmp_path / "out", expected=EXPECTED, **CAPS)
