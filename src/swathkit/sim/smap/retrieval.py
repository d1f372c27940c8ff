"""The variables of a soil-moisture group (L2_SM_P, L3_SM_P) and their values from a scene.

:data:`SM_VARS` describes them as the real files do (names, dtypes, units, valid ranges,
flag bits); :func:`retrieval_values` fills them for a set of cells from the synthetic
Earth: cells not seen, or open water, hold fills everywhere (lat/lon included); frozen
ground is seen but not retrieved (soil moisture fill, quality bits set).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from swathkit.products.timescales import j2000_to_utc
from swathkit.sim.smap.earth import landcover, scene
from swathkit.sim.smap.h5out import FLOAT_FILL, UINT8_FILL, UINT16_FILL, Var

__all__ = ["QUAL_BITS", "SM_VARS", "SURFACE_BITS", "Cells", "retrieval_values", "sm_vars"]

QUAL_BITS = ("retrieval_recommended", "retrieval_attempted", "retrieval_success",
             "FT_retrieval_success")  # a set bit means "not": bit 0 = 0 is recommended
SURFACE_BITS = ("36_km_static_water_body", "36_km_radar_water_body_detection",
                "36_km_coastal_proximity", "36_km_urban_area", "36_km_precipitation",
                "36_km_snow_or_ice", "36_km_permanent_snow_or_ice",
                "36_km_radiometer_frozen_ground", "36_km_model_frozen_ground",
                "36_km_mountainous_terrain", "36_km_dense_vegetation", "36_km_nadir_region")
WATER_BIT, FROZEN_BIT = 0, 7
_SM_UNITS = "cm**3/cm**3"

SM_VARS: tuple[Var, ...] = (
    Var("soil_moisture", "f4", _SM_UNITS, "Representative soil moisture measurement for the "
        "Earth based grid cell.", (0.02, 0.5)),
    Var("soil_moisture_error", "f4", _SM_UNITS, "Net uncertainty measure of soil moisture "
        "measure for the Earth based grid cell.", (0.0, 0.2)),
    Var("retrieval_qual_flag", "u2", "", "Bit flags that record the conditions and the "
        "quality of the retrieval algorithms.", flags=QUAL_BITS),
    Var("surface_flag", "u2", "", "Bit flags that record ambient surface conditions for the "
        "grid cell", flags=SURFACE_BITS),
    Var("tb_h_corrected", "f4", "Kelvin", "Horizontally polarized brightness temperature "
        "corrected for the presence of water bodies.", (0.0, 330.0)),
    Var("tb_v_corrected", "f4", "Kelvin", "Vertically polarized brightness temperature "
        "corrected for the presence of water bodies.", (0.0, 330.0)),
    Var("surface_temperature", "f4", "Kelvins", "Temperature at land surface based on GMAO "
        "GEOS-5 data.", (253.15, 313.15)),
    Var("vegetation_opacity", "f4", "", "The measured opacity of the vegetation used in "
        "retrievals in the grid cell.", (0.0, 5.0)),
    Var("latitude", "f4", "degrees_north", "Latitude of the center of the Earth based grid "
        "cell.", (-90.0, 90.0)),
    Var("longitude", "f4", "degrees_east", "Longitude of the center of the Earth based grid "
        "cell.", (-180.0, 179.999)),
    Var("EASE_row_index", "u2", "", "The row index of the EASE grid cell that contains the "
        "associated data."),
    Var("EASE_column_index", "u2", "", "The column index of the EASE grid cell that contains "
        "the associated data."),
    Var("tb_time_seconds", "f8", "seconds", "Arithmetic average of the acquisition time of "
        "all of the brightness temperature footprints with a center that falls within the "
        "EASE grid cell in UTC (J2000 seconds).", (0.0, 2e9)),
    Var("tb_time_utc", "S24", "", "Arithmetic average of the acquisition time of all of the "
        "brightness temperature footprints with a center that falls within the EASE grid "
        "cell in UTC."),
    Var("landcover_class", "u1", "", "An enumerated type that specifies the most common "
        "landcover class in the grid cell based on the IGBP landcover map.", (0, 16)),
    Var("landcover_class_fraction", "f4", "", "The fraction of the grid cell that contains "
        "the most common land cover in that area.", (0.0, 1.0)),
)
"""The variables of a soil-moisture group, in file order."""


@dataclass(frozen=True)
class Cells:
    """The cells to fill: their centres, grid indices and when the satellite saw them."""

    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    row: NDArray[np.int64]
    col: NDArray[np.int64]
    seen: NDArray[np.bool_]
    seconds: NDArray[np.float64]  # J2000 seconds of the pass (any value where not seen)


def sm_vars(shape: tuple[int, int]) -> tuple[Var, ...]:
    """:data:`SM_VARS` with the index ranges of a grid of ``shape`` (rows, cols)."""
    ranges = {"EASE_row_index": shape[0] - 1, "EASE_column_index": shape[1] - 1}
    return tuple(replace(v, valid=(0, ranges[v.name])) if v.name in ranges else v
                 for v in SM_VARS)


def retrieval_values(cells: Cells, time: np.datetime64, overpass: str, *,
                     rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Every variable of :data:`SM_VARS` for ``cells`` (shape of ``cells.lat``, landcover
    with a trailing axis of 3), fills in place, the scene taken at ``time``."""
    sc = scene(cells.lat, cells.lon, time, overpass)
    data = cells.seen & sc.land
    retrieved = data & ~sc.frozen
    noise = rng.standard_normal((2, *cells.lat.shape)).astype(np.float32) * np.float32(1.3)
    qual = np.where(sc.water_body | sc.frozen, 1, 0) | np.where(sc.frozen, 6, 0)
    surface = (np.where(sc.water_body, 1 << WATER_BIT, 0)
               | np.where(sc.frozen, 1 << FROZEN_BIT, 0))
    classes, fractions = landcover(cells.lat, cells.lon)
    out: dict[str, np.ndarray] = {
        "soil_moisture": np.where(retrieved, sc.soil_moisture, FLOAT_FILL),
        "soil_moisture_error": np.where(retrieved, np.float32(0.04), FLOAT_FILL),
        "retrieval_qual_flag": np.where(data, qual, UINT16_FILL),
        "surface_flag": np.where(data, surface, UINT16_FILL),
        "tb_h_corrected": np.where(data, sc.tb_h + noise[0], FLOAT_FILL),
        "tb_v_corrected": np.where(data, sc.tb_v + noise[1], FLOAT_FILL),
        "surface_temperature": np.where(data, sc.surface_temperature, FLOAT_FILL),
        "vegetation_opacity": np.where(data, sc.vegetation_opacity, FLOAT_FILL),
        "latitude": np.where(data, cells.lat, FLOAT_FILL),
        "longitude": np.where(data, cells.lon, FLOAT_FILL),
        "EASE_row_index": np.where(data, cells.row, UINT16_FILL),
        "EASE_column_index": np.where(data, cells.col, UINT16_FILL),
        "tb_time_seconds": np.where(data, cells.seconds, FLOAT_FILL),
        "tb_time_utc": _utc_strings(cells.seconds, data),
        "landcover_class": np.where(data[..., None], classes, UINT8_FILL),
        "landcover_class_fraction": np.where(data[..., None], fractions, FLOAT_FILL),
    }
    return out


def _utc_strings(seconds: NDArray[np.float64], data: NDArray[np.bool_]) -> np.ndarray:
    # 9 km cells share their 36 km pass time: format each distinct instant once
    unique, inverse = np.unique(np.where(data, seconds, FLOAT_FILL), return_inverse=True)
    texts = np.datetime_as_string(j2000_to_utc(unique).astype("datetime64[ms]"), unit="ms")
    spelled = np.char.add(texts.astype("S23"), b"Z")[inverse.reshape(seconds.shape)]
    return np.where(data, spelled, b"")
