"""Compiled SGP4 for near-Earth orbits, fused with the frame and geodetic conversions.

The equations are those of Spacetrack Report #3 as revised by Vallado, Crawford,
Hujsak and Kelso (AIAA 2006-6753), WGS-72 constants, "improved" operation mode. The
per-satellite coefficients come from the reference initialisation of the ``sgp4``
package (:func:`near_earth_coefficients`); this module only evaluates the propagation,
one (satellite, time) point at a time, in numba. Deep-space orbits (period >= 225 min)
are not handled here: :mod:`sahelsat.propagate` sends them to the ``sgp4`` package.

The grid kernels write TEME or ITRF states, or geodetic coordinates, straight into
preallocated (satellite, time) arrays, in parallel over satellites.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange
from sgp4.earth_gravity import wgs72

from sahelsat import vmath
from sahelsat.frames import (
    EARTH_ROTATION_RAD_S,
    WGS84_A_KM,
    WGS84_E2,
    geodetic_point,
    teme_to_itrf_point,
)

RE_KM = wgs72.radiusearthkm
XKE = wgs72.xke
J2 = wgs72.j2
VKMPERSEC = RE_KM * XKE / 60.0
TWO_PI = 2.0 * math.pi
RAD2DEG = 180.0 / math.pi
# Floating-point freedoms for the grid kernels (fused multiply-add, reassociation,
# faster libm calls), not the NaN/infinity assumptions: results stay within 1e-13.
FAST = {"contract", "arcp", "nsz", "afn", "reassoc"}

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


@njit(cache=True, inline="always")
def _sincos(d):
    """sin and cos of an angle; a Taylor series (error < 1e-17) when it is small."""
    if abs(d) < 0.02:
        d2 = d * d
        sin_d = d * (1.0 - d2 / 6.0 * (1.0 - d2 / 20.0 * (1.0 - d2 / 42.0 * (1.0 - d2 / 72.0))))
        cos_d = 1.0 - d2 / 2.0 * (1.0 - d2 / 12.0 * (1.0 - d2 / 30.0 * (1.0 - d2 / 56.0)))
        return sin_d, cos_d
    return math.sin(d), math.cos(d)


@njit(cache=True, inline="always")
def _rotate(sin_a, cos_a, d):
    """sin and cos of (a + d) from those of a, for a small increment d."""
    sin_d, cos_d = _sincos(d)
    return sin_a * cos_d + cos_a * sin_d, cos_a * cos_d - sin_a * sin_d


@njit(cache=True, inline="always")
def sgp4_point(c, t):
    """One near-Earth SGP4 evaluation.

    ``c``: one row of coefficients; ``t``: minutes since epoch. Returns TEME position
    (km), velocity (km/s) and the SGP4 error code (0 fine, 1 eccentricity, 4 semi-latus
    rectum, 6 decayed).
    """
    xmdf = c[MO] + c[MDOT] * t
    argpdf = c[ARGPO] + c[ARGPDOT] * t
    nodedf = c[NODEO] + c[NODEDOT] * t
    argpm = argpdf
    mm = xmdf
    t2 = t * t
    nodem = nodedf + c[NODECF] * t2
    tempa = 1.0 - c[CC1] * t
    tempe = c[BSTAR] * c[CC4] * t
    templ = c[T2COF] * t2
    if c[ISIMP] != 1.0:
        sin_x, cos_x = math.sin(xmdf), math.cos(xmdf)
        delomg = c[OMGCOF] * t
        delmtemp = 1.0 + c[ETA] * cos_x
        delm = c[XMCOF] * (delmtemp * delmtemp * delmtemp - c[DELMO])
        temp = delomg + delm
        mm = xmdf + temp
        argpm = argpdf - temp
        t3 = t2 * t
        t4 = t3 * t
        tempa = tempa - c[D2] * t2 - c[D3] * t3 - c[D4] * t4
        sin_mm, _ = _rotate(sin_x, cos_x, temp)
        tempe = tempe + c[BSTAR] * c[CC5] * (sin_mm - c[SINMAO])
        templ = templ + c[T3COF] * t3 + t4 * (c[T4COF] + t * c[T5COF])

    am = c[AM0] * tempa * tempa
    nm = XKE / (am * math.sqrt(am))
    em = c[ECCO] - tempe
    if em >= 1.0 or em < -0.001:
        return 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1
    if em < 1.0e-6:
        em = 1.0e-6
    mm = mm + c[NO] * templ
    # The reference reduces mm, argpm, nodem and u modulo 2 pi here; only their sines
    # and cosines are used below (Kepler's equation included), so that is skipped.

    # Long-period periodics.
    axnl = em * math.cos(argpm)
    temp = 1.0 / (am * (1.0 - em * em))
    aynl = em * math.sin(argpm) + temp * c[AYCOF]
    xl = mm + argpm + nodem + temp * c[XLCOF] * axnl

    # Kepler's equation for the eccentric longitude: Newton steps (clamped to 0.95 rad),
    # carrying sin and cos forward by the step instead of re-evaluating them.
    u = xl - nodem
    eo1 = u
    sineo1 = math.sin(eo1)
    coseo1 = math.cos(eo1)
    for _ in range(10):
        step = (u - aynl * coseo1 + axnl * sineo1 - eo1) / (1.0 - coseo1 * axnl - sineo1 * aynl)
        if step >= 0.95:
            step = 0.95
        elif step <= -0.95:
            step = -0.95
        eo1 += step
        if abs(step) < 1.0e-12:
            break
        sineo1, coseo1 = _rotate(sineo1, coseo1, step)

    # Short-period preliminary quantities.
    ecose = axnl * coseo1 + aynl * sineo1
    esine = axnl * sineo1 - aynl * coseo1
    el2 = axnl * axnl + aynl * aynl
    pl = am * (1.0 - el2)
    if pl < 0.0:
        return 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 4
    rl = am * (1.0 - ecose)
    rdotl = math.sqrt(am) * esine / rl
    rvdotl = math.sqrt(pl) / rl
    betal = math.sqrt(1.0 - el2)
    temp = esine / (1.0 + betal)
    sinu = am / rl * (sineo1 - aynl - axnl * temp)
    cosu = am / rl * (coseo1 - axnl + aynl * temp)
    norm = math.sqrt(sinu * sinu + cosu * cosu)
    sinu /= norm
    cosu /= norm
    sin2u = (cosu + cosu) * sinu
    cos2u = 1.0 - 2.0 * sinu * sinu
    temp = 1.0 / pl
    temp1 = 0.5 * J2 * temp
    temp2 = temp1 * temp

    # Short-period periodics: small corrections to the argument of latitude, node and
    # inclination, applied to their sines and cosines by rotation.
    mrt = rl * (1.0 - 1.5 * temp2 * betal * c[CON41]) + 0.5 * temp1 * c[X1MTH2] * cos2u
    sinsu, cossu = _rotate(sinu, cosu, -0.25 * temp2 * c[X7THM1] * sin2u)
    snod, cnod = _rotate(math.sin(nodem), math.cos(nodem), 1.5 * temp2 * c[COSIO] * sin2u)
    sini, cosi = _rotate(c[SINIO], c[COSIO], 1.5 * temp2 * c[COSIO] * c[SINIO] * cos2u)
    mvt = rdotl - nm * temp1 * c[X1MTH2] * sin2u / XKE
    rvdot = rvdotl + nm * temp1 * (c[X1MTH2] * cos2u + 1.5 * c[CON41]) / XKE

    xmx = -snod * cosi
    xmy = cnod * cosi
    ux = xmx * sinsu + cnod * cossu
    uy = xmy * sinsu + snod * cossu
    uz = sini * sinsu
    vx = xmx * cossu - cnod * sinsu
    vy = xmy * cossu - snod * sinsu
    vz = sini * cossu
    mr = mrt * RE_KM
    err = 6 if mrt < 1.0 else 0
    return (
        mr * ux,
        mr * uy,
        mr * uz,
        (mvt * ux + rvdot * vx) * VKMPERSEC,
        (mvt * uy + rvdot * vy) * VKMPERSEC,
        (mvt * uz + rvdot * vz) * VKMPERSEC,
        err,
    )


@njit(inline="always", fastmath=vmath.FAST, error_model="numpy")
def _kepler_step(eo1, u, axnl, aynl):
    """One clamped Newton step of Kepler's equation in Lyddane's variables."""
    sineo1, coseo1 = vmath.sincos(eo1)
    step = (u - aynl * coseo1 + axnl * sineo1 - eo1) / (1.0 - coseo1 * axnl - sineo1 * aynl)
    return eo1 + step - (step > 0.95) * (step - 0.95) - (step < -0.95) * (step + 0.95)


@njit(inline="always", fastmath=vmath.FAST, error_model="numpy")
def _latitude_step(s, z, p):
    """One fixed-point step for the sine and cosine of geodetic latitude (WGS-84)."""
    n = WGS84_A_KM / np.sqrt(1.0 - WGS84_E2 * s * s)
    zz = z + WGS84_E2 * n * s
    hyp = np.sqrt(zz * zz + p * p)
    return zz / hyp, p / hyp, zz


@njit(inline="always", fastmath=vmath.FAST, error_model="numpy")
def sgp4_lane(c, t):
    """Branch-free near-Earth SGP4 for vectorised loops: the equations of
    :func:`sgp4_point` with SIMD sines and cosines, ten clamped Newton steps for
    Kepler's equation (the reference's limit) and the error code as a float."""
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
    nm = XKE / (am * np.sqrt(am))
    em = c[ECCO] - tempe
    bad_e = 1.0 * (em >= 1.0) + 1.0 * (em < -0.001)
    em = em + (1.0e-6 - em) * (em < 1.0e-6)
    mm = mm + c[NO] * templ

    sin_w, cos_w = vmath.sincos(argpm)
    axnl = em * cos_w
    temp = 1.0 / (am * (1.0 - em * em))
    aynl = em * sin_w + temp * c[AYCOF]
    xl = mm + argpm + nodem + temp * c[XLCOF] * axnl
    u = xl - nodem
    # Written out (not a loop) so that the loop over time stays the innermost one.
    eo1 = _kepler_step(u, u, axnl, aynl)
    eo1 = _kepler_step(eo1, u, axnl, aynl)
    eo1 = _kepler_step(eo1, u, axnl, aynl)
    eo1 = _kepler_step(eo1, u, axnl, aynl)
    eo1 = _kepler_step(eo1, u, axnl, aynl)
    eo1 = _kepler_step(eo1, u, axnl, aynl)
    eo1 = _kepler_step(eo1, u, axnl, aynl)
    eo1 = _kepler_step(eo1, u, axnl, aynl)
    eo1 = _kepler_step(eo1, u, axnl, aynl)
    sineo1, coseo1 = vmath.sincos(eo1)  # the reference's tenth step ends on these

    ecose = axnl * coseo1 + aynl * sineo1
    esine = axnl * sineo1 - aynl * coseo1
    el2 = axnl * axnl + aynl * aynl
    pl = am * (1.0 - el2)
    bad_p = 1.0 * (pl < 0.0)
    rl = am * (1.0 - ecose)
    rdotl = np.sqrt(am) * esine / rl
    rvdotl = np.sqrt(pl * (pl > 0.0)) / rl  # pl < 0 is error 4: keep the root defined
    betal = np.sqrt(1.0 - el2)
    temp = esine / (1.0 + betal)
    sinu = am / rl * (sineo1 - aynl - axnl * temp)
    cosu = am / rl * (coseo1 - axnl + aynl * temp)
    norm = np.sqrt(sinu * sinu + cosu * cosu)
    sinu = sinu / norm
    cosu = cosu / norm
    sin2u = (cosu + cosu) * sinu
    cos2u = 1.0 - 2.0 * sinu * sinu
    temp = 1.0 / pl
    temp1 = 0.5 * J2 * temp
    temp2 = temp1 * temp
    mrt = rl * (1.0 - 1.5 * temp2 * betal * c[CON41]) + 0.5 * temp1 * c[X1MTH2] * cos2u
    su_d = -0.25 * temp2 * c[X7THM1] * sin2u
    sin_d, cos_d = vmath.sincos(su_d)
    sinsu = sinu * cos_d + cosu * sin_d
    cossu = cosu * cos_d - sinu * sin_d
    snod, cnod = vmath.sincos(nodem + 1.5 * temp2 * c[COSIO] * sin2u)
    sini, cosi = vmath.sincos(c[INCLO] + 1.5 * temp2 * c[COSIO] * c[SINIO] * cos2u)
    mvt = rdotl - nm * temp1 * c[X1MTH2] * sin2u / XKE
    rvdot = rvdotl + nm * temp1 * (c[X1MTH2] * cos2u + 1.5 * c[CON41]) / XKE
    xmx = -snod * cosi
    xmy = cnod * cosi
    ux = xmx * sinsu + cnod * cossu
    uy = xmy * sinsu + snod * cossu
    uz = sini * sinsu
    vx = xmx * cossu - cnod * sinsu
    vy = xmy * cossu - snod * sinsu
    vz = sini * cossu
    mr = mrt * RE_KM
    bad_r = 1.0 * (mrt < 1.0)
    err = bad_e + (1.0 - bad_e) * (4.0 * bad_p + (1.0 - bad_p) * 6.0 * bad_r)
    return (
        mr * ux,
        mr * uy,
        mr * uz,
        (mvt * ux + rvdot * vx) * VKMPERSEC,
        (mvt * uy + rvdot * vy) * VKMPERSEC,
        (mvt * uz + rvdot * vz) * VKMPERSEC,
        err,
    )


@njit(inline="always", fastmath=vmath.FAST, error_model="numpy")
def itrf_lane(rot_t, j, omega, x, y, z, vx, vy, vz):
    """:func:`sahelsat.frames.teme_to_itrf_point` with the rotation given column-wise,
    ``rot_t`` (6, time), and the Earth's rate ``omega`` (rad/s; 0 with an identity
    rotation leaves TEME states unchanged)."""
    c, s = rot_t[0, j], rot_t[1, j]
    cx, sx, cy, sy = rot_t[2, j], rot_t[3, j], rot_t[4, j], rot_t[5, j]
    px = c * x + s * y
    py = -s * x + c * y
    pvx = c * vx + s * vy + omega * py
    pvy = -s * vx + c * vy - omega * px
    ax = cx * px + sx * z
    az = -sx * px + cx * z
    avx = cx * pvx + sx * vz
    avz = -sx * pvx + cx * vz
    return ax, cy * py - sy * az, sy * py + cy * az, avx, cy * pvy - sy * avz, sy * pvy + cy * avz


@njit(inline="always", fastmath=vmath.FAST, error_model="numpy")
def geodetic_lane(x, y, z):
    """Geodetic latitude, longitude (degrees) and height (km) on WGS-84 by fixed-point
    iteration on the latitude's sine and cosine (six steps: converged to 1e-15 rad from
    the ground to beyond geostationary altitude), for vectorised loops."""
    p = np.sqrt(x * x + y * y)
    pp = p * (1.0 - WGS84_E2)
    hyp = np.sqrt(z * z + pp * pp)
    s = z / hyp
    s, c, zz = _latitude_step(s, z, p)
    s, c, zz = _latitude_step(s, z, p)
    s, c, zz = _latitude_step(s, z, p)
    s, c, zz = _latitude_step(s, z, p)
    s, c, zz = _latitude_step(s, z, p)
    s, c, zz = _latitude_step(s, z, p)
    height = p * c + z * s - WGS84_A_KM * np.sqrt(1.0 - WGS84_E2 * s * s)
    return vmath.atan2(zz, p) * RAD2DEG, vmath.atan2(y, x) * RAD2DEG, height


@njit(cache=True, parallel=True, fastmath=vmath.FAST, error_model="numpy")
def propagate_grid(coef, epoch_ns, sat_index, t_ns, rot_t, omega, rx, ry, rz, vx, vy, vz, err):
    """Propagate satellites over a common time grid, in ITRF, or in TEME when ``rot_t``
    is the identity and ``omega`` 0 (see :func:`itrf_lane`).

    ``coef`` (satellite, N_COEF); ``epoch_ns`` (satellite,) int64 element-set epochs;
    ``sat_index`` (k,) the rows to evaluate; ``t_ns`` (time,) int64 UTC instants;
    ``rot_t`` (6, time): :func:`sahelsat.frames.earth_rotation` transposed. Writes rows
    ``sat_index`` of the position and velocity components ``rx`` ... ``vz`` (satellite,
    time) km, km/s and ``err`` (satellite, time) int8; points with an error hold NaN.

    Vectorised over time. The compiler keeps a loop scalar when it stores interleaved
    (x, y, z) triples or to more than four arrays, hence one array per component and two
    passes (positions, then velocities), each evaluating SGP4 in SIMD lanes: still
    several times faster than one scalar pass.
    """
    for k in prange(sat_index.shape[0]):
        i = sat_index[k]
        c = coef[i]
        epoch = epoch_ns[i]
        for j in range(t_ns.shape[0]):
            x, y, z, dx, dy, dz, code = sgp4_lane(c, (t_ns[j] - epoch) / 6.0e10)
            x, y, z, dx, dy, dz = itrf_lane(rot_t, j, omega, x, y, z, dx, dy, dz)
            ok = code == 0.0
            rx[i, j] = x if ok else np.nan
            ry[i, j] = y if ok else np.nan
            rz[i, j] = z if ok else np.nan
            err[i, j] = np.int8(code)
        for j in range(t_ns.shape[0]):
            x, y, z, dx, dy, dz, code = sgp4_lane(c, (t_ns[j] - epoch) / 6.0e10)
            x, y, z, dx, dy, dz = itrf_lane(rot_t, j, omega, x, y, z, dx, dy, dz)
            ok = code == 0.0
            vx[i, j] = dx if ok else np.nan
            vy[i, j] = dy if ok else np.nan
            vz[i, j] = dz if ok else np.nan


@njit(cache=True, parallel=True, fastmath=vmath.FAST, error_model="numpy")
def geodetic_grid(coef, epoch_ns, sat_index, t_ns, rot_t, lat, lon, alt, out_err):
    """Like :func:`propagate_grid`, writing geodetic latitude, longitude (degrees) and
    height (km) on WGS-84, each (satellite, time)."""
    for k in prange(sat_index.shape[0]):
        i = sat_index[k]
        c = coef[i]
        epoch = epoch_ns[i]
        for j in range(t_ns.shape[0]):
            x, y, z, vx, vy, vz, err = sgp4_lane(c, (t_ns[j] - epoch) / 6.0e10)
            x, y, z, vx, vy, vz = itrf_lane(rot_t, j, 0.0, x, y, z, vx, vy, vz)
            phi, lam, h = geodetic_lane(x, y, z)
            ok = err == 0.0
            lat[i, j] = phi if ok else np.nan
            lon[i, j] = lam if ok else np.nan
            alt[i, j] = h if ok else np.nan
            out_err[i, j] = np.int8(err)


@njit(cache=True, parallel=True, fastmath=vmath.FAST, error_model="numpy")
def propagate_tsince(coef, sat_index, tsince, rx, ry, rz, vx, vy, vz, err):
    """TEME states at given minutes since epoch: ``tsince`` (k, time) for rows ``sat_index``;
    outputs (k, time) per component, by the vectorised path of :func:`propagate_grid`."""
    for k in prange(sat_index.shape[0]):
        c = coef[sat_index[k]]
        for j in range(tsince.shape[1]):
            x, y, z, dx, dy, dz, code = sgp4_lane(c, tsince[k, j])
            ok = code == 0.0
            rx[k, j] = x if ok else np.nan
            ry[k, j] = y if ok else np.nan
            rz[k, j] = z if ok else np.nan
            err[k, j] = np.int8(code)
        for j in range(tsince.shape[1]):
            x, y, z, dx, dy, dz, code = sgp4_lane(c, tsince[k, j])
            ok = code == 0.0
            vx[k, j] = dx if ok else np.nan
            vy[k, j] = dy if ok else np.nan
            vz[k, j] = dz if ok else np.nan


@njit(cache=True)
def convert_teme_row(teme_r, teme_v, rot, itrf, i, out_r, out_v):
    """Store one satellite's TEME states (time, 3) in row ``i`` of component-major outputs
    (3, satellite, time), rotated to ITRF if asked."""
    for j in range(teme_r.shape[0]):
        x, y, z = teme_r[j, 0], teme_r[j, 1], teme_r[j, 2]
        vx, vy, vz = teme_v[j, 0], teme_v[j, 1], teme_v[j, 2]
        if itrf:
            x, y, z, vx, vy, vz = teme_to_itrf_point(rot[j], x, y, z, vx, vy, vz)
        out_r[0, i, j], out_r[1, i, j], out_r[2, i, j] = x, y, z
        out_v[0, i, j], out_v[1, i, j], out_v[2, i, j] = vx, vy, vz


@njit(cache=True)
def geodetic_teme_row(teme_r, rot, i, lat, lon, alt):
    """Store one satellite's geodetic coordinates from TEME positions (time, 3) in row ``i``."""
    for j in range(teme_r.shape[0]):
        x, y, z, _, _, _ = teme_to_itrf_point(
            rot[j], teme_r[j, 0], teme_r[j, 1], teme_r[j, 2], 0.0, 0.0, 0.0
        )
        if math.isnan(x):
            lat[i, j] = lon[i, j] = alt[i, j] = np.nan
        else:
            phi, lam, h = geodetic_point(x, y, z)
            lat[i, j] = phi * RAD2DEG
            lon[i, j] = lam * RAD2DEG
            alt[i, j] = h


