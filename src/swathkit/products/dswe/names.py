"""DSWE tile names and LandsatLook asset URLs.

``TILEID = {LT05|LE07|LC08}_{CU|AK|HI}_{hhh}{vvv}_{acqYYYYMMDD}_{procYYYYMMDD}_02``; the
STAC item is ``{TILEID}_DSWE`` and each layer's file is
``{base}/level-3/collection02/DSWE/{YYYY}/{CU}/{hhh}/{vvv}/{TILEID}_DSWE/{TILEID}_{LAYER}.TIF``
(``YYYY`` the acquisition year)::

    >>> tid = TileId.parse("LE07_CU_003008_20080101_20210101_02")
    >>> tid.tile, tid.acquired.isoformat()
    (ArdTile(region='CU', h=3, v=8), '2008-01-01')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from swathkit.errors import FileNameError, InputError
from swathkit.products.dswe.grid import ArdTile

__all__ = ["ASSET_ROOT", "LAYERS", "PLATFORMS", "TileId", "asset_href", "parse_href"]

PLATFORMS: dict[str, str] = {"LANDSAT_5": "LT05", "LANDSAT_7": "LE07", "LANDSAT_8": "LC08"}
"""STAC ``platform`` → the sensor code of the tile id."""
LAYERS: tuple[str, ...] = ("inwam", "intr", "intsm", "mask", "diag", "shade", "slope")
"""Asset keys of a DSWE item (file suffix: the key in capitals)."""
ASSET_ROOT = "level-3/collection02/DSWE"
COLLECTION_VERSION = "02"

_TILE_ID = re.compile(r"^(LT05|LE07|LC08)_(CU|AK|HI)_(\d{3})(\d{3})_(\d{8})_(\d{8})_02$")
_CODES = {code: platform for platform, code in PLATFORMS.items()}


@dataclass(frozen=True, order=True)
class TileId:
    """One DSWE tile acquisition: sensor, ARD tile, acquisition and processing days."""

    sensor: str  # LT05, LE07, LC08
    tile: ArdTile
    acquired: date
    processed: date

    @classmethod
    def parse(cls, text: str) -> TileId:
        """A tile id from its text (an ``_DSWE`` item id or ``_INWAM.TIF`` name also works).

        Raises:
            FileNameError: the text breaks the grammar.
        """
        stem = text.rsplit("/", 1)[-1]
        stem = re.sub(r"_(DSWE|[A-Z]+\.TIF)$", "", stem)
        match = _TILE_ID.match(stem)
        if match is None:
            raise FileNameError(f"{text!r} is not a DSWE tile id (expected like "
                                "LE07_CU_003008_20080101_20210101_02)")
        sensor, reg, h, v, acq, proc = match.groups()
        try:
            days = [datetime.strptime(s, "%Y%m%d").date() for s in (acq, proc)]
        except ValueError:
            raise FileNameError(f"{text!r}: {acq} or {proc} is not a date") from None
        try:
            tile = ArdTile(reg, int(h), int(v))
        except InputError as exc:
            raise FileNameError(f"{text!r}: {exc}") from None
        return cls(sensor, tile, days[0], days[1])

    @property
    def platform(self) -> str:
        """The STAC ``platform`` (``LANDSAT_7`` …)."""
        return _CODES[self.sensor]

    @property
    def item_id(self) -> str:
        """The STAC item id: ``{TILEID}_DSWE``."""
        return f"{self}_DSWE"

    def file_name(self, layer: str = "inwam") -> str:
        """The file of one layer: ``{TILEID}_INWAM.TIF``."""
        if layer not in LAYERS:
            raise ValueError(f"unknown DSWE layer {layer!r}; known: {', '.join(LAYERS)}")
        return f"{self}_{layer.upper()}.TIF"

    def __str__(self) -> str:
        t = self.tile
        return (f"{self.sensor}_{t.region}_{t.h:03d}{t.v:03d}_{self.acquired:%Y%m%d}_"
                f"{self.processed:%Y%m%d}_{COLLECTION_VERSION}")


def asset_href(base_url: str, tile_id: TileId, layer: str = "inwam") -> str:
    """The LandsatLook URL of one layer of a tile (``base_url``: ``https://landsatlook.usgs.gov``)."""
    t = tile_id.tile
    return (f"{base_url.rstrip('/')}/{ASSET_ROOT}/{tile_id.acquired:%Y}/{t.region}/{t.h:03d}/"
            f"{t.v:03d}/{tile_id.item_id}/{tile_id.file_name(layer)}")


def parse_href(url: str) -> tuple[TileId, str]:
    """``(tile id, layer)`` of a LandsatLook DSWE asset URL (or its path).

    Raises:
        FileNameError: the path is not one :func:`asset_href` writes.
    """
    path = url.split("?", 1)[0].split("#", 1)[0]
    if "://" in path:
        path = path.split("://", 1)[1].partition("/")[2]
    path = path.strip("/")
    parts = path.split("/")
    if len(parts) < 9 or "/".join(parts[-9:-6]) != ASSET_ROOT:
        raise FileNameError(f"{url!r} is not a LandsatLook DSWE asset path ({ASSET_ROOT}/…)")
    year, reg, hhh, vvv, folder, name = parts[-6:]
    tile_id = TileId.parse(folder)
    layer = name[len(str(tile_id)) + 1:-len(".TIF")].lower()
    if (asset_href("", tile_id, layer if layer in LAYERS else "inwam").strip("/")
            != "/".join(parts[-9:]) or layer not in LAYERS):
        raise FileNameError(f"{url!r}: the folders ({year}/{reg}/{hhh}/{vvv}) or the layer "
                            "do not match the tile id")
    return tile_id, layer
