"""The SMAP product table: short name → level, layout, groups and the grid of each group.

SMAP files are plain HDF5 with no CRS, no dimension scales and no x/y: the grid of a
layer is known only from the product (``/Metadata/DatasetIdentification@shortName``),
its group and its shape. This table is that knowledge, declaratively:

- ``grid`` products (L3) hold 2-D (rows, cols) arrays, row 0 north, in groups per
  overpass: ``…_AM`` (descending, 6 AM) and ``…_PM`` (ascending, 6 PM; every name in
  it ends ``_pm``);
- ``cells`` products (L1C_TB, L2) hold 1-D lists of the cells with data, placed on
  their grid by two integer index variables (``row_index``, ``column_index``);
- ``swath`` products (L1B, L1C_S0_HiRes) hold (scan, footprint) arrays with lat/lon.

Grids are names of the registry (:mod:`swathkit.products.grids`), exact to NSIDC's
``.gpd`` files.
"""

from __future__ import annotations

from dataclasses import dataclass

from swathkit.errors import InputError

__all__ = ["SMAP_PRODUCTS", "SmapGroup", "SmapProduct", "smap_product", "smap_product_of_level"]

LAYOUTS = ("grid", "cells", "swath")
NAMINGS = ("daily", "half-orbit")


@dataclass(frozen=True)
class SmapGroup:
    """One data group of a SMAP product.

    Attributes:
        name: The HDF5 group, e.g. ``"Soil_Moisture_Retrieval_Data_PM"``.
        grid: Registry name of its grid (``"ease2-m36"``), ``""`` for a swath.
        overpass: ``"am"`` (descending), ``"pm"`` (ascending) or ``""`` (a half orbit).
        suffix: What ends every variable name of the group (``"_pm"``), or ``""``.
        row_index: The variable giving each cell's grid row (``cells`` layout), or ``""``.
        column_index: The variable giving each cell's grid column, or ``""``.
    """

    name: str
    grid: str = ""
    overpass: str = ""
    suffix: str = ""
    row_index: str = ""
    column_index: str = ""


@dataclass(frozen=True)
class SmapProduct:
    """One SMAP product.

    Attributes:
        short_name: The CMR / ``DatasetIdentification@shortName`` name, e.g. ``"SPL3SMP"``.
        level: The ``SMAPShortName`` and file-name token, e.g. ``"L3_SM_P"``.
        layout: ``"grid"``, ``"cells"`` or ``"swath"``.
        naming: ``"daily"`` (``SMAP_L3_SM_P_YYYYMMDD_…``) or ``"half-orbit"``.
        groups: The data groups, the default one first.
        archive: Where it is distributed: ``"nsidc"`` or ``"asf"``.
        title: What it is, for tables and messages.
        example: A real file name.
    """

    short_name: str
    level: str
    layout: str
    naming: str
    groups: tuple[SmapGroup, ...]
    archive: str
    title: str
    example: str

    def __post_init__(self) -> None:
        if self.layout not in LAYOUTS or self.naming not in NAMINGS or not self.groups:
            raise ValueError(f"SMAP product {self.short_name}: bad table row")

    @property
    def pattern(self) -> str:
        """Glob of its file names (sidecars such as ``.h5.iso.xml`` do not match)."""
        return f"SMAP_{self.level}_[0-9]*.h5"

    @property
    def product_id(self) -> str:
        """The id of the product registry (:mod:`swathkit.products.registry`): ``smap-spl3smp``."""
        return "smap-" + self.short_name.lower().replace("_", "-")

    def group(self, name: str) -> SmapGroup:
        """The group called ``name`` (its full name, or ``am``/``pm`` for an L3 overpass).

        Raises:
            InputError: no such group; the message lists the product's groups.
        """
        key = name.strip().strip("/")
        for g in self.groups:
            if key == g.name or (g.overpass and key.lower() == g.overpass
                                 and g is self._first_of(g.overpass)):
                return g
        raise InputError(f"{self.short_name} has no group {name!r}; its groups: "
                         f"{', '.join(g.name for g in self.groups)}")

    def _first_of(self, overpass: str) -> SmapGroup:
        return next(g for g in self.groups if g.overpass == overpass)


def _l3(prefix: str, grid: str) -> tuple[SmapGroup, SmapGroup]:
    return (SmapGroup(f"{prefix}_AM", grid, "am"),
            SmapGroup(f"{prefix}_PM", grid, "pm", "_pm"))


