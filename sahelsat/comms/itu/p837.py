"""ITU-R P.837-7: rainfall rate statistics (R0.01 map and the monthly-map exact method)."""

from __future__ import annotations

import functools
import math

import numpy as np
from numba import njit

from sahelsat.comms.itu.maps import grid

REVISION = "P.837-7"

# Mean number of days per month (P.837-7 Annex 1, step 1).
_DAYS = np.array([31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)


def rainfall_rate_r001(lat, lon) -> np.ndarray:
    """Rain rate exceeded for 0.01 % of an average year (mm/h) from the R0.01 map (bilinear)."""
    return grid("837/v7_lat_r001", "837/v7_lon_r001", "837/v7_r001")(lat, lon)


@functools.cache
def _month_cubes():
    """The 12 monthly temperature maps (P.1510-1) and 12 monthly total rainfall maps
    (P.837-7) as two (lat, lon, 12) cubes with their grids, for one gather per site."""
    t = [grid("1510/v1_lat", "1510/v1_lon", f"1510/v1_t_month{m:02d}") for m in range(1, 13)]
    mt = [grid("837/v7_lat_mt", "837/v7_lon_mt", f"837/v7_mt_month{m:02d}") for m in range(1, 13)]
    return t[0], np.stack([g.values for g in t], -1), mt[0], np.stack([g.values for g in mt], -1)


def _gather_bilinear(g, cube, lat, lon) -> np.ndarray:
    """Bilinear values of every map of ``cube`` (lat, lon, n) on grid ``g``: shape (..., n)."""
    r, c = g.fractional_index(lat, lon)
    i = np.clip(np.floor(r).astype(np.intp), 0, cube.shape[0] - 2)
    j = np.clip(np.floor(c).astype(np.intp), 0, cube.shape[1] - 2)
    t = (r - i)[..., None]
    u = (c - j)[..., None]
    v = cube
    return (v[i, j] * (1 - t) * (1 - u) + v[i + 1, j] * t * (1 - u)
            + v[i, j + 1] * (1 - t) * u + v[i + 1, j + 1] * t * u)  # fmt: skip


def _monthly(lat, lon) -> tuple[np.ndarray, np.ndarray]:
    """Per-month rain probability P0_ii (%) and mean rain rate r_ii (mm/h), shape (..., 12).

    P.837-7 Annex 1 steps 2-6 (monthly temperature from P.1510, monthly rainfall maps).
    """
    lat, lon = np.broadcast_arrays(np.asarray(lat, dtype=float), np.asarray(lon, dtype=float))
    g_t, cube_t, g_mt, cube_mt = _month_cubes()
    t = _gather_bilinear(g_t, cube_t, lat, lon)
    mt = _gather_bilinear(g_mt, cube_mt, lat, lon)
    tc = t - 273.15
    r = np.where(tc >= 0.0, 0.5874 * np.exp(0.0883 * tc), 0.5874)
    p0 = 100.0 * mt / (24.0 * _DAYS * r)
    wet = p0 > 70.0
    r = np.where(wet, 100.0 / 70.0 * mt / (24.0 * _DAYS), r)
    p0 = np.where(wet, 70.0, p0)
    return p0, r


def rainfall_probability(lat, lon) -> np.ndarray:
    """Annual probability of rain P0 (%) (P.837-7 Annex 1 step 7)."""
    p0, _ = _monthly(lat, lon)
    return (p0 * _DAYS).sum(-1) / 365.25


@njit(cache=True)
def _solve_rate(p, weight, log_r, x0):  # pragma: no cover - compiled
    """ln R with sum_m weight_m Q((ln R + 0.7938 - ln r_m) / 1.26) = p, per site (Newton
    steps kept inside a shrinking bracket, bisection otherwise)."""
    out = np.empty(p.shape[0])
    for k in range(p.shape[0]):
        lo, hi, x = np.log(1e-10), np.log(1000.0), x0[k]
        for _ in range(100):
            excess, slope = -p[k], 0.0
            for m in range(weight.shape[1]):
                z = (x + 0.7938 - log_r[k, m]) / 1.26
                excess += weight[k, m] * 0.5 * math.erfc(z / math.sqrt(2.0))
                slope -= weight[k, m] * math.exp(-0.5 * z * z) / (1.26 * math.sqrt(2.0 * math.pi))
            if excess > 0:
                lo = x
            else:
                hi = x
            step = x - excess / slope if slope != 0.0 else np.nan
            new = step if (lo <= step <= hi) else 0.5 * (lo + hi)
            if abs(new - x) < 1e-6:  # quadratic convergence: R is then good to ~1e-12
                x = new
                break
            x = new
        out[k] = x
    return out


def rainfall_rate(lat, lon, p) -> np.ndarray:
    """Rain rate R_p (mm/h) exceeded for ``p`` % of an average year, by the P.837-7 Annex 1
    method (step 8 solved per site by safeguarded Newton iterations in ln R, started from
    the R0.01 map); 0 where p exceeds the annual rain probability P0."""
    p0, r = _monthly(lat, lon)
    shape = p0.shape[:-1]
    p = np.broadcast_to(np.asarray(p, dtype=float), shape)
    p_annual = (p0 * _DAYS).sum(-1) / 365.25
    x0 = np.log(np.maximum(rainfall_rate_r001(lat, lon), 1e-3))
    x0 = np.clip(np.broadcast_to(x0, shape), np.log(1e-10) + 1, np.log(1000.0) - 1)
    weight = (_DAYS * p0 / 365.25).reshape(-1, 12)
    x = _solve_rate(
        np.ascontiguousarray(p).ravel(), weight, np.log(r).reshape(-1, 12), x0.ravel().copy()
    ).reshape(shape)
    return np.where(p > p_annual, 0.0, np.exp(x))
