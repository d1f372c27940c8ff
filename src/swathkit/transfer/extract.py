"""Extract a zip without losing or leaking a byte: check, stage, verify, rename into place.

Every member is checked first (:mod:`swathkit.transfer.zipcheck`); nothing is
written unless all pass. Members then stream into a fresh staging folder
``<dest>/.staging-<top>-<random>/`` (same filesystem as ``dest``), counted
against their declared sizes and verified against their CRC, and the staged
top folder is renamed onto ``<dest>/<top>``. The staging folder is removed on
every path, success or failure. A top folder already in place with exactly the
zip's files (names, sizes, CRCs) is left alone, so a re-run is a no-op; one left
incomplete by an older crash is replaced.

A caller that keeps its own entries inside the top folder (``pairs download`` puts the
DSWE tiles in ``<scene>/usgs_dswe/``) names them in ``keep``: they are not the zip's,
so the completeness check ignores them, and when the folder is replaced they are moved
into the new one. A zip holding such a name is refused.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from swathkit.errors import CorruptArchiveError, InputError, UnsafeArchiveError
from swathkit.transfer.zipcheck import DEFLATE_MAX_RATIO, Caps, Expected, Plan, check_zip
from swathkit.types import Progress

__all__ = ["ExtractResult", "extract_zip"]

log = logging.getLogger(__name__)

CHUNK = 1 << 20
STAGING_PREFIX = ".staging-"


@dataclass(frozen=True)
class ExtractResult:
    """What :func:`extract_zip` left in place.

    Attributes:
        directory: The zip's top folder inside the destination.
        files: Every extracted file, in the zip's order.
        size: Their bytes in all.
        extracted: False when the folder was already in place and complete.
    """

    directory: Path
    files: tuple[Path, ...]
    size: int
    extracted: bool


def extract_zip(zip_path: Path, dest_dir: Path, *, expected: Expected,
                max_member_bytes: int, max_total_bytes: int,
                required: Collection[str] = (), max_ratio: float = DEFLATE_MAX_RATIO,
                staging_dir: Path | None = None, keep: Collection[str] = (),
                progress: Progress | None = None) -> ExtractResult:
    """Extract ``zip_path``'s one top folder into ``dest_dir``, safely and atomically.

    Args:
        zip_path: The zip.
        dest_dir: Where its top folder goes (created if missing).
        expected: The member names allowed (full names such as ``stem/stem_HH.tif``),
            or a predicate on a name; a top-folder directory entry is always allowed.
        max_member_bytes: Cap on one member's uncompressed size.
        max_total_bytes: Cap on the sum.
        required: Names that must be present.
        max_ratio: Cap on one member's compression ratio.
        staging_dir: Parent of the staging folder (default ``dest_dir``; same filesystem).
        keep: Names of the caller's own entries directly inside the top folder, left
            in place (and carried over when the folder is replaced).
        progress: ``progress(done, total, member)`` after each member.

    Example:
        >>> extract_zip(Path("AP_10783_FBD_F0920_RT1.zip"), Path("scenes"),  # doctest: +SKIP
        ...             expected=set(layout), max_member_bytes=2**30, max_total_bytes=2**32)

    Raises:
        InputError: ``zip_path`` is not a file, or ``staging_dir`` is on another filesystem.
        UnsafeArchiveError: a member was refused (nothing was written).
        CorruptArchiveError: not a zip, or a member's bytes are damaged (nothing was left).
    """
    zip_path, dest_dir = Path(zip_path), Path(dest_dir)
    if not zip_path.is_file():
        raise InputError(f"{zip_path}: no such zip file; check the path")
    label = str(zip_path)
    caps = Caps(max_member_bytes, max_total_bytes, max_ratio)
    with _open(zip_path) as archive, zip_path.open("rb") as raw:
        plan = check_zip(archive, raw, label, expected=expected, required=required, caps=caps)
        _check_keep(plan, keep, label)
        target = dest_dir / plan.top
        files = tuple(dest_dir / info.filename for info in plan.files)
        if _complete(target, plan, dest_dir, keep):
            log.info("%s: already extracted in %s", label, target)
            return ExtractResult(target, files, plan.total, extracted=False)
        if not dest_dir.is_dir():
            dest_dir.mkdir(parents=True, exist_ok=True)
        staging = _staging(dest_dir, staging_dir, plan.top)
        try:
            _write_all(archive, plan, staging, label, progress)
            _swap(staging / plan.top, target, staging, keep)
        finally:
            shutil.rmtree(staging)
    log.info("%s: extracted %d files (%d bytes) into %s", label, len(files), plan.total, target)
    return ExtractResult(target, files, plan.total, extracted=True)


def _open(zip_path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(zip_path)
    except zipfile.BadZipFile as exc:
        raise CorruptArchiveError(f"{zip_path}: is not a readable zip ({exc})") from exc


def _staging(dest_dir: Path, staging_dir: Path | None, top: str) -> Path:
    parent = dest_dir if staging_dir is None else Path(staging_dir)
    if not parent.is_dir():
        parent.mkdir(parents=True, exist_ok=True)
    if parent.stat().st_dev != dest_dir.stat().st_dev:
        raise InputError(f"{parent}: the staging folder must be on the filesystem of "
                         f"{dest_dir} so that the final rename is atomic; pick one there")
    return Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}{top}-", dir=parent))


def _write_all(archive: zipfile.ZipFile, plan: Plan, staging: Path, label: str,
               progress: Progress | None) -> None:
    (staging / plan.top).mkdir()
    for done, info in enumerate(plan.files, 1):
        path = staging / info.filename
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_member(archive, info, path, label)
        if progress is not None:
            progress(done, len(plan.files), info.filename)


def _write_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path,
                  label: str) -> None:
    """Stream one member, never more bytes than it declares; zipfile checks the CRC."""
    written = 0
    try:
        with archive.open(info) as src, path.open("xb") as dst:
            while chunk := src.read(CHUNK):
                written += len(chunk)
                if written > info.file_size:
                    raise UnsafeArchiveError(f"{label}: member {info.filename!r} yields more "
                                             f"than the {info.file_size} bytes it declares")
                dst.write(chunk)
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise CorruptArchiveError(f"{label}: member {info.filename!r} is damaged "
                                  f"({exc})") from exc
    if written != info.file_size:
        raise CorruptArchiveError(f"{label}: member {info.filename!r} holds {written} bytes, "
                                  f"not the {info.file_size} it declares")


def _check_keep(plan: Plan, keep: Collection[str], label: str) -> None:
    for name in keep:
        if "/" in name or name in ("", ".", ".."):
            raise ValueError(f"keep names entries of the top folder, not {name!r}")
    ours = {info.filename.split("/")[1] for info in plan.files}
    clash = sorted(ours & set(keep))
    if clash:
        raise UnsafeArchiveError(f"{label}: member {plan.top}/{clash[0]} would replace an "
                                 "entry kept beside the extracted files")


def _complete(target: Path, plan: Plan, dest_dir: Path, keep: Collection[str]) -> bool:
    """``target`` holds exactly the zip's files (and the kept entries), as regular files
    with their sizes and CRCs."""
    if target.is_symlink() or not target.is_dir():
        return False
    wanted = {info.filename for info in plan.files}
    wanted |= {parent.as_posix() for name in wanted for parent in Path(name).parents}
    found = {plan.top}
    for root, dirs, names in os.walk(target):
        if Path(root) == target:
            dirs[:] = [d for d in dirs if d not in keep]  # the caller's: not walked
            names = [n for n in names if n not in keep]
        found |= {(Path(root) / n).relative_to(dest_dir).as_posix() for n in (*dirs, *names)}
    return found == wanted - {"."} and all(_same(dest_dir / i.filename, i) for i in plan.files)


def _same(path: Path, info: zipfile.ZipInfo) -> bool:
    status = path.lstat()
    if not stat.S_ISREG(status.st_mode) or status.st_size != info.file_size:
        return False
    crc = 0
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            crc = zlib.crc32(block, crc)
    return crc == info.CRC


def _swap(staged: Path, target: Path, staging: Path, keep: Collection[str]) -> None:
    """Put ``staged`` at ``target``; an incomplete old ``target`` goes into ``staging``,
    its kept entries into ``staged`` first."""
    if os.path.lexists(target):
        if target.is_dir() and not target.is_symlink():
            for name in keep:
                if os.path.lexists(target / name):
                    (target / name).replace(staged / name)
        target.replace(staging / ".replaced")
    staged.replace(target)