@njit(cache=True, fastmath=vmath.FAST, error_model="numpy")
def propagate_pairs(coef, epoch_ns, sat_index, t_ns, rot, out_r, out_v, out_err):
    """ITRF states of (satellite, instant) pairs: ``sat_index``, ``t_ns`` and ``rot`` (one
    row per pair), writing ``out_r``/``out_v`` (pair, 3) and ``out_err`` (pair,).

    Serial (its callers, root refinements, pass a few thousand pairs at a time: too few
    to pay for waking a thread pool) and scalar."""
    for k in range(sat_index.shape[0]):
        i = sat_index[k]
        t = (t_ns[k] - epoch_ns[i]) / 6.0e10
        x, y, z, vx, vy, vz, err = sgp4_point(coef[i], t)
        out_err[k] = err
        if err != 0:
            x = y = z = vx = vy = vz = np.nan
        else:
            x, y, z, vx, vy, vz = teme_to_itrf_point(rot[k], x, y, z, vx, vy, vz)
        out_r[k, 0], out_r[k, 1], out_r[k, 2] = x, y, z
        out_v[k, 0], out_v[k, 1], out_v[k, 2] = vx, vy, vz


@njit(cache=True, parallel=True, fastmath=vmath.FAST, error_model="numpy")
def look_pairs(
    coef, epoch_ns, sat_index, t_ns, rot_t, site_rows, site_index, az, el, rate, range_rate
):
    """Azimuth, elevation (degrees), elevation rate (degrees/s) and range rate (km/s) of
    satellite ``sat_index[k]`` at ``t_ns[k]`` from site ``site_index[k]`` (rows of
    :func:`sahelsat.frames.site_frames`); ``rot_t`` (6, pair). NaN where SGP4 fails.
    Vectorised over pairs (coefficients are gathered per lane) and threaded."""
    for k in prange(sat_index.shape[0]):
        i = sat_index[k]
        x, y, z, vx, vy, vz, code = sgp4_lane(coef[i], (t_ns[k] - epoch_ns[i]) / 6.0e10)
        x, y, z, vx, vy, vz = itrf_lane(rot_t, k, EARTH_ROTATION_RAD_S, x, y, z, vx, vy, vz)
        site = site_rows[site_index[k]]
        dx, dy, dz = x - site[0], y - site[1], z - site[2]
        e = site[3] * dx + site[4] * dy + site[5] * dz
        n = site[6] * dx + site[7] * dy + site[8] * dz
        u = site[9] * dx + site[10] * dy + site[11] * dz
        de = site[3] * vx + site[4] * vy + site[5] * vz
        dn = site[6] * vx + site[7] * vy + site[8] * vz
        du = site[9] * vx + site[10] * vy + site[11] * vz
        h = np.sqrt(e * e + n * n)
        dh = (e * de + n * dn) / h
        ok = code == 0.0
        a = vmath.atan2(e, n) * RAD2DEG
        az[k] = (a + 360.0 * (a < 0.0)) if ok else np.nan
        el[k] = vmath.atan2(u, h) * RAD2DEG if ok else np.nan
        rate[k] = (h * du - u * dh) / (h * h + u * u) * RAD2DEG if ok else np.nan
        range_rate[k] = (e * de + n * dn + u * du) / np.sqrt(h * h + u * u) if ok else np.nan
