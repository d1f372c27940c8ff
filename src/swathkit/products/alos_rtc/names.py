"""File-name grammar of ASF's ALOS PALSAR RTC products.

A scene is named by its ALOS absolute orbit (revolution) and frame: the CMR
granule ``ALPSRP{orbit:05d}{frame:04d}-RTC_HI_RES`` (``RTC_LOW_RES`` for the
30 m product), and the zip the datapool serves
``AP_{orbit:05d}_{mode}_F{frame:04d}_RT1.zip`` (``RT2`` for 30 m), ``mode``
being the beam mode (``FBS``, ``FBD``, ``PLR``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from swathkit.errors import FileNameError

__all__ = ["BEAM_MODES", "RESOLUTIONS", "RtcName", "parse_granule", "parse_zip"]

BEAM_MODES = ("FBS", "FBD", "PLR")
RESOLUTIONS = {"RTC_HI_RES": ("RT1", 12.5), "RTC_LOW_RES": ("RT2", 30.0)}
"""Processing level → (zip suffix, pixel size in metres)."""
FRAMES_PER_REVOLUTION = 7200
"""ALOS frames count 0.05° of the argument of latitude, 0–7199 per revolution."""

_GRANULE = re.compile(r"^ALPSRP(\d{5})(\d{4})-(RTC_HI_RES|RTC_LOW_RES)$")
_ZIP = re.compile(r"^AP_(\d{5})_(FBS|FBD|PLR)_F(\d{4})_(RT1|RT2)(?:\.zip)?$")


@dataclass(frozen=True)
class RtcName:
    """One RTC product: orbit, frame, beam mode and processing level."""

    orbit: int
    frame: int
    mode: str = "FBD"
    level: str = "RTC_HI_RES"

    def __post_init__(self) -> None:
        if not 0 <= self.orbit <= 99_999:
            raise FileNameError(f"ALOS orbit {self.orbit} is not 0–99999")
        if not 0 <= self.frame < FRAMES_PER_REVOLUTION:
            raise FileNameError(f"ALOS frame {self.frame} is not 0–{FRAMES_PER_REVOLUTION - 1}")
        if self.mode not in BEAM_MODES:
            raise FileNameError(f"beam mode {self.mode!r} is not one of {', '.join(BEAM_MODES)}")
        if self.level not in RESOLUTIONS:
            raise FileNameError(f"processing level {self.level!r} is not RTC_HI_RES or "
                                "RTC_LOW_RES")

    @property
    def scene(self) -> str:
        """``ALPSRP{orbit}{frame}``: the producer's scene id."""
        return f"ALPSRP{self.orbit:05d}{self.frame:04d}"

    @property
    def granule_ur(self) -> str:
        """The CMR granule id, ``ALPSRP…-RTC_HI_RES``."""
        return f"{self.scene}-{self.level}"

    @property
    def stem(self) -> str:
        """``AP_{orbit}_{mode}_F{frame}_RT1``: the zip's name without ``.zip``, its top folder."""
        return f"AP_{self.orbit:05d}_{self.mode}_F{self.frame:04d}_{RESOLUTIONS[self.level][0]}"

    @property
    def zip_name(self) -> str:
        return f"{self.stem}.zip"


def parse_granule(text: str, *, mode: str = "FBD") -> RtcName:
    """The product of a CMR granule id (the id does not say the beam mode: ``mode``).

    Raises:
        FileNameError: not ``ALPSRP{orbit:05d}{frame:04d}-RTC_HI_RES`` (or ``_LOW_RES``).
    """
    match = _GRANULE.match(text.strip())
    if not match:
        raise FileNameError(f"{text!r} is not an ALOS RTC granule id such as "
                            "ALPSRP107830920-RTC_HI_RES")
    return RtcName(int(match[1]), int(match[2]), mode, match[3])


def parse_zip(text: str) -> RtcName:
    """The product of a zip name ``AP_{orbit}_{mode}_F{frame}_RT1.zip`` (or its stem).

    Raises:
        FileNameError: the name breaks that grammar.
    """
    match = _ZIP.match(text.rsplit("/", 1)[-1])
    if not match:
        raise FileNameError(f"{text!r} is not an ALOS RTC zip name such as "
                            "AP_10783_FBD_F0920_RT1.zip")
    level = "RTC_HI_RES" if match[4] == "RT1" else "RTC_LOW_RES"
    return RtcName(int(match[1]), int(match[3]), match[2], level)
