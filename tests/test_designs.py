"""Designed constellations: geometry of the pattern and behaviour under SGP4."""

import warnings

import numpy as np
import pytest
from sgp4.earth_gravity import wgs72

from sahelsat import catalogue, designs, frames

T0 = np.datetime64("2026-05-30T00:00:00")


def _node_and_phase(fleet):
    """RAAN and argument of latitude (degrees) of each satellite at the epoch, from states."""
    st = fleet.propagate([T0])
    r, v = st.position[:, 0], st.velocity[:, 0]
    h = np.cross(r, v)
    node = np.cross([0.0, 0.0, 1.0], h)
    raan = np.degrees(np.arctan2(node[:, 1], node[:, 0])) % 360
    cos_u = np.sum(node * r, axis=1) / (np.linalg.norm(node, axis=1) * np.linalg.norm(r, axis=1))
    u = np.degrees(np.arccos(np.clip(cos_u, -1, 1)))
    return raan, np.where(r[:, 2] < 0, 360 - u, u), h


def test_walker_delta_pattern():
    fleet = designs.walker_delta(24, 3, 1, 550.0, 53.0)
    assert len(fleet) == 24 and len(set(fleet.catalog_numbers)) == 24
    raan, u, h = _node_and_phase(fleet)
    assert (
        np.ptp((raan.reshape(3, 8) - raan.reshape(3, 8)[:, :1] + 180) % 360 - 180) < 0.1
    )  # osculating J2 terms
    assert np.allclose(np.diff(raan.reshape(3, 8)[:, 0]) % 360, 120.0, atol=0.2)
    incl = np.degrees(np.arccos(h[:, 2] / np.linalg.norm(h, axis=1)))
    assert np.allclose(incl, 53.0, atol=0.1)
    # In-plane spacing 360/S, and the F=1 phase offset of 360*F/T between planes.
    du = np.diff(u.reshape(3, 8), axis=1) % 360
    assert np.allclose(du, 45.0, atol=0.2)
    assert (u[8] - u[0]) % 360 == pytest.approx(15.0, abs=0.2)


def test_walker_star_spreads_nodes_over_180_degrees():
    fleet = designs.walker_star(12, 6, 1, 1200.0, 87.9)
    raan, _, _ = _node_and_phase(fleet)
    assert np.allclose(np.diff(raan.reshape(6, 2)[:, 0]) % 360, 30.0, atol=0.2)


def test_design_altitude_is_sgp4_mean_semi_major_axis():
    fleet = designs.walker_delta(4, 2, 0, 800.0, 70.0)
    for sat_no in fleet.model.coef[:, 1]:  # un-Kozai mean motion, rad/min
        a_km = (wgs72.xke / sat_no) ** (2 / 3) * wgs72.radiusearthkm
        assert a_km == pytest.approx(frames.WGS84_A_KM + 800.0, abs=1e-6)


def test_sun_synchronous_node_follows_the_sun():
    fleet = designs.sun_synchronous(700.0, 22.5)
    assert fleet.inclination[0] == pytest.approx(98.19, abs=0.02)
    days = np.arange(0, 11) * np.timedelta64(1, "D")
    st = fleet.propagate(T0 + days)
    h = np.cross(st.position[0], st.velocity[0])
    node = np.degrees(np.unwrap(np.arctan2(h[:, 0], -h[:, 1])))
    rate = np.polyfit(np.arange(11), node, 1)[0]
    assert rate == pytest.approx(360 / 365.2422, abs=0.005)  # degrees per day


def test_sun_synchronous_local_time_of_ascending_node():
    fleet = designs.sun_synchronous(786.0, 22.5)
    times = T0 + np.arange(0, 6000) * np.timedelta64(1, "s")
    lat, lon, _ = fleet.geodetic(times)
    k = np.flatnonzero((lat[0, :-1] < 0) & (lat[0, 1:] >= 0))[0]
    hours = (times[k] - T0) / np.timedelta64(1, "h")
    local_mean_time = (hours + lon[0, k] / 15.0) % 24
    assert local_mean_time == pytest.approx(22.5, abs=0.1)


