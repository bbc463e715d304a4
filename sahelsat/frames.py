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

from sahelsat import timescale

# WGS-84 ellipsoid (NIMA TR8350.2).
WGS84_A_KM = 6378.137
WGS84_F = 1.0 / 298.257223563
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)
#: Nominal mean angular velocity of the Earth, rad/s (IERS Conventions 2010).
EARTH_ROTATION_RAD_S = 7.292115146706979e-5
TWO_PI = 2.0 * math.pi


def gmst82(ns: np.ndarray, ut1_minus_utc_s: np.ndarray) -> np.ndarray:
    """Greenwich mean sidereal time (IAU-82) in radians at UTC instants (ns since 1970).

    Evaluated in the form ``2 pi frac(days_ut1 + polynomial/86400)`` so that no precision
    is lost to the large multiple of the day count; (time,).
    """
    ns = np.asarray(ns, dtype=np.int64)
    whole_days, rem_ns = np.divmod(ns - timescale.J2000_NS, timescale.NS_PER_DAY)
    frac_days = rem_ns / timescale.NS_PER_DAY + np.asarray(ut1_minus_utc_s) / 86400.0
    tu = (whole_days + frac_days) / 36525.0
    poly_s = 67310.54841 + 8640184.812866 * tu + 0.093104 * tu**2 - 6.2e-6 * tu**3
    # 876600 h per Julian century of UT1 = one turn per day: only the day fraction counts.
    turns = np.mod(frac_days + poly_s / 86400.0, 1.0)
    return TWO_PI * turns


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
        whole = (t - 946_728_000_000_000_000) // 86_400_000_000_000
        rem = (t - 946_728_000_000_000_000) - whole * 86_400_000_000_000
        frac = rem / 86_400e9 + dut1 / 86400.0
        tu = (whole + frac) / 36525.0
        poly = 67310.54841 + 8640184.812866 * tu + 0.093104 * tu * tu - 6.2e-6 * tu * tu * tu
        turns = frac + poly / 86400.0
        theta = TWO_PI * (turns - math.floor(turns))
        out[k, 0] = math.cos(theta)
        out[k, 1] = math.sin(theta)
        out[k, 2] = 1.0 - 0.5 * px * px  # polar motion is below 1e-5 rad: two terms are exact
        out[k, 3] = px
        out[k, 4] = 1.0 - 0.5 * py * py
        out[k, 5] = py


@njit(cache=True, inline="always")
def teme_to_itrf_point(rot, x, y, z, vx, vy, vz):
    """Rotate one TEME state (km, km/s) to ITRF with one row of :func:`earth_rotation`."""
    c, s, cx, sx, cy, sy = rot[0], rot[1], rot[2], rot[3], rot[4], rot[5]
    # Earth rotation: pseudo-Earth-fixed frame, with the transport term for velocity.
    px = c * x + s * y
    py = -s * x + c * y
    pz = z
    pvx = c * vx + s * vy + EARTH_ROTATION_RAD_S * py
    pvy = -s * vx + c * vy - EARTH_ROTATION_RAD_S * px
    pvz = vz
    # Polar motion (IERS 2010, eq. 5.3 without s'): r_itrf = R1(-y_p) R2(-x_p) r_pef.
    ax = cx * px + sx * pz
    az = -sx * px + cx * pz
    avx = cx * pvx + sx * pvz
    avz = -sx * pvx + cx * pvz
    return (
        ax,
        cy * py - sy * az,
        sy * py + cy * az,
        avx,
        cy * pvy - sy * avz,
        sy * pvy + cy * avz,
    )


def teme_to_itrf_pairs(r: np.ndarray, v: np.ndarray, rot: np.ndarray):
    """Rotate TEME states (k, 3) to ITRF with per-state rows of :func:`earth_rotation`."""
    r_out, v_out = np.empty_like(r), np.empty_like(v)
    _teme_to_itrf_many(np.ascontiguousarray(r), np.ascontiguousarray(v), rot, r_out, v_out)
    return r_out, v_out


