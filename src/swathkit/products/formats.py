"""File formats by their first bytes: the magic numbers of HDF5 and NetCDF, product-free.

HDF5 files start with ``\\x89HDF\\r\\n\\x1a\\n``, and so do NetCDF-4 files (a
NetCDF-4 file is an HDF5 file); NetCDF classic files start with ``CDF\\x01`` (or
``\\x02``, 64-bit offsets; ``\\x05``, 64-bit data). Product modules check their
container here; :mod:`swathkit.products.registry` adds the name grammars on top.
"""

from __future__ import annotations

import os
from pathlib import Path

from swathkit.errors import InputError

__all__ = ["HDF5_MAGIC", "MAGIC", "TIFF_MAGIC", "container", "is_tiff", "read_head",
           "require_file", "sniff"]

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
MAGIC: tuple[tuple[bytes, str], ...] = (
    (HDF5_MAGIC, "hdf5"), (b"CDF\x01", "netcdf3"), (b"CDF\x02", "netcdf3"),
    (b"CDF\x05", "netcdf3"))
"""First bytes → container: ``hdf5`` (HDF5 and NetCDF-4) or ``netcdf3`` (NetCDF classic)."""
TIFF_MAGIC = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
"""First bytes of a TIFF or BigTIFF (GeoTIFFs and COGs), little- or big-endian."""


def is_tiff(head: bytes) -> bool:
    """Whether ``head`` (a file's first bytes) starts a TIFF or BigTIFF."""
    return head.startswith(TIFF_MAGIC)


def require_file(path: str | os.PathLike[str]) -> Path:
    """``path``, after checking it is a file this process can read.

    Raises:
        InputError: no such file, a folder, or a file that cannot be read.
    """
    read_head(Path(path))
    return Path(path)


def sniff(path: str | os.PathLike[str]) -> str | None:
    """The container its first bytes show (``"hdf5"``, ``"netcdf3"``), or None.

    Raises:
        InputError: no such file, a folder, or a file that cannot be read.
    """
    return container(read_head(Path(path)))


def read_head(path: Path) -> bytes:
    """The first 8 bytes of ``path``, or a one-line InputError (missing, folder, unreadable)."""
    try:
        with path.open("rb") as f:
            return f.read(8)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: a folder, not a file; give one of its files") from None
    except OSError as exc:
        if path.is_dir():  # (Windows says "permission denied" for a folder)
            raise InputError(f"{path}: a folder, not a file; give one of its files") from None
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None


def container(head: bytes) -> str | None:
    """The container ``head`` shows (``"hdf5"``, ``"netcdf3"``), or None."""
    return next((kind for magic, kind in MAGIC if head.startswith(magic)), None)
