"""Polar-stereographic map machinery for gridded fields (sea ice), offline.

A map is drawn in the grid's own projected coordinates: the axes' x/y are the
grid's x/y in metres, so every cell is a square pixel of an ``imshow`` and
nothing is resampled (a grid with more cells than screen pixels is reduced by
whole blocks first). What is not in grid coordinates is projected into them
with pyproj: the coastline (:func:`swathkit.plot.coastlines.coastlines`, drawn by
:func:`swathkit.plot.maps.draw_coastlines`) and the lon/lat graticule
(:mod:`swathkit.plot.graticule`). No cartopy, no network.

:class:`MapFrame` is the boundary type: cell centres, CRS and a label, built
once from a :class:`~swathkit.products.grids.Grid` (:meth:`MapFrame.from_grid`), from
an xarray object in the grid convention (``x``/``y`` coordinates in metres, in row and
column order; a grid-mapping variable with ``crs_wkt``/``epsg_code`` or CF attributes)
or given explicitly. Rows may run south to north (the ASI grids, ``y`` ascending) or
north to south (north-up grids such as EASE-Grid 2.0, ``y`` descending).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import matplotlib as mpl
import numpy as np
import pyproj
import xarray as xr
from matplotlib.collections import LineCollection
from matplotlib.colors import Colormap, ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from swathkit.plot.maps import LonLatTransform, draw_coastlines
from swathkit.products.grids import Grid

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.image import AxesImage

DataLike = TypeVar("DataLike", bound=xr.Dataset | xr.DataArray)
CrsLike = pyproj.CRS | str | int
"""Anything :meth:`pyproj.CRS.from_user_input` accepts (EPSG code, WKT, ``"EPSG:3413"``)."""

LAND_COLOUR = "0.62"
MISSING_HATCH = "////"
MISSING_EDGE = "0.55"
_LAT_LIMIT = 25.0  # coastline points nearer the equator than this are not projected


@dataclass(frozen=True)
class MapFrame:
    """Where a gridded field lives: cell centres, projection and a short label.

    Attributes:
        x: Cell centres along x, metres, ascending (column order).
        y: Cell centres along y, metres, in row order: ascending (row 0 = smallest y)
            or descending (a north-up grid, row 0 = largest y).
        crs: The grid's projected CRS.
        label: Grid name and EPSG code for titles, e.g. ``"n6250 · EPSG:3413"``.
        cell: Cell size ``(dx, dy)`` in metres; from the coordinate spacing if None
            (needed only for a frame one cell wide).
    """

    x: np.ndarray
    y: np.ndarray
    crs: pyproj.CRS
    label: str = ""
    cell: tuple[float, float] | None = None

    @classmethod
    def from_grid(cls, grid: Grid) -> MapFrame:
        """The frame of a whole grid."""
        return cls(grid.x(), grid.y(), grid.crs, f"{grid.name} · EPSG:{grid.epsg}",
                   grid.cell_size)

    @classmethod
    def from_xarray(
        cls, obj: xr.Dataset | xr.DataArray, *, crs: CrsLike | Grid | None = None
    ) -> MapFrame:
        """Build the frame of a dataset or data array in the grid convention.

        Args:
            obj: Has 1-D ``x`` and ``y`` coordinates in metres (or ``crs`` is a
                :class:`Grid`, whose cells it is on). Its CRS is read from the
                grid-mapping variable unless ``crs`` is given.
            crs: Overrides (or supplies) the CRS: a CRS or the data's :class:`Grid`.

        Raises:
            ValueError: No ``x``/``y`` coordinates, or no CRS found and none given.
        """
        if isinstance(crs, Grid):
            obj = on_grid(obj, crs)
        if "x" not in obj.coords or "y" not in obj.coords:
            raise ValueError("need 1-D x and y coordinates (metres) to draw a map")
        x = np.asarray(obj["x"].values, dtype=np.float64)
        y = np.asarray(obj["y"].values, dtype=np.float64)
        given = crs.crs if isinstance(crs, Grid) else crs
        found = pyproj.CRS.from_user_input(given) if given is not None else _crs_of(obj)
        if found is None:
            raise ValueError("no CRS in the data (no grid-mapping variable): pass crs=")
        epsg = found.to_epsg()
        grid = str(obj.attrs.get("grid", crs.name if isinstance(crs, Grid) else ""))
        parts = [grid, f"EPSG:{epsg}" if epsg else found.name]
        return cls(x, y, found, " · ".join(p for p in parts if p))

    @property
    def cell_size(self) -> tuple[float, float]:
        """``(dx, dy)`` in metres."""
        if self.cell is not None:
            return self.cell
        dx = float(abs(self.x[1] - self.x[0])) if self.x.size > 1 else None
        dy = float(abs(self.y[1] - self.y[0])) if self.y.size > 1 else None
        if dx is None and dy is None:
            raise ValueError("a frame of one cell needs its cell size: pass cell=(dx, dy)")
        return (dx or dy or 0.0, dy or dx or 0.0)

    @property
    def resolution(self) -> float:
        """Cell size along x, metres."""
        return self.cell_size[0]

    @property
    def north_up(self) -> bool:
        """Whether row 0 is the top (``y`` descending), as in an image."""
        return self.y.size > 1 and bool(self.y[0] > self.y[-1])

    @property
    def origin(self) -> Literal["upper", "lower"]:
        """Where ``imshow`` puts row 0: ``"upper"`` for a north-up frame, else ``"lower"``."""
        return "upper" if self.north_up else "lower"

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """Outer cell edges ``(x0, x1, y0, y1)``, metres, smallest first."""
        dx, dy = self.cell_size
        y_low, y_high = sorted((float(self.y[0]), float(self.y[-1])))
        return (float(self.x[0]) - dx / 2, float(self.x[-1]) + dx / 2,
                y_low - dy / 2, y_high + dy / 2)

    @property
    def hemisphere(self) -> str:
        """``"n"`` or ``"s"``: the pole at the projection origin."""
        return hemisphere_of(self.crs)

    def crop(self, rows: slice, cols: slice) -> MapFrame:
        """The frame of a sub-array ``values[rows, cols]``."""
        return MapFrame(self.x[cols], self.y[rows], self.crs, self.label, self.cell_size)

    def box(self, rows: slice, cols: slice) -> tuple[float, float, float, float]:
        """Outer edges ``(x0, x1, y0, y1)`` of the cells ``[rows, cols]``."""
        return self.crop(rows, cols).extent

    def lonlat(self) -> tuple[np.ndarray, np.ndarray]:
        """Longitude and latitude of every cell centre, ``(y, x)`` float64 degrees."""
        xx, yy = np.meshgrid(self.x, self.y)
        lon, lat = _to_lonlat(self.crs)(xx, yy)
        return np.asarray(lon), np.asarray(lat)


def on_grid(obj: DataLike, grid: Grid) -> DataLike:
    """``obj`` with the grid's ``x``/``y`` cell centres as coordinates if it has none.

    Raises:
        ValueError: ``obj``'s (y, x) sizes are not the grid's shape.
    """
    if "x" in obj.coords and "y" in obj.coords:
        return obj
    sizes = (obj.sizes.get("y"), obj.sizes.get("x"))
    if sizes != grid.shape:
        raise ValueError(f"data of (y, x) sizes {sizes} are not on grid {grid.name} "
                         f"{grid.shape}")
    return cast(DataLike, obj.assign_coords(x=grid.x(), y=grid.y()))


def _crs_of(obj: xr.Dataset | xr.DataArray) -> pyproj.CRS | None:
    candidates: list[Any] = []
    names = [str(obj.attrs.get("grid_mapping", "")), "polar_stereographic", "crs"]
    if isinstance(obj, xr.Dataset):
        for var in obj.data_vars.values():
            names.insert(0, str(var.attrs.get("grid_mapping", "")))
    holder = obj.variables if isinstance(obj, xr.Dataset) else obj.coords
    for name in names:
        if name and name in holder:
            candidates.append(holder[name].attrs)
    for attrs in candidates:
        for key in ("crs_wkt", "spatial_ref", "epsg_code"):
            if attrs.get(key):
                return pyproj.CRS.from_user_input(attrs[key])
        if attrs.get("grid_mapping_name"):
            return pyproj.CRS.from_cf(dict(attrs))
    return None


@functools.cache
def hemisphere_of(crs: pyproj.CRS) -> str:
    """``"n"`` or ``"s"``: the pole at the origin of a polar stereographic CRS."""
    _, lat = _to_lonlat(crs)(np.zeros(1), np.zeros(1))
    return "n" if float(np.asarray(lat)[0]) > 0 else "s"


@functools.cache
def _to_lonlat(crs: pyproj.CRS) -> LonLatTransform:
    return pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform


@functools.cache
def projector(crs: pyproj.CRS) -> LonLatTransform:
    """``(lon, lat) -> (x, y)`` into ``crs``, everywhere (no hemisphere cut)."""
    return pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform


def lonlat_transform(crs: CrsLike) -> LonLatTransform:
    """``(lon, lat) -> (x, y)`` into ``crs``; points of the far hemisphere become NaN.

    Cutting at 25° from the equator keeps coastlines of the other hemisphere
    (which a polar stereographic projection throws far out) off the map.

    Args:
        crs: A polar stereographic CRS.
    """
    target = pyproj.CRS.from_user_input(crs)
    forward = projector(target)
    sign = 1.0 if hemisphere_of(target) == "n" else -1.0

    def transform(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = forward(np.asarray(lon, np.float64), np.asarray(lat, np.float64))
        far = sign * np.asarray(lat) < _LAT_LIMIT
        return np.where(far, np.nan, x), np.where(far, np.nan, y)

    return transform


def draw_polar_coastlines(ax: Axes, crs: CrsLike, *, step: int = 2,
                          linewidth: float = 0.5) -> LineCollection:
    """Coastlines of :mod:`swathkit.plot.coastlines` projected into ``crs``."""
    return draw_coastlines(ax, transform=lonlat_transform(crs), step=step, linewidth=linewidth,
                           color="0.15", zorder=3.5)


def setup_map_axes(ax: Axes, frame: MapFrame, *, missing_hatch: bool = True) -> None:
    """Limits to the frame, equal aspect, no x/y ticks, hatched background.

    Cells left transparent (NaN, not land) show the hatched background: "no data".
    """
    x0, x1, y0, y1 = frame.extent
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("white")
    if missing_hatch:
        ax.patch.set_hatch(MISSING_HATCH)
        ax.patch.set_hatchcolor(MISSING_EDGE)
        ax.patch.set_hatch_linewidth(0.4)


def show_field(ax: Axes, frame: MapFrame, values: np.ndarray, *, cmap: str | Colormap,
               vmin: float, vmax: float, categorical: bool = False,
               priority: Sequence[int] = (), zorder: float = 1.0) -> AxesImage:
    """Draw ``values`` (y, x; in the frame's row order) cell for cell; NaN transparent.

    A grid with several cells per screen pixel is first reduced by whole blocks,
    which keeps big grids cheap to draw: the mean of the valid cells of a block
    that is at least half valid; for categories the one of highest ``priority``
    in the block (listed lowest first; the block's first cell without one), so a
    rare category such as a few filled pixels stays visible.
    """
    colours = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
    colours = colours.with_extremes(bad=(0.0, 0.0, 0.0, 0.0))
    k = _block(ax, values.shape)
    if categorical:
        shown = _block_top(values, k, priority) if priority else values[::k, ::k]
    else:
        shown = _block_mean(values, k)
    return ax.imshow(np.ma.masked_invalid(shown), cmap=colours, vmin=vmin, vmax=vmax,
                     extent=_block_extent(frame, values.shape, k), origin=frame.origin,
                     zorder=zorder, interpolation="nearest" if categorical else "antialiased")


def show_land(ax: Axes, frame: MapFrame, land: np.ndarray, *,
              colour: str = LAND_COLOUR) -> AxesImage:
    """Paint the cells where ``land`` is true, leave the rest untouched."""
    cmap = ListedColormap(["none", colour])
    k = _block(ax, land.shape)
    shown = _block_mean(np.asarray(land, dtype=np.float32), k) >= 0.5
    return ax.imshow(shown.astype(np.uint8), cmap=cmap, vmin=0, vmax=1,
                     extent=_block_extent(frame, land.shape, k), origin=frame.origin,
                     interpolation="nearest", zorder=2)


def _block(ax: Axes, shape: tuple[int, ...]) -> int:
    """Cells per side of a block no bigger than a pixel of the whole figure."""
    fig = ax.get_figure(root=True)
    if not isinstance(fig, Figure):
        return 1
    width, height = fig.get_size_inches() * fig.dpi
    return max(1, int(min(shape[0] / height, shape[1] / width)))


def _block_mean(values: np.ndarray, k: int) -> np.ndarray:
    if k == 1:
        return values
    rows, cols = (values.shape[0] // k) * k, (values.shape[1] // k) * k
    blocks = values[:rows, :cols].reshape(rows // k, k, cols // k, k)
    valid = np.isfinite(blocks)
    count = valid.sum(axis=(1, 3))
    total = np.where(valid, blocks, 0).sum(axis=(1, 3), dtype=np.float64)
    mean = total / np.maximum(count, 1)
    return np.where(count * 2 >= k * k, mean, np.nan).astype(np.float32)


def _block_top(values: np.ndarray, k: int, priority: Sequence[int]) -> np.ndarray:
    if k == 1:
        return values
    rows, cols = (values.shape[0] // k) * k, (values.shape[1] // k) * k
    codes = np.asarray(values[:rows, :cols]).astype(np.int64)
    rank = np.full(int(max(codes.max(initial=0), *priority)) + 1, -1, np.int64)
    rank[list(priority)] = np.arange(len(priority))
    top = rank[codes].reshape(rows // k, k, cols // k, k).max(axis=(1, 3))
    first = codes[::k, ::k][: rows // k, : cols // k]
    return np.where(top >= 0, np.asarray(priority)[np.maximum(top, 0)], first).astype(
        np.float32)


def _block_extent(frame: MapFrame, shape: tuple[int, ...], k: int
                  ) -> tuple[float, float, float, float]:
    if k == 1:
        return frame.extent
    rows, cols = (shape[0] // k) * k, (shape[1] // k) * k
    return frame.crop(slice(0, rows), slice(0, cols)).extent


def land_from_coastline(frame: MapFrame) -> np.ndarray:
    """Land (bool, y × x) from the installed land-mask package at the cell centres."""
    from swathkit.geodata import land_fraction

    land = np.empty((frame.y.size, frame.x.size), bool)
    inverse = _to_lonlat(frame.crs)
    for r0 in range(0, frame.y.size, 256):  # strips keep the float64 temporaries small
        xx, yy = np.meshgrid(frame.x, frame.y[r0:r0 + 256])
        lon, lat = inverse(xx, yy)
        land[r0:r0 + 256] = land_fraction(np.asarray(lat), np.asarray(lon)) >= 0.5
    return land


def legend_patches(*, land: bool = True, missing: bool = True) -> list[Patch]:
    """Legend entries for land (grey) and no data (hatched white)."""
    handles = []
    if land:
        handles.append(Patch(facecolor=LAND_COLOUR, edgecolor="0.3", linewidth=0.5,
                             label="land"))
    if missing:
        handles.append(Patch(facecolor="white", edgecolor=MISSING_EDGE, hatch=MISSING_HATCH,
                             linewidth=0.5, label="no data"))
    return handles


def new_figure(width: float, height: float, *, dpi: float) -> Figure:
    """An Agg figure (no pyplot, no global state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig

