"""Extra input channels for the sea-ice dataset: daily fields of another cube on the same grid.

:class:`TBCube` names a cube of daily gridded brightness temperatures (``swathkit
grid``) and the variables to stack beside the sea-ice concentration as input
channels, aligned by day and grid. The choices:

- the grids must be the same cells (EPSG code, shape, transform), else ``InputError``
  naming both;
- a sample whose input days are not all in the extra cube is skipped, and listed in
  the dataset's summary (``"absent from the extra cube"``): no made-up channel;
- within a day, cells without an observation (NaN) become 0 after scaling, as the
  concentration's do; values are multiplied by ``scale`` (1/300 by default, so
  brightness temperatures come out near 0–1).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from swathkit.errors import InputError
from swathkit.products.grids import Grid
from swathkit.stores.grid_cube import GridCube
from swathkit.stores.location import StoreLocation
from swathkit.types import Region

ABSENT_EXTRA = "absent from the extra cube"


@dataclass(frozen=True)
class TBCube:
    """A cube and the variables of it to serve as extra input channels (in this order).

    Attributes:
        path: The cube's path or URL.
        variables: Day variables, e.g. ``("tb_36_5h_asc", "tb_36_5h_des")``.
        scale: Factor applied to the stored values.
    """

    path: str | os.PathLike[str] | StoreLocation
    variables: Sequence[str]
    scale: float = 1.0 / 300.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "variables", tuple(self.variables))
        if not self.variables:
            raise InputError(f"{self.path}: name at least one variable of the extra cube")

    def open(self, grid: Grid) -> GridCube:
        """The cube, checked: on ``grid``'s cells and holding every variable.

        Raises:
            InputError: another grid, or a variable the cube does not hold.
        """
        cube = GridCube.open(self.path)
        mine = cube.grid
        if (mine.epsg, mine.shape, mine.transform) != (grid.epsg, grid.shape, grid.transform):
            raise InputError(f"{self.path}: the extra cube is on grid {mine.name} "
                             f"({mine.shape[0]}x{mine.shape[1]}, EPSG:{mine.epsg}) but the "
                             f"sea-ice cube is on {grid.name} ({grid.shape[0]}x"
                             f"{grid.shape[1]}, EPSG:{grid.epsg}); grid the swaths onto "
                             f"`--grid {grid.name}`")
        unknown = [v for v in self.variables if v not in cube.variables]
        if unknown:
            raise InputError(f"{self.path}: no variable {', '.join(unknown)} in the extra "
                             f"cube (it has {', '.join(cube.variables)})")
        return cube

    def frames(self, cube: GridCube, days: Sequence[date], region: Region) -> np.ndarray:
        """``(len(days), len(variables), H, W)`` float32, scaled, NaN → 0."""
        h, w = region.shape
        out = np.zeros((len(days), len(self.variables), h, w), np.float32)
        for k, name in enumerate(self.variables):
            values = cube.read_days(list(days), variable=name, region=region.slices())
            out[:, k] = np.nan_to_num(values * np.float32(self.scale), nan=0.0)
        return out
