"""The compiled deep-space kernel (SDP4) against the reference C++ SGP4 of the ``sgp4``
package (``Satrec.sgp4_array``), on the shipped deep-space element sets and Vallado's
verification set, over every path of :mod:`sahelsat.propagate`."""

from dataclasses import replace
from importlib.resources import files

import numpy as np
import pytest
from sgp4.api import Satrec

from sahelsat import Fleet, frames, load_elements, propagate
from sahelsat.elements import ElementSet
from sahelsat.fleet import shipped_catalogue

_JD_UNIX = 2440587.5  # Julian date of 1970-01-01 00:00 UTC
_NS_PER_DAY = 86_400_000_000_000


def _reference(fleet, rows, t_ns):
    """Error (sat, time), TEME r, v (sat, time, 3) of the reference C++ code at UTC ``t_ns``."""
    days = t_ns // _NS_PER_DAY
    jd = _JD_UNIX + days.astype(float)
    fr = (t_ns - days * _NS_PER_DAY) / _NS_PER_DAY
    out = [Satrec.twoline2rv(*fleet.element_sets[i].tle_lines).sgp4_array(jd, fr) for i in rows]
    return (np.array([o[0] for o in out]), np.array([o[1] for o in out]),
            np.array([o[2] for o in out]))  # fmt: skip


@pytest.fixture(scope="module")
def deep_fleet():
    """The shipped deep-space element sets: geostationary ones and the weather catalogue's
    (geostationary and 12-hour orbits)."""
    fleet = shipped_catalogue("geo") + shipped_catalogue("weather")
    model = fleet.model
    rows = np.flatnonzero(model.deep)
    assert len(rows) > 500
    assert model.deep_compiled[rows].all()  # none left to the one-by-one path
    return fleet, rows


def test_shipped_deep_space_sets_match_reference_over_a_week(deep_fleet):
    fleet, rows = deep_fleet
    start = np.datetime64("2026-05-30T00:00:00", "ns").astype(np.int64)
    t_ns = start + np.arange(0, 7 * 1440, 7, dtype=np.int64) * 60_000_000_000
    r, v, err = propagate.states(fleet.model, t_ns, itrf=False)
    e_ref, r_ref, v_ref = _reference(fleet, rows, t_ns)
    np.testing.assert_array_equal(err[rows], e_ref)
    ok = e_ref == 0
    assert ok.mean() > 0.99
    assert np.abs(r[rows][ok] - r_ref[ok]).max() < 1e-6  # km: 1 mm
    assert np.abs(v[rows][ok] - v_ref[ok]).max() < 1e-6  # km/s: 1 mm/s
    assert np.isnan(r[rows][~ok]).all()

    # Earth-fixed states and geodetic coordinates: the same states, rotated.
    ri, vi, erri = propagate.states(fleet.model, t_ns, itrf=True)
    rot = frames.earth_rotation(t_ns.view("datetime64[ns]"))
    k = rows[::25]
    for n, i in enumerate(k):
        want_r, want_v = frames.teme_to_itrf_pairs(r_ref[n * 25], v_ref[n * 25], rot)
        np.testing.assert_allclose(ri[i], want_r, atol=1e-6, rtol=0)
        np.testing.assert_allclose(vi[i], want_v, atol=1e-6, rtol=0)
    lat, lon, alt, errg = propagate.geodetic(fleet.model, t_ns)
    want = frames.itrf_to_geodetic(ri[k])
    np.testing.assert_allclose(lat[k], want[0], atol=1e-9)
    np.testing.assert_allclose(alt[k], want[2], atol=1e-6)
    np.testing.assert_array_equal(errg[rows], e_ref)


