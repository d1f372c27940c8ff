"""Verification of a fetched AMSR2 L1B file: a whole HDF5 product with consistent shapes."""

from __future__ import annotations

from pathlib import Path

import h5py

from swathkit.errors import FormatError, InputError, ProductError, VerificationError
from swathkit.products.amsr2.names import parse_name
from swathkit.products.formats import sniff
from swathkit.products.hdf5 import open_h5

REQUIRED = ("Scan Time", "Latitude of Observation Point for 89A",
            "Longitude of Observation Point for 89A")


def verify_l1b(path: Path) -> None:
    """Check a fetched file is a whole AMSR2 L1 product: name, HDF5 signature, structure.

    Cheap on purpose (the size was checked against the server's before): the
    extraction that follows decodes every dataset it keeps and checks its values.
    The transfer engine calls this on ``<name>.part``: the name judged is ``<name>``.

    Raises:
        VerificationError: the file is not a complete, readable AMSR2 L1 product.
    """
    try:
        if sniff(path) != "hdf5":
            raise FormatError(f"{path}: not an HDF5 file (its first bytes say otherwise)")
        parse_name(path.name.removesuffix(".part"))
        with open_h5(path) as f:
            missing = [name for name in REQUIRED if name not in f]
            if missing:
                raise FormatError(f"datasets {missing} are missing")
            n_scans = f["Scan Time"].shape[0]
            if f["Scan Time"][()].shape != (n_scans,) or n_scans == 0:
                raise FormatError("no scan times")
            for obj in f.values():  # every swath dataset has a scan axis first or second
                if isinstance(obj, h5py.Dataset) and n_scans not in obj.shape[:2]:
                    raise FormatError(f"{obj.name} has shape {obj.shape}, not {n_scans} scans")
    except (ProductError, InputError, OSError, ValueError, KeyError) as exc:
        raise VerificationError(f"{path.name}: not a sound AMSR2 L1 file ({exc})") from exc
