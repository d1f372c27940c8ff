"""Which product a file is (magic bytes first, then the name grammar), and the folder finder.

:data:`PRODUCTS` is the declarative table: one :class:`ProductSpec` per product (its
id, its file format, the shape of its names and the grammar that parses them). A
product added later (DSWE, ALOS) is one more row; SMAP adds one per product of
its table (:data:`swathkit.products.smap.SMAP_PRODUCTS`).

- :func:`identify` gives the :class:`ProductFile` of one path, or a one-line error: a
  missing path, a folder, an unreadable file (:class:`~swathkit.errors.InputError`),
  bytes that are no format of the table (:class:`~swathkit.errors.FormatError`), a
  name that no product's grammar accepts (:class:`~swathkit.errors.FileNameError`).
- :func:`find_products` is the one way to find product files in a folder.

Magic bytes: HDF5 files start with ``\\x89HDF\\r\\n\\x1a\\n``, and so do NetCDF-4 files
(a NetCDF-4 file is an HDF5 file); NetCDF classic files start with ``CDF\\x01`` (or
``\\x02``, 64-bit offsets; ``\\x05``, 64-bit data).
"""

from __future__ import annotations

import fnmatch
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from swathkit.errors import FileNameError, FormatError, InputError, ProductError
from swathkit.products.amsr2.names import GranuleName, parse_name
from swathkit.products.asi.names import AsiName, parse_asi_name
from swathkit.products.formats import container, read_head
from swathkit.products.smap.names import SmapName, parse_smap_name
from swathkit.products.smap.table import SMAP_PRODUCTS

log = logging.getLogger(__name__)

CONTAINER = {"hdf5": "hdf5", "netcdf4": "hdf5", "netcdf3": "netcdf3"}
"""Each file format → the container its first bytes show."""

FORMAT_TITLES = {"hdf5": "an HDF5", "netcdf4": "a NetCDF-4", "netcdf3": "a NetCDF classic"}
_CONTAINER_TITLES = {"hdf5": "an HDF5 (or NetCDF-4)", "netcdf3": "a NetCDF classic"}
_SKIPPED_SUFFIXES = (".part",)  # downloads in progress


@dataclass(frozen=True)
class ProductSpec:
    """How the files of one product are recognised.

    Attributes:
        product: The product id catalogues and stores use, e.g. ``"amsr2-l1b"``.
        format: Its file format: ``"hdf5"``, ``"netcdf4"`` or ``"netcdf3"``.
        pattern: Glob its file names match (a name that does not is not tried).
        parse: The name grammar: the parsed name, or a :class:`FileNameError`.
        example: A real file name, for messages.
    """

    product: str
    format: str
    pattern: str
    parse: Callable[[str], GranuleName | AsiName | SmapName]
    example: str

    def names_it(self, name: str) -> bool:
        """Whether ``name`` has the shape of this product's file names."""
        return fnmatch.fnmatchcase(name, self.pattern)


PRODUCTS: tuple[ProductSpec, ...] = (
    ProductSpec("amsr2-l1b", "hdf5", "GW1AM2_*_L1??BTB*", parse_name,
                "GW1AM2_202202160037_181D_L1SGBTBR_2220220.h5"),
    ProductSpec("amsr2-l1r", "hdf5", "GW1AM2_*_L1??RTB*", parse_name,
                "GW1AM2_202202160037_181D_L1SGRTBR_2220220.h5"),
    ProductSpec("asi-amsr2", "netcdf4", "asi-AMSR2-*.nc", parse_asi_name,
                "asi-AMSR2-n3125-20240417-v5.4.nc"),
    *(ProductSpec(p.product_id, "hdf5", p.pattern, parse_smap_name, p.example)
      for p in SMAP_PRODUCTS),
)


@dataclass(frozen=True)
class ProductFile:
    """A file recognised as a product.

    Attributes:
        path: The file.
        product: Product id, e.g. ``"asi-amsr2"``.
        format: File format, e.g. ``"netcdf4"``.
        name: The parsed file name (:class:`GranuleName`, :class:`AsiName`,
            :class:`SmapName`).
    """

    path: Path
    product: str
    format: str
    name: GranuleName | AsiName | SmapName


@dataclass(frozen=True)
class FolderScan:
    """What :func:`find_products` found.

    Attributes:
        files: The product files, in the finder's order.
        rejected: ``(path, reason)`` of files named like a product that are not one
            (a broken name, other bytes, unreadable).
    """

    files: tuple[ProductFile, ...]
    rejected: tuple[tuple[Path, str], ...]