def _cells(name: str, grid: str, rows: str, cols: str) -> SmapGroup:
    return SmapGroup(name, grid, row_index=rows, column_index=cols)


_SM = "Soil_Moisture_Retrieval_Data"
_EASE = ("EASE_row_index", "EASE_column_index")
_CELL = ("cell_row", "cell_column")

SMAP_PRODUCTS: tuple[SmapProduct, ...] = (
    SmapProduct("SPL1BTB", "L1B_TB", "swath", "half-orbit",
                (SmapGroup("Brightness_Temperature"), SmapGroup("Spacecraft_Data")), "nsidc",
                "L1B radiometer brightness temperatures, half-orbit swath",
                "SMAP_L1B_TB_30039_A_20200915T114352_R17000_001.h5"),
    SmapProduct("SPL1CTB", "L1C_TB", "cells", "half-orbit",
                (_cells("Global_Projection", "ease2-m36", *_CELL),
                 _cells("North_Polar_Projection", "ease2-n36", *_CELL),
                 _cells("South_Polar_Projection", "ease2-s36", *_CELL)), "nsidc",
                "L1C radiometer brightness temperatures, half orbit on EASE-Grid 2.0 36 km",
                "SMAP_L1C_TB_00869_A_20150331T230335_R11850_002.h5"),
    SmapProduct("SPL2SMP", "L2_SM_P", "cells", "half-orbit",
                (_cells(_SM, "ease2-m36", *_EASE),), "nsidc",
                "L2 radiometer soil moisture, half orbit on EASE-Grid 2.0 36 km",
                "SMAP_L2_SM_P_30058_D_20200916T194350_R19240_001.h5"),
    SmapProduct("SPL2SMP_E", "L2_SM_P_E", "cells", "half-orbit",
                (_cells(_SM, "ease2-m09", *_EASE), _cells(f"{_SM}_Polar", "ease2-n09", *_EASE)),
                "nsidc", "L2 enhanced radiometer soil moisture, half orbit on 9 km",
                "SMAP_L2_SM_P_E_30058_D_20200916T194350_R19240_001.h5"),
    SmapProduct("SPL3SMP", "L3_SM_P", "grid", "daily", _l3(_SM, "ease2-m36"), "nsidc",
                "L3 radiometer soil moisture, daily global 36 km, AM and PM",
                "SMAP_L3_SM_P_20170307_R14010_001.h5"),
    SmapProduct("SPL3SMP_E", "L3_SM_P_E", "grid", "daily",
                (*_l3(_SM, "ease2-m09"), *_l3(f"{_SM}_Polar", "ease2-n09")), "nsidc",
                "L3 enhanced radiometer soil moisture, daily global 9 km and north polar",
                "SMAP_L3_SM_P_E_20240715_R19240_002.h5"),
    SmapProduct("SPL1BS0", "L1B_S0_LORES", "swath", "half-orbit", (SmapGroup("Sigma0_Data"),),
                "asf", "L1B radar backscatter, low resolution, half-orbit swath",
                "SMAP_L1B_S0_LORES_01056_A_20150413T175549_R12240_001.h5"),
    SmapProduct("SPL1CS0", "L1C_S0_HIRES", "swath", "half-orbit", (SmapGroup("Sigma0_Data"),),
                "asf", "L1C radar backscatter, 1 km swath grid, half orbit",
                "SMAP_L1C_S0_HIRES_02298_A_20150707T160502_R13080_001.h5"),
)
"""Every SMAP product swathkit knows."""

_BY_SHORT = {p.short_name: p for p in SMAP_PRODUCTS}
_BY_LEVEL = {p.level: p for p in SMAP_PRODUCTS}


def smap_product(short_name: str) -> SmapProduct:
    """The product called ``short_name`` (``SPL3SMP``; case-insensitive).

    Raises:
        InputError: an unknown short name; the message lists the known ones.
    """
    found = _BY_SHORT.get(short_name.strip().upper())
    if found is None:
        raise InputError(f"unknown SMAP product {short_name!r}; known: {', '.join(_BY_SHORT)}")
    return found


def smap_product_of_level(level: str) -> SmapProduct | None:
    """The product whose file names and ``SMAPShortName`` say ``level`` (``L3_SM_P``)."""
    return _BY_LEVEL.get(level.upper())
