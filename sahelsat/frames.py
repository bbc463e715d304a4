"""Reference frames: TEME to ITRF, geodetic coordinates on WGS-84, topocentric look angles.

TEME (the frame of SGP4 output) turns into the Earth-fixed ITRF by the Greenwich mean
sidereal time of IAU-82 evaluated at UT1 (Vallado et al. 2006, "Revisiting Spacetrack
Report #3", sec. on TEME), then by polar motion (x_p, y_p) from the shipped IERS table;
the TIO locator s' (below 0.1 mm) is neglected. Geodetic coordinates use Vermeille's
exact closed form (J. Geodesy 76, 2002). Kernels take and return arrays in km, seconds
and radians; the public helpers speak degrees.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from sahelsat import timescale, vmath
from sahelsat.core import geometry
from sahelsat.core.constants import (  # noqa: F401  (re-exported: the frames' ellipsoid)
    EARTH_ROTATION_RAD_S,
    J2000_NS,
    NS_PER_DAY,
    TWO_PI,
    WGS84_A_KM,
    WGS84_E2,
    WGS84_F,
)


def gmst82(ns: np.ndarray, ut1_minus_utc_s: np.ndarray) -> np.ndarray:
    """Greenwich mean sidereal time (IAU-82) in radians at UTC instants (ns since 1970)
    and UT1-UTC (s), (time,): :func:`sahelsat.core.geometry.gmst82`."""
    ns = np.ascontiguousarray(ns, dtype=np.int64)
    dut1 = np.broadcast_to(np.asarray(ut1_minus_utc_s, dtype=float), ns.shape)
    out = np.empty(ns.shape)
    _gmst_many(ns, np.ascontiguousarray(dut1), out)
    return out


@njit(cache=True)
def _gmst_many(ns, dut1, out):
    for k in range(ns.shape[0]):
        whole, frac = _ut1_days(ns[k], dut1[k])
        out[k] = geometry.gmst82(whole, frac)


@njit(cache=True, inline="always")
def _ut1_days(t, dut1_s):
    """Whole days and day fraction of UT1 since J2000 at UTC instant ``t`` (ns)."""
    whole = (t - J2000_NS) // NS_PER_DAY
    rem = (t - J2000_NS) - whole * NS_PER_DAY
    return whole, rem / 86_400e9 + dut1_s / 86400.0


def earth_rotation(times) -> np.ndarray:
    """Per-time TEME->ITRF parameters, (time, 6): cos and sin of GMST, of x_p, of y_p.

    UT1-UTC and polar motion are interpolated linearly in the shipped daily IERS table
    (see :mod:`sahelsat.timescale`); GMST is IAU-82 at UT1, as :func:`gmst82`.
    """
    ns = np.ascontiguousarray(timescale.to_ns(times), dtype=np.int64)
    timescale.warn_outside_eop(ns)
    first_ns, ut1_tai, xp, yp, leaps = timescale.eop_arrays()
    out = np.empty((len(ns), 6))
    _rotation_rows(ns, first_ns, ut1_tai, xp, yp, leaps, out)
    return out


@njit(cache=True)
def _rotation_rows(ns, first_ns, ut1_tai, xp, yp, leaps, out):
    last = ut1_tai.shape[0] - 1
    for k in range(ns.shape[0]):
        t = ns[k]
        x = (t - first_ns) / 86_400e9
        i = min(max(int(math.floor(x)), 0), last - 1)
        f = min(max(x - i, 0.0), 1.0)
        mjd = (t // 86_400_000_000_000) + 40587
        tai_utc = 10.0
        for m in range(leaps.shape[0] - 1, -1, -1):
            if mjd >= leaps[m, 0]:
                tai_utc = float(leaps[m, 1])
                break
        dut1 = ut1_tai[i] + f * (ut1_tai[i + 1] - ut1_tai[i]) + tai_utc
        px = xp[i] + f * (xp[i + 1] - xp[i])
        py = yp[i] + f * (yp[i + 1] - yp[i])
        whole, frac = _ut1_days(t, dut1)
        theta = geometry.gmst82(whole, frac)
        out[k, 0] = math.cos(theta)
        out[k, 1] = math.sin(theta)
        out[k, 2] = 1.0 - 0.5 * px * px  # polar motion is below 1e-5 rad: two terms are exact
        out[k, 3] = px
        out[k, 4] = 1.0 - 0.5 * py * py
        out[k, 5] = py


def rotation_columns(rot: np.ndarray) -> tuple:
    """The six columns of :func:`earth_rotation` (time, 6) as contiguous (time,) arrays,
    the form the compiled kernels take."""
    return tuple(np.ascontiguousarray(rot[:, k]) for k in range(6))


def identity_columns(n: int) -> tuple:
    """Rotation columns that leave TEME states unchanged (cos 0, sin 0 of each angle)."""
    one, zero = np.ones(n), np.zeros(n)
    return (one, zero, one, zero, one, zero)


@njit(inline="always", fastmath=vmath.FAST, error_model="numpy")
def teme_to_itrf(rot, j, omega, x, y, z, vx, vy, vz):
    """Rotate one TEME state (km, km/s) to ITRF with instant ``j`` of ``rot`` (six
    arrays, :func:`rotation_columns`); ``omega`` (rad/s) is the Earth's rate of the
    velocity's transport term (0 leaves velocities as rotated vectors)."""
    c, s = rot[0][j], rot[1][j]
    cx, sx, cy, sy = rot[2][j], rot[3][j], rot[4][j], rot[5][j]
    # Earth rotation: pseudo-Earth-fixed frame, with the transport term for velocity.
    px = c * x + s * y
    py = -s * x + c * y
    pvx = c * vx + s * vy + omega * py
    pvy = -s * vx + c * vy - omega * px
    # Polar motion (IERS 2010, eq. 5.3 without s'): r_itrf = R1(-y_p) R2(-x_p) r_pef.
    ax = cx * px + sx * z
    az = -sx * px + cx * z
    avx = cx * pvx + sx * vz
    avz = -sx * pvx + cx * vz
    return ax, cy * py - sy * az, sy * py + cy * az, avx, cy * pvy - sy * avz, sy * pvy + cy * avz


