"""Declarative table of the AMSR2 Level 1 channels.

A channel is named ``<frequency><feed><polarisation>``, e.g. ``6.9H``,
``36.5V``, ``89.0AH``, ``89.0BV``. Each low-frequency channel belongs to a
geolocation band (``6G`` … ``36G``) co-registered on the 89A feed; the 89 GHz
channels carry their own geolocation (``89A``, ``89B``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from swathkit.errors import ProductError

SCALE_FACTOR = 0.01
FILL_COUNT = 65535  # the file's missing value; 0 is treated as missing too
LOW_PIXELS = 243
HIGH_PIXELS = 486


@dataclass(frozen=True)
class Channel:
    """One AMSR2 channel and where it lives in the Level 1 files."""

    name: str  # "36.5H"
    frequency: str  # "36.5"
    feed: str  # "" for low frequencies, "A" or "B" at 89 GHz
    polarization: str  # "H" or "V"
    band: str  # geolocation band: "6G" … "36G", "89A", "89B"
    l1r_resolutions: tuple[str, ...]  # L1R resampling targets holding this channel

    @property
    def is_89(self) -> bool:
        return self.feed != ""

    @property
    def pixels(self) -> int:
        return HIGH_PIXELS if self.is_89 else LOW_PIXELS

    @property
    def l1b_dataset(self) -> str:
        """HDF5 dataset name in an L1B file."""
        feed = f"-{self.feed}" if self.feed else ""
        return f"Brightness Temperature ({self.frequency}GHz{feed},{self.polarization})"

    def l1r_dataset(self, resolution: str) -> str:
        """HDF5 dataset name in an L1R file for one resampling target (``res06`` …)."""
        if resolution not in self.l1r_resolutions:
            raise ProductError(f"L1R has no {self.name} at {resolution}")
        feed = f"-{self.feed}" if self.feed else ""
        pol = self.polarization
        return f"Brightness Temperature ({resolution},{self.frequency}GHz{feed},{pol})"

    @property
    def variable(self) -> str:
        """Variable name in swathkit datasets and stores, e.g. ``tb_36_5h``."""
        return "tb_" + (self.frequency.replace(".", "_") + self.feed + self.polarization).lower()


_LOW = (("6.9", "6G"), ("7.3", "7G"), ("10.7", "10G"), ("18.7", "18G"), ("23.8", "23G"),
        ("36.5", "36G"))
_RES = ("res06", "res10", "res23", "res36")


def _l1r_targets(frequency: str) -> tuple[str, ...]:
    # L1R resamples every channel to the footprints of the same or coarser bands.
    order = {"6.9": 0, "7.3": 0, "10.7": 1, "18.7": 2, "23.8": 2, "36.5": 3}
    return _RES[: order.get(frequency, 3) + 1] if frequency in order else _RES


def _build_table() -> dict[str, Channel]:
    table: dict[str, Channel] = {}
    for frequency, band in _LOW:
        for pol in "HV":
            ch = Channel(f"{frequency}{pol}", frequency, "", pol, band, _l1r_targets(frequency))
            table[ch.name] = ch
    for feed in "AB":
        for pol in "HV":
            ch = Channel(f"89.0{feed}{pol}", "89.0", feed, pol, f"89{feed}", _RES)
            table[ch.name] = ch
    return table


CHANNELS: dict[str, Channel] = _build_table()
LOW_BANDS: tuple[str, ...] = tuple(band for _, band in _LOW)

_NAME = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:GHZ)?\s*-?([AB]?)\s*,?\s*([HV])\s*$")


def channel(name: str) -> Channel:
    """Look a channel up by a forgiving spelling (``36.5H``, ``36.5h``, ``89AH``).

    Raises:
        ProductError: the name matches no AMSR2 channel; the message lists them.
    """
    m = _NAME.match(name.upper())
    if m:
        freq, feed, pol = m.groups()
        key = f"{float(freq):.1f}{feed}{pol}"
        if key in CHANNELS:
            return CHANNELS[key]
    raise ProductError(
        f"unknown AMSR2 channel {name!r}; choose from {', '.join(CHANNELS)}"
    )


def parse_channels(spec: str | list[str] | tuple[str, ...]) -> tuple[Channel, ...]:
    """Turn ``"36.5H,89.0AH"`` or a list of names into unique channels, in table order."""
    names = spec.split(",") if isinstance(spec, str) else list(spec)
    chosen = {channel(n).name for n in names if n.strip()}
    if not chosen:
        raise ProductError("no channel given; name at least one, e.g. 36.5H")
    return tuple(ch for key, ch in CHANNELS.items() if key in chosen)


def bands_of(channels: tuple[Channel, ...]) -> tuple[str, ...]:
    """Geolocation bands needed by these channels, in table order."""
    seen = dict.fromkeys(ch.band for ch in channels)
    return tuple(seen)
