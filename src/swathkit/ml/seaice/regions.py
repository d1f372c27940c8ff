"""Spatial crops of a grid for the ML datasets: index windows and named sea boxes."""

from __future__ import annotations

from swathkit.errors import InputError
from swathkit.products.grids import Grid
from swathkit.types import Region, RegionLike, as_region

# Named boxes, (x_min, x_max, y_min, y_max) in metres of the NSIDC sea-ice polar
# stereographic planes (EPSG:3411/3413 north, 3412/3976 south: they agree to well under
# a cell), so they name windows of the grids on those planes (the ASI grids).
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


def named_region(grid: Grid, name: str) -> Region:
    """The window of ``grid`` that the sea box ``name`` covers.

    Raises:
        InputError: an unknown name for the grid's hemisphere, or a grid that is not on
            the NSIDC polar stereographic plane the boxes are drawn in.
    """
    if grid.grid_mapping_name != "polar_stereographic" or grid.hemisphere not in NAMED_REGIONS:
        raise InputError(f"named regions are boxes of the NSIDC polar stereographic planes; "
                         f"grid {grid.name} is {grid.grid_mapping_name}: give a window "
                         "(r0, r1, c0, c1) or 'R0:R1,C0:C1'")
    boxes = NAMED_REGIONS[grid.hemisphere]
    if name not in boxes:
        raise InputError(f"unknown region {name!r} for grid {grid.name}; choose one of "
                         f"{', '.join(sorted(boxes))}, (r0, r1, c0, c1) or 'R0:R1,C0:C1'")
    x_min, x_max, y_min, y_max = boxes[name]
    return grid.window((x_min, x_max), (y_min, y_max))


def resolve_region(grid: Grid, region: RegionLike | None) -> Region:
    """The window of ``grid`` that ``region`` names.

    Args:
        grid: The cube's grid.
        region: ``None`` (the whole grid), a :class:`~swathkit.types.Region`,
            ``(r0, r1, c0, c1)`` row/column indices (half-open), ``"R0:R1,C0:C1"``, or a
            name from :data:`NAMED_REGIONS` for the grid's hemisphere.

    Raises:
        InputError: An unknown name, or a window outside the grid or empty.
    """
    if region is None:
        return Region.whole(grid.shape)
    if isinstance(region, str) and ":" not in region:
        return named_region(grid, region)
    return as_region(region, grid.shape, grid=grid.name)
