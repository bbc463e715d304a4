"""The vectorisable elementary functions and the two SGP4 paths that use them."""

import numpy as np
from numba import njit

from sahelsat import catalogue, frames, propagate, timescale, vmath


@njit
def _sincos_many(x, s, c):
    for i in range(x.shape[0]):
        s[i], c[i] = vmath.sincos(x[i])


@njit
def _atan2_many(y, x, out):
    for i in range(x.shape[0]):
        out[i] = vmath.atan2(y[i], x[i])


@njit
def _fmod_many(x, out):
    for i in range(x.shape[0]):
        out[i] = vmath.fmod_2pi(x[i])


def test_fmod_2pi_is_the_c_library_fmod_exactly():
    """Every remainder equal to the C library's, bit for bit, including just beside the
    multiples of 2 pi, where a rounded quotient is one off."""
    rng = np.random.default_rng(5)
    two_pi = 2.0 * np.pi
    k = rng.integers(-(2**20) + 1, 2**20, 200_000) * two_pi
    x = np.concatenate([rng.uniform(-3e6, 3e6, 400_000), rng.uniform(-10.0, 10.0, 100_000), k,
                        np.nextafter(k, np.inf), np.nextafter(k, -np.inf),
                        [0.0, two_pi, -two_pi, 1e-300, -1e-300]])  # fmt: skip
    out = np.empty_like(x)
    _fmod_many(x, out)
    np.testing.assert_array_equal(out, np.fmod(x, two_pi))


def test_sincos_to_the_last_bits():
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.uniform(-1e5, 1e5, 200_000), rng.uniform(-4, 4, 200_000),
                        np.arange(-8, 9) * np.pi / 4, [0.0, -0.0, 1e-300]])  # fmt: skip
    s, c = np.empty_like(x), np.empty_like(x)
    _sincos_many(x, s, c)
    assert np.abs(s - np.sin(x)).max() < 5e-16
    assert np.abs(c - np.cos(x)).max() < 5e-16


def test_atan2_all_quadrants_and_edges():
    rng = np.random.default_rng(4)
    y = rng.normal(size=200_000) * 10.0 ** rng.uniform(-8, 8, 200_000)
    x = rng.normal(size=200_000) * 10.0 ** rng.uniform(-8, 8, 200_000)
    y = np.concatenate([y, [0.0, 1.0, 0.0, -1.0, 1.0, -1.0, 2.0]])
    x = np.concatenate([x, [1.0, 0.0, -1.0, 0.0, 1.0, -1.0, 2.0]])
    out = np.empty_like(x)
    _atan2_many(y, x, out)
    assert np.abs(out - np.arctan2(y, x)).max() < 1e-15


def test_vectorised_and_scalar_sgp4_agree():
    """The grid path (SIMD) and the pair path (scalar, used by root finding) are two
    codings of the same equations: they must agree to micrometres."""
    fleet = catalogue("resource")[:60] + catalogue("starlink")[::500]
    model = fleet.model
    near = model.near_index
    times = np.datetime64("2026-05-29T00:00", "ns") + np.arange(
        0, 3 * 86400, 3571
    ) * np.timedelta64(1, "s")
    ns = timescale.to_ns(times)
    r, v, err = propagate.states(model, ns, itrf=True)
    sat = np.repeat(near, len(ns))
    t = np.tile(ns, len(near))
    r2, v2, err2 = propagate.itrf_at_pairs(model, sat, t)
    assert (err[near].ravel() == err2).all()
    assert np.nanmax(np.abs(r[near].reshape(-1, 3) - r2)) < 2e-8  # km: 20 micrometres
    assert np.nanmax(np.abs(v[near].reshape(-1, 3) - v2)) < 1e-10  # km/s


def test_vectorised_geodetic_matches_the_closed_form():
    fleet = catalogue("resource")[:40] + catalogue("geo")[:5]
    times = np.datetime64("2026-05-30T00:00", "ns") + np.arange(0, 86400, 901) * np.timedelta64(
        1, "s"
    )
    lat, lon, alt = fleet.geodetic(times)
    pos = fleet.propagate(times, frame="itrf").position
    lat2, lon2, alt2 = frames.itrf_to_geodetic(pos)
    assert np.abs(lat - lat2).max() < 1e-10
    assert np.abs((lon - lon2 + 180) % 360 - 180).max() < 1e-10
    assert np.abs(alt - alt2).max() < 1e-8
