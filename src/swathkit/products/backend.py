"""The xarray backend: ``xr.open_dataset(path, engine="swathkit")`` for every known product.

The file is recognised by :func:`swathkit.products.registry.identify` (magic bytes, then
the name grammar) and opened by its product's reader, so the Dataset is the one the
reader gives (grid coordinates, grid mapping, decoded times):

- SMAP (every level of :data:`swathkit.products.smap.SMAP_PRODUCTS`):
  :func:`swathkit.products.smap.open_smap`, ``group=`` passed on;
- AMSR2 L1B/L1R: :func:`swathkit.products.amsr2.open_l1b` (default channels);
- Bremen ASI: :func:`swathkit.products.asi.open_asi`.

Declared as the ``swathkit`` entry point of ``xarray.backends`` in ``pyproject.toml``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar

import xarray as xr
from xarray.backends import BackendEntrypoint

from swathkit.errors import InputError, ProductError
from swathkit.products.registry import identify

__all__ = ["SwathkitBackend", "open_product"]


def open_product(path: str | os.PathLike[str], *, group: str | None = None) -> xr.Dataset:
    """Open any product file swathkit knows with its own reader.

    Raises:
        InputError: no such file; ``group`` given for a product that has no groups.
        ProductError: not a product swathkit knows (the message says why).
    """
    found = identify(path)
    if found.product.startswith("smap-"):
        from swathkit.products.smap.reader import open_smap

        return open_smap(found.path, group=group)
    if group is not None:
        raise InputError(f"{found.path}: {found.product} files have no groups to choose; "
                         "drop group=")
    if found.product.startswith("amsr2-"):
        from swathkit.products.amsr2.reader import open_l1b

        return open_l1b(found.path)
    from swathkit.products.asi.reader import open_asi

    return open_asi(found.path)


class SwathkitBackend(BackendEntrypoint):
    """xarray backend for the products of :mod:`swathkit.products.registry`."""

    description: ClassVar[str] = ("SMAP (L1B/L1C TB, L2/L3 soil moisture, radar), AMSR2 L1B and "
                                  "Bremen ASI files, on their grids, through swathkit's readers")
    url: ClassVar[str] = "https://github.com/swathkit/swathkit"
    open_dataset_parameters: ClassVar[tuple[str, ...] | None] = (
        "filename_or_obj", "drop_variables", "group")

    def open_dataset(self, filename_or_obj: Any, *, drop_variables: str | Iterable[str] | None
                     = None, group: str | None = None) -> xr.Dataset:
        """Open ``filename_or_obj`` (a path) with its product's reader."""
        if not isinstance(filename_or_obj, str | os.PathLike):
            raise InputError("engine='swathkit' opens files by path, not "
                             f"{type(filename_or_obj).__name__} objects")
        ds = open_product(filename_or_obj, group=group)
        if drop_variables is not None:
            names = [drop_variables] if isinstance(drop_variables, str) else list(drop_variables)
            ds = ds.drop_vars(names, errors="ignore")
        return ds

    def guess_can_open(self, filename_or_obj: Any) -> bool:
        """Whether the path is a product file swathkit recognises."""
        if not isinstance(filename_or_obj, str | os.PathLike):
            return False
        try:
            identify(Path(filename_or_obj))
        except (ProductError, InputError):
            return False
        return True
