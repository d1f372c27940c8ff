"""What an ALOS RTC zip holds: one top folder ``<stem>/`` with these members.

The layout is declarative so that a writer (the simulator) and a checker (the
extraction step) share it: :func:`members` lists the expected names with their
role, data type and whether they are required.
"""

from __future__ import annotations

from dataclasses import dataclass

from swathkit.products.alos_rtc.names import RtcName

__all__ = ["GAMMA0_NODATA", "LAYERS", "POLARIZATIONS", "Layer", "members"]

GAMMA0_NODATA = 0.0
"""Backscatter pixels without data are 0 (γ⁰ power is positive wherever there is data)."""
LS_GOOD = 1
"""Layover/shadow map value of a good pixel."""
POLARIZATIONS = {"FBS": ("HH",), "FBD": ("HH", "HV"), "PLR": ("HH", "HV", "VH", "VV")}


@dataclass(frozen=True)
class Layer:
    """One member of the zip."""

    suffix: str  # appended to the stem: "_HH.tif", ".dem.tif"
    role: str  # gamma0, dem, incidence, layover_shadow, metadata, browse
    dtype: str | None  # GeoTIFF data type; None for non-rasters
    required: bool = True


LAYERS: tuple[Layer, ...] = (
    Layer(".dem.tif", "dem", "int16"),
    Layer(".inc_map.tif", "incidence", "float32"),
    Layer(".ls_map.tif", "layover_shadow", "uint8"),
    Layer(".iso.xml", "metadata", None),
    Layer(".jpg", "browse", None, required=False),
    Layer(".kmz", "browse", None, required=False),
)
"""Members besides the backscatter rasters (one ``_{POL}.tif`` per polarization, float32)."""


def members(name: RtcName) -> dict[str, Layer]:
    """Every member path the zip of ``name`` may hold (``<stem>/<stem><suffix>``) → its layer."""
    layers = [Layer(f"_{pol}.tif", "gamma0", "float32") for pol in POLARIZATIONS[name.mode]]
    return {f"{name.stem}/{name.stem}{layer.suffix}": layer for layer in (*layers, *LAYERS)}
