"""Quicklook of a product layer: load it on its grid, stretch or categorise, draw."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from swathkit.errors import InputError
from swathkit.jobs.rasters import load_layer
from swathkit.stores.raster import Raster

__all__ = ["cube_layer", "quicklook_layer"]

_FEW = 32  # an integer layer with at most this many values is categorical


def quicklook_layer(path: Path, layer: str, out: Path, *, stretch: str = "percentile",
                    limits: tuple[float, float] | None = None,
                    percentiles: tuple[float, float] = (2.0, 98.0), k: float = 2.0,
                    gamma: float = 1.0, band: int = 0,
                    day: date | None = None) -> dict[str, Any]:
    """Draw ``layer`` of ``path`` (a product file, or a grid cube with ``day``) to ``out``;
    returns what was drawn (path, grid, limits)."""
    from swathkit.plot.raster_quicklook import draw_categories, draw_stretched
    from swathkit.process import stretch as st

    raster = load_layer(path, layer) if day is None else cube_layer(path, layer, day)
    if not 0 <= band < raster.bands.shape[0]:
        raise InputError(f"{path}: {layer} has {raster.bands.shape[0]} band(s); "
                         f"--band {band} is not one of them")
    values = np.asarray(raster.bands[band])
    fill = None if raster.nodata is None else float(raster.nodata)
    title = f"{path.name}  {raster.descriptions[band]}"
    grid = raster.grid.name
    if _categorical(values, fill, raster.tags):
        draw_categories(values, fill, raster.tags, raster.grid, out, title=title)
        return {"out": str(out), "grid": grid, "drawn_as": "categories", "limits": None,
                "stretch": None}
    valid = (_num(raster.tags.get("valid_min")), _num(raster.tags.get("valid_max")))
    try:
        s = st.stretch(values, stretch, fill=fill, valid_range=valid, limits=limits,
                       percentiles=percentiles, k=k, gamma=gamma)
    except ValueError as e:
        raise InputError(f"{path}: {layer}: {e}") from None
    draw_stretched(s, raster.grid, out, title=title, units=raster.units)
    return {"out": str(out), "grid": grid, "drawn_as": "stretched", "stretch": s.description,
            "limits": [s.limits[0], s.limits[1]]}


def cube_layer(store: Path, variable: str, day: date) -> Raster:
    """One day of a grid cube's ``variable`` as a Raster (NaN or the integer fill missing).

    Raises:
        InputError: not a cube variable (the message lists them), a day off the cube.
    """
    from swathkit.stores.grid_cube import GridCube

    cube = GridCube.open(str(store))
    if variable not in cube.variables:
        raise InputError(f"{store}: no variable {variable!r}; its variables: "
                         f"{', '.join(cube.variables)}")
    if day not in cube.calendar:
        raise InputError(f"{store}: {day} is not on the cube's calendar "
                         f"({cube.calendar[0]} – {cube.calendar[-1]}); pick a day in it")
    values = cube.read_days([day], variable=variable)
    attrs: dict[str, Any] = dict(cube.array(variable).attrs)
    fill = None if values.dtype.kind == "f" else cube.array(variable).fill_value
    tags: dict[str, str] = {k: str(attrs[k]) for k in ("flag_meanings", "valid_min",
                                                       "valid_max") if k in attrs}
    tags |= {k: " ".join(str(v) for v in np.atleast_1d(attrs[k]))
             for k in ("flag_values", "flag_masks") if k in attrs}
    return Raster(values, cube.grid, None if fill is None else float(fill),
                  (f"{variable} {day}",), str(attrs.get("units", "")),
                  "flag_meanings" in attrs, tags)


def _categorical(values: np.ndarray, fill: float | None, tags: dict[str, str]) -> bool:
    if "flag_meanings" in tags or "flag_values" in tags or "flag_masks" in tags:
        return True
    if values.dtype.kind not in "iu":
        return False
    distinct = np.unique(values)
    return int((distinct != fill).sum() if fill is not None else distinct.size) <= _FEW


def _num(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text.strip("[]").split()[0])
    except (ValueError, IndexError):
        return None
