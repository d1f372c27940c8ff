"""Summaries of a product file or a store, as plain rows for the CLI to render.

Handled: AMSR2 HDF5 product files, swath stores, Bremen ASI sea-ice files (one
file or a folder of them) and grid cubes. For the sea-ice grids the summary
shows the grid itself: dims and shape, x/y extents, resolution, CRS, time range
and missing days (what the seed's ``get_dims.py`` was for).
:meth:`Summary.as_dict` is the same summary for scripts (``swathkit inspect --json``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast

import h5py
import numpy as np

from swathkit.errors import FormatError, InputError, StoreError
from swathkit.products.asi.grids import asi_grid
from swathkit.products.asi.names import AsiName
from swathkit.products.formats import sniff
from swathkit.products.grids import Grid, grid_on
from swathkit.products.hdf5 import attr_text, open_h5
from swathkit.products.registry import FolderScan, find_products, identify, spec
from swathkit.products.smap.reader import smap_product_of_file
from swathkit.products.smap.table import SmapProduct
from swathkit.stores.hdf5_summary import stats_rows, tree_rows
from swathkit.stores.schema import as_text
from swathkit.stores.swath_store import SwathStore
from swathkit.stores.swaths_dataset import open_swaths
from swathkit.types import DayRange


@dataclass
class Summary:
    """A titled set of tables: each a header and rows of strings.

    ``kind`` says what was inspected: ``hdf5_file``, ``swath_store``, ``asi_file``,
    ``asi_folder`` or ``grid_cube``.
    """

    title: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    tables: dict[str, tuple[list[str], list[list[str]]]] = field(default_factory=dict)
    kind: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The summary as plain data for JSON, with stable keys.

        ``{"kind", "title", "facts": {key: text}, "tables": {name: [{column: text}]}}``:
        a fact's key and a column's key are its label in snake case (``"lat/lon kept"``
        is ``lat_lon_kept``; a label met twice gets ``_2``); values are the texts the
        table shows.
        """
        return {"kind": self.kind, "title": self.title, "facts": _keyed(self.facts),
                "tables": {_key(name): [_keyed(zip(header, row, strict=True)) for row in rows]
                           for name, (header, rows) in self.tables.items()}}


