"""Writing SMAP HDF5 the way the SDS does: variables with their attributes, the Metadata group.

Strings (attributes and ``tb_time_utc``) are fixed-length ASCII as in the real files.
Floats carry ``_FillValue`` -9999, flags and indices ``_FillValue`` 65534, except the
traps of the real files kept on purpose: ``latitude``/``longitude`` hold -9999 with no
``_FillValue`` attribute, and in an L3 PM group the ``coordinates`` attribute names the
AM variables.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import h5py
import numpy as np

from swathkit.products.smap.table import SmapProduct

__all__ = ["FLOAT_FILL", "UINT8_FILL", "UINT16_FILL", "Var", "new_file", "write_metadata",
           "write_var"]

FLOAT_FILL = -9999.0
UINT16_FILL = 65534
UINT8_FILL = 254
_NO_FILL = ("latitude", "longitude", "cell_lat", "cell_lon")  # the real files' trap


@dataclass(frozen=True)
class Var:
    """How one variable is described in the file (its values come separately)."""

    name: str
    dtype: str
    units: str = ""
    long_name: str = ""
    valid: tuple[float, float] | None = None
    flags: tuple[str, ...] = ()  # bit meanings, bit 0 first

    @property
    def fill(self) -> float | int | None:
        if self.name.removesuffix("_pm") in _NO_FILL or self.dtype.startswith("S"):
            return None
        return {"f4": FLOAT_FILL, "f8": FLOAT_FILL, "u2": UINT16_FILL,
                "u1": UINT8_FILL}[self.dtype]


@contextmanager
def new_file(path: Path) -> Iterator[h5py.File]:
    """An HDF5 file written beside ``path`` (``.part``) and renamed into place when complete;
    removed if writing fails, so no half-written product is ever left under its name."""
    part = path.with_name(path.name + ".part")
    try:
        with h5py.File(part, "w", track_order=True) as f:
            yield f
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)


def text(value: str) -> np.bytes_:
    """A fixed-length ASCII string attribute, as the SMAP files hold them."""
    return np.bytes_(value.encode("ascii"))


def write_var(group: h5py.Group, var: Var, values: np.ndarray, *, coordinates: str = "") -> None:
    """Write one variable: its values (fills already in place), chunks, zlib 2, attributes."""
    data = np.asarray(values, dtype=var.dtype)
    chunks = (1, *data.shape[1:]) if data.ndim > 1 else (True if data.size else None)
    ds = group.create_dataset(var.name, data=data, chunks=chunks,
                              compression="gzip" if data.size else None,
                              compression_opts=2 if data.size else None)
    if var.fill is not None:
        ds.attrs["_FillValue"] = np.array(var.fill, dtype=var.dtype)
    if var.long_name:
        ds.attrs["long_name"] = text(var.long_name)
    if var.units:
        ds.attrs["units"] = text(var.units)
    if var.valid is not None:
        ds.attrs["valid_min"] = np.array(var.valid[0], dtype=var.dtype)
        ds.attrs["valid_max"] = np.array(var.valid[1], dtype=var.dtype)
    if var.flags:
        ds.attrs["flag_masks"] = np.array([1 << i for i in range(len(var.flags))], var.dtype)
        ds.attrs["flag_meanings"] = text(" ".join(var.flags))
    if coordinates:
        ds.attrs["coordinates"] = text(coordinates)


@dataclass(frozen=True)
class Extent:
    """What the Metadata group says of a file's time span and area."""

    begin: np.datetime64
    end: np.datetime64
    bounds: tuple[float, float, float, float]  # west, south, east, north (degrees)


def iso_time(t: np.datetime64) -> str:
    """``2017-03-07T00:00:00.000Z``, the form of the SMAP metadata."""
    return f"{np.datetime_as_string(np.asarray(t, 'datetime64[ms]'), unit='ms')}Z"


def write_metadata(f: h5py.File, product: SmapProduct, file_name: str, crid: str,
                   extent: Extent) -> None:
    """``/Metadata`` with ``DatasetIdentification``, ``Extent`` and the ISO 19139 XML."""
    meta = f.create_group("Metadata")
    ident = meta.create_group("DatasetIdentification")
    # two days after the data, not now: the same inputs give the same bytes
    created = np.asarray(extent.end).astype("datetime64[D]") + np.timedelta64(2, "D")
    for key, value in (("shortName", product.short_name), ("SMAPShortName", product.level),
                       ("CompositeReleaseID", crid), ("fileName", file_name),
                       ("longName", product.title),
                       ("creationDate", f"{created}T00:00:00.000Z")):
        ident.attrs[key] = text(value)
    ext = meta.create_group("Extent")
    ext.attrs["rangeBeginningDateTime"] = text(iso_time(extent.begin))
    ext.attrs["rangeEndingDateTime"] = text(iso_time(extent.end))
    for key, degrees in zip(("westBoundLongitude", "southBoundLatitude", "eastBoundLongitude",
                             "northBoundLatitude"), extent.bounds, strict=True):
        ext.attrs[key] = np.float32(degrees)
    meta.attrs["iso_19139_dataset_xml"] = text(_iso_xml(product, file_name, extent))


def _iso_xml(product: SmapProduct, file_name: str, extent: Extent) -> str:
    west, south, east, north = extent.bounds
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<gmd:MD_Metadata xmlns:gmd="http://www.isotc211.org/2005/gmd" '
        'xmlns:gco="http://www.isotc211.org/2005/gco" xmlns:gml="http://www.opengis.net/gml/3.2">'
        f"<gmd:fileIdentifier><gco:CharacterString>{escape(file_name)}</gco:CharacterString>"
        "</gmd:fileIdentifier><gmd:identificationInfo><gmd:MD_DataIdentification>"
        "<gmd:citation><gmd:CI_Citation><gmd:title><gco:CharacterString>"
        f"{escape(product.short_name)}</gco:CharacterString></gmd:title></gmd:CI_Citation>"
        "</gmd:citation><gmd:extent><gmd:EX_Extent><gmd:geographicElement>"
        "<gmd:EX_GeographicBoundingBox>"
        f"<gmd:westBoundLongitude><gco:Decimal>{west}</gco:Decimal></gmd:westBoundLongitude>"
        f"<gmd:eastBoundLongitude><gco:Decimal>{east}</gco:Decimal></gmd:eastBoundLongitude>"
        f"<gmd:southBoundLatitude><gco:Decimal>{south}</gco:Decimal></gmd:southBoundLatitude>"
        f"<gmd:northBoundLatitude><gco:Decimal>{north}</gco:Decimal></gmd:northBoundLatitude>"
        "</gmd:EX_GeographicBoundingBox></gmd:geographicElement><gmd:temporalElement>"
        '<gmd:EX_TemporalExtent><gmd:extent><gml:TimePeriod gml:id="extent">'
        f"<gml:beginPosition>{iso_time(extent.begin)}</gml:beginPosition>"
        f"<gml:endPosition>{iso_time(extent.end)}</gml:endPosition></gml:TimePeriod>"
        "</gmd:extent></gmd:EX_TemporalExtent></gmd:temporalElement></gmd:EX_Extent>"
        "</gmd:extent></gmd:MD_DataIdentification></gmd:identificationInfo></gmd:MD_Metadata>")


def day_start(day: date) -> np.datetime64:
    return np.datetime64(day.isoformat(), "ns")
