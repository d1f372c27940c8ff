"""Check every member of a zip before extracting any: names, kinds, sizes, overlaps.

Python's ``zipfile`` (3.11, 3.12) neither limits sizes nor refuses overlapped
entries (CVE-2024-0450: many central-directory entries pointing into the same
compressed data, a quadratic zip bomb), and it drops ``..`` or absolute paths
silently instead of refusing them. :func:`check_zip` refuses all of these
with :class:`~swathkit.errors.UnsafeArchiveError` naming the zip and the
member, reading only the central directory and each 30-byte local header.
"""

from __future__ import annotations

import itertools
import re
import stat
import struct
import zipfile
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import BinaryIO, TypeAlias

from swathkit.errors import CorruptArchiveError, UnsafeArchiveError

__all__ = ["Caps", "Expected", "Plan", "check_zip"]

Expected: TypeAlias = Callable[[str], bool] | Collection[str]
"""The member names a zip may hold: a set of full names or a predicate on a name."""

LOCAL_HEADER = 30
LOCAL_SIGNATURE = b"PK\x03\x04"
DESCRIPTOR_SIGNATURE = b"PK\x07\x08"
FLAG_ENCRYPTED = 0x01
FLAG_DESCRIPTOR = 0x08
FLAG_UTF8 = 0x800
METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}  # what products use; errors stay typed
DEFLATE_MAX_RATIO = 1032  # deflate cannot expand data more than this
_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class Caps:
    """Limits on what a zip may declare.

    Attributes:
        member_bytes: Largest uncompressed size of one member.
        total_bytes: Largest sum of uncompressed sizes.
        ratio: Largest uncompressed/compressed ratio of one member (deflate cannot exceed
            1032, so a larger declared ratio is a lying header).
    """

    member_bytes: int
    total_bytes: int
    ratio: float = float(DEFLATE_MAX_RATIO)


@dataclass(frozen=True)
class Plan:
    """A zip that passed every check: its one top folder and its file members."""

    top: str
    files: tuple[zipfile.ZipInfo, ...]
    total: int


def check_zip(archive: zipfile.ZipFile, raw: BinaryIO, label: str, *, expected: Expected,
              required: Collection[str], caps: Caps) -> Plan:
    """Check every member of ``archive`` (whose bytes ``raw`` reads) before extraction.

    Raises:
        UnsafeArchiveError: a member breaks the layout or a rule; the message names it.
        CorruptArchiveError: a local header is missing or damaged.
    """
    infos = archive.infolist()
    top = _top(infos, expected, label)
    allowed = expected if callable(expected) else set(expected).__contains__
    seen: set[str] = set()
    files: list[zipfile.ZipInfo] = []
    for info in infos:
        problem = _member_problem(info, top, allowed, seen, caps)
        if problem:
            raise UnsafeArchiveError(f"{label}: member {info.filename!r} {problem}")
        if not info.is_dir():
            files.append(info)
    missing = sorted(set(required) - {info.filename for info in files})
    if missing:
        raise UnsafeArchiveError(f"{label}: lacks member {missing[0]!r} of the expected layout")
    total = sum(info.file_size for info in files)
    if total > caps.total_bytes:
        raise UnsafeArchiveError(f"{label}: members declare {total} bytes in all, over the cap "
                                 f"of {caps.total_bytes}")
    _check_overlaps(infos, raw, label, archive.start_dir)
    return Plan(top, tuple(files), total)


def _top(infos: list[zipfile.ZipInfo], expected: Expected, label: str) -> str:
    """The one top folder: that of the expected names, else that of the first member."""
    names = [info.filename for info in infos] if callable(expected) else list(expected)
    if not names:
        raise UnsafeArchiveError(f"{label}: is empty")
    tops = {name.split("/", 1)[0] for name in names[:1 if callable(expected) else None]}
    if len(tops) != 1:
        raise UnsafeArchiveError(f"{label}: the expected layout has {len(tops)} top folders, "
                                 "not one")
    return tops.pop()


