"""File-name grammar of SMAP products (parse and format).

Two shapes, as NSIDC and ASF publish them:

- half orbit: ``SMAP_<LEVEL>_<orbit:05d>_<A|D>_<YYYYMMDDThhmmss>_<CRID>_<NNN>.h5``,
  e.g. ``SMAP_L2_SM_P_30058_D_20200916T194350_R19240_001.h5`` (the start of the half orbit);
- daily: ``SMAP_<LEVEL>_<YYYYMMDD>_<CRID>_<NNN>.h5``, e.g.
  ``SMAP_L3_SM_P_20170307_R14010_001.h5``.

The CRID (Composite Release ID) is ``R`` and five digits; ``NNN`` counts regenerations of
the same CRID (the highest is the one to keep). Sidecars (``.h5.iso.xml``, ``.qa``) are
not product files.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import PurePath

from swathkit.errors import FileNameError
from swathkit.products.smap.table import SmapProduct, smap_product_of_level

__all__ = ["SmapName", "parse_smap_name"]

_GRAMMAR = re.compile(
    r"^SMAP_(?P<level>L[1-4][A-C]?(?:_[A-Z0-9]+)+?)_"
    r"(?:(?P<orbit>\d{5})_(?P<direction>[AD])_(?P<start>\d{8}T\d{6})|(?P<day>\d{8}))_"
    r"(?P<crid>R\d{5})_(?P<counter>\d{3})\.h5$")
_SHAPE = {True: "day (…_<YYYYMMDD>_…)", False: "half orbit (…_<orbit>_<A|D>_<start>_…)"}
_EXPECTED = ("SMAP_<LEVEL>_<orbit 5 digits>_<A|D>_<YYYYMMDDThhmmss>_R<5 digits>_<NNN>.h5 or "
             "SMAP_L3_SM_P[_E]_<YYYYMMDD>_R<5 digits>_<NNN>.h5")


@dataclass(frozen=True)
class SmapName:
    """The parts of a SMAP file name.

    Attributes:
        level: The level token, e.g. ``"L3_SM_P"`` (the product's ``SMAPShortName``).
        crid: Composite Release ID, ``"R19240"``.
        counter: Regenerations of that CRID, 1 for the first.
        day: The day of a daily file; None for a half orbit.
        orbit: Orbit number of a half orbit; None for a daily file.
        direction: ``"A"`` (ascending) or ``"D"`` (descending); ``""`` for a daily file.
        start: Start of a half orbit (UTC); None for a daily file.
    """

    level: str
    crid: str
    counter: int = 1
    day: date | None = None
    orbit: int | None = None
    direction: str = ""
    start: datetime | None = None

    def __post_init__(self) -> None:
        half = self.orbit is not None and self.start is not None and self.direction in "AD"
        if (self.day is None) == (not half) or not re.fullmatch(r"R\d{5}", self.crid) \
                or not 0 <= self.counter <= 999:
            raise ValueError(f"not a SMAP name: {self!r}")

    @property
    def product(self) -> SmapProduct:
        """The product of the table this level names."""
        found = smap_product_of_level(self.level)
        if found is None:  # the parser checks; a hand-built name may not
            raise FileNameError(f"SMAP level {self.level!r} is not a product swathkit knows")
        return found

    @property
    def granule_id(self) -> str:
        """The name without ``.h5``: the granule's identity in catalogues."""
        if self.day is not None:
            when = f"{self.day:%Y%m%d}"
        else:
            assert self.start is not None and self.orbit is not None
            when = f"{self.orbit:05d}_{self.direction}_{self.start:%Y%m%dT%H%M%S}"
        return f"SMAP_{self.level}_{when}_{self.crid}_{self.counter:03d}"

    @property
    def file_name(self) -> str:
        return self.granule_id + ".h5"

    @property
    def release(self) -> tuple[str, int]:
        """``(crid, counter)``: of two names of one granule, the greater is the newer."""
        return self.crid, self.counter


def parse_smap_name(name: str | PurePath) -> SmapName:
    """Parse a SMAP file name (a path's folders are ignored).

    Raises:
        FileNameError: the name breaks the grammar or names a level swathkit does not
            know; the message says which part and what was expected.
    """
    base = PurePath(name).name
    m = _GRAMMAR.match(base)
    if m is None:
        raise FileNameError(f"{base!r} is not a SMAP file name: {_diagnose(base)}")
    g = m.groupdict()
    product = smap_product_of_level(g["level"])
    if product is None:
        raise FileNameError(f"{base!r}: SMAP level {g['level']!r} is not a product swathkit "
                            "knows (L1B_TB, L1C_TB, L2_SM_P, L2_SM_P_E, L3_SM_P, L3_SM_P_E, "
                            "L1B_S0_LORES, L1C_S0_HIRES)")
    daily = g["day"] is not None
    if daily != (product.naming == "daily"):
        raise FileNameError(f"{base!r}: {product.level} files are named by "
                            f"{_SHAPE[not daily]}, this one by {_SHAPE[daily]}")
    try:
        if daily:
            return SmapName(g["level"], g["crid"], int(g["counter"]),
                            day=datetime.strptime(g["day"], "%Y%m%d").date())
        start = datetime.strptime(g["start"], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    except ValueError as exc:
        raise FileNameError(f"{base!r}: the date is not a calendar date ({exc})") from None
    return SmapName(g["level"], g["crid"], int(g["counter"]), orbit=int(g["orbit"]),
                    direction=g["direction"], start=start)


def _diagnose(base: str) -> str:
    if not base.startswith("SMAP_"):
        return f"must start with SMAP_ (expected {_EXPECTED})"
    if not base.endswith(".h5"):
        return "must end with .h5 (sidecars .iso.xml and .qa are not product files)"
    if re.search(r"_R\d{5}_\d{3}\.h5$", base) is None:
        return "must end with _R<5-digit CRID>_<3-digit counter>.h5"
    return f"expected {_EXPECTED}"