@njit(cache=True)
def _teme_to_itrf_many(r, v, rot, r_out, v_out):
    for k in range(r.shape[0]):
        (r_out[k, 0], r_out[k, 1], r_out[k, 2], v_out[k, 0], v_out[k, 1], v_out[k, 2]) = (
            teme_to_itrf_point(rot[k], r[k, 0], r[k, 1], r[k, 2], v[k, 0], v[k, 1], v[k, 2])
        )


@njit(cache=True, inline="always")
def geodetic_point(x, y, z):
    """ITRF (km) to geodetic latitude, longitude (radians) and height (km) on WGS-84.

    Vermeille's closed form: exact for any point farther than ~43 km from the geocentre.
    """
    a2 = WGS84_A_KM * WGS84_A_KM
    e4 = WGS84_E2 * WGS84_E2
    rho2 = x * x + y * y
    p = rho2 / a2
    q = (1.0 - WGS84_E2) * z * z / a2
    r = (p + q - e4) / 6.0
    s = e4 * p * q / (4.0 * r * r * r)
    t = np.cbrt(1.0 + s + math.sqrt(s * (2.0 + s)))
    u = r * (1.0 + t + 1.0 / t)
    v = math.sqrt(u * u + e4 * q)
    w = WGS84_E2 * (u + v - q) / (2.0 * v)
    k = math.sqrt(u + v + w * w) - w
    d = k * math.sqrt(rho2) / (k + WGS84_E2)
    dz = math.sqrt(d * d + z * z)
    lat = 2.0 * math.atan2(z, d + dz)
    height = (k + WGS84_E2 - 1.0) / k * dz
    return lat, math.atan2(y, x), height


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


@njit(cache=True)
def _geodetic_many(xyz, out):
    for i in range(xyz.shape[0]):
        out[i, 0], out[i, 1], out[i, 2] = geodetic_point(xyz[i, 0], xyz[i, 1], xyz[i, 2])


def site_frames(lat_deg, lon_deg, alt_km) -> np.ndarray:
    """Per-site ITRF position and local east/north/up axes, (site, 12): r(3), e(3), n(3), u(3)."""
    lat, lon = np.radians(np.atleast_1d(lat_deg)), np.radians(np.atleast_1d(lon_deg))
    r = geodetic_to_itrf(np.degrees(lat), np.degrees(lon), np.atleast_1d(alt_km))
    sl, cl, sp, cp = np.sin(lon), np.cos(lon), np.sin(lat), np.cos(lat)
    east = np.stack([-sl, cl, np.zeros_like(sl)], axis=1)
    north = np.stack([-sp * cl, -sp * sl, cp], axis=1)
    up = np.stack([cp * cl, cp * sl, sp], axis=1)
    return np.ascontiguousarray(np.concatenate([r, east, north, up], axis=1))


@njit(cache=True, inline="always")
def look_point(site, x, y, z):
    """Azimuth, elevation (radians) and range (km) of ITRF point (x, y, z) from one site row."""
    dx, dy, dz = x - site[0], y - site[1], z - site[2]
    e = site[3] * dx + site[4] * dy + site[5] * dz
    n = site[6] * dx + site[7] * dy + site[8] * dz
    u = site[9] * dx + site[10] * dy + site[11] * dz
    horizontal = math.sqrt(e * e + n * n)
    az = math.atan2(e, n)
    if az < 0.0:
        az += TWO_PI
    return az, math.atan2(u, horizontal), math.sqrt(horizontal * horizontal + u * u)


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


@njit(cache=True)
def _look_many(frames, pts, out):
    for s in range(frames.shape[0]):
        for i in range(pts.shape[0]):
            out[s, i, 0], out[s, i, 1], out[s, i, 2] = look_point(
                frames[s], pts[i, 0], pts[i, 1], pts[i, 2]
            )