def teme_to_itrf_pairs(r: np.ndarray, v: np.ndarray, rot: np.ndarray):
    """Rotate TEME states (k, 3) to ITRF with per-state rows of :func:`earth_rotation`."""
    r_out, v_out = np.empty_like(r), np.empty_like(v)
    _teme_to_itrf_many(
        np.ascontiguousarray(r), np.ascontiguousarray(v), rotation_columns(rot), r_out, v_out
    )
    return r_out, v_out


@njit(cache=True)
def _teme_to_itrf_many(r, v, rot, r_out, v_out):
    for k in range(r.shape[0]):
        (r_out[k, 0], r_out[k, 1], r_out[k, 2], v_out[k, 0], v_out[k, 1], v_out[k, 2]) = (
            teme_to_itrf(
                rot, k, EARTH_ROTATION_RAD_S, r[k, 0], r[k, 1], r[k, 2], v[k, 0], v[k, 1], v[k, 2]
            )  # fmt: skip
        )


def geodetic_to_itrf(lat_deg, lon_deg, alt_km) -> np.ndarray:
    """Geodetic latitude, longitude (degrees) and height (km) to ITRF, (..., 3) km."""
    lat, lon = np.radians(lat_deg), np.radians(lon_deg)
    n = WGS84_A_KM / np.sqrt(1.0 - WGS84_E2 * np.sin(lat) ** 2)
    h = np.asarray(alt_km, dtype=float)
    return np.stack(
        [
            (n + h) * np.cos(lat) * np.cos(lon),
            (n + h) * np.cos(lat) * np.sin(lon),
            (n * (1.0 - WGS84_E2) + h) * np.sin(lat),
        ],
        axis=-1,
    )


