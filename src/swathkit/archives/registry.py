"""The archives by name: factories registered as dotted paths, imported when first opened.

Like fsspec's protocols or pyresample's resamplers, an entry names the factory
(``"package.module:function"``) rather than importing it, so listing the
archives costs nothing and an archive's dependencies load only when it is used.
A factory takes keyword options and returns an :class:`~swathkit.archives.base.Archive`,
or a context manager yielding one (a simulator that runs while it is open)::

    with open_archive("gportal-sim", faults="flaky", scans=40) as archive:
        collect(query, "swaths.zarr", archive)
    with open_archive("bremen", grid="n3125") as archive:  # nothing to clean up
        granules = list(archive.catalog.search(query))

The simulators are listed here by name only: no production module imports
:mod:`swathkit.sim`.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

from swathkit.archives.base import Archive
from swathkit.errors import InputError

__all__ = ["ARCHIVES", "ArchiveEntry", "archive_factory", "open_archive"]


@dataclass(frozen=True)
class ArchiveEntry:
    """One archive of the registry.

    Attributes:
        target: The factory's dotted path, ``"package.module:function"`` (imported
            when first opened), or the factory itself.
        description: One line for listings.
        extra: The ``swathkit[...]`` extra holding its optional dependencies, if any.
    """

    target: str | Callable[..., Any]
    description: str
    extra: str | None = None


ARCHIVES: dict[str, ArchiveEntry] = {
    "gportal": ArchiveEntry("swathkit.archives.gportal:gportal_archive",
                            "JAXA G-Portal: CSW catalogue and SFTP (AMSR2 L1B)"),
    "bremen": ArchiveEntry("swathkit.archives.bremen:bremen_archive",
                           "University of Bremen: ASI AMSR2 daily sea-ice grids over HTTPS"),
    "gportal-sim": ArchiveEntry("swathkit.sim.gportal:simulated_gportal",
                                "the simulated G-Portal on 127.0.0.1"),
    "bremen-sim": ArchiveEntry("swathkit.sim.bremen:simulated_bremen",
                               "the simulated Bremen archive on 127.0.0.1"),
    "pairs-sim": ArchiveEntry("swathkit.sim.pairs:simulated_pairs",
                              "the simulated ASF and LandsatLook on 127.0.0.1 (yields the "
                              "simulators and the environment that points swathkit at them)"),
    "nsidc-sim": ArchiveEntry("swathkit.sim.nsidc:simulated_nsidc",
                              "the simulated NSIDC (CMR, Earthdata Login, SMAP files) on "
                              "127.0.0.1 (yields the simulator and its environment)"),
}
"""Archive name → its entry. Add an entry to make an archive available by name."""


def archive_factory(name: str) -> Callable[..., Any]:
    """The factory of the archive called ``name``, imported now.

    Raises:
        InputError: ``name`` is not registered (the message lists the names), or
            a package the archive needs is not installed (it says what to install).
    """
    entry = ARCHIVES.get(name)
    if entry is None:
        raise InputError(f"unknown archive {name!r}; choose one of {', '.join(ARCHIVES)}")
    if callable(entry.target):
        return entry.target
    module_name, _, function = entry.target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is None or exc.name.split(".")[0] == "swathkit":
            raise  # our own module is missing: a bug, not the user's environment
        raise InputError(f"archive {name!r} needs the package {exc.name!r}, which is not "
                         f"installed: {_install_hint(entry, exc.name)}") from exc
    factory: Callable[..., Any] = getattr(module, function)
    return factory


@contextmanager
def open_archive(name: str, **options: Any) -> Iterator[Archive]:
    """The archive called ``name``, built with ``options``, open for the ``with`` block.

    A real archive needs no clean-up; a simulator is stopped when the block ends.

    Raises:
        InputError: an unknown name, a missing dependency, or an option the
            archive does not take (the message lists the ones it takes).
    """
    factory = archive_factory(name)
    _check_options(name, factory, options)
    made = factory(**options)
    if isinstance(made, AbstractContextManager):
        with made as archive:
            yield archive
    else:
        yield made


def _check_options(name: str, factory: Callable[..., Any], options: dict[str, Any]) -> None:
    signature = inspect.signature(factory)
    try:
        signature.bind(**options)
    except TypeError as exc:
        unknown = sorted(set(options) - set(signature.parameters))
        if unknown:
            raise InputError(f"archive {name!r} takes no option {', '.join(unknown)}; its "
                             f"options: {', '.join(signature.parameters) or 'none'}") from None
        raise InputError(f"archive {name!r}: {exc}") from None  # a required option left out


def _install_hint(entry: ArchiveEntry, package: str) -> str:
    if entry.extra:
        return f"pip install 'swathkit[{entry.extra}]'"
    return f"pip install {package} (a dependency of swathkit: reinstall swathkit)"
