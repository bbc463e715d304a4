"""Compiled coverage kernels: which cells see which satellites at each time step.

No kernel tests every cell against every satellite. Per step, a satellite is kept only
when its visibility cap (a conservative Earth-central angle, from the minimum elevation
and the sensor cone, taking the ellipsoid's smallest radius and the 0.19 degree tilt of
the geodetic vertical) reaches the area's bounding cap. Its cap then gives a range of
grid rows, and per row a range of longitudes:

- :func:`count_grid` (communication: elevation only, regular grid) solves the exact row
  interval in closed form (the elevation from a parallel of latitude falls monotonically
  with the longitude difference, so the visible cells of a row are one interval), checks
  its two ends with the exact per-cell test and walks them by a cell when rounding says
  so, and marks the interval in a difference array: O(rows), not O(cells), per
  satellite.
- :func:`count_cells` (imaging constraints, point sets) tests each cell of the row's
  longitude window exactly: elevation, off-nadir cone, SAR side, Sun elevation.

The exact per-cell test is the elevation ``atan2(u, sqrt(e*e + n*n)) >= el_min`` in the
cell's ellipsoidal east/north/up frame, as in :mod:`sahelsat.access`. Counts come out
as (time, cell) uint16. :func:`scan` folds a block of counts into per-cell state
(coverage, visibility sums, gaps, accesses) carried across blocks, so no cell x time
matrix is kept.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from sahelsat.core import geometry
from sahelsat.core.constants import WGS84_B_KM

R_MIN_KM = WGS84_B_KM  # polar radius: the nearest ground
_EL_SLACK = math.radians(0.2)  # geodetic vertical vs geocentric direction: at most 0.1924 deg
_MARGIN = math.radians(0.01)
PI = math.pi
TWO_PI = 2.0 * math.pi

# Per-cell state, int64 columns; step indices are global (0 = the window's start).
N_COV, VIS_SUM, VIS_MIN, VIS_MAX, FIRST, LAST = 0, 1, 2, 3, 4, 5
N_GAPS, GAP_SUM, GAP_MAX, GAP_TRI, N_ACC, N_STEPS = 6, 7, 8, 9, 10, 11
FOLD0 = 12
BIG = 1 << 62


def empty_state(n_cell: int, n_fold: int) -> np.ndarray:
    """State of cells that have seen no step yet, (cell, FOLD0 + fold) int64."""
    st = np.zeros((n_cell, FOLD0 + n_fold), np.int64)
    st[:, VIS_MIN] = BIG
    st[:, FIRST] = -1
    st[:, LAST] = -1
    return st


@njit(cache=True, inline="always")
def cap_elevation(r, el_min):
    """Conservative central angle (rad) of the ground that may see a satellite at ``r``
    km from the geocentre above ``el_min`` (rad); -1 when no ground point can."""
    e = el_min - _EL_SLACK
    c = R_MIN_KM * math.cos(e) / r
    if c >= 1.0:
        return -1.0
    return math.acos(c) - e + _MARGIN


@njit(cache=True, inline="always")
def cap_sensor(r, cos_max, lam_el):
    """Central angle (rad) reached by a cone of half-angle acos(cos_max) around the
    geocentric nadir, bounded by ``lam_el``; the horizon bound when the cone grazes it."""
    if cos_max <= -1.0:
        return lam_el
    s = r * math.sqrt(max(0.0, 1.0 - cos_max * cos_max)) / R_MIN_KM
    if s >= 0.99:
        return lam_el
    return min(lam_el, math.asin(s) - math.acos(cos_max) + _MARGIN)


@njit(cache=True, inline="always")
def half_width(beta, beta_s, lam):
    """Half-width in longitude (rad) of the cap of radius ``lam`` centred at latitude
    ``beta_s`` along latitude ``beta`` (geocentric); -1 off the cap, pi all round."""
    den = math.cos(beta) * math.cos(beta_s)
    num = math.cos(lam) - math.sin(beta) * math.sin(beta_s)
    if den <= 1e-15:
        return PI if num <= 0.0 else -1.0
    c = num / den
    if c <= -1.0:
        return PI
    if c > 1.0:
        return -1.0
    return math.acos(c)


@njit(cache=True, inline="always")
def band_half_width(b_lo, b_hi, beta_s, lam):
    """Largest :func:`half_width` over latitudes [b_lo, b_hi] (rad); -1 if none."""
    lo, hi = max(b_lo, beta_s - lam), min(b_hi, beta_s + lam)
    if lo > hi:
        return -1.0
    w = max(half_width(lo, beta_s, lam), half_width(hi, beta_s, lam))
    s = math.sin(beta_s) / max(math.cos(lam), 1e-300)
    if -1.0 < s < 1.0:
        b = math.asin(s)
        if lo <= b <= hi:
            w = max(w, half_width(b, beta_s, lam))
    return w


@njit(cache=True, inline="always")
def elevation_ok(f, x, y, z, el_min):
    """The exact test: elevation of ITRF point (x, y, z) from frame row ``f`` >= el_min
    (:func:`sahelsat.core.geometry.topocentric`)."""
    e, n, u = geometry.topocentric(f, x, y, z)
    return math.atan2(u, math.sqrt(e * e + n * n)) >= el_min


@njit(cache=True, inline="always")
def row_half_width(x, y, z, r2, rho, sp, cp, p, zc, s):
    """Exact longitude half-width (rad) of the cells of a parallel (sin, cos of geodetic
    latitude ``sp``, ``cp``; ITRF radius ``p`` and height ``zc`` of its points, km) that
    see the satellite at (x, y, z) at elevation >= asin(s), s >= 0; -1 none, pi all."""
    k1 = z * sp - p * cp - zc * sp
    k2 = r2 + p * p + zc * zc - 2.0 * zc * z
    a_star = -k1 / cp  # the satellite above the local horizontal
    if s > 0.0:
        a2 = cp * cp
        a1 = 2.0 * (cp * k1 + s * s * p)
        a0 = k1 * k1 - s * s * k2
        disc = a1 * a1 - 4.0 * a2 * a0
        a_star = max(a_star, (-a1 + math.sqrt(max(disc, 0.0))) / (2.0 * a2))
    if rho < 1e-9:
        return PI if a_star <= 0.0 else -1.0
    ratio = a_star / rho
    if ratio > 1.0:
        return -1.0
    if ratio <= -1.0:
        return PI
    return math.acos(ratio)


@njit(cache=True, parallel=True)
def count_grid(px, py, pz, rows, row_beta, row_cmin, row_cmax, lon0, res, fbox, cell_row,
               cell_col, cap, el_min, counts):  # fmt: skip
    """Satellites above ``el_min`` (rad, >= 0) from each grid cell at each step.

    ``px, py, pz`` (time, satellite) ITRF km, NaN where SGP4 failed; ``rows`` (lat, 4):
    sin, cos of the geodetic latitude, ITRF radius and height of the row's points (km);
    ``row_beta`` (lat,) geocentric latitude (rad, ascending); ``row_cmin``/``row_cmax``
    (lat,) first/last column holding a cell of the area (-1 none); ``lon0``, ``res``:
    longitude of column 0 and spacing (rad); ``fbox`` (lat, lon, 12) cell frames;
    ``cell_row``, ``cell_col`` (cell,); ``cap`` (4,): unit vector and radius (rad) of a
    cap holding the area. Writes ``counts`` (time, cell).
    """
    n_t, n_sat = px.shape
    nrow, ncol = fbox.shape[0], fbox.shape[1]
    lon_mid = lon0 + 0.5 * (ncol - 1) * res
    s = math.sin(el_min)
    for t in prange(n_t):
        diff = np.zeros((nrow, ncol + 1), np.int32)
        for i in range(n_sat):
            x, y, z = px[t, i], py[t, i], pz[t, i]
            if not x == x:
                continue
            r2 = x * x + y * y + z * z
            r = math.sqrt(r2)
            lam = cap_elevation(r, el_min)
            if lam < 0.0:
                continue
            cosd = (x * cap[0] + y * cap[1] + z * cap[2]) / r
            if math.acos(min(1.0, max(-1.0, cosd))) > lam + cap[3]:
                continue
            beta = math.asin(z / r)
            rho = math.sqrt(x * x + y * y)
            d = math.atan2(y, x) - lon_mid
            d -= TWO_PI * math.floor(d / TWO_PI + 0.5)
            c0 = (lon_mid + d - lon0) / res
            r_lo = np.searchsorted(row_beta, beta - lam)
            r_hi = np.searchsorted(row_beta, beta + lam, side="right")
            for row in range(r_lo, r_hi):
                cmin = row_cmin[row]
                if cmin < 0:
                    continue
                cmax = row_cmax[row]
                dl = row_half_width(x, y, z, r2, rho, rows[row, 0], rows[row, 1],
                                    rows[row, 2], rows[row, 3], s)  # fmt: skip
                if dl >= PI:
                    diff[row, cmin] += 1
                    diff[row, cmax + 1] -= 1
                    continue
                for shift in (-1.0, 0.0, 1.0):
                    cc = c0 + shift * TWO_PI / res
                    lo = max(int(math.ceil(cc - dl / res)), cmin) if dl >= 0.0 else 1
                    hi = min(int(math.floor(cc + dl / res)), cmax) if dl >= 0.0 else 0
                    if lo > hi:  # empty estimate: the nearest cell may still pass
                        if cc < cmin - 1.0 or cc > cmax + 1.0:
                            continue
                        j = min(max(int(math.floor(cc + 0.5)), cmin), cmax)
                        if not elevation_ok(fbox[row, j], x, y, z, el_min):
                            continue
                        lo, hi = j, j
                    while hi < cmax and elevation_ok(fbox[row, hi + 1], x, y, z, el_min):
                        hi += 1
                    while hi >= lo and not elevation_ok(fbox[row, hi], x, y, z, el_min):
                        hi -= 1
                    if hi < lo:
                        continue
                    while lo > cmin and elevation_ok(fbox[row, lo - 1], x, y, z, el_min):
                        lo -= 1
                    while not elevation_ok(fbox[row, lo], x, y, z, el_min):
                        lo += 1
                    diff[row, lo] += 1
                    diff[row, hi + 1] -= 1
        for row in range(nrow):
            cmin = row_cmin[row]
            if cmin < 0:
                continue
            acc = 0
            for j in range(cmin, row_cmax[row] + 1):
                acc += diff[row, j]
                diff[row, j] = acc
        for k in range(cell_row.shape[0]):
            counts[t, k] = diff[cell_row[k], cell_col[k]]


@njit(cache=True, parallel=True)
def count_cells(px, py, pz, vx, vy, vz, band_lo, band_hi, band_start, order, band_lon,
                lon_mid, cf, cap, el_min, sens_cos, side, sun, sun_min, counts):  # fmt: skip
    """Satellites that see each cell at each step, every candidate tested exactly.

    ``px..vz`` (time, satellite) ITRF km, km/s; cells in latitude bands: band ``b``
    spans geocentric latitudes [``band_lo[b]``, ``band_hi[b]``] (rad) and holds cells
    ``order[band_start[b]:band_start[b + 1]]``, sorted by longitude ``band_lon`` (rad,
    within pi of ``lon_mid``). ``cf`` (cell, 12) frames. Tests: elevation >= ``el_min``;
    if ``sens_cos`` (satellite, 2) is not empty, cos(off-nadir) within [cos max, cos min]
    of the satellite (angle from the geocentric nadir); ``side`` +1 right / -1 left of
    the ITRF velocity, 0 both; if ``sun_min`` is not NaN, the Sun (``sun`` (time, 3) km
    ITRF) at least ``sun_min`` (rad) above the cell's horizon. Writes ``counts``.
    """
    n_t, n_sat = px.shape
    n_band = band_lo.shape[0]
    use_sens = sens_cos.shape[0] > 0
    use_sun = sun_min == sun_min
    for t in prange(n_t):
        for k in range(cf.shape[0]):
            counts[t, k] = 0
        for i in range(n_sat):
            x, y, z = px[t, i], py[t, i], pz[t, i]
            if not x == x:
                continue
            r = math.sqrt(x * x + y * y + z * z)
            lam = cap_elevation(r, el_min)
            if lam < 0.0:
                continue
            if use_sens:
                lam = cap_sensor(r, sens_cos[i, 0], lam)
            cosd = (x * cap[0] + y * cap[1] + z * cap[2]) / r
            if math.acos(min(1.0, max(-1.0, cosd))) > lam + cap[3]:
                continue
            beta = math.asin(z / r)
            d = math.atan2(y, x) - lon_mid
            d -= TWO_PI * math.floor(d / TWO_PI + 0.5)
            c0 = lon_mid + d
            hx = vy[t, i] * z - vz[t, i] * y  # v x r: to the right of the track
            hy = vz[t, i] * x - vx[t, i] * z
            hz = vx[t, i] * y - vy[t, i] * x
            for b in range(n_band):
                dl = band_half_width(band_lo[b], band_hi[b], beta, lam)
                if dl < 0.0:
                    continue
                a, e_ = band_start[b], band_start[b + 1]
                lons = band_lon[a:e_]
                for shift in (-TWO_PI, 0.0, TWO_PI):
                    if dl >= PI:
                        if shift != 0.0:
                            continue
                        j0, j1 = 0, e_ - a
                    else:
                        j0 = np.searchsorted(lons, c0 + shift - dl - _MARGIN)
                        j1 = np.searchsorted(lons, c0 + shift + dl + _MARGIN, side="right")
                    for j in range(j0, j1):
                        k = order[a + j]
                        f = cf[k]
                        if not elevation_ok(f, x, y, z, el_min):
                            continue
                        dx, dy, dz = x - f[0], y - f[1], z - f[2]
                        if use_sens:
                            cth = (x * dx + y * dy + z * dz) / (
                                r * math.sqrt(dx * dx + dy * dy + dz * dz)
                            )
                            if cth < sens_cos[i, 0] or cth > sens_cos[i, 1]:
                                continue
                        if side != 0 and side * (hx * dx + hy * dy + hz * dz) >= 0.0:
                            continue
                        if use_sun and not elevation_ok(
                            f, sun[t, 0], sun[t, 1], sun[t, 2], sun_min
                        ):
                            continue
                        counts[t, k] += 1


@njit(cache=True, inline="always")
def _update(st, k, g, c, folds):
    st[k, N_STEPS] += 1
    st[k, VIS_SUM] += c
    if c < st[k, VIS_MIN]:
        st[k, VIS_MIN] = c
    if c > st[k, VIS_MAX]:
        st[k, VIS_MAX] = c
    for f in range(folds.shape[0]):
        if c >= folds[f]:
            st[k, FOLD0 + f] += 1
    if c > 0:
        st[k, N_COV] += 1
        last = st[k, LAST]
        if last < 0:
            st[k, FIRST] = g
            st[k, N_ACC] += 1
        else:
            gap = g - last - 1
            if gap > 0:
                st[k, N_GAPS] += 1
                st[k, GAP_SUM] += gap
                st[k, GAP_TRI] += gap * (gap + 1) // 2
                if gap > st[k, GAP_MAX]:
                    st[k, GAP_MAX] = gap
                st[k, N_ACC] += 1
        st[k, LAST] = g


@njit(cache=True, parallel=True)
def scan(counts, g0, state, folds, win, wstate):
    """Fold ``counts`` (time, cell) of global steps g0, g0+1, ... into ``state`` (cell,
    field) and, where ``win`` (time,) >= 0, into window state ``wstate[win[t]]``."""
    n_t, n_cell = counts.shape
    block = 256
    for b in prange((n_cell + block - 1) // block):
        k0, k1 = b * block, min((b + 1) * block, n_cell)
        for t in range(n_t):
            w = win[t]
            for k in range(k0, k1):
                c = np.int64(counts[t, k])
                _update(state, k, g0 + t, c, folds)
                if w >= 0:
                    _update(wstate[w], k, g0 + t, c, folds)


@njit(cache=True, parallel=True)
def gap_events(counts, g0, last_before):
    """Gaps (in steps) closed inside ``counts`` (time, cell), given each cell's last
    covered step before it (``last_before``, -1 none): (cell, length) arrays."""
    n_t, n_cell = counts.shape
    n = np.zeros(n_cell + 1, np.int64)
    for k in prange(n_cell):
        last, m = last_before[k], 0
        for t in range(n_t):
            if counts[t, k] > 0:
                if last >= 0 and g0 + t - last > 1:
                    m += 1
                last = g0 + t
        n[k + 1] = m
    off = np.cumsum(n)
    cells = np.empty(off[-1], np.int64)
    lengths = np.empty(off[-1], np.int64)
    for k in prange(n_cell):
        last, m = last_before[k], off[k]
        for t in range(n_t):
            if counts[t, k] > 0:
                if last >= 0 and g0 + t - last > 1:
                    cells[m] = k
                    lengths[m] = g0 + t - last - 1
                    m += 1
                last = g0 + t
    return cells, lengths
