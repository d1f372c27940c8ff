"""Lazy exports for the public API (PEP 562): a name's home module loads on first use.

``import swathkit`` and the domain facades must stay cheap (no zarr, h5py, torch or
matplotlib at import), yet present the real objects. A facade lists its names in a
literal ``__all__``, imports them under ``TYPE_CHECKING`` for type checkers and IDEs,
and at run time installs the ``__getattr__`` and ``__dir__`` made here.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(module: str, homes: Mapping[str, str]) -> tuple[
        Callable[[str], Any], Callable[[], list[str]]]:
    """The module-level ``__getattr__`` and ``__dir__`` of a lazily exporting module.

    Args:
        module: The exporting module's ``__name__`` (it is being executed, so it is
            already in ``sys.modules``).
        homes: Each exported name → the module that defines it.

    Returns:
        ``(__getattr__, __dir__)``: the first imports a name's home on first use and
        keeps the object in the exporting module, so later look-ups are plain ones.
    """
    namespace = vars(sys.modules[module])

    def __getattr__(name: str) -> Any:
        if name not in homes:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(homes[name]), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *homes})

    return __getattr__, __dir__
