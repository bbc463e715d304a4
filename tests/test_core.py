"""The core layer: constants against their sources, the bounds the kernels rely on, and
an import of the package that changes nothing outside it."""

import json
import math
import subprocess
import sys

import numpy as np
from numba import njit
from sgp4.earth_gravity import wgs72

from sahelsat import catalogue, frames, sgp4_kernel, vmath
from sahelsat.core import constants, geometry


def test_sgp4_constants_are_the_reference_wgs72():
    assert constants.WGS72_RE_KM == wgs72.radiusearthkm
    assert constants.WGS72_XKE == wgs72.xke
    assert constants.WGS72_J2 == wgs72.j2
    assert (constants.WGS72_J3, constants.WGS72_J4) == (wgs72.j3, wgs72.j4)


def test_geostationary_radius_follows_mu_and_the_sidereal_day():
    omega = constants.SIDEREAL_REV_PER_DAY * 2.0 * math.pi / 86400.0
    assert abs((constants.MU_KM3_S2 / omega**2) ** (1 / 3) - constants.GEO_RADIUS_KM) < 0.01


def _newton_error(e, k, rng, n=20000):
    """Largest error after k Newton steps from eo1 = u, over random Lyddane elements of
    eccentricity e, against a converged solution (bisection to the last bit)."""
    w = rng.uniform(0, 2 * np.pi, n)
    axnl, aynl, u = e * np.cos(w), e * np.sin(w), rng.uniform(-50, 50, n)
    f = lambda x: x - axnl * np.sin(x) + aynl * np.cos(x) - u  # noqa: E731
    lo, hi = u - 1.0, u + 1.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        neg = f(mid) < 0
        lo, hi = np.where(neg, mid, lo), np.where(neg, hi, mid)
    root = 0.5 * (lo + hi)
    x = u.copy()
    for _ in range(k):
        step = (u - aynl * np.cos(x) + axnl * np.sin(x) - x) / (
            1 - np.cos(x) * axnl - np.sin(x) * aynl
        )
        x = x + np.clip(step, -0.95, 0.95)
    return np.abs(x - root).max()


def test_kepler_step_count_is_enough():
    """The count the kernel uses reaches the root (to rounding) for every eccentricity:
    the proof's bound, checked on random elements."""
    rng = np.random.default_rng(7)
    for e in (1e-6, 1e-4, 1e-3, 0.01, 0.05, 0.2, 0.45):
        k = sgp4_kernel.kepler_steps.py_func(e)
        assert k <= 10
        assert _newton_error(e, k, rng) < 1e-13, e
    assert sgp4_kernel.kepler_steps.py_func(1e-3) == 2  # Starlink-like: two steps
    assert sgp4_kernel.kepler_steps.py_func(0.7) == 10  # the reference's own limit


@njit
def _small_many(d, s, c):
    for i in range(d.shape[0]):
        s[i], c[i] = vmath.sincos_small(d[i])


def test_small_angle_series_within_its_bound():
    d = np.linspace(-0.05, 0.05, 100_001)
    s, c = np.empty_like(d), np.empty_like(d)
    _small_many(d, s, c)
    assert np.abs(s - np.sin(d)).max() < 1e-17
    assert np.abs(c - np.cos(d)).max() < 2e-16


def test_geodetic_exact_from_1000_km_to_beyond_geostationary():
    """Vermeille's closed form with the cube root of the kernels, round trip from
    geodetic coordinates over the whole domain it claims."""
    rng = np.random.default_rng(11)
    lat = rng.uniform(-90, 90, 200_000)
    lon = rng.uniform(-180, 180, 200_000)
    alt = np.concatenate([rng.uniform(-5378, 0, 100_000), rng.uniform(0, 100_000, 100_000)])
    xyz = frames.geodetic_to_itrf(lat, lon, alt)
    keep = np.linalg.norm(xyz, axis=1) > 1000.0
    lat2, lon2, alt2 = frames.itrf_to_geodetic(xyz[keep])
    assert np.abs(lat2 - lat[keep]).max() < 1e-9
    dlon = (lon2 - lon[keep] + 180) % 360 - 180
    assert np.abs(dlon[np.abs(lat[keep]) < 89.9]).max() < 1e-9
    assert np.abs(alt2 - alt[keep]).max() < 1e-7  # km: 0.1 mm


