"""The simulated NSIDC's files: written on first need from :mod:`swathkit.sim.smap`, kept.

Full-size files come from the SMAP writers (:func:`~swathkit.sim.smap.generate.write_smap`,
a few MB and seconds each). With ``pixels`` (for tests) a file is a small HDF5 of the
same family instead: the product's ``/Metadata`` (short name, CRID, extent) and its first
group holding one ``soil_moisture`` array of ``pixels × pixels``. Either way the bytes are
a function of the granule and the seed, so a CMR record's size and MD5 always match what
the datapool serves.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from swathkit.sim.nsidc.granules import SmapGranule
from swathkit.sim.smap.generate import write_smap
from swathkit.sim.smap.h5out import Extent, Var, new_file, write_metadata, write_var

__all__ = ["Digest", "SmapFiles"]


@dataclass(frozen=True)
class Digest:
    """A file's size and MD5 (hex)."""

    size: int
    md5: str


class SmapFiles:
    """The files of the granules, in ``folder/<short name>/``.

    Args:
        folder: Where files are kept (reused by the next simulator on it).
        pixels: Side of the one array of a small file; None: full-size files.
        seed: Noise seed of the files.
    """

    def __init__(self, folder: Path, *, pixels: int | None = None, seed: int = 0) -> None:
        if pixels is not None and pixels < 1:
            raise ValueError(f"pixels must be at least 1, not {pixels}")
        self.folder, self.pixels, self.seed = Path(folder), pixels, seed
        self.generated = 0
        self._digests: dict[str, Digest] = {}
        self._lock = threading.Lock()

    def local(self, granule: SmapGranule) -> Path:
        """The granule's file, written now if missing."""
        folder = self.folder / ("small" if self.pixels else "full") / granule.product.short_name
        path = folder / granule.name.file_name
        with self._lock:
            if not path.is_file():
                self._write(folder, granule)
                self.generated += 1
        return path

    def digest(self, granule: SmapGranule) -> Digest:
        """Size and MD5 of the granule's file (written now if missing)."""
        key = granule.name.file_name
        found = self._digests.get(key)
        if found is None:
            data = self.local(granule).read_bytes()
            found = Digest(len(data), hashlib.md5(data, usedforsecurity=False).hexdigest())
            self._digests[key] = found
        return found

    def _write(self, folder: Path, granule: SmapGranule) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if self.pixels:
            _small_file(folder / granule.name.file_name, granule, self.pixels, self.seed)
            return
        middle = granule.start + (granule.end - granule.start) / 2
        name = granule.name
        written = write_smap(folder, granule.product.short_name, middle, seed=self.seed,
                             crid=name.crid, counter=name.counter)[0]
        if written.name != name.file_name:
            written.replace(folder / name.file_name)


def _small_file(path: Path, granule: SmapGranule, pixels: int, seed: int) -> None:
    product, name = granule.product, granule.name
    rng = np.random.default_rng([seed, granule.row])
    values = rng.uniform(0.02, 0.5, (pixels, pixels)).astype(np.float32)
    var = Var("soil_moisture", "f4", "cm**3/cm**3", "Soil moisture", (0.02, 0.5))
    begin = np.datetime64(granule.start.replace(tzinfo=None), "ns")
    end = np.datetime64(granule.end.replace(tzinfo=None), "ns")
    with new_file(path) as f:
        write_var(f.create_group(product.groups[0].name), var, values)
        write_metadata(f, product, name.file_name, name.crid, Extent(begin, end, granule.bounds))
