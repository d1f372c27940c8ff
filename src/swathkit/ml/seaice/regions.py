"""Spatial crops of a grid for the ML datasets: index windows and named sea boxes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from swathkit.products.asi.grids import AsiGrid

# Named boxes, (x_min, x_max, y_min, y_max) in metres of the grid's polar stereographic
# projection (the NSIDC EPSG:3411/3413 and 3412/3976 planes agree to well under a cell).
NAMED_REGIONS: dict[str, dict[str, tuple[float, float, float, float]]] = {
    "n": {
        "central_arctic": (-900_000, 900_000, -900_000, 900_000),
        "beaufort": (-2_300_000, -1_200_000, -600_000, 1_000_000),
        "chukchi": (-2_400_000, -1_200_000, 600_000, 1_900_000),
        "barents": (800_000, 2_400_000, -1_200_000, 600_000),
        "kara": (600_000, 2_100_000, 300_000, 1_800_000),
        "laptev": (-200_000, 1_300_000, 800_000, 2_200_000),
        "hudson": (-3_400_000, -1_400_000, -3_800_000, -1_800_000),
    },
    "s": {
        "weddell": (-2_700_000, -200_000, 700_000, 3_000_000),
        "ross": (-1_200_000, 800_000, -2_400_000, -1_100_000),
    },
}


@dataclass(frozen=True)
class Region:
    """Half-open row/column window ``[y0, y1) × [x0, x1)`` of the grid (row 0 = south)."""

    y0: int
    y1: int
    x0: int
    x1: int

    @property
    def shape(self) -> tuple[int, int]:
        return self.y1 - self.y0, self.x1 - self.x0

    def as_tuple(self) -> tuple[int, int, int, int]:
        return self.y0, self.y1, self.x0, self.x1

    def slices(self) -> tuple[slice, slice]:
        """``(rows, cols)`` as the cube's readers take them."""
        return slice(self.y0, self.y1), slice(self.x0, self.x1)


RegionLike = Region | tuple[int, int, int, int] | str | None


def resolve_region(grid: AsiGrid, region: RegionLike) -> Region:
    """The window of ``grid`` that ``region`` names.

    Args:
        grid: The cube's grid.
        region: ``None`` (the whole grid), ``(y0, y1, x0, x1)`` row/column indices
            (half-open), or a name from :data:`NAMED_REGIONS` for the grid's hemisphere.

    Raises:
        ValueError: Unknown name, or a window outside the grid or empty.
    """
    if region is None:
        return Region(0, grid.rows, 0, grid.cols)
    if isinstance(region, str):
        boxes = NAMED_REGIONS[grid.hemisphere]
        if region not in boxes:
            raise ValueError(f"unknown region {region!r} for grid {grid.name}; "
                             f"choose one of {', '.join(sorted(boxes))} or (y0, y1, x0, x1)")
        x_min, x_max, y_min, y_max = boxes[region]
        x, y = grid.x(), grid.y()
        return Region(int(np.searchsorted(y, y_min)), int(np.searchsorted(y, y_max)),
                      int(np.searchsorted(x, x_min)), int(np.searchsorted(x, x_max)))
    if isinstance(region, Region):
        region = region.as_tuple()
    y0, y1, x0, x1 = (int(v) for v in region)
    if not (0 <= y0 < y1 <= grid.rows and 0 <= x0 < x1 <= grid.cols):
        raise ValueError(f"region {region} is empty or outside the {grid.rows} x {grid.cols} "
                         f"grid {grid.name}; give (y0, y1, x0, x1) with y0 < y1, x0 < x1")
    return Region(y0, y1, x0, x1)
