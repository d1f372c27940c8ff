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
    if day is not None and layer not in raster.descriptions[band]:
        title = f"{path.name}  {layer}  {raster.descriptions[band]}"  # a cube day: say what
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
    """One day of a grid cube's ``variable`` as a Raster (the ``convert`` item of that day).

    Raises:
        InputError: not a cube variable (the message lists them), a day not in the cube.
    """
    from swathkit.jobs.raster_sources import Options, items_of

    [item] = items_of(str(store), Options(layer=variable, day=day))
    return item.load()


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