def _member_problem(info: zipfile.ZipInfo, top: str, allowed: Callable[[str], bool],
                    seen: set[str], caps: Caps) -> str | None:
    name = info.filename
    problem = (_name_problem(info) or _kind_problem(info) or _size_problem(info, caps))
    if problem:
        return problem
    if name.casefold() in seen:
        return "appears twice"
    seen.add(name.casefold())
    if name == f"{top}/" and info.is_dir():
        return None
    if not name.startswith(f"{top}/"):
        return f"is outside the top folder {top}/"
    if not allowed(name):
        return "is not in the expected layout"
    return None


def _name_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    if info.orig_filename != name or any(ord(c) < 32 for c in name):
        return "has a control character in its name"
    if "\\" in name:
        return "has a backslash in its name"
    if name.startswith("/"):
        return "is an absolute path"
    if _DRIVE.match(name):
        return "starts with a drive letter"
    if any(part in ("", ".", "..") for part in name.removesuffix("/").split("/")):
        return "has an empty, '.' or '..' path component"
    return None


def _kind_problem(info: zipfile.ZipInfo) -> str | None:
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind == stat.S_IFLNK:
        return "is a symbolic link"
    if kind not in (0, stat.S_IFDIR if info.is_dir() else stat.S_IFREG):
        return f"is a special file (mode {kind:#o})"
    if info.is_dir() and info.file_size:
        return "is a directory with data"
    if info.flag_bits & FLAG_ENCRYPTED:
        return "is encrypted"
    if info.compress_type not in METHODS:
        return f"uses unsupported compression method {info.compress_type}"
    return None


def _size_problem(info: zipfile.ZipInfo, caps: Caps) -> str | None:
    size, packed = info.file_size, info.compress_size
    if size > caps.member_bytes:
        return f"declares {size} bytes, over the per-member cap of {caps.member_bytes}"
    if info.compress_type == zipfile.ZIP_STORED and size != packed:
        return f"is stored but declares {size} bytes from {packed}: the header lies"
    if info.compress_type == zipfile.ZIP_DEFLATED and packed > size + (size >> 10) + 64:
        return f"declares {size} bytes from {packed} deflated ones: the header lies"
    if size > caps.ratio * max(packed, 1):
        return f"declares a compression ratio over {caps.ratio:g}:1 ({size} from {packed})"
    return None


def _check_overlaps(infos: list[zipfile.ZipInfo], raw: BinaryIO, label: str,
                    central: int) -> None:
    """Each member's local header + data must end before the next one and the directory."""
    spans = sorted((info.header_offset, _end(info, raw, label), info.filename) for info in infos)
    for (_, end, name), (start, _, after) in itertools.pairwise(spans):
        if end > start:
            raise UnsafeArchiveError(f"{label}: member {name!r} overlaps member {after!r} "
                                     "(an overlapped-entry zip bomb)")
    if spans and spans[-1][1] > central:
        raise UnsafeArchiveError(f"{label}: member {spans[-1][2]!r} overlaps the central "
                                 "directory")


def _end(info: zipfile.ZipInfo, raw: BinaryIO, label: str) -> int:
    header = b""
    if info.header_offset >= 0:
        raw.seek(info.header_offset)
        header = raw.read(LOCAL_HEADER)
    if len(header) < LOCAL_HEADER or header[:4] != LOCAL_SIGNATURE:
        raise CorruptArchiveError(f"{label}: member {info.filename!r} has no local header")
    lengths: tuple[int, int] = struct.unpack_from("<HH", header, 26)
    name_len, extra_len = lengths
    encoding = "utf-8" if info.flag_bits & FLAG_UTF8 else "cp437"
    if raw.read(name_len) != info.orig_filename.encode(encoding):
        raise UnsafeArchiveError(f"{label}: member {info.filename!r} has another name in its "
                                 "local header")
    end = info.header_offset + LOCAL_HEADER + name_len + extra_len + info.compress_size
    if info.flag_bits & FLAG_DESCRIPTOR:
        raw.seek(end)
        signed = raw.read(4) == DESCRIPTOR_SIGNATURE
        zip64 = max(info.file_size, info.compress_size) >= zipfile.ZIP64_LIMIT
        end += 4 * signed + 4 + (16 if zip64 else 8)
    return end
