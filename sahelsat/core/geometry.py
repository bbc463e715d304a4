"""Geometry primitives, written once and inlined into the compiled kernels.

- :func:`topocentric`: east, north, up components of an Earth-fixed point seen from a
  site row (see :func:`sahelsat.frames.site_frames`), and :func:`look` for the angles
  and rates a pass or a coverage cell needs;
- :func:`geodetic`: Earth-fixed to geodetic coordinates on WGS-84 by Vermeille's exact
  closed form (J. Geodesy 76, 2002), branch-free so that loops over it vectorise;
- :func:`gmst82`: Greenwich mean sidereal time, IAU 1982 (Aoki et al. 1982), at UT1;
- :func:`off_nadir`: the one definition of the off-nadir angle;
- :func:`cap_elevation` and :func:`bounding_cap`: the spherical caps that bound where a
  satellite can be seen from and where a set of sites lies (pass search pruning).

All take and return floats (km, km/s, radians) and compile in any loop that calls them.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from sahelsat import vmath
from sahelsat.core.constants import TWO_PI, WGS84_A_KM, WGS84_B_KM, WGS84_E2

_A2 = WGS84_A_KM * WGS84_A_KM
_E4 = WGS84_E2 * WGS84_E2


@njit(inline="always", fastmath=vmath.FAST, error_model="numpy")
def enu(site, dx, dy, dz):
    """East, north, up components of ITRF vector (dx, dy, dz) in ``site``'s local axes
    (a row of 12: position, then the east, north and up unit vectors)."""
    e = site[3] * dx + site[4] * dy + site[5] * dz
    n = site[6] * dx + site[7] * dy + site[8] * dz
    u = site[9] * dx + site[10] * dy + site[11] * dz
    return e, n, u


@njit(inline="always", fastmath=vmath.FAST, error_model="numpy")
def topocentric(site, x, y, z):
    """East, north, up (km) of ITRF point (x, y, z) km from ``site`` (a row of 12:
    position, then the east, north and up unit vectors)."""
    return enu(site, x - site[0], y - site[1], z - site[2])


@njit(inline="always", fastmath=vmath.FAST, error_model="numpy")
def sine_elevation(site, x, y, z, vx, vy, vz):
    """Sine of the geometric elevation of ITRF state (x, y, z) km, (vx, vy, vz) km/s seen
    from ``site``, its rate (1/s), and the east and north components (km, for the
    azimuth ``atan2(e, n)``). The sine is monotone in the elevation and needs no
    arctangent: pass searches compare and refine it."""
    e, n, u = topocentric(site, x, y, z)
    de, dn, du = enu(site, vx, vy, vz)
    rho2 = e * e + n * n + u * u
    rho = np.sqrt(rho2)
    rho_dot = (e * de + n * dn + u * du) / rho
    return u / rho, (du * rho - u * rho_dot) / rho2, e, n


@njit(inline="always", fastmath=vmath.FAST, error_model="numpy")
def elevation(site, x, y, z):
    """Geometric elevation (radians) of ITRF point (x, y, z) above ``site``'s ellipsoidal
    horizon."""
    e, n, u = topocentric(site, x, y, z)
    return vmath.atan2(u, np.sqrt(e * e + n * n))


@njit(inline="always", fastmath=vmath.FAST, error_model="numpy")
def look(site, x, y, z, vx, vy, vz):
    """Azimuth (radians from north, eastward, in [0, 2 pi)), elevation (radians),
    elevation rate (rad/s), range (km) and range rate (km/s) of an ITRF state from
    ``site``."""
    e, n, u = topocentric(site, x, y, z)
    de, dn, du = enu(site, vx, vy, vz)
    h2 = e * e + n * n
    h = np.sqrt(h2)
    rho2 = h2 + u * u
    rho = np.sqrt(rho2)
    az = vmath.atan2(e, n)
    az = az + TWO_PI * (az < 0.0)
    rate = (h * du - u * (e * de + n * dn) / h) / rho2
    return az, vmath.atan2(u, h), rate, rho, (e * de + n * dn + u * du) / rho


@njit(inline="always", fastmath=vmath.FAST, error_model="numpy")
def _cbrt_near_one(x):
    """Cube root of x in [1, 1.1] to the last bit: Newton's iteration from the tangent
    line at 1, which lies above the root (the root is concave), so it descends
    monotonically; the start is off by at most (x - 1)^2 / 9 = 1.1e-3 and four steps
    leave less than 1e-30."""
    y = 1.0 + (x - 1.0) * (1.0 / 3.0)
    y = y - (y * y * y - x) / (3.0 * y * y)
    y = y - (y * y * y - x) / (3.0 * y * y)
    y = y - (y * y * y - x) / (3.0 * y * y)
    return y - (y * y * y - x) / (3.0 * y * y)


@njit(inline="always", fastmath=vmath.FAST, error_model="numpy")
def geodetic(x, y, z):
    """ITRF (km) to geodetic latitude, longitude (radians) and height (km) on WGS-84.

    Vermeille's closed form, exact for every point farther than 1000 km from the
    geocentre (there the cube root's argument lies in [1, 1.1]: see
    :func:`_cbrt_near_one`); satellites and ground points always are.
    """
    rho2 = x * x + y * y
    p = rho2 * (1.0 / _A2)
    q = (1.0 - WGS84_E2) * z * z * (1.0 / _A2)
    r = (p + q - _E4) * (1.0 / 6.0)
    s = _E4 * p * q / (4.0 * r * r * r)
    t = _cbrt_near_one(1.0 + s + np.sqrt(s * (2.0 + s)))
    u = r * (1.0 + t + 1.0 / t)
    v = np.sqrt(u * u + _E4 * q)
    w = WGS84_E2 * (u + v - q) / (2.0 * v)
    k = np.sqrt(u + v + w * w) - w
    d = k * np.sqrt(rho2) / (k + WGS84_E2)
    dz = np.sqrt(d * d + z * z)
    lat = 2.0 * vmath.atan2(z, d + dz)
    return lat, vmath.atan2(y, x), (k + WGS84_E2 - 1.0) / k * dz


@njit(inline="always")
def gmst82(whole_days, frac_days):
    """GMST (radians, IAU 1982) at UT1 = J2000 + ``whole_days`` + ``frac_days`` (the
    day fraction kept apart so that no precision is lost to the day count)."""
    tu = (whole_days + frac_days) / 36525.0
    poly_s = 67310.54841 + tu * (8640184.812866 + tu * (0.093104 - 6.2e-6 * tu))
    # 876600 h per Julian century of UT1 = one turn per day: only the day fraction counts.
    turns = frac_days + poly_s / 86400.0
    return TWO_PI * (turns - math.floor(turns))


@njit(inline="always", fastmath=vmath.FAST, error_model="numpy")
def off_nadir(sx, sy, sz, tx, ty, tz):
    """Off-nadir angle (radians) of target (tx, ty, tz) seen from a satellite at (sx, sy,
    sz), ITRF km: the angle at the satellite between the line of sight and the geodetic
    nadir (the inward normal of the WGS-84 ellipsoid through the satellite)."""
    lat, lon, _ = geodetic(sx, sy, sz)
    sl, cl = vmath.sincos(lat)
    so, co = vmath.sincos(lon)
    nx, ny, nz = -cl * co, -cl * so, -sl  # the geodetic nadir
    dx, dy, dz = tx - sx, ty - sy, tz - sz
    along = nx * dx + ny * dy + nz * dz
    cx, cy, cz = ny * dz - nz * dy, nz * dx - nx * dz, nx * dy - ny * dx
    return vmath.atan2(np.sqrt(cx * cx + cy * cy + cz * cz), along)


# Spherical-Earth relations between the off-nadir angle eta at the satellite (radius r),
# the Earth-central angle lam from nadir to the ground point and the incidence angle
# there (sphere of radius big_r): eta + lam = incidence, r sin(eta) = big_r sin(incidence).
# For sizing and sieves; the exact lines of sight on the ellipsoid are in sahelsat.swath.


def sphere_off_nadir(lam, big_r, r):
    """Off-nadir angle (radians) of the ground point ``lam`` radians (Earth-central angle)
    from nadir, seen from radius ``r`` over a sphere of radius ``big_r`` (km); broadcasts."""
    return np.arctan2(big_r * np.sin(lam), r - big_r * np.cos(lam))


def sphere_ground_angle(eta, big_r, r):
    """Earth-central angle (radians) from nadir to where the line of sight ``eta``
    radians off nadir meets the sphere (the horizon's beyond it); inverse of
    :func:`sphere_off_nadir`; broadcasts."""
    eta = np.minimum(eta, np.pi / 2)
    return np.arcsin(np.minimum(r / big_r * np.sin(eta), 1.0)) - eta


def sphere_off_nadir_of_incidence(incidence, big_r, r):
    """Off-nadir angle (radians) whose line of sight meets the sphere at ``incidence``
    radians; broadcasts."""
    return np.arcsin(np.clip(big_r / r * np.sin(incidence), -1.0, 1.0))


# Pruning margins: the geodetic normal leans at most 0.193 degrees from the geocentric
# radius (at 45 degrees of latitude, WGS-84), and sites lie above the polar radius less
# 1 km (sites are validated to altitudes >= -500 m; the polar radius is the smallest).
_NORMAL_TILT_RAD = math.radians(0.2)
_LOWEST_SITE_KM = WGS84_B_KM - 1.0


@njit(inline="always", error_model="numpy")
def cap_elevation(r_km, min_elevation_rad):
    """Earth central angle (radians, in [0, pi]) of the cap around a satellite's
    sub-satellite point outside which no site sees it at ``min_elevation_rad`` or above,
    for a satellite ``r_km`` from the geocentre: arccos(R cos e / r) - e on a sphere of
    the smallest site radius R, with e lowered by the largest tilt of the geodetic
    normal, so that the cap bounds the ellipsoidal one (conservative by < 0.5 degrees)."""
    e = min_elevation_rad - _NORMAL_TILT_RAD
    c = _LOWEST_SITE_KM * math.cos(e) / max(r_km, _LOWEST_SITE_KM)
    return min(math.pi, max(0.0, math.acos(min(1.0, c)) - e))


def bounding_cap(xyz_km: np.ndarray) -> tuple[np.ndarray, float]:
    """A spherical cap holding the directions of points ``xyz_km`` (n, 3) ITRF: centre
    (3,) unit vector, angular radius (radians). The centre is the normalised mean
    direction (not the smallest cap, which a pruning test does not need); pi when the
    directions cancel out."""
    u = np.asarray(xyz_km, dtype=float)
    u = u / np.linalg.norm(u, axis=1, keepdims=True)
    mean = u.sum(axis=0)
    norm = float(np.linalg.norm(mean))
    if norm < 1e-9 * len(u):
        return np.array([0.0, 0.0, 1.0]), math.pi
    centre = mean / norm
    radius = float(np.arccos(np.clip(u @ centre, -1.0, 1.0)).max())
    return centre, min(math.pi, radius + 1e-9)
