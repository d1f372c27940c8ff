"""The four grids of the Bremen ASI AMSR2 daily product, and the CRS each was on by day.

The grids themselves are registered in :mod:`swathkit.products.grids` as ``asi-n3125``,
``asi-n6250``, ``asi-s3125``, ``asi-s6250``: north grids on the NSIDC sea-ice polar
stereographic north projection (true scale at 70°N, central meridian -45°), south
grids on the NSIDC south projection (true scale at 70°S, central meridian 0°); row 0
is the southern edge. The product's files and URLs name them ``n3125`` … (the short
name, :func:`asi_grid_name`).

This module holds the product's rule: the ellipsoid changed on 2018-11-02. Hughes
1980 (EPSG:3411 / 3412) until 2018-11-01, WGS84 (EPSG:3413 / 3976) from then on; the
x/y coordinates did not. :func:`asi_grid` gives a grid as it was on a day.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import date

from swathkit.errors import InputError
from swathkit.products.grids import HUGHES_1980, Grid, grid, nsidc_polar_stereographic

RECORD_START = date(2012, 7, 2)
WGS84_FROM = date(2018, 11, 2)  # first day on the WGS84 ellipsoid
_HUGHES_EPSG = {"n": 3411, "s": 3412}

ASI_GRIDS: dict[str, Grid] = {short: grid(f"asi-{short}")
                              for short in ("n3125", "n6250", "s3125", "s6250")}
"""The registered ASI grids (as published since 2018-11-02) by short name."""


def asi_grid(name: str | Grid, day: date | None = None) -> Grid:
    """The ASI grid ``name`` as defined on ``day``.

    Args:
        name: ``n3125``, ``n6250``, ``s3125``, ``s6250``, the registry name
            (``asi-n3125``) or an ASI :class:`Grid`.
        day: The day whose CRS to take (Hughes 1980 until 2018-11-01); default: the
            grid as published now (WGS84).

    Raises:
        InputError: not one of the four ASI grids; the message lists them.
    """
    registered = ASI_GRIDS[asi_grid_name(name)]
    return registered if day is None or day >= WGS84_FROM else _hughes(registered)


def asi_grid_name(name: str | Grid) -> str:
    """The short name (``n3125``) that the product's file names and URLs use.

    Raises:
        InputError: not one of the four ASI grids.
    """
    text = name.name if isinstance(name, Grid) else name.strip().lower()
    short = text.removeprefix("asi-")
    if short not in ASI_GRIDS:
        raise InputError(f"unknown ASI grid {text!r}; choose one of {', '.join(ASI_GRIDS)}")
    return short


def grid_on(g: Grid, day: date) -> Grid:
    """The registry's hook (:func:`swathkit.products.grids.grid_on`): ``g`` on ``day``."""
    return asi_grid(g, day)


@functools.cache
def _hughes(g: Grid) -> Grid:
    return replace(g, epsg=_HUGHES_EPSG[g.hemisphere],
                   cf=nsidc_polar_stereographic(g.hemisphere, HUGHES_1980))
