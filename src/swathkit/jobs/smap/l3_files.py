"""The daily SMAP L3 files of a folder: one per day, the newest release, and what was passed over.

A folder may hold several releases of one day (``…_R19240_001.h5`` and ``…_R19240_002.h5``
after a regeneration, or two CRIDs). The one kept is the highest ``(CRID, counter)``
(:attr:`swathkit.products.smap.SmapName.release`), whatever the order the files are
listed in; the others are reported as passed over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import cast

from swathkit.errors import InputError
from swathkit.products.registry import find_products
from swathkit.products.smap.names import SmapName
from swathkit.products.smap.table import SmapProduct, smap_product
from swathkit.types import Failure, FailureKind

__all__ = ["L3_PRODUCTS", "DayFile", "L3Folder", "l3_files"]

L3_PRODUCTS = ("SPL3SMP", "SPL3SMP_E")
"""The daily gridded products ``smap consolidate`` takes."""


@dataclass(frozen=True)
class DayFile:
    """The file kept for one day, and the older releases of that day passed over."""

    day: date
    path: Path
    release: tuple[str, int]
    passed_over: tuple[Path, ...] = ()


@dataclass(frozen=True)
class L3Folder:
    """The L3 files of a folder: the product, the file of each day, the bad files."""

    product: SmapProduct
    days: dict[date, DayFile]
    rejected: tuple[Failure, ...]


def l3_files(folder: Path, product: str | None = None) -> L3Folder:
    """The newest L3 file of each day under ``folder`` (sub-folders too).

    Args:
        folder: Where the files are (found by
            :func:`swathkit.products.registry.find_products`).
        product: ``SPL3SMP`` or ``SPL3SMP_E``; inferred from the files if None.

    Raises:
        InputError: no such folder, a product that is not daily L3, files of both
            products and none chosen, or no L3 file at all and no product given.
    """
    wanted = [_l3_product(product)] if product else [smap_product(p) for p in L3_PRODUCTS]
    scans = {p.short_name: find_products(folder, p.product_id) for p in wanted}
    holding = [name for name, scan in scans.items() if scan.files]
    if len(holding) > 1:
        raise InputError(f"{folder} holds files of {' and '.join(holding)}; choose one with "
                         "--product")
    if not holding and product is None:
        raise InputError(f"{folder}: no SMAP L3 files (SMAP_L3_SM_P_<YYYYMMDD>_R<CRID>_<NNN>"
                         ".h5); download some with `swathkit smap download --product "
                         "SPL3SMP` first")
    chosen = smap_product(holding[0]) if holding else wanted[0]
    scan = scans[chosen.short_name]
    rejected = tuple(Failure(FailureKind.BAD_PRODUCT, str(path), why)
                     for path, why in scan.rejected)
    by_day: dict[date, list[tuple[tuple[str, int], Path]]] = {}
    for file in scan.files:
        name = cast(SmapName, file.name)
        assert name.day is not None  # daily products' names carry a day
        by_day.setdefault(name.day, []).append((name.release, file.path))
    return L3Folder(chosen, {day: _newest(day, found) for day, found in by_day.items()},
                    rejected)


def _newest(day: date, found: list[tuple[tuple[str, int], Path]]) -> DayFile:
    ordered = sorted(found, key=lambda item: (item[0], item[1].name, str(item[1])))
    release, path = ordered[-1]
    return DayFile(day, path, release, tuple(p for _, p in ordered[:-1]))


def _l3_product(short_name: str) -> SmapProduct:
    found = smap_product(short_name)
    if found.short_name not in L3_PRODUCTS:
        raise InputError(f"smap consolidate takes the daily L3 products "
                         f"({', '.join(L3_PRODUCTS)}), not {found.short_name}")
    return found
