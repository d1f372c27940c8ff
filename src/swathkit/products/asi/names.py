"""File-name grammar and archive paths of the Bremen ASI AMSR2 daily grids.

``asi-AMSR2-<grid>-YYYYMMDD-v5.4.nc``, published at
``https://data.seaice.uni-bremen.de/amsr2/asi_daygrid_swath/<grid>/netcdf/YYYY/<name>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath

from swathkit.config import ENDPOINTS
from swathkit.errors import FileNameError
from swathkit.products.asi.grids import ASI_GRIDS, asi_grid_name
from swathkit.products.grids import Grid

BREMEN_URL = ENDPOINTS["bremen"]
"""The real Bremen archive (clients take ``settings().endpoint("bremen")``)."""
VERSION = "5.4"
_GRAMMAR = re.compile(
    r"^asi-AMSR2-(?P<grid>[ns]\d{4})-(?P<day>\d{8})-v(?P<version>\d+\.\d+)\.nc$")


@dataclass(frozen=True)
class AsiName:
    """The parts of an ASI file name (``grid`` is the short name, e.g. ``n3125``)."""

    grid: str
    day: date
    version: str = VERSION

    @property
    def file_name(self) -> str:
        return f"asi-AMSR2-{self.grid}-{self.day:%Y%m%d}-v{self.version}.nc"


def asi_file_name(grid: str | Grid, day: date) -> str:
    """``asi-AMSR2-<grid>-YYYYMMDD-v5.4.nc`` for one grid and day."""
    return AsiName(asi_grid_name(grid), _as_date(day)).file_name


def asi_remote_path(grid: str | Grid, day: date) -> str:
    """The file's path under :data:`BREMEN_URL` (no leading slash)."""
    g = asi_grid_name(grid)
    return f"amsr2/asi_daygrid_swath/{g}/netcdf/{day:%Y}/{asi_file_name(g, day)}"


def asi_url(grid: str | Grid, day: date, *, base: str = BREMEN_URL) -> str:
    """The file's URL under ``base`` (the real archive by default)."""
    return base.rstrip("/") + "/" + asi_remote_path(grid, day)


def parse_asi_name(name: str | PurePath) -> AsiName:
    """Parse an ASI file name (a path's directories are ignored).

    Raises:
        FileNameError: the name breaks the grammar, names an unknown grid or an
            impossible date; the message says which.
    """
    base = PurePath(name).name
    m = _GRAMMAR.match(base)
    if not m:
        raise FileNameError(
            f"{base!r} is not an ASI file name: expected asi-AMSR2-<grid>-YYYYMMDD-v5.4.nc")
    if m["grid"] not in ASI_GRIDS:
        raise FileNameError(f"{base!r}: unknown grid {m['grid']!r}; "
                            f"expected one of {', '.join(ASI_GRIDS)}")
    try:
        day = datetime.strptime(m["day"], "%Y%m%d").date()
    except ValueError as exc:
        raise FileNameError(f"{base!r}: {m['day']!r} is not a date ({exc})") from exc
    return AsiName(m["grid"], day, m["version"])


def _as_date(day: date) -> date:
    return day.date() if isinstance(day, datetime) else day
