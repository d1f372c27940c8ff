"""Summaries of a product file or a store, as plain rows for the CLI to render."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import numpy as np

from swathkit.products.hdf5 import attr_text, open_h5
from swathkit.stores.schema import as_text
from swathkit.stores.swath_store import SwathStore
from swathkit.stores.swaths_dataset import open_swaths


@dataclass
class Summary:
    """A titled set of tables: each a header and rows of strings."""

    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    tables: dict[str, tuple[list[str], list[list[str]]]] = field(default_factory=dict)


def inspect(target: str | Path) -> Summary:
    """Describe an HDF5 product file or a swath store (decided by what is there)."""
    path = Path(target)
    if path.is_file():
        return inspect_hdf5(path)
    return inspect_store(str(target))


def inspect_hdf5(path: Path) -> Summary:
    """Datasets with shapes, dtypes and attributes, and the global attributes."""
    summary = Summary(f"HDF5 file {path.name} ({path.stat().st_size / 1e6:.1f} MB)")
    rows: list[list[str]] = []
    with open_h5(path) as f:
        def visit(name: str, obj: object) -> None:
            if isinstance(obj, h5py.Dataset):
                attrs = ", ".join(f"{k}={attr_text(obj.attrs, k)}" for k in obj.attrs)
                rows.append([name, str(obj.shape), str(obj.dtype), attrs])
        f.visititems(visit)
        summary.facts = [(k, attr_text(f.attrs, k) or "") for k in f.attrs]
    summary.tables["datasets"] = (["dataset", "shape", "dtype", "attributes"], rows)
    return summary


def inspect_store(store: str) -> Summary:
    """Variables, granule count, time range and counts by orbit direction."""
    sw = SwathStore.open(store)
    ds = open_swaths(store)
    summary = Summary(f"swath store {store}")
    n = ds.sizes["granule"]
    summary.facts = [
        ("granules", str(n)),
        ("channels", ",".join(sw.layout.channels)),
        ("lat/lon kept", "yes" if sw.layout.coords else "no"),
        ("scan length (padded)", str(sw.layout.scan_length)),
        ("commits", str(sw.index.commits)),
        ("retired rows", str(len(sw.index.retired))),
    ]
    if n:
        start, end = ds["start_time"].values.min(), ds["end_time"].values.max()
        summary.facts.append(("time range", f"{np.datetime_as_string(start, 's')}Z → "
                                            f"{np.datetime_as_string(end, 's')}Z"))
        counts = Counter(as_text(ds["orbit_direction"].values))
        summary.facts.append(("by orbit direction",
                              ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))))
    rows = [[str(name), " × ".join(f"{d}={ds.sizes[d]}" for d in var.dims),
             str(var.encoding.get("dtype", var.dtype)), _attrs(var.attrs)]
            for name, var in ds.variables.items()]
    summary.tables["variables"] = (["variable", "shape", "stored dtype", "attributes"], rows)
    return summary


def _attrs(attrs: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in attrs.items() if k != "coordinates")[:120]
