"""Compiled SGP4 for near-Earth orbits, fused with the frame and geodetic conversions.

The equations are those of Spacetrack Report #3 as revised by Vallado, Crawford,
Hujsak and Kelso (AIAA 2006-6753), WGS-72 constants, "improved" operation mode. The
per-satellite coefficients come from the reference initialisation of the ``sgp4``
package (:func:`near_earth_coefficients`); this module only evaluates the propagation.
Deep-space orbits (period >= 225 min) are not handled here: :mod:`sahelsat.propagate`
sends them to the ``sgp4`` package.

Every kernel evaluates SGP4 in three vectorised stages over a run of points (a
satellite's time row, or a block of (satellite, instant) pairs), each a loop the
compiler turns into SIMD code (see :mod:`sahelsat.vmath`):

1. :func:`secular`: secular and drag terms up to Kepler's equation;
2. :func:`kepler_step`, repeated :func:`kepler_steps` times: Newton's method for
   Kepler's equation. The count is the proven bound for the run's largest
   eccentricity (2 for Starlink-like orbits, where the reference iterates until the
   step is below 1e-12; at most the reference's 10), so the loop needs no test;
3. :func:`finish`: short-period terms and the state in TEME, then the caller's frame
   (TEME, ITRF or geodetic) written straight into (satellite, time) arrays.

Runs are processed in blocks of :data:`BLOCK` points so that the stages' scratch
arrays stay in cache. Grid kernels are parallel over satellites.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from sahelsat import vmath
from sahelsat.core import geometry
from sahelsat.core.constants import (
    EARTH_ROTATION_RAD_S,
    RAD2DEG,
    WGS72_J2,
    WGS72_RE_KM,
    WGS72_XKE,
)
from sahelsat.frames import teme_to_itrf as rotate

RE_KM = WGS72_RE_KM
XKE = WGS72_XKE
J2 = WGS72_J2
VKMPERSEC = RE_KM * XKE / 60.0
TWO_PI = 2.0 * math.pi
FAST = vmath.FAST
BLOCK = 512  # points per block of the stages: 7 scratch arrays of 4 kB (cache-resident)
_NS_PER_MIN = 6.0e10

# Column of each coefficient in the (satellite, N_COEF) table.
(ISIMP, NO, ECCO, INCLO, NODEO, ARGPO, MO, MDOT, ARGPDOT, NODEDOT, NODECF, CC1, CC4, CC5,
 T2COF, T3COF, T4COF, T5COF, OMGCOF, ETA, XMCOF, DELMO, D2, D3, D4, SINMAO, AYCOF, XLCOF,
 CON41, X1MTH2, X7THM1, BSTAR, SINIO, COSIO, AM0) = range(35)  # fmt: skip
N_COEF = 35
_NAMES = [
    "isimp", "no_unkozai", "ecco", "inclo", "nodeo", "argpo", "mo", "mdot", "argpdot",
    "nodedot", "nodecf", "cc1", "cc4", "cc5", "t2cof", "t3cof", "t4cof", "t5cof", "omgcof",
    "eta", "xmcof", "delmo", "d2", "d3", "d4", "sinmao", "aycof", "xlcof", "con41", "x1mth2",
    "x7thm1", "bstar",
]  # fmt: skip


def near_earth_coefficients(satrecs) -> np.ndarray:
    """Coefficient table (satellite, N_COEF) from initialised pure-Python ``sgp4`` Satrecs."""
    table = np.zeros((len(satrecs), N_COEF))
    for i, s in enumerate(satrecs):
        table[i, : len(_NAMES)] = [float(getattr(s, name)) for name in _NAMES]
    table[:, SINIO] = np.sin(table[:, INCLO])
    table[:, COSIO] = np.cos(table[:, INCLO])
    with np.errstate(divide="ignore"):
        table[:, AM0] = (XKE / table[:, NO]) ** (2.0 / 3.0)
    return table


# ---------------------------------------------------------------- the three stages


@njit(inline="always", fastmath=FAST, error_model="numpy")
def secular(c, t):
    """Stage 1 at ``t`` minutes since epoch for coefficient row ``c``: the mean
    longitude minus node ``u`` (Kepler's right-hand side and first guess), Lyddane's
    ``axnl``, ``aynl``, the semi-major axis ``am`` (Earth radii), the node ``nodem``
    and 1.0 where the eccentricity is out of range (SGP4 error 1), else 0.0."""
    nsimp = 1.0 - c[ISIMP]
    xmdf = c[MO] + c[MDOT] * t
    argpdf = c[ARGPO] + c[ARGPDOT] * t
    t2 = t * t
    nodem = c[NODEO] + c[NODEDOT] * t + c[NODECF] * t2
    t3 = t2 * t
    t4 = t3 * t
    _, cos_x = vmath.sincos(xmdf)
    delmtemp = 1.0 + c[ETA] * cos_x
    temp = nsimp * (c[OMGCOF] * t + c[XMCOF] * (delmtemp * delmtemp * delmtemp - c[DELMO]))
    mm = xmdf + temp
    argpm = argpdf - temp
    sin_mm, _ = vmath.sincos(mm)
    tempa = 1.0 - c[CC1] * t - nsimp * (c[D2] * t2 + c[D3] * t3 + c[D4] * t4)
    tempe = c[BSTAR] * c[CC4] * t + nsimp * c[BSTAR] * c[CC5] * (sin_mm - c[SINMAO])
    templ = c[T2COF] * t2 + nsimp * (c[T3COF] * t3 + t4 * (c[T4COF] + t * c[T5COF]))
    am = c[AM0] * tempa * tempa
    em = c[ECCO] - tempe
    bad_e = 1.0 * (em >= 1.0) + 1.0 * (em < -0.001)
    em = em + (1.0e-6 - em) * (em < 1.0e-6)
    mm = mm + c[NO] * templ
    # The reference reduces the angles modulo 2 pi here; only their sines and cosines
    # are used below (Kepler's equation included), so that is skipped.
    sin_w, cos_w = vmath.sincos(argpm)
    axnl = em * cos_w
    temp = 1.0 / (am * (1.0 - em * em))
    aynl = em * sin_w + temp * c[AYCOF]
    u = mm + argpm + temp * c[XLCOF] * axnl
    return u, axnl, aynl, am, nodem, bad_e


@njit(inline="always", fastmath=FAST, error_model="numpy")
def kepler_step(eo1, u, axnl, aynl):
    """Stage 2: one Newton step of Kepler's equation in Lyddane's variables,
    eo1 - axnl sin eo1 + aynl cos eo1 = u, clamped to 0.95 rad as the reference does."""
    sineo1, coseo1 = vmath.sincos(eo1)
    step = (u - aynl * coseo1 + axnl * sineo1 - eo1) / (1.0 - coseo1 * axnl - sineo1 * aynl)
    return eo1 + min(max(step, -0.95), 0.95)


@njit(inline="always")
def kepler_steps(e):
    """Newton steps from eo1 = u that solve Kepler's equation to 1e-16 rad for every
    Lyddane eccentricity up to ``e``, or 10 (the reference's own limit).

    With f(E) = E - axnl sin E + aynl cos E - u: |f''| <= e, |f'| >= 1 - e and the
    start is within e of the root, so the error after k steps is at most
    q^(2^k) / C with C = e / (2 (1 - e)) and q = C e (Newton's quadratic bound).
    """
    if e >= 0.5:
        return 10
    cc = e / (2.0 * (1.0 - e))
    q = cc * e
    k = 1
    while k < 10:
        q = q * q
        if q <= 1e-16 * cc:
            break
        k += 1
    return k


@njit(inline="always", fastmath=FAST, error_model="numpy")
def osculating_state(eo1, axnl, aynl, am, node, sini, cosi, con41, x1mth2, x7thm1):
    """Short-period periodics and the TEME state from Kepler's solution ``eo1``, shared
    by SGP4 and SDP4: mean node ``node``, sine and cosine of the inclination they are
    taken at and its functions ``con41`` (3 cos^2 i - 1), ``x1mth2`` (1 - cos^2 i),
    ``x7thm1`` (7 cos^2 i - 1). Returns position (km), velocity (km/s), the semi-latus
    rectum ``pl`` and the radius ``mrt`` (Earth radii) that the error codes test."""
    sineo1, coseo1 = vmath.sincos(eo1)
    ecose = axnl * coseo1 + aynl * sineo1
    esine = axnl * sineo1 - aynl * coseo1
    el2 = axnl * axnl + aynl * aynl
    pl = am * (1.0 - el2)
    rl = am * (1.0 - ecose)
    inv_rl = 1.0 / rl
    sqrt_am = np.sqrt(am)
    betal = np.sqrt(1.0 - el2)
    rdotl = sqrt_am * esine * inv_rl
    rvdotl = sqrt_am * betal * inv_rl  # sqrt(pl) / rl; pl < 0 is error 4 (NaN here)
    temp = esine / (1.0 + betal)
    am_rl = am * inv_rl
    sinu = am_rl * (sineo1 - aynl - axnl * temp)  # a unit vector (sin u, cos u)
    cosu = am_rl * (coseo1 - axnl + aynl * temp)
    sin2u = (cosu + cosu) * sinu
    cos2u = 1.0 - 2.0 * sinu * sinu
    temp = 1.0 / pl
    temp1 = 0.5 * J2 * temp
    temp2 = temp1 * temp
    nm_xke = 1.0 / (am * sqrt_am)  # the mean motion over XKE
    mrt = rl * (1.0 - 1.5 * temp2 * betal * con41) + 0.5 * temp1 * x1mth2 * cos2u
    # Short-period corrections to the argument of latitude, node and inclination. Those
    # of u and i are below 8.2e-4 / pl^2 rad: small angles (series) unless the orbit
    # dips under the Earth (pl < 0.13 Earth radii), applied by rotation.
    sin_d, cos_d = vmath.sincos_small(-0.25 * temp2 * x7thm1 * sin2u)
    sinsu = sinu * cos_d + cosu * sin_d
    cossu = cosu * cos_d - sinu * sin_d
    snod, cnod = vmath.sincos(node + 1.5 * temp2 * cosi * sin2u)
    sin_d, cos_d = vmath.sincos_small(1.5 * temp2 * cosi * sini * cos2u)
    sin_k = sini * cos_d + cosi * sin_d
    cos_k = cosi * cos_d - sini * sin_d
    mvt = rdotl - nm_xke * temp1 * x1mth2 * sin2u
    rvdot = rvdotl + nm_xke * temp1 * (x1mth2 * cos2u + 1.5 * con41)
    xmx = -snod * cos_k
    xmy = cnod * cos_k
    ux = xmx * sinsu + cnod * cossu
    uy = xmy * sinsu + snod * cossu
    uz = sin_k * sinsu
    vx = xmx * cossu - cnod * sinsu
    vy = xmy * cossu - snod * sinsu
    vz = sin_k * cossu
    mr = mrt * RE_KM
    mv = mvt * VKMPERSEC
    rv = rvdot * VKMPERSEC
    return (mr * ux, mr * uy, mr * uz, mv * ux + rv * vx, mv * uy + rv * vy, mv * uz + rv * vz,
            pl, mrt)  # fmt: skip


@njit(inline="always", fastmath=FAST, error_model="numpy")
def finish(c, eo1, axnl, aynl, am, nodem, bad_e):
    """Stage 3: short-period periodics and the TEME state from Kepler's solution
    ``eo1`` (:func:`osculating_state` at the epoch inclination). Returns position (km),
    velocity (km/s) and the SGP4 error code as a float (0 fine, 1 eccentricity, 4
    semi-latus rectum, 6 decayed)."""
    x, y, z, vx, vy, vz, pl, mrt = osculating_state(
        eo1, axnl, aynl, am, nodem, c[SINIO], c[COSIO], c[CON41], c[X1MTH2], c[X7THM1]
    )
    bad_p = 1.0 * (pl < 0.0)
    bad_r = 1.0 * (mrt < 1.0)
    err = bad_e + (1.0 - bad_e) * (4.0 * bad_p + (1.0 - bad_p) * 6.0 * bad_r)
    return x, y, z, vx, vy, vz, err


# ---------------------------------------------------------------- runs of points


@njit(inline="always", fastmath=FAST, error_model="numpy")
def _row_stages(c, tsince, eo, ax, ay, am, nd, bad, u):
    """Stages 1 and 2 for one satellite (coefficient row ``c``) at ``tsince`` (n,)
    minutes: leaves Kepler's solution in ``eo`` and ``axnl``, ``aynl``, ``am``,
    ``nodem``, the error flag in ``ax``, ``ay``, ``am``, ``nd``, ``bad`` (n,); ``u``
    is scratch."""
    n = tsince.shape[0]
    for j in range(n):
        u_, axnl, aynl, am_, nodem, bad_e = secular(c, tsince[j])
        u[j], ax[j], ay[j], am[j], nd[j], bad[j], eo[j] = u_, axnl, aynl, am_, nodem, bad_e, u_
    emax = 0.0
    for j in range(n):
        emax = max(emax, ax[j] * ax[j] + ay[j] * ay[j])
    for _ in range(kepler_steps(math.sqrt(emax))):
        for j in range(n):
            eo[j] = kepler_step(eo[j], u[j], ax[j], ay[j])


@njit(inline="always", fastmath=FAST, error_model="numpy")
def _minutes(dt_ns, off_ns, out):
    """Minutes since epoch of instants ``dt_ns`` (float ns after the grid's first
    instant; exact below 2^53 ns) for an epoch ``off_ns`` before that instant."""
    for j in range(dt_ns.shape[0]):
        out[j] = (dt_ns[j] + off_ns) / _NS_PER_MIN


def grid_offsets(t_ns: np.ndarray):
    """``t_ns`` (time,) int64 as float nanoseconds after its first instant (exact for
    spans below 104 days), and that first instant."""
    t0 = int(t_ns[0]) if len(t_ns) else 0
    return (t_ns - t0).astype(np.float64), t0


@njit(inline="always")
def _slices(rot, a, b):
    """Instants ``a:b`` of the six rotation arrays."""
    return rot[0][a:b], rot[1][a:b], rot[2][a:b], rot[3][a:b], rot[4][a:b], rot[5][a:b]


@njit(inline="always", fastmath=FAST, error_model="numpy")
def _store(ok, value):
    return value if ok else np.nan


@njit(cache=True, parallel=True, fastmath=FAST, error_model="numpy")
def propagate_grid(coef, epoch_ns, sat_index, dt_ns, t0_ns, rot, omega, rx, ry, rz, vx, vy, vz,
                   err):  # fmt: skip
    """Positions and velocities of satellites over a common time grid, in ITRF, or in
    TEME when ``rot`` is the identity and ``omega`` 0 (see
    :func:`sahelsat.frames.teme_to_itrf`).

    ``coef`` (satellite, N_COEF); ``epoch_ns`` (satellite,) int64 element-set epochs;
    ``sat_index`` (k,) the rows to evaluate; instants ``t0_ns + dt_ns`` (time,), see
    :func:`grid_offsets`; ``rot``: six (time,) arrays
    (:func:`sahelsat.frames.rotation_columns`). Writes rows ``sat_index`` of ``rx`` ...
    ``vz`` (satellite, time) km, km/s and ``err`` (satellite, time) int8; points with an
    error hold NaN.
    """
    n_t = dt_ns.shape[0]
    for k in prange(sat_index.shape[0]):
        i = sat_index[k]
        c = coef[i]
        off = float(t0_ns - epoch_ns[i])
        eo, ax, ay, am = np.empty(BLOCK), np.empty(BLOCK), np.empty(BLOCK), np.empty(BLOCK)
        nd, bad, u, ts = np.empty(BLOCK), np.empty(BLOCK), np.empty(BLOCK), np.empty(BLOCK)
        for a in range(0, n_t, BLOCK):
            b = min(a + BLOCK, n_t)
            n = b - a
            _minutes(dt_ns[a:b], off, ts)
            _row_stages(c, ts[:n], eo, ax, ay, am, nd, bad, u)
            o0, o1, o2, o3, o4, o5, oe = (
                rx[i, a:b],
                ry[i, a:b],
                rz[i, a:b],
                vx[i, a:b],
                vy[i, a:b],
                vz[i, a:b],
                err[i, a:b],
            )
            rk = _slices(rot, a, b)
            for j in range(n):
                x, y, z, dx, dy, dz, code = finish(c, eo[j], ax[j], ay[j], am[j], nd[j], bad[j])
                x, y, z, dx, dy, dz = rotate(rk, j, omega, x, y, z, dx, dy, dz)
                ok = code == 0.0
                o0[j], o1[j], o2[j] = _store(ok, x), _store(ok, y), _store(ok, z)
                o3[j], o4[j], o5[j] = _store(ok, dx), _store(ok, dy), _store(ok, dz)
                oe[j] = np.int8(code)


@njit(cache=True, parallel=True, fastmath=FAST, error_model="numpy")
def geodetic_grid(coef, epoch_ns, sat_index, dt_ns, t0_ns, rot, lat, lon, alt, err):
    """Like :func:`propagate_grid`, writing geodetic latitude, longitude (degrees) and
    height (km) on WGS-84 (:func:`sahelsat.core.geometry.geodetic`), each (satellite, time)."""
    n_t = dt_ns.shape[0]
    for k in prange(sat_index.shape[0]):
        i = sat_index[k]
        c = coef[i]
        off = float(t0_ns - epoch_ns[i])
        eo, ax, ay, am = np.empty(BLOCK), np.empty(BLOCK), np.empty(BLOCK), np.empty(BLOCK)
        nd, bad, u, ts = np.empty(BLOCK), np.empty(BLOCK), np.empty(BLOCK), np.empty(BLOCK)
        for a in range(0, n_t, BLOCK):
            b = min(a + BLOCK, n_t)
            n = b - a
            _minutes(dt_ns[a:b], off, ts)
            _row_stages(c, ts[:n], eo, ax, ay, am, nd, bad, u)
            o0, o1, o2, oe = lat[i, a:b], lon[i, a:b], alt[i, a:b], err[i, a:b]
            rk = _slices(rot, a, b)
            for j in range(n):
                x, y, z, dx, dy, dz, code = finish(c, eo[j], ax[j], ay[j], am[j], nd[j], bad[j])
                x, y, z, dx, dy, dz = rotate(rk, j, 0.0, x, y, z, dx, dy, dz)
                phi, lam, h = geometry.geodetic(x, y, z)
                ok = code == 0.0
                o0[j], o1[j], o2[j] = (
                    _store(ok, phi * RAD2DEG),
                    _store(ok, lam * RAD2DEG),
                    _store(ok, h),
                )
                oe[j] = np.int8(code)


@njit(cache=True, parallel=True, fastmath=FAST, error_model="numpy")
def propagate_tsince(coef, sat_index, tsince, rx, ry, rz, vx, vy, vz, err):
    """TEME states at given minutes since epoch: ``tsince`` (k, time) for rows
    ``sat_index``; outputs (k, time) per component."""
    n_t = tsince.shape[1]
    for k in prange(sat_index.shape[0]):
        c = coef[sat_index[k]]
        eo, ax, ay, am = np.empty(BLOCK), np.empty(BLOCK), np.empty(BLOCK), np.empty(BLOCK)
        nd, bad, u = np.empty(BLOCK), np.empty(BLOCK), np.empty(BLOCK)
        for a in range(0, n_t, BLOCK):
            b = min(a + BLOCK, n_t)
            n = b - a
            _row_stages(c, tsince[k, a:b], eo, ax, ay, am, nd, bad, u)
            o0, o1, o2, o3, o4, o5, oe = (
                rx[k, a:b],
                ry[k, a:b],
                rz[k, a:b],
                vx[k, a:b],
                vy[k, a:b],
                vz[k, a:b],
                err[k, a:b],
            )
            for j in range(n):
                x, y, z, dx, dy, dz, code = finish(c, eo[j], ax[j], ay[j], am[j], nd[j], bad[j])
                ok = code == 0.0
                o0[j], o1[j], o2[j] = _store(ok, x), _store(ok, y), _store(ok, z)
                o3[j], o4[j], o5[j] = _store(ok, dx), _store(ok, dy), _store(ok, dz)
                oe[j] = np.int8(code)


@njit(inline="always", fastmath=FAST, error_model="numpy")
def _pair_stages(coef, epoch_ns, sat_index, t_ns, eo, ax, ay, am, nd, bad, u):
    """Stages 1 and 2 for pairs (satellite ``sat_index[k]`` at ``t_ns[k]``, (n,)): as
    :func:`_row_stages`, the coefficients gathered per pair."""
    n = sat_index.shape[0]
    for j in range(n):
        i = sat_index[j]
        u_, axnl, aynl, am_, nodem, bad_e = secular(coef[i], (t_ns[j] - epoch_ns[i]) / _NS_PER_MIN)
        u[j], ax[j], ay[j], am[j], nd[j], bad[j], eo[j] = u_, axnl, aynl, am_, nodem, bad_e, u_
    emax = 0.0
    for j in range(n):
        emax = max(emax, ax[j] * ax[j] + ay[j] * ay[j])
    for _ in range(kepler_steps(math.sqrt(emax))):
        for j in range(n):
            eo[j] = kepler_step(eo[j], u[j], ax[j], ay[j])


@njit(cache=True, parallel=True, fastmath=FAST, error_model="numpy")
def propagate_pairs(coef, epoch_ns, sat_index, t_ns, rot, omega, out, err):
    """ITRF states of (satellite, instant) pairs: satellite ``sat_index[k]`` at
    ``t_ns[k]`` with rotation ``rot`` (six (pair,) arrays), writing ``out`` (6, pair):
    position (km) then velocity (km/s), NaN where SGP4 fails, and ``err`` (pair,) int8."""
    n_pair = sat_index.shape[0]
    for blk in prange((n_pair + BLOCK - 1) // BLOCK):
        a = blk * BLOCK
        b = min(a + BLOCK, n_pair)
        n = b - a
        eo, ax, ay, am = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
        nd, bad, u = np.empty(n), np.empty(n), np.empty(n)
        sats = sat_index[a:b]
        _pair_stages(coef, epoch_ns, sats, t_ns[a:b], eo, ax, ay, am, nd, bad, u)
        rk = _slices(rot, a, b)
        o0, o1, o2, o3, o4, o5, oe = (
            out[0, a:b],
            out[1, a:b],
            out[2, a:b],
            out[3, a:b],
            out[4, a:b],
            out[5, a:b],
            err[a:b],
        )
        for j in range(n):
            x, y, z, dx, dy, dz, code = finish(
                coef[sats[j]], eo[j], ax[j], ay[j], am[j], nd[j], bad[j]
            )
            x, y, z, dx, dy, dz = rotate(rk, j, omega, x, y, z, dx, dy, dz)
            ok = code == 0.0
            o0[j], o1[j], o2[j] = _store(ok, x), _store(ok, y), _store(ok, z)
            o3[j], o4[j], o5[j] = _store(ok, dx), _store(ok, dy), _store(ok, dz)
            oe[j] = np.int8(code)


@njit(cache=True, parallel=True, fastmath=FAST, error_model="numpy")
def look_pairs(coef, epoch_ns, sat_index, t_ns, rot, site_rows, site_index, az, el, rate,
               range_rate):  # fmt: skip
    """Azimuth, elevation (degrees), elevation rate (degrees/s) and range rate (km/s) of
    satellite ``sat_index[k]`` at ``t_ns[k]`` from site ``site_index[k]`` (rows of
    :func:`sahelsat.frames.site_frames`); ``rot``: six (pair,) arrays. NaN where SGP4
    fails (:func:`sahelsat.core.geometry.look`)."""
    n_pair = sat_index.shape[0]
    for blk in prange((n_pair + BLOCK - 1) // BLOCK):
        a = blk * BLOCK
        b = min(a + BLOCK, n_pair)
        n = b - a
        eo, ax, ay, am = np.empty(n), np.empty(n), np.empty(n), np.empty(n)
        nd, bad, u = np.empty(n), np.empty(n), np.empty(n)
        sats = sat_index[a:b]
        sites = site_index[a:b]
        _pair_stages(coef, epoch_ns, sats, t_ns[a:b], eo, ax, ay, am, nd, bad, u)
        rk = _slices(rot, a, b)
        o0, o1, o2, o3 = az[a:b], el[a:b], rate[a:b], range_rate[a:b]
        for j in range(n):
            x, y, z, dx, dy, dz, code = finish(
                coef[sats[j]], eo[j], ax[j], ay[j], am[j], nd[j], bad[j]
            )
            x, y, z, dx, dy, dz = rotate(rk, j, EARTH_ROTATION_RAD_S, x, y, z, dx, dy, dz)
            a_, e_, r_, _, rr = geometry.look(site_rows[sites[j]], x, y, z, dx, dy, dz)
            ok = code == 0.0
            o0[j], o1[j] = _store(ok, a_ * RAD2DEG), _store(ok, e_ * RAD2DEG)
            o2[j], o3[j] = _store(ok, r_ * RAD2DEG), _store(ok, rr)


@njit(cache=True)
def convert_teme_row(teme_r, teme_v, rot, itrf, omega, i, out_r, out_v):
    """Store one satellite's TEME states (time, 3) in row ``i`` of component-major outputs
    (3, satellite, time), rotated to ITRF if asked (``rot``: six (time,) arrays)."""
    for j in range(teme_r.shape[0]):
        x, y, z = teme_r[j, 0], teme_r[j, 1], teme_r[j, 2]
        vx, vy, vz = teme_v[j, 0], teme_v[j, 1], teme_v[j, 2]
        if itrf:
            x, y, z, vx, vy, vz = rotate(rot, j, omega, x, y, z, vx, vy, vz)
        out_r[0, i, j], out_r[1, i, j], out_r[2, i, j] = x, y, z
        out_v[0, i, j], out_v[1, i, j], out_v[2, i, j] = vx, vy, vz


@njit(cache=True)
def geodetic_teme_row(teme_r, rot, i, lat, lon, alt):
    """Store one satellite's geodetic coordinates from TEME positions (time, 3) in row ``i``."""
    for j in range(teme_r.shape[0]):
        x, y, z, _, _, _ = rotate(rot, j, 0.0, teme_r[j, 0], teme_r[j, 1], teme_r[j, 2],
                                  0.0, 0.0, 0.0)  # fmt: skip
        phi, lam, h = geometry.geodetic(x, y, z)
        lat[i, j] = phi * RAD2DEG
        lon[i, j] = lam * RAD2DEG
        alt[i, j] = h
