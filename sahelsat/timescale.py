"""Time: parsing UTC instants, leap seconds, UT1 and polar motion from IERS data.

Instants are numpy ``datetime64[ns]`` in UTC everywhere in sahelsat. Conversions keep
integer nanoseconds as long as possible so that no precision is lost (a float of days
since 1970 loses microseconds). Earth orientation (UT1-UTC, polar motion x_p, y_p) comes
from a daily IERS finals table (observed values, then IERS predictions): the one shipped
in ``sahelsat/data/eop``, or a fresher one fetched with ``sahelsat update eop``
(:func:`sahelsat.userdata.eop_table_path` picks it); outside the table UT1-UTC and polar
motion are held at its end values and :func:`earth_orientation` reports it.
"""

from __future__ import annotations

import warnings
from functools import cache

import numpy as np
import pandas as pd

from sahelsat import userdata
from sahelsat.core.constants import (  # noqa: F401  (the time constants, re-exported)
    ARCSEC,
    J2000_NS,
    JD_UNIX_EPOCH,
    MJD_UNIX_EPOCH,
    NS_PER_DAY,
    NS_PER_S,
    TT_MINUS_TAI_S,
)

#: TAI-UTC (seconds) from each date (MJD, UTC) on; the IERS Bulletin C list since 1972.
_LEAP_SECONDS = np.array(
    [
        (41317, 10), (41499, 11), (41683, 12), (42048, 13), (42413, 14), (42778, 15),
        (43144, 16), (43509, 17), (43874, 18), (44239, 19), (44786, 20), (45151, 21),
        (45516, 22), (46247, 23), (47161, 24), (47892, 25), (48257, 26), (48804, 27),
        (49169, 28), (49534, 29), (50083, 30), (50630, 31), (51179, 32), (53736, 33),
        (54832, 34), (56109, 35), (57204, 36), (57754, 37),
    ]
)  # fmt: skip


class TimeError(ValueError):
    """A time that cannot be read: names the value and what is expected."""


def as_utc(times, name: str = "times") -> np.ndarray:
    """Read times into a 1-D ``datetime64[ns]`` array (UTC).

    Accepts numpy datetime64 of any unit, ISO-8601 strings (a trailing ``Z`` or
    ``+00:00`` is accepted; other offsets are converted to UTC), Python datetimes or
    pandas timestamps, as a scalar or a sequence. Raises :class:`TimeError` naming
    ``name`` and the offending value.
    """
    arr = np.atleast_1d(np.asarray(times))
    if arr.ndim != 1:
        raise TimeError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if np.issubdtype(arr.dtype, np.datetime64):
        out = arr.astype("datetime64[ns]")
    else:
        try:
            out = pd.to_datetime(arr.tolist(), utc=True, format="ISO8601")
        except (ValueError, TypeError) as exc:
            bad = _first_unparseable(arr)
            raise TimeError(
                f"{name}: cannot read {bad!r} as a UTC time; use ISO-8601 such as "
                "'2026-05-30T12:00:00Z' or numpy datetime64"
            ) from exc
        out = out.tz_localize(None).to_numpy().astype("datetime64[ns]")
    if np.isnat(out).any():
        raise TimeError(f"{name}: contains NaT (not-a-time) at index {int(np.isnat(out).argmax())}")
    return out


def _first_unparseable(arr: np.ndarray):
    for value in arr.tolist():
        try:
            pd.to_datetime([value], utc=True, format="ISO8601")
        except (ValueError, TypeError):
            return value
    return arr.tolist()[0] if len(arr) else arr


def to_ns(times: np.ndarray) -> np.ndarray:
    """Nanoseconds since 1970-01-01 UTC as int64, (time,)."""
    return np.asarray(times, dtype="datetime64[ns]").view(np.int64)


