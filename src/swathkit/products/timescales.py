"""TAI93 (seconds since 1993-01-01T00:00:00 UTC, counting leap seconds) to and from UTC."""

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
