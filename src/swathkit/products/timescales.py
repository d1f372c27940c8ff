"""Atomic-clock seconds to and from UTC, leap seconds counted.

- TAI93 (AMSR2): seconds since 1993-01-01T00:00:00 UTC, counting leap seconds.
- J2000 (SMAP): seconds since 2000-01-01T12:00:00 TT (= 11:58:55.816 UTC), counting
  leap seconds: the SMAP ``tb_time_seconds``. Always float64.
"""

from __future__ import annotations

import numpy as np

# UTC dates at whose start a leap second had been inserted, after 1993-01-01.
_LEAP_DATES = np.array(
    ["1993-07-01", "1994-07-01", "1996-01-01", "1997-07-01", "1999-01-01", "2006-01-01",
     "2009-01-01", "2012-07-01", "2015-07-01", "2017-01-01"],
    dtype="datetime64[s]",
)
_EPOCH = np.datetime64("1993-01-01T00:00:00", "s")
_LEAPS_UTC = (_LEAP_DATES - _EPOCH).astype(np.float64)  # elapsed UTC seconds
_LEAPS_TAI93 = _LEAPS_UTC + np.arange(1, len(_LEAPS_UTC) + 1)  # first TAI93 second after each


def tai93_to_utc(seconds: np.ndarray) -> np.ndarray:
    """Convert TAI93 seconds to ``datetime64[ns]`` UTC; NaN and negative fills become NaT."""
    t = np.asarray(seconds, dtype=np.float64)
    leaps = np.searchsorted(_LEAPS_TAI93, t, side="right")
    utc = t - leaps
    ns = np.round(utc * 1e9)
    bad = ~np.isfinite(t) | (t < 0)
    out = _EPOCH.astype("datetime64[ns]") + np.where(bad, 0, ns).astype("timedelta64[ns]")
    return np.where(bad, np.datetime64("NaT", "ns"), out)


def utc_to_tai93(times: np.ndarray) -> np.ndarray:
    """Convert ``datetime64`` UTC instants to TAI93 seconds (float64)."""
    t = np.asarray(times, dtype="datetime64[ns]")
    utc = (t - _EPOCH.astype("datetime64[ns]")).astype(np.int64) / 1e9
    return np.asarray(utc + np.searchsorted(_LEAPS_UTC, utc, side="right"), dtype=np.float64)


# J2000 = 2000-01-01T12:00:00 TT = 11:59:27.816 TAI = 11:58:55.816 UTC (TAI - UTC = 32 s).
J2000_UTC = np.datetime64("2000-01-01T11:58:55.816", "ns")
_J2000_IN_TAI93 = float(utc_to_tai93(np.array([J2000_UTC]))[0])
SMAP_FILL = -9999.0


def j2000_to_utc(seconds: np.ndarray) -> np.ndarray:
    """Convert J2000 seconds (SMAP ``tb_time_seconds``) to ``datetime64[ns]`` UTC.

    The SMAP fill (-9999), NaN and anything at or before it become NaT.
    """
    t = np.asarray(seconds, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(t) | (t <= SMAP_FILL)
    return np.where(bad, np.datetime64("NaT", "ns"),
                    tai93_to_utc(np.where(bad, 0.0, t) + _J2000_IN_TAI93))


def utc_to_j2000(times: np.ndarray) -> np.ndarray:
    """Convert ``datetime64`` UTC instants to J2000 seconds (float64)."""
    return np.asarray(utc_to_tai93(times) - _J2000_IN_TAI93, dtype=np.float64)
