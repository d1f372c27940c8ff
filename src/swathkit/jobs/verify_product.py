"""Verification of a fetched AMSR2 L1B file: it opens and every dataset decodes."""

from __future__ import annotations

from pathlib import Path

import h5py

from swathkit.errors import FormatError, VerificationError
from swathkit.products.hdf5 import open_h5


def verify_l1b(path: Path) -> None:
    """Open the file and read every dataset (HDF5 checksums and filters run on read).

    The transfer engine calls this on the ``.part`` file before renaming it, so
    the name is not checked here.

    Raises:
        VerificationError: the file is not a complete, readable AMSR2 L1 product.
    """
    try:
        with open_h5(path) as f:
            for obj in f.values():
                if isinstance(obj, h5py.Dataset):
                    obj[()]
    except (FormatError, OSError, ValueError, KeyError) as exc:
        raise VerificationError(f"{path.name}: not a sound AMSR2 L1 file ({exc})") from exc
