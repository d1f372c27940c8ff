"""Verification of a fetched Bremen ASI file: a whole grid of its grid's shape.

Two depths: ``decode=False`` checks the name and the structure as the reader
does (:func:`swathkit.products.asi.reader.check_asi_file`: variables, shapes,
x/y on the grid), for a file that verified before and has not been written
since; ``decode=True`` (after a download, or for a file changed since) also
inflates every compressed chunk of ``z``, which catches a flipped byte anywhere
in the data (each deflate stream carries a checksum).

Inflating is done with :mod:`zlib` on the raw chunks when ``z`` is deflated
(the Bremen files are), so the work runs outside h5py's global lock and the
GIL, in parallel across the transfer workers; other layouts are read whole.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import h5py

from swathkit.errors import FormatError, InputError, ProductError, VerificationError
from swathkit.products.asi.names import parse_asi_name
from swathkit.products.asi.reader import check_asi_file
from swathkit.products.formats import sniff

__all__ = ["verify_asi_file"]


def verify_asi_file(path: str | Path, *, decode: bool = True) -> None:
    """Check a file is a whole ASI grid: ``x``, ``y``, ``z`` of its grid's shape and cells.

    The grid comes from the file name (a ``.part`` suffix is ignored).

    Args:
        path: The file.
        decode: Also decompress all of ``z`` (catches corrupted data bytes).

    Raises:
        VerificationError: the name is not an ASI name, or the content is not a whole grid.
    """
    path = Path(path)
    name = path.name.removesuffix(".part")  # a download before its rename
    try:
        if sniff(path) != "hdf5":
            raise FormatError(f"{path}: not a NetCDF-4 file (its first bytes say otherwise)")
        parse_asi_name(name)
        check_asi_file(path, name=name)
    except (ProductError, InputError) as exc:  # their messages name the file
        raise VerificationError(str(exc)) from exc
    if not decode:
        return
    try:
        with h5py.File(path, "r") as f:
            chunks = _raw_chunks(f["z"])
            if chunks is None:
                f["z"][()]  # not plainly deflated: let HDF5 run its filters
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise VerificationError(f"{path.name}: not a readable ASI grid ({exc})") from exc
    for k, raw in enumerate(chunks or []):
        try:
            zlib.decompress(raw)  # releases the GIL: workers verify in parallel
        except zlib.error as exc:
            raise VerificationError(f"{path.name}: chunk {k} of z does not inflate ({exc}); "
                                    "the file is corrupt") from exc


def _raw_chunks(z: h5py.Dataset) -> list[bytes] | None:
    """The raw chunks of ``z`` if deflate is the last filter of its pipeline, else None.

    Filters before deflate (shuffle) do not matter: inflating checks the stream.
    """
    dsid = z.id
    plist = dsid.get_create_plist()
    filters = [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]
    if z.chunks is None or not filters or filters[-1] != h5py.h5z.FILTER_DEFLATE:
        return None
    chunks = []
    for index in range(dsid.get_num_chunks()):
        info = dsid.get_chunk_info(index)
        mask, raw = dsid.read_direct_chunk(info.chunk_offset)
        if mask:  # a filter was skipped for this chunk: not a plain deflate stream
            return None
        chunks.append(raw)
    if len(chunks) != _chunk_count(z):
        raise VerificationError(f"z has {len(chunks)} of {_chunk_count(z)} chunks written")
    return chunks


def _chunk_count(z: h5py.Dataset) -> int:
    count = 1
    for size, chunk in zip(z.shape, z.chunks or z.shape, strict=True):
        count *= -(-size // chunk)
    return count