def spec(product: str) -> ProductSpec:
    """The table's row for ``product``.

    Raises:
        InputError: an unknown product id; the message lists the known ones.
    """
    for row in PRODUCTS:
        if row.product == product:
            return row
    raise InputError(f"unknown product {product!r}; known: "
                     f"{', '.join(r.product for r in PRODUCTS)}")


def identify(path: str | os.PathLike[str], *, product: str | tuple[str, ...] | None = None,
             name: str | None = None) -> ProductFile:
    """Recognise a file: its magic bytes first, then its name.

    Args:
        path: The file.
        product: Accept only this product (or these); default: any of :data:`PRODUCTS`.
        name: The file name to judge instead of the path's own (e.g. for
            ``<name>.part``, a download before its rename).

    Raises:
        InputError: no such file, a folder, or an unreadable file.
        FormatError: bytes that are not the format of any product asked for.
        FileNameError: a name that no product asked for accepts (the message says why).
    """
    p = Path(path)
    base = Path(name).name if name is not None else p.name
    head = read_head(p)
    wanted = _wanted(product)
    fitting = [row for row in wanted if CONTAINER[row.format] == container(head)]
    if not fitting:  # the message speaks of the product the name announces, if one does
        raise FormatError(_format_message(p, head, [r for r in wanted if r.names_it(base)]
                                          or wanted))
    row = next((r for r in fitting if r.names_it(base)), None)
    if row is None:
        if len(fitting) == 1:
            fitting[0].parse(base)  # raises the grammar's own diagnosis
        raise FileNameError(f"{base!r} is not a file name of {_titles(fitting)}: expected "
                            f"a name like {' or '.join(r.example for r in fitting)}")
    return ProductFile(p, row.product, row.format, row.parse(base))


def find_products(folder: str | os.PathLike[str], product: str | None = None) -> FolderScan:
    """The product files under ``folder``, recursively.

    The one rule: every file below ``folder`` (sub-folders included), except hidden
    ones (a name starting with ``.``, for files and folders), ``.part`` downloads and
    the insides of Zarr stores (a folder holding ``zarr.json``); a file whose name has
    the shape of a product's (:attr:`ProductSpec.pattern`) is identified and kept or
    rejected with the reason; other files are not products and are passed over. The
    result is sorted by file name, then path.

    Args:
        folder: Where to look.
        product: Only this product's files.

    Raises:
        InputError: ``folder`` does not exist or is not a folder; an unknown product.
    """
    root = Path(folder)
    if not root.exists():
        raise InputError(f"{root}: no such folder")
    if not root.is_dir():
        raise InputError(f"{root}: not a folder (a file: give its folder)")
    rows = [spec(product)] if product is not None else list(PRODUCTS)
    files, rejected = [], []
    for path in sorted(_walk(root), key=lambda p: (p.name, str(p))):
        row = next((r for r in rows if r.names_it(path.name)), None)
        if row is None:
            log.debug("skipping %s: not named as a product", path)
            continue
        try:
            files.append(identify(path, product=row.product))
        except (ProductError, InputError) as exc:
            rejected.append((path, str(exc)))
    return FolderScan(tuple(files), tuple(rejected))


def _walk(root: Path) -> list[Path]:
    found = []
    for here, dirs, names in os.walk(root):
        base = Path(here)
        dirs[:] = [d for d in dirs if not d.startswith(".")
                   and not (base / d / "zarr.json").is_file()]
        found += [base / n for n in names
                  if not n.startswith(".") and not n.endswith(_SKIPPED_SUFFIXES)]
    return found


def _wanted(product: str | tuple[str, ...] | None) -> list[ProductSpec]:
    if product is None:
        return list(PRODUCTS)
    return [spec(p) for p in ((product,) if isinstance(product, str) else product)]


def _titles(rows: list[ProductSpec]) -> str:
    return ", ".join(dict.fromkeys(r.product for r in rows))


def _format_message(path: Path, head: bytes, wanted: list[ProductSpec]) -> str:
    expected = " or ".join(dict.fromkeys(FORMAT_TITLES[r.format] for r in wanted))
    kind = container(head)
    if kind is None:
        return f"{path}: not {expected} file (first bytes {head!r})"
    return (f"{path}: {_CONTAINER_TITLES[kind]} file, where {_titles(wanted)} needs "
            f"{expected} file")