def test_off_nadir_is_zero_at_the_geodetic_nadir_and_grows_with_the_angle():
    sat = frames.geodetic_to_itrf(40.0, 10.0, 700.0)
    below = frames.geodetic_to_itrf(40.0, 10.0, 0.0)
    assert frames.off_nadir_deg(sat, below) < 1e-9
    # A target seen 30 degrees from the nadir in the satellite's local frame.
    down = (below - sat) / np.linalg.norm(below - sat)
    side = np.cross(down, [0.0, 0.0, 1.0])
    side /= np.linalg.norm(side)
    los = np.cos(np.radians(30)) * down + np.sin(np.radians(30)) * side
    assert abs(frames.off_nadir_deg(sat, sat + 800.0 * los) - 30.0) < 1e-9


def test_gmst_primitive_matches_its_numpy_form():
    ns = np.array([946728000 * 10**9, 1780000000 * 10**9])
    whole, rem = np.divmod(ns - constants.J2000_NS, constants.NS_PER_DAY)
    expected = [
        geometry.gmst82.py_func(w, r / constants.NS_PER_DAY)
        for w, r in zip(whole, rem, strict=True)
    ]
    np.testing.assert_allclose(frames.gmst82(ns, np.zeros(2)), expected, atol=1e-15)


def test_slicing_a_fleet_keeps_its_model():
    fleet = catalogue("weather")
    model = fleet.model
    sub, masked = fleet[:5], fleet[fleet.period_min > 200]
    assert "model" in sub.__dict__ and "model" in masked.__dict__
    np.testing.assert_array_equal(sub.model.coef, model.coef[:5])
    t = np.datetime64("2026-05-30T06:00") + np.arange(3) * np.timedelta64(10, "m")
    fresh = type(fleet)(masked.element_sets)
    np.testing.assert_array_equal(masked.propagate(t).position, fresh.propagate(t).position)
    joined = sub + masked
    np.testing.assert_array_equal(
        joined.propagate(t).position, type(fleet)(joined.element_sets).propagate(t).position
    )


def test_import_changes_nothing_outside_the_package():
    code = (
        "import os, json, sys; before = dict(os.environ);"
        "import sahelsat, sahelsat.fleet, sahelsat.access, sahelsat.coverage_analysis;"
        "after = dict(os.environ);"
        "print(json.dumps({'env': sorted(set(after.items()) ^ set(before.items())),"
        " 'mpl': 'matplotlib.pyplot' in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seen = json.loads(out.stdout)
    assert seen["env"] == [] and seen["mpl"] is False


def test_sphere_relations_match_the_triangle_they_describe():
    # A satellite at radius r above the origin, a ground point at central angle lam on a
    # sphere of radius R, in a plane: the off-nadir angle is the angle at the satellite
    # between nadir and the point; the incidence the angle at the point from its zenith.
    rng = np.random.default_rng(3)
    big_r, r = 6371.0, 6371.0 + rng.uniform(300.0, 36000.0, 200)
    horizon = np.arccos(big_r / r)
    lam = rng.uniform(0.0, 0.999, 200) * horizon
    sat = np.stack([np.zeros_like(r), r], axis=-1)
    ground = np.stack([big_r * np.sin(lam), big_r * np.cos(lam)], axis=-1)
    los = ground - sat
    eta = np.arccos(np.sum(los * -sat, axis=-1) / (np.linalg.norm(los, axis=-1) * r))
    zenith = ground / big_r
    incidence = np.arccos(np.sum(-los * zenith, axis=-1) / np.linalg.norm(los, axis=-1))
    np.testing.assert_allclose(geometry.sphere_off_nadir(lam, big_r, r), eta, atol=1e-9)
    np.testing.assert_allclose(geometry.sphere_ground_angle(eta, big_r, r), lam, atol=1e-7)
    np.testing.assert_allclose(
        geometry.sphere_off_nadir_of_incidence(incidence, big_r, r), eta, atol=1e-9
    )