def itrf_to_geodetic(xyz_km: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ITRF positions (..., 3) km to latitude, longitude (degrees) and height (km), each (...)."""
    xyz = np.ascontiguousarray(xyz_km, dtype=float)
    flat = xyz.reshape(-1, 3)
    out = np.empty_like(flat)
    _geodetic_many(flat, out)
    out = out.reshape(xyz.shape)
    return np.degrees(out[..., 0]), np.degrees(out[..., 1]), out[..., 2]


@njit(cache=True, fastmath=vmath.FAST, error_model="numpy")
def _geodetic_many(xyz, out):
    for i in range(xyz.shape[0]):
        out[i, 0], out[i, 1], out[i, 2] = geometry.geodetic(xyz[i, 0], xyz[i, 1], xyz[i, 2])


def site_frames(lat_deg, lon_deg, alt_km) -> np.ndarray:
    """Per-site ITRF position and local east/north/up axes, (site, 12): r(3), e(3), n(3), u(3)."""
    lat, lon = np.radians(np.atleast_1d(lat_deg)), np.radians(np.atleast_1d(lon_deg))
    r = geodetic_to_itrf(np.degrees(lat), np.degrees(lon), np.atleast_1d(alt_km))
    sl, cl, sp, cp = np.sin(lon), np.cos(lon), np.sin(lat), np.cos(lat)
    east = np.stack([-sl, cl, np.zeros_like(sl)], axis=1)
    north = np.stack([-sp * cl, -sp * sl, cp], axis=1)
    up = np.stack([cp * cl, cp * sl, sp], axis=1)
    return np.ascontiguousarray(np.concatenate([r, east, north, up], axis=1))


def look_angles(
    itrf_km: np.ndarray, lat_deg, lon_deg, alt_km
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Look angles from sites to ITRF points.

    ``itrf_km``: (..., 3) positions; sites given by arrays (site,). Returns azimuth
    (degrees from north, eastward, in [0, 360)), elevation (degrees) and range (km),
    each (site, ...).
    """
    frames = site_frames(lat_deg, lon_deg, alt_km)
    pts = np.ascontiguousarray(itrf_km, dtype=float)
    flat = pts.reshape(-1, 3)
    out = np.empty((frames.shape[0], flat.shape[0], 3))
    _look_many(frames, flat, out)
    shape = (frames.shape[0],) + pts.shape[:-1]
    return (
        np.degrees(out[..., 0]).reshape(shape),
        np.degrees(out[..., 1]).reshape(shape),
        out[..., 2].reshape(shape),
    )


@njit(cache=True, fastmath=vmath.FAST, error_model="numpy")
def _look_many(frames, pts, out):
    for s in range(frames.shape[0]):
        site = frames[s]
        for i in range(pts.shape[0]):
            az, el, _, rng, _ = geometry.look(site, pts[i, 0], pts[i, 1], pts[i, 2], 0.0, 0.0, 0.0)
            out[s, i, 0], out[s, i, 1], out[s, i, 2] = az, el, rng


def off_nadir_deg(sat_km: np.ndarray, target_km: np.ndarray) -> np.ndarray:
    """Off-nadir angle (degrees) of targets seen from satellites: the angle at the
    satellite between the geodetic nadir and the line of sight
    (:func:`sahelsat.core.geometry.off_nadir`, the one definition).

    ``sat_km``, ``target_km``: (..., 3) ITRF km (broadcast). Returns (...)."""
    sat, tgt = np.broadcast_arrays(np.asarray(sat_km, float), np.asarray(target_km, float))
    shape = sat.shape[:-1]
    sat = np.ascontiguousarray(sat.reshape(-1, 3))
    tgt = np.ascontiguousarray(tgt.reshape(-1, 3))
    out = np.empty(len(sat))
    _off_nadir_many(sat, tgt, out)
    return np.degrees(out).reshape(shape)


@njit(cache=True, fastmath=vmath.FAST, error_model="numpy")
def _off_nadir_many(sat, tgt, out):
    for k in range(sat.shape[0]):
        out[k] = geometry.off_nadir(
            sat[k, 0], sat[k, 1], sat[k, 2], tgt[k, 0], tgt[k, 1], tgt[k, 2]
        )


def look_pairs_rows(site_rows: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Azimuth, elevation (radians) and range (km) of ITRF points ``pts`` (k, 3) from
    sites ``site_rows`` (k, 12), one site per point: (k, 3)."""
    out = np.empty((len(pts), 3))
    _look_rows(np.ascontiguousarray(site_rows), np.ascontiguousarray(pts, dtype=float), out)
    return out


@njit(cache=True, fastmath=vmath.FAST, error_model="numpy")
def _look_rows(rows, pts, out):
    for k in range(pts.shape[0]):
        az, el, _, rng, _ = geometry.look(rows[k], pts[k, 0], pts[k, 1], pts[k, 2], 0.0, 0.0, 0.0)
        out[k, 0], out[k, 1], out[k, 2] = az, el, rng