def _key(label: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", label.lower()).strip("_") or "value"


def _keyed(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    keyed: dict[str, str] = {}
    for label, value in pairs:
        key, n = _key(label), 1
        while key in keyed:
            n += 1
            key = f"{_key(label)}_{n}"
        keyed[key] = value
    return keyed


def inspect(target: str | Path, *, stats: bool = False) -> Summary:
    """Describe a product file, a folder of ASI files, a grid cube or a swath store.

    What ``target`` is is decided by what is there: a file (recognised by
    :func:`swathkit.products.registry.identify`), a folder holding ASI files (as
    :func:`~swathkit.products.registry.find_products` finds them), a Zarr group whose
    root says it is a grid cube, else a swath store (whose error explains when there
    is none).

    Raises:
        InputError: nothing at ``target``, or a file that is no product (the message
            says what it is).
    """
    text = str(target)
    path = Path(text)
    if "://" not in text and not path.exists():
        raise InputError(f"{text}: no such file, folder or store; check the path")
    if path.is_file():
        return _inspect_file(path, stats=stats)
    if path.is_dir() and not (path / "zarr.json").exists():
        scan = find_products(path, "asi-amsr2")
        if scan.files:
            return inspect_asi_folder(path, scan)
    try:
        return inspect_cube(str(target))
    except StoreError:
        return inspect_store(str(target))


def inspect_hdf5(path: Path, *, stats: bool = False) -> Summary:
    """Groups and datasets (shape, dtype, chunks, compression, attributes), the global
    attributes, the product and grids when the file is one swathkit knows, and with
    ``stats`` fill-aware statistics per dataset and flag bits
    (:mod:`swathkit.stores.hdf5_summary`)."""
    summary = Summary(f"HDF5 file {path.name} ({path.stat().st_size / 1e6:.1f} MB)",
                      kind="hdf5_file")
    with open_h5(path) as f:
        groups, rows = tree_rows(f)
        summary.facts = [(k, attr_text(f.attrs, k) or "") for k in f.attrs]
        product = _smap_product(f, path)
    if product is not None:
        summary.facts[:0] = [("product", f"{product.short_name} ({product.title})")]
        summary.tables["product groups"] = (["group", "layout", "grid"], [
            [g.name, product.layout, g.grid or "swath (resample with --grid)"]
            for g in product.groups])
    summary.tables["groups"] = (["group", "attributes"], groups)
    summary.tables["datasets"] = (["dataset", "shape", "dtype", "chunks", "compression",
                                   "attributes"], rows)
    if stats:
        values, bits = stats_rows(path, smap=product is not None)
        summary.tables["statistics"] = (["dataset", "min", "max", "mean", "std", "valid"],
                                        values)
        summary.tables["flag bits"] = (["dataset", "mask", "meaning", "set"], bits)
    return summary


def _smap_product(f: h5py.File, path: Path) -> SmapProduct | None:
    try:
        return smap_product_of_file(f, path)
    except FormatError:
        return None


def inspect_store(store: str) -> Summary:
    """Variables, granule count, time range and counts by orbit direction."""
    sw = SwathStore.open(store)
    ds = open_swaths(store)
    summary = Summary(f"swath store {store}", kind="swath_store")
    n = ds.sizes["granule"]
    summary.facts = [
        ("granules", str(n)),
        ("channels", ",".join(sw.layout.channels)),
        ("lat/lon kept", "yes" if sw.layout.coords else "no"),
        ("scan length (padded)", str(sw.layout.scan_length)),
        ("commits", str(sw.commits)),
        ("retired rows", str(sw.retired)),
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


def _attrs(attrs: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in attrs.items() if k != "coordinates")[:120]


def _inspect_file(path: Path, *, stats: bool = False) -> Summary:
    if sniff(path) == "hdf5" and not spec("asi-amsr2").names_it(path.name):
        return inspect_hdf5(path, stats=stats)  # AMSR2 L1 or any HDF5 / NetCDF-4 file
    identify(path)  # an ASI file, or the error that says what the file is not
    return inspect_asi_file(path)


# --- sea-ice grids ---------------------------------------------------------------------------


def inspect_asi_file(path: Path) -> Summary:
    """The grid of one ASI file, its day, its NaN share and the file's variables."""
    from swathkit.products.asi.reader import open_asi

    name = _asi_name(identify(path, product="asi-amsr2").name)
    grid = asi_grid(name.grid)
    with open_asi(path) as ds:
        sic = np.asarray(ds["sic"][0].values)
        mapping = dict(ds[grid.grid_mapping_name].attrs)
    summary = inspect_hdf5(path)
    summary.title = f"ASI sea-ice file {path.name} ({path.stat().st_size / 1e6:.1f} MB)"
    summary.kind = "asi_file"
    file_attrs = summary.facts
    nan = float(np.isnan(sic).mean())
    summary.facts = [
        *grid_facts(grid, [name.day]),
        ("ellipsoid", f"semi-major axis {mapping.get('semi_major_axis')} m, inverse "
                      f"flattening {mapping.get('inverse_flattening')}"),
        ("day", name.day.isoformat()),
        ("product version", name.version),
        ("values", f"{100 * (1 - nan):.1f} % valid, {100 * nan:.1f} % NaN (land, pole hole, "
                   "gaps)" + (f", {np.nanmin(sic):.1f} to {np.nanmax(sic):.1f} %"
                              if nan < 1 else "")),
        *file_attrs,
    ]
    return summary


def inspect_asi_folder(path: Path, scan: FolderScan | None = None) -> Summary:
    """Grid, time range and missing days of the ASI files in a folder, per grid."""
    by_grid: dict[str, list[date]] = {}
    for found in (scan or find_products(path, "asi-amsr2")).files:
        name = _asi_name(found.name)
        by_grid.setdefault(name.grid, []).append(name.day)
    summary = Summary(f"folder of ASI sea-ice files {path}", kind="asi_folder")
    for grid_name, days in sorted(by_grid.items()):
        grid = asi_grid(grid_name)
        days = sorted(days)
        prefix = f"{grid_name}: " if len(by_grid) > 1 else ""
        summary.facts += [(prefix + k, v) for k, v in grid_facts(grid, days)]
        summary.facts += [
            (prefix + "files", str(len(days))),
            (prefix + "time range", f"{days[0]} → {days[-1]} ({(days[-1] - days[0]).days + 1} "
                                    "days)"),
            (prefix + "missing days", _day_ranges(_gaps(days, days[0], days[-1]))),
        ]
    return summary


def inspect_cube(store: str) -> Summary:
    """Grid, time axis, day states, mask and fill state and variables of a grid cube.

    Raises:
        StoreError: ``store`` is not a grid cube.
    """
    from swathkit.stores.grid_cube import GridCube

    cube = GridCube.open(store)
    grid = cube.grid
    present, unpublished = cube.days, cube.not_published
    known = sorted(present + unpublished)
    summary = Summary(f"sea-ice grid cube {store}", kind="grid_cube")
    calendar = cube.calendar
    summary.facts = [*grid_facts(grid, present, time_length=len(calendar))]
    if calendar:
        summary.facts.append(("time axis", f"{calendar[0]} → {calendar[-1]} "
                                           f"({len(calendar)} days, chunks {cube.index.chunks})"))
    if known:
        summary.facts += [
            ("time range (data)", f"{known[0]} → {known[-1]}"),
            ("days present", str(len(present))),
            ("not published upstream", _day_ranges(unpublished)),
            ("missing days (absent)", _day_ranges(_gaps(known, known[0], known[-1]))),
        ]
    if cube.pending:
        summary.facts.append(("pending (checked on next write)", _day_ranges(cube.pending)))
    summary.facts.append(("land mask", _mask_text(cube.mask_info)))
    summary.facts.append(("gap filling", _fill_text(cube.fill_info, calendar)))
    ds = cube.dataset()
    rows = [[str(name), " × ".join(f"{d}={ds.sizes[d]}" for d in var.dims),
             str(var.encoding.get("dtype", var.dtype)), _attrs(var.attrs)]
            for name, var in ds.variables.items()]
    summary.tables["variables"] = (["variable", "shape", "stored dtype", "attributes"], rows)
    return summary


def grid_facts(grid: Grid, days: Iterable[date], *,
               time_length: int | None = None) -> list[tuple[str, str]]:
    """The facts of a grid as (label, text) rows, the CRS as in force on the days given."""
    dated = {g.epsg: g for g in (grid_on(grid, d) for d in days)} or {grid.epsg: grid}
    crs = ", ".join(f"EPSG:{e} ({dated[e].crs.name})" for e in sorted(dated))
    dims = f"y={grid.rows} × x={grid.cols}"
    if time_length is not None:
        dims = f"time={time_length} × {dims}"
    dx, (x0, y0, x1, y1) = grid.cell_size[0], grid.bounds
    corners = (slice(0, None, grid.rows - 1), slice(0, None, grid.cols - 1))
    _, lat = grid.lonlat(rows=corners[0], cols=corners[1])
    pole = {"n": "north ", "s": "south "}.get(grid.hemisphere, "")
    rows = "row 0 = northern edge, y descending" if grid.north_up else \
        "row 0 = southern edge, y ascending"
    return [
        ("grid", f"{grid.name} ({pole}{grid.grid_mapping_name.replace('_', ' ')})"),
        ("dims (shape)", dims),
        ("resolution", f"{grid.resolution:,.0f} m"),
        ("x extent", f"{x0:,.0f} … {x1:,.0f} m (cell centres {x0 + dx / 2:,.0f} … "
                     f"{x1 - dx / 2:,.0f})"),
        ("y extent", f"{y0:,.0f} … {y1:,.0f} m ({rows})"),
        ("CRS", crs),
        ("corner latitudes", ", ".join(f"{v:.1f}°" for v in np.asarray(lat).ravel())),
    ]


def _asi_name(name: object) -> AsiName:
    return cast(AsiName, name)  # the registry parsed it as an asi-amsr2 name


def _gaps(days: list[date], first: date, last: date) -> list[date]:
    have = set(days)
    return [d for d in DayRange(first, last) if d not in have]


def _day_ranges(days: list[date], limit: int = 8) -> str:
    """``2013-05-11 … 2013-05-13, 2013-06-02`` with a count; "none" when empty."""
    if not days:
        return "none"
    runs: list[list[date]] = []
    for d in sorted(days):
        if runs and (d - runs[-1][-1]).days == 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    parts = [f"{r[0]} … {r[-1]}" if len(r) > 1 else str(r[0]) for r in runs[:limit]]
    more = f", … and {len(runs) - limit} more runs" if len(runs) > limit else ""
    return f"{len(days)}: {', '.join(parts)}{more}"


def _mask_text(info: dict[str, Any] | None) -> str:
    if not info:
        return "not computed (run `swathkit seaice mask`)"
    parts = [f"threshold {info.get('threshold')}",
             f"period {info.get('start')} → {info.get('end')} ({info.get('days', '?')} days)"]
    agreement = info.get("agreement")
    if isinstance(agreement, dict) and "agreement" in agreement:
        parts.append(f"agreement with the coastline {100 * agreement['agreement']:.1f} %")
    return ", ".join(parts)


def _fill_text(info: dict[str, Any] | None, calendar: list[date]) -> str:
    if not info:
        return "not computed (run `swathkit seaice fill`)"
    done = int(info.get("done", 0))
    through = f"filled through {calendar[done - 1]}" if 0 < done <= len(calendar) else \
        "nothing filled yet"
    options = info.get("options")
    text = ", ".join(f"{k}={v}" for k, v in options.items()) if isinstance(options, dict) else ""
    return f"{through} ({done} of {len(calendar)} days)" + (f"; {text}" if text else "")
