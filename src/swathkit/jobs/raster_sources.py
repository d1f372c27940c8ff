"""What ``convert`` turns into rasters: the items of each input, each with its own output.

An input is a SMAP (or other HDF5) file, a Bremen ASI sea-ice day file, a grid cube
or an AMSR2 swath store; :func:`items_of` gives its :class:`RasterItem` s:

- a SMAP file: one item, the layer (:func:`swathkit.jobs.rasters.load_layer`);
- an ASI day (``asi-AMSR2-<grid>-YYYYMMDD-v5.4.nc``): one item, ``sic`` on the polar
  stereographic grid in the CRS of that day (EPSG:3411/3412 until 2018-11-01, then
  3413/3976: :func:`swathkit.products.grids.grid_on`), NaN as nodata;
- a grid cube: one item, a band per present day (descriptions are the dates), or
  only ``day``; the days must share one CRS;
- a swath store: one item per granule (all, or the ones asked for), the channel
  (``89.0AH`` or its variable ``tb_89_0ah``) resampled onto the named grid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from swathkit.errors import FileNameError, InputError, ProductError, StoreError
from swathkit.jobs.rasters import layer_tags
from swathkit.products.grids import GRIDS, grid_on
from swathkit.products.grids import grid as named_grid
from swathkit.stores.grid_cube import GridCube
from swathkit.stores.raster import Raster
from swathkit.stores.swath_store import SwathStore

__all__ = ["Options", "RasterItem", "cube_day", "items_of"]


@dataclass(frozen=True)
class RasterItem:
    """One raster to write: a label for tables, its output file name, how to load it."""

    label: str
    name: str
    load: Callable[[], Raster]


@dataclass(frozen=True)
class Options:
    """What the command asked for (the same for every input)."""

    layer: str | None = None
    grid: str | None = None
    method: str = "nearest"
    day: date | None = None
    granules: tuple[str, ...] = ()


def items_of(source: str, opts: Options) -> list[RasterItem]:
    """The rasters ``source`` (a file, or a Zarr store folder) gives for ``opts``.

    Raises:
        InputError: the store has none of the granules or days asked for, a swath
            store without ``--grid`` or ``--layer``.
    """
    path = Path(source)
    if path.is_dir() or "://" in source:
        return _store_items(source, opts)
    stem = path.name.removesuffix(".h5").removesuffix(".nc")
    if _asi_name(path) is not None:
        return [RasterItem(path.name, f"{stem}_sic.tif", lambda: asi_raster(path))]
    if not opts.layer:
        raise InputError(f"{path}: name the layer to convert with --layer PATH "
                         "(`swathkit inspect FILE` lists them)")
    layer = opts.layer

    def load() -> Raster:
        from swathkit.jobs.rasters import load_layer

        return load_layer(path, layer, grid=opts.grid, method=opts.method)

    return [RasterItem(path.name, f"{stem}_{_short(layer)}.tif", load)]


def _short(layer: str) -> str:
    return layer.strip("/").rsplit("/", 1)[-1]


def _asi_name(path: Path) -> object | None:
    from swathkit.products.asi.names import parse_asi_name

    try:
        return parse_asi_name(path.name)
    except FileNameError:
        return None


def asi_raster(path: Path) -> Raster:
    """One ASI day file: ``sic`` (percent, NaN nodata) on its grid as of its date."""
    from swathkit.products.asi.names import parse_asi_name
    from swathkit.products.asi.reader import open_asi

    name = parse_asi_name(path.name)
    da = open_asi(path)["sic"]
    g = grid_on(named_grid(f"asi-{name.grid}"), name.day)
    values = np.asarray(da.values[0], np.float32)
    return Raster(values[None], g, float("nan"), (f"sic {name.day.isoformat()}",), "percent",
                  False, {"long_name": "sea ice concentration", "date": name.day.isoformat(),
                          "source": path.name})


def _store_items(source: str, opts: Options) -> list[RasterItem]:
    try:
        cube = GridCube.open(source)
    except StoreError:
        return _swath_items(source, opts)
    return [_cube_item(source, cube, opts)]


def _cube_item(source: str, cube: GridCube, opts: Options) -> RasterItem:
    layer = opts.layer or "sic"
    if layer not in cube.variables:
        raise InputError(f"{source}: the cube has no day variable {layer!r}; its variables: "
                         f"{', '.join(cube.variables)}")
    days = cube.days
    if opts.day is not None:
        if opts.day not in days:
            span = f"{days[0]} … {days[-1]}" if days else "none"
            raise InputError(f"{source}: {opts.day} is not a present day of the cube "
                             f"(present: {span}, {len(days)} days)")
        days = [opts.day]
    if not days:
        raise InputError(f"{source}: the cube holds no day yet; nothing to convert")
    grids = {grid_on(cube.grid, d) for d in days}
    if len(grids) > 1:
        raise InputError(f"{source}: its days are on {len(grids)} CRSs (EPSG "
                         f"{', '.join(str(e) for e in sorted(g.epsg for g in grids))}; the grid "
                         "changed CRS on a date); convert days one at a time with --day DATE")
    [g] = grids
    stem = Path(source.rstrip("/")).name.removesuffix(".zarr")
    suffix = f"_{opts.day:%Y%m%d}" if opts.day else ""

    def load() -> Raster:
        values = cube.read_days(days, variable=layer)
        array = cube.array(layer)
        attrs = dict(array.attrs)
        nodata = float("nan") if values.dtype.kind == "f" else int(array.fill_value)
        units = str(attrs.get("units", "percent" if layer.startswith("sic") else ""))
        return Raster(values, g, nodata, tuple(d.isoformat() for d in days), units,
                      layer == "fill_flag" or "flag_meanings" in attrs,
                      {**layer_tags(attrs), "variable": layer, "source": stem,
                       "first_day": days[0].isoformat(), "last_day": days[-1].isoformat()})

    return RasterItem(f"{stem} ({len(days)} days)", f"{stem}_{layer}{suffix}.tif", load)


def _swath_items(source: str, opts: Options) -> list[RasterItem]:
    store = SwathStore.open(source)  # its StoreError says when there is no store here
    if not opts.layer:
        raise InputError(f"{source}: name the channel to convert with --layer "
                         f"(e.g. 89.0AH); the store holds {', '.join(_channels(store))}")
    if not opts.grid:
        raise InputError(f"{source}: swaths are resampled onto a grid; name it with "
                         f"--grid NAME ({', '.join(GRIDS)})")
    variable = _variable(source, store, opts.layer)
    target = named_grid(opts.grid)
    granules = list(opts.granules) or store.granule_ids
    missing = [g for g in granules if g not in store]
    if missing:
        raise InputError(f"{source}: no granule {', '.join(missing[:5])} in the store "
                         f"({len(store)} granules; `swathkit inspect {source}` lists them)")

    def loader(granule: str) -> Callable[[], Raster]:
        def load() -> Raster:
            from swathkit.jobs.rasters import swath_raster

            ds = store.read_swath(granule, metadata=False)
            band = variable.removeprefix("tb_")
            da = ds[variable]
            keep = [c for c in da.coords if str(c) in (f"lat_{_band(band)}",
                                                       f"lon_{_band(band)}")]
            da = da.reset_coords([c for c in da.coords if c not in keep], drop=True)
            return swath_raster(da, target, opts.method, variable, Path(f"{source}:{granule}"),
                                hint="the store keeps no lat/lon: ingest into a store made "
                                "with --coords")
        return load

    return [RasterItem(g, f"{g}_{variable}_{target.name}.tif", loader(g)) for g in granules]


def _channels(store: SwathStore) -> list[str]:
    names = [s.name for s in store.layout.data_specs()]
    return [n for n in names if n.startswith("tb_")] or names


def _variable(source: str, store: SwathStore, layer: str) -> str:
    from swathkit.products.amsr2.channels import channel

    specs = [s.name for s in store.layout.data_specs()]
    if layer in specs and layer.startswith("tb_"):
        return layer
    try:
        variable = channel(layer).variable
    except ProductError:
        variable = ""
    if variable not in specs:
        raise InputError(f"{source}: no channel {layer!r} in the store; it holds "
                         f"{', '.join(s for s in specs if s.startswith('tb_'))}")
    return variable


def _band(suffix: str) -> str:
    """``36_5h`` → ``36g``, ``89_0ah`` → ``89a``: the geolocation band of a channel."""
    from swathkit.products.amsr2.channels import CHANNELS

    for ch in CHANNELS.values():
        if ch.variable == f"tb_{suffix}":
            return ch.band.lower()
    return suffix


def cube_day(text: str | None) -> date | None:
    """``--day`` text as a date (None when not given)."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--day {text!r} is not a date; write it as YYYY-MM-DD") from None
