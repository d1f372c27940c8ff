"""Hostile RTC zips for the extraction tests: the product's members plus one that must be refused.

Kinds (:data:`HOSTILE_KINDS`):

- ``parent``: an extra member ``<stem>/../escaped.txt`` (a ``..`` component);
- ``absolute``: an extra member ``/var/swathkit-escaped.txt``;
- ``symlink``: the ISO metadata member is a symbolic link to ``/etc/passwd``;
- ``bomb``: the ISO metadata member's headers declare 2 GiB from a few hundred
  deflated bytes (a member far larger than its compressed size).

The archive publishes such a zip as it is: its CMR record carries this zip's size
and MD5, so the download verifies and only the extraction can refuse it.
"""

from __future__ import annotations

import stat
import struct
import zipfile
from pathlib import Path

from swathkit.sim.cmr.alos import Scene
from swathkit.sim.cmr.rtc_zip import member_info, rtc_members

__all__ = ["HOSTILE_KINDS", "write_hostile_zip"]

HOSTILE_KINDS = ("parent", "absolute", "symlink", "bomb")
_BOMB_BYTES = 2 << 30
_CENTRAL = b"PK\x01\x02"


def write_hostile_zip(scene: Scene, target: Path, kind: str, *, pixels: int | None = None,
                      seed: int = 0) -> Path:
    """Write the scene's zip with the ``kind`` of hostile member; returns ``target``.

    Raises:
        ValueError: an unknown kind.
    """
    if kind not in HOSTILE_KINDS:
        raise ValueError(f"unknown hostile zip kind {kind!r}; choose one of "
                         f"{', '.join(HOSTILE_KINDS)}")
    stem = scene.name.stem
    iso = f"{stem}/{stem}.iso.xml"
    stamp = scene.start.timetuple()[:6]
    with zipfile.ZipFile(target, "w") as archive:
        for path, data in rtc_members(scene, pixels=pixels, seed=seed):
            info = member_info(scene, path)
            if kind == "symlink" and path == iso:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                data = b"/etc/passwd"
            archive.writestr(info, data)
        extra = {"parent": f"{stem}/../escaped.txt",
                 "absolute": "/var/swathkit-escaped.txt"}.get(kind)
        if extra is not None:
            info = zipfile.ZipInfo(extra, date_time=stamp)
            info.external_attr = 0o644 << 16
            archive.writestr(info, b"written outside the scene folder\n")
    if kind == "bomb":
        _declare_size(target, iso, _BOMB_BYTES)
    return target


def _declare_size(path: Path, member: str, size: int) -> None:
    """Rewrite the uncompressed size of ``member`` in its local and central headers."""
    with zipfile.ZipFile(path) as archive:
        offset = archive.getinfo(member).header_offset
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, offset + 22, size)
    name = member.encode()
    at = data.find(_CENTRAL)
    while at >= 0:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46:at + 46 + name_len]) == name:
            struct.pack_into("<I", data, at + 24, size)
            break
        at = data.find(_CENTRAL, at + 4)
    path.write_bytes(bytes(data))
