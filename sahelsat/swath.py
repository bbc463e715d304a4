"""Swath geometry on the WGS-84 ellipsoid: lines of sight, incidence angles, swath edges.

A swath is fixed relative to the ground track. At each instant its edges are where lines
of sight in the plane across the track meet the ellipsoid; that plane holds the geodetic
nadir of the satellite and the right-hand direction ``v x up`` (``v`` the Earth-fixed
velocity), so a line of sight at signed off-nadir angle ``eta`` (positive to the right)
points along ``cos(eta) down + sin(eta) right``. Edges given as incidence angles (radar
beams) are turned into the off-nadir angles that reach them, instant by instant, so the
swath follows the track's real curvature and the satellite's real altitude.

Kernels of arrays: positions and velocities (..., 3) km and km/s in ITRF, angles in
degrees (off-nadir at the satellite from the geodetic nadir; incidence at the ground from
the ellipsoid normal), signed positive to the right of the track.
"""

from __future__ import annotations

import numpy as np

from sahelsat import frames
from sahelsat.core import geometry
from sahelsat.core.constants import WGS84_B_KM
from sahelsat.frames import off_nadir_deg  # noqa: F401  (the one definition)

_A = frames.WGS84_A_KM
_B = WGS84_B_KM


def track_axes(p: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit geodetic nadir ``down`` and right-hand direction ``right`` (..., 3) of
    satellites at ITRF positions ``p`` moving with Earth-fixed velocities ``v``."""
    lat, lon, _ = frames.itrf_to_geodetic(p)
    la, lo = np.radians(lat), np.radians(lon)
    up = np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)
    right = np.cross(v, up)
    right = right / np.linalg.norm(right, axis=-1, keepdims=True)
    return -up, right


def ground_point(p, down, right, eta_deg) -> np.ndarray:
    """Where the line of sight at signed off-nadir ``eta_deg`` (...) meets the ellipsoid,
    (..., 3) km ITRF; NaN where it misses the Earth."""
    eta = np.radians(np.asarray(eta_deg, dtype=float))[..., None]
    u = np.cos(eta) * down + np.sin(eta) * right
    scale = np.array([1.0 / _A, 1.0 / _A, 1.0 / _B])
    ps, us = p * scale, u * scale
    a = np.sum(us * us, axis=-1)
    b = np.sum(ps * us, axis=-1)
    c = np.sum(ps * ps, axis=-1) - 1.0
    disc = b * b - a * c
    s = (-b - np.sqrt(np.where(disc >= 0, disc, np.nan))) / a
    return p + s[..., None] * u


def incidence_deg(p: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Incidence angle (degrees) at ground points ``g`` of lines of sight from ``p``: the
    angle between the ellipsoid normal at ``g`` and the direction to the satellite."""
    n = g / np.array([_A * _A, _A * _A, _B * _B])
    n = n / np.linalg.norm(n, axis=-1, keepdims=True)
    to_sat = p - g
    to_sat = to_sat / np.linalg.norm(to_sat, axis=-1, keepdims=True)
    return np.degrees(np.arccos(np.clip(np.sum(n * to_sat, axis=-1), -1.0, 1.0)))


def off_nadir_for_incidence(p, down, right, incidence) -> np.ndarray:
    """Signed off-nadir angle (degrees, (...)) whose line of sight meets the ellipsoid at
    the signed ``incidence`` (degrees, (...); the sign chooses the side).

    Starts from the sphere of the local radius (``sin(eta) = R / r sin(incidence)``) and
    refines by Newton's method on the ellipsoid (incidence grows monotonically with
    off-nadir up to the horizon) to about 1e-9 degrees; bisection where Newton does not
    settle (lines of sight near the horizon)."""
    target = np.abs(np.asarray(incidence, dtype=float))
    sign = np.where(np.asarray(incidence) < 0, -1.0, 1.0)
    r = np.linalg.norm(p, axis=-1)
    big_r = np.linalg.norm(ground_point(p, down, right, np.zeros(np.shape(r))), axis=-1)
    eta = np.degrees(geometry.sphere_off_nadir_of_incidence(np.radians(target), big_r, r))
    eta = np.broadcast_to(eta, np.broadcast(target, r).shape).copy()
    step_deg = 1e-6
    for _ in range(8):
        f = incidence_deg(p, ground_point(p, down, right, sign * eta)) - target
        f2 = incidence_deg(p, ground_point(p, down, right, sign * (eta + step_deg))) - target
        step = f * step_deg / np.where(f2 != f, f2 - f, np.nan)
        eta = eta - step
        if np.all(np.abs(step) < 1e-10):
            break
    done = np.isfinite(eta) & (np.abs(f) < 1e-7)
    if not np.all(done):
        eta = np.where(done, eta, _bisect(p, down, right, sign, target))
    return sign * eta


def _bisect(p, down, right, sign, target):
    """Unsigned off-nadir (degrees) reaching ``target`` incidence, by bisection."""
    r = np.linalg.norm(p, axis=-1)
    lo = np.zeros(np.broadcast(target, r).shape)
    hi = np.degrees(np.arcsin(np.minimum(_B / r, 1.0))) * 0.999999 + lo  # grazes the Earth
    for _ in range(48):
        mid = 0.5 * (lo + hi)
        below = incidence_deg(p, ground_point(p, down, right, sign * mid)) < target
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    return 0.5 * (lo + hi)


def half_angle_for_width(p, down, width_km) -> np.ndarray:
    """Off-nadir half-angle (degrees, (...)) of a centred swath ``width_km`` wide on the
    ground, from the satellite's radius and the local Earth radius under it (sphere)."""
    g = ground_point(p, down, down, 0.0)
    big_r, r = np.linalg.norm(g, axis=-1), np.linalg.norm(p, axis=-1)
    lam = 0.5 * float(width_km) / big_r
    return np.degrees(geometry.sphere_off_nadir(lam, big_r, r))


def edge_off_nadir(p, down, right, angle: str, edge_deg) -> np.ndarray:
    """Signed off-nadir angles (degrees, (...)) of a swath edge given as a signed
    ``angle`` (``"incidence"`` or ``"off-nadir"``) of ``edge_deg`` degrees."""
    if angle == "incidence":
        return off_nadir_for_incidence(p, down, right, edge_deg)
    return np.broadcast_to(np.asarray(edge_deg, dtype=float), np.shape(p)[:-1]).copy()