def time_range(start, stop, step_s: float) -> np.ndarray:
    """Times from ``start`` to ``stop`` inclusive every ``step_s`` seconds, ``datetime64[ns]``."""
    t0, t1 = as_utc(start, "start")[0], as_utc(stop, "stop")[0]
    if not step_s > 0:
        raise TimeError(f"step_s must be positive, got {step_s}")
    if t1 < t0:
        raise TimeError(f"stop ({t1}) is before start ({t0})")
    step = np.int64(round(step_s * NS_PER_S))
    n = int((t1 - t0).astype(np.int64) // step) + 1
    return t0 + np.arange(n, dtype=np.int64) * step.astype("timedelta64[ns]")


def tai_minus_utc(ns: np.ndarray) -> np.ndarray:
    """TAI-UTC in seconds at the given UTC instants (ns since 1970), (time,)."""
    mjd = np.asarray(ns) // NS_PER_DAY + MJD_UNIX_EPOCH
    idx = np.searchsorted(_LEAP_SECONDS[:, 0], mjd, side="right") - 1
    return np.where(idx >= 0, _LEAP_SECONDS[np.maximum(idx, 0), 1], 10).astype(float)


def tt_centuries_since_j2000(ns: np.ndarray) -> np.ndarray:
    """Julian centuries of TT since J2000.0 at UTC instants (ns since 1970), (time,)."""
    offset_s = tai_minus_utc(ns) + TT_MINUS_TAI_S
    days = (np.asarray(ns) - J2000_NS) / NS_PER_DAY + offset_s / 86400.0
    return days / 36525.0


def _eop_table() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The table in use: the freshest of the shipped one and the one brought up to date
    with ``sahelsat update eop`` (:func:`sahelsat.userdata.eop_table_path`)."""
    return _read_eop_table(userdata.eop_table_path())


@cache
def _read_eop_table(path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    with path.open() as f:
        t = pd.read_csv(f)
    return (
        t["mjd_utc"].to_numpy(float),
        t["xp_arcsec"].to_numpy(float),
        t["yp_arcsec"].to_numpy(float),
        t["ut1_minus_utc_s"].to_numpy(float),
    )


def eop_span() -> tuple[np.datetime64, np.datetime64]:
    """First and last UTC dates covered by the Earth-orientation table in use."""
    mjd = _eop_table()[0]
    base = np.datetime64("1858-11-17", "D")
    return base + int(mjd[0]), base + int(mjd[-1])


def eop_arrays() -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The daily table for compiled lookups: first day (ns since 1970), UT1-TAI (s),
    x_p, y_p (rad), each (day,), and the leap-second table (MJD, TAI-UTC) as (k, 2)."""
    return _eop_arrays(userdata.eop_table_path())


@cache
def _eop_arrays(path) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    mjd_tab, xp, yp, dut1 = _read_eop_table(path)
    if not np.all(np.diff(mjd_tab) == 1.0):
        raise ValueError("the Earth-orientation table must have one row per day")
    tab_ns = ((mjd_tab - MJD_UNIX_EPOCH) * NS_PER_DAY).astype(np.int64)
    return (
        int(tab_ns[0]),
        dut1 - tai_minus_utc(tab_ns),
        xp * ARCSEC,
        yp * ARCSEC,
        _LEAP_SECONDS.astype(np.int64),
    )


def _outside_eop_message() -> str:
    first, last = eop_span()
    return (
        f"times outside the Earth-orientation table in use ({first} .. {last}): UT1-UTC and "
        "polar motion held at the table's end values (errors of metres to tens of metres); "
        "bring it up to date with `sahelsat update eop` (or `sahelsat update eop --from "
        "finals2000A.all` offline)"
    )


def warn_outside_eop(ns: np.ndarray) -> None:
    """Warn once per call when instants fall outside the Earth-orientation table."""
    mjd_tab = _eop_table()[0]
    if len(ns):
        lo = ns.min() / NS_PER_DAY + MJD_UNIX_EPOCH
        hi = ns.max() / NS_PER_DAY + MJD_UNIX_EPOCH
        if lo < mjd_tab[0] or hi > mjd_tab[-1] + 1:
            warnings.warn(_outside_eop_message(), stacklevel=3)


def earth_orientation(ns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """UT1-UTC (s) and polar motion x_p, y_p (radians) at UTC instants, each (time,).

    Linear interpolation in the daily IERS table, skipping the one-second step of a
    leap second. Outside the table the end values hold and a warning says so.
    """
    mjd_tab, xp, yp, dut1 = _eop_table()
    ns = np.asarray(ns, dtype=np.int64)
    mjd = (ns - (-MJD_UNIX_EPOCH * NS_PER_DAY)) / NS_PER_DAY
    if len(mjd) and (mjd.min() < mjd_tab[0] or mjd.max() > mjd_tab[-1]):
        warnings.warn(_outside_eop_message(), stacklevel=2)
    # Remove leap-second jumps before interpolating UT1-UTC, then put them back.
    tab_ns = ((mjd_tab - MJD_UNIX_EPOCH) * NS_PER_DAY).astype(np.int64)
    ut1_minus_tai = dut1 - tai_minus_utc(tab_ns)
    dut1_t = np.interp(mjd, mjd_tab, ut1_minus_tai) + tai_minus_utc(ns)
    return dut1_t, np.interp(mjd, mjd_tab, xp) * ARCSEC, np.interp(mjd, mjd_tab, yp) * ARCSEC
