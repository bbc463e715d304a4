"""The Sun: its position, its elevation at ground sites, and satellite eclipses.

The Sun's geocentric direction uses the low-precision series of the Astronomical
Almanac (section C, "Low precision formulas for the Sun"; about 0.01 degrees from
1950 to 2050), rotated to the Earth-fixed frame by the same sidereal time as the
satellites. That is ample for optical-imaging sun-elevation limits and eclipses.
"""

from __future__ import annotations

import numpy as np

from sahelsat import frames, timescale
from sahelsat.core.constants import AU_KM, SUN_RADIUS_KM  # noqa: F401  (re-exported)
from sahelsat.core.constants import WGS84_A_KM as EARTH_RADIUS_KM


def sun_position_itrf(times) -> np.ndarray:
    """Geocentric position of the Sun in ITRF, (time, 3) km."""
    t = timescale.as_utc(times)
    ns = timescale.to_ns(t)
    d = (ns - timescale.J2000_NS) / timescale.NS_PER_DAY  # days from J2000 (UT ~ TT here)
    mean_lon = np.radians(280.460 + 0.9856474 * d)
    anomaly = np.radians(357.528 + 0.9856003 * d)
    ecl_lon = (
        mean_lon + np.radians(1.915) * np.sin(anomaly) + np.radians(0.020) * np.sin(2 * anomaly)
    )
    obliquity = np.radians(23.439 - 0.0000004 * d)
    dist = AU_KM * (1.00014 - 0.01671 * np.cos(anomaly) - 0.00014 * np.cos(2 * anomaly))
    x = dist * np.cos(ecl_lon)
    y = dist * np.cos(obliquity) * np.sin(ecl_lon)
    z = dist * np.sin(obliquity) * np.sin(ecl_lon)
    rot = frames.earth_rotation(t)
    c, s = rot[:, 0], rot[:, 1]
    return np.stack([c * x + s * y, -s * x + c * y, z], axis=1)


def sun_elevation(lat_deg, lon_deg, times, alt_km=0.0) -> np.ndarray:
    """Elevation of the Sun's centre (degrees, geometric) at sites, (site, time).

    ``lat_deg``, ``lon_deg`` (site,) geodetic degrees; ``times`` (time,).
    """
    sun = sun_position_itrf(times)
    lat = np.atleast_1d(np.asarray(lat_deg, dtype=float))
    lon = np.atleast_1d(np.asarray(lon_deg, dtype=float))
    alt = np.broadcast_to(np.asarray(alt_km, dtype=float), lat.shape)
    _, el, _ = frames.look_angles(sun, lat, lon, alt)
    return el


def eclipse(sat_itrf_km: np.ndarray, sun_itrf_km: np.ndarray) -> np.ndarray:
    """Fraction of the Sun's disc hidden by the Earth, seen from each satellite, in [0, 1].

    0 sunlit, 1 umbra, in between penumbra (conical shadow, spherical Earth of the
    equatorial radius; the overlap of two discs gives the fraction).
    ``sat_itrf_km`` (..., time, 3); ``sun_itrf_km`` (time, 3). Returns (..., time).
    """
    to_sun = sun_itrf_km - sat_itrf_km
    to_earth = -np.asarray(sat_itrf_km, dtype=float)
    d_sun = np.linalg.norm(to_sun, axis=-1)
    d_earth = np.linalg.norm(to_earth, axis=-1)
    a = np.arcsin(np.clip(SUN_RADIUS_KM / d_sun, 0, 1))  # apparent radius of the Sun
    b = np.arcsin(np.clip(EARTH_RADIUS_KM / d_earth, 0, 1))  # apparent radius of the Earth
    cos_c = np.sum(to_sun * to_earth, axis=-1) / (d_sun * d_earth)
    c = np.arccos(np.clip(cos_c, -1, 1))  # angle between the two centres
    frac = _disc_overlap(a, b, c) / (np.pi * a * a)
    return np.clip(frac, 0.0, 1.0)


def _disc_overlap(a, b, c):
    """Area of overlap of two discs of angular radii a, b at centre distance c (planar)."""
    a, b, c = np.broadcast_arrays(a, b, c)
    out = np.zeros(a.shape)
    full = c <= np.abs(b - a)
    out[full] = np.pi * np.minimum(a, b)[full] ** 2
    part = (c < a + b) & ~full
    ap, bp, cp = a[part], b[part], c[part]
    x = (cp * cp + ap * ap - bp * bp) / (2 * cp)
    y = np.sqrt(np.maximum(ap * ap - x * x, 0))
    out[part] = (
        ap * ap * np.arccos(np.clip(x / ap, -1, 1))
        + bp * bp * np.arccos(np.clip((cp - x) / bp, -1, 1))
        - cp * y
    )
    return out