def test_geostationary_slot_holds():
    fleet = designs.geostationary([-5.0, 2.8, 28.2])
    times = T0 + np.arange(0, 3 * 86400, 900) * np.timedelta64(1, "s")
    lat, lon, alt = fleet.geodetic(times)
    assert np.abs(lon - np.array([[-5.0], [2.8], [28.2]])).max() < 0.1
    assert np.abs(lat).max() < 0.1
    assert np.abs(alt - 35786.0).max() < 20.0


def test_designs_mix_with_real_satellites():
    fleet = catalogue("resource")[:3] + designs.sun_synchronous(600, 18.0, satellites=2)
    lat, _, _ = fleet.geodetic([T0, T0 + np.timedelta64(60, "s")])
    assert lat.shape == (5, 2) and np.isfinite(lat).all()
    again = fleet.__class__(fleet.element_sets).to_tle()
    assert again.count("\n") == 15


@pytest.mark.parametrize(
    "build, name",
    [
        (lambda: designs.walker_delta(24, 5, 1, 550, 53), "planes"),
        (lambda: designs.walker_delta(24, 3, 3, 550, 53), "phasing"),
        (lambda: designs.walker_delta(24, 3, 1, 50, 53), "altitude_km"),
        (lambda: designs.walker_delta(24, 3, 1, 550, 200), "inclination_deg"),
        (lambda: designs.sun_synchronous(700, 25.0), "ltan_hours"),
        (lambda: designs.geostationary([2.8, float("nan")]), "longitudes_deg[1]"),
    ],
)
def test_bad_design_parameters_are_named(build, name):
    with pytest.raises(designs.DesignError, match=name.replace("[", r"\[").replace("]", r"\]")):
        build()


def _elevation_of_geo(lat_deg, lon_deg, sat_lon_deg, radius_km=42164.17):
    """Elevation (degrees) of a point on the equator at ``sat_lon_deg`` and ``radius_km``
    seen from a site on the WGS-84 ellipsoid (hand geometry, geodetic up)."""
    a, f = 6378.137, 1 / 298.257223563
    la, lo = np.radians(lat_deg), np.radians(lon_deg)
    n = a / np.sqrt(1 - f * (2 - f) * np.sin(la) ** 2)
    site = np.array([n * np.cos(la) * np.cos(lo), n * np.cos(la) * np.sin(lo),
                     n * (1 - f * (2 - f)) * np.sin(la)])  # fmt: skip
    up = np.array([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])
    ls = np.radians(sat_lon_deg)
    los = radius_km * np.array([np.cos(ls), np.sin(ls), 0.0]) - site
    return np.degrees(np.arcsin(los @ up / np.linalg.norm(los)))


def test_station_kept_geostationary_design_holds_its_slot_in_2026_and_2030():
    """A design made with the default epoch (2026-05-30) stays at 3 E four years on (an
    SGP4 set pinned to that epoch drifts about 0.7 degrees a month), so its coverage of
    the region is the same in 2026 and 2030."""
    from sahelsat.coverage_analysis import coverage

    fleet = designs.geostationary([3.0])
    bamako = [("Bamako", 12.65, -8.0)]
    figures = []
    for year in (2026, 2030):
        start = np.datetime64(f"{year}-06-01T00:00:00")
        times = start + np.arange(0, 86400, 3600) * np.timedelta64(1, "s")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # 2030 lies beyond the shipped IERS predictions
            lat, lon, alt = fleet.geodetic(times)
            _, el, _ = fleet.look_angles(bamako, times)
            ds = coverage(fleet, "AES", 0.5, start, start + np.timedelta64(1, "D"), 1800.0,
                          min_elevation=68.0)  # fmt: skip
        assert np.abs(lon - 3.0).max() < 1e-6 and np.abs(lat).max() < 1e-6
        assert np.abs(alt - 35786.0).max() < 1.0
        assert np.abs(el - _elevation_of_geo(12.65, -8.0, 3.0)).max() < 1e-3
        figures.append(ds["percent_covered"].values)
    covered = np.nanmean(figures[0])
    assert 5.0 < covered < 95.0  # a high mask: part of the region sees it, part does not
    np.testing.assert_array_equal(figures[0], figures[1])