def test_pairs_and_slices_of_deep_space_sets(deep_fleet):
    fleet, rows = deep_fleet
    rng = np.random.default_rng(7)
    start = np.datetime64("2026-05-25T00:00:00", "ns").astype(np.int64)
    sat = rng.choice(rows, 400)
    t_ns = start + rng.integers(0, 14 * _NS_PER_DAY, 400)
    r, v, err = propagate.itrf_at_pairs(fleet.model, sat, t_ns)
    rot = frames.earth_rotation(t_ns.view("datetime64[ns]"))
    for k in range(0, 400, 37):
        e_ref, r_ref, v_ref = _reference(fleet, [sat[k]], t_ns[k : k + 1])
        assert err[k] == e_ref[0, 0] == 0
        want_r, want_v = frames.teme_to_itrf_pairs(r_ref[0], v_ref[0], rot[k : k + 1])
        np.testing.assert_allclose(r[k : k + 1], want_r, atol=1e-6, rtol=0)
        np.testing.assert_allclose(v[k : k + 1], want_v, atol=1e-6, rtol=0)
    # A slice keeps the compiled deep-space model and gives the same states.
    part = fleet.model.take(rows[:5])
    assert part.deep_compiled.all()
    both = propagate.concatenate([part, fleet.model.take(rows[5:9])])
    r1, _, _ = propagate.states(both, t_ns[:3], itrf=False)
    r0, _, _ = propagate.states(fleet.model, t_ns[:3], itrf=False)
    np.testing.assert_array_equal(r1, r0[rows[:9]])


def test_verification_set_runs_deep_cases_in_the_compiled_kernel():
    """Before and after the epoch, 12 h and 24 h resonances, the Lyddane branch and the
    error cases of Vallado's set: every deep-space case against the reference at
    instants beyond the set's own grid."""
    lines = files("sgp4").joinpath("SGP4-VER.TLE").read_text().splitlines()
    pairs = [(a, b[:69]) for a, b in zip(lines, lines[1:], strict=False) if a[:2] == "1 "]
    fleet = load_elements("\n".join(f"{a}\n{b}" for a, b in pairs), strict=False)
    model = fleet.model
    rows = np.flatnonzero(model.deep & (model.init_error == 0))
    assert len(rows) >= 20 and model.deep_compiled[rows].all()
    tsince = np.tile(np.linspace(-4000.0, 30000.0, 341), (len(model.epoch_ns), 1))
    r, v, err = propagate.teme_at_tsince(model, tsince)
    for i in rows:
        sat = Satrec.twoline2rv(*fleet.element_sets[i].tle_lines)
        e, rr, vv = sat.sgp4_array(np.full(341, sat.jdsatepoch), sat.jdsatepochF + tsince[i] / 1440)
        np.testing.assert_array_equal(err[i], e)
        ok = e == 0
        assert np.abs(r[i][ok] - rr[ok]).max(initial=0.0) < 1e-6
        assert np.abs(v[i][ok] - vv[ok]).max(initial=0.0) < 1e-6


def test_sets_without_tle_lines_and_station_kept_designs():
    """Element sets known only by their elements (OMM) go through the compiled kernel and
    match the reference initialised from the same elements; a station-kept design stays
    on its own path, at its longitude."""
    geo = shipped_catalogue("geo").element_sets[:3]
    kept = ElementSet(
        name="KEPT", catalog_number=99001, epoch=geo[0].epoch, mean_motion=1.00273790935,
        eccentricity=0.0, inclination=0.0, raan=0.0, arg_perigee=0.0, mean_anomaly=0.0,
        station_lon_deg=-2.0,
    )  # fmt: skip
    fleet = Fleet([replace(es, tle_lines=None) for es in geo] + [kept])
    model = fleet.model
    assert model.deep.all()
    assert model.deep_compiled.tolist() == [True, True, True, False]
    start = np.datetime64("2026-06-01T00:00:00", "ns").astype(np.int64)
    t_ns = start + np.arange(0, 3 * 1440, 11, dtype=np.int64) * 60_000_000_000
    r, v, err = propagate.states(model, t_ns, itrf=False)
    assert (err == 0).all()
    for i in range(3):
        sat = model.deep_satrecs[i]  # the reference C++ code, initialised from the elements
        tsince = (t_ns - model.epoch_ns[i]) / 6.0e10
        e, rr, vv = sat.sgp4_array(
            np.full(len(t_ns), sat.jdsatepoch), sat.jdsatepochF + tsince / 1440
        )
        assert (e == 0).all()
        assert np.abs(r[i] - rr).max() < 1e-6 and np.abs(v[i] - vv).max() < 1e-6
    lat, lon, _, _ = propagate.geodetic(model, t_ns)
    np.testing.assert_allclose(lat[3], 0.0, atol=1e-9)
    np.testing.assert_allclose(lon[3], -2.0, atol=1e-9)
