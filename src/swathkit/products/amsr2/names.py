"""File-name grammar of JAXA GCOM-W/AMSR2 Level 1 products.

``GW1AM2_YYYYMMDDhhmm_NNNX_L1SGBTBR_2220220.h5``: platform ``GW1``, sensor
``AM2``, start minute, path number ``NNN``, orbit direction ``X`` (A/D), level
``L1``, process kind ``SG``/``DL``, product ``BTB``/``RTB``, a one-character
resolution/unit id (``R`` in every documented name), then product version
(1 char), algorithm version (3 digits) and parameter version (3 digits). The
documented examples hold no separate device id, so none is parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePath

from swathkit.errors import FileNameError

_GRAMMAR = re.compile(
    r"^GW1AM2_(?P<start>\d{12})_(?P<path>\d{3})(?P<direction>[AD])_"
    r"L1(?P<kind>SG|DL)(?P<product>BTB|RTB)(?P<resolution>[A-Z0-9])_"
    r"(?P<product_version>[0-9A-Z])(?P<algorithm_version>\d{3})(?P<parameter_version>\d{3})"
    r"(?P<ext>\.h5)?$"
)

PRODUCT_CODES = {"BTB": "L1B", "RTB": "L1R"}


@dataclass(frozen=True)
class GranuleName:
    """The parts of an AMSR2 Level 1 file name."""

    start: datetime
    path_number: int
    orbit_direction: str  # "A" or "D"
    process_kind: str = "SG"  # "SG" standard, "DL" near-real-time
    product: str = "BTB"  # "BTB" L1B, "RTB" L1R
    resolution_id: str = "R"
    product_version: str = "2"
    algorithm_version: str = "220"
    parameter_version: str = "220"

    @property
    def granule_id(self) -> str:
        """The name without extension, used as the granule's identity."""
        return (
            f"GW1AM2_{self.start:%Y%m%d%H%M}_{self.path_number:03d}{self.orbit_direction}_"
            f"L1{self.process_kind}{self.product}{self.resolution_id}_"
            f"{self.product_version}{self.algorithm_version}{self.parameter_version}"
        )

    @property
    def file_name(self) -> str:
        return self.granule_id + ".h5"

    @property
    def level(self) -> str:
        return PRODUCT_CODES[self.product]


def parse_name(name: str | PurePath) -> GranuleName:
    """Parse an AMSR2 Level 1 file name (a path's directories are ignored).

    Raises:
        FileNameError: the name breaks the grammar; the message says which part.
    """
    base = PurePath(name).name
    m = _GRAMMAR.match(base)
    if not m:
        raise FileNameError(f"{base!r} is not an AMSR2 Level 1 file name: {_diagnose(base)}")
    g = m.groupdict()
    try:
        start = datetime.strptime(g["start"], "%Y%m%d%H%M").replace(tzinfo=UTC)
    except ValueError as exc:
        raise FileNameError(f"{base!r}: start time {g['start']!r} is not a date: {exc}") from exc
    return GranuleName(
        start=start,
        path_number=int(g["path"]),
        orbit_direction=g["direction"],
        process_kind=g["kind"],
        product=g["product"],
        resolution_id=g["resolution"],
        product_version=g["product_version"],
        algorithm_version=g["algorithm_version"],
        parameter_version=g["parameter_version"],
    )


def _diagnose(base: str) -> str:
    parts = base.removesuffix(".h5").split("_")
    expected = "GW1AM2_YYYYMMDDhhmm_NNN[A|D]_L1[SG|DL][BTB|RTB]RD_VAAAPPP.h5"
    if len(parts) != 5:
        return f"expected 5 parts separated by '_' ({expected}), found {len(parts)}"
    checks = (
        (parts[0] == "GW1AM2", "must start with GW1AM2"),
        (re.fullmatch(r"\d{12}", parts[1]) is not None, "start must be YYYYMMDDhhmm"),
        (re.fullmatch(r"\d{3}[AD]", parts[2]) is not None,
         "path/direction must be 3 digits then A or D"),
        (re.fullmatch(r"L1(SG|DL)(BTB|RTB).", parts[3]) is not None,
         "level/product must look like L1SGBTBR"),
        (re.fullmatch(r"[0-9A-Z]\d{6}", parts[4]) is not None,
         "versions must be 1 character then 6 digits"),
    )
    return next((msg for ok, msg in checks if not ok), f"expected {expected}")
