"""Frames and geometry against Skyfield (independent implementation of IAU models)."""

from datetime import UTC

import numpy as np
import pytest
from skyfield.api import EarthSatellite, wgs84
from skyfield.framelib import itrs

from sahelsat import catalogue, frames, places

TIMES = np.datetime64("2026-05-30T06:00:00") + np.arange(0, 86400, 1800) * np.timedelta64(1, "s")


@pytest.fixture(scope="module")
def sample_fleet():
    """LEO imagers, a weather satellite and geostationary ones (deep-space path)."""
    leo = catalogue("resource")[::12]
    return leo + catalogue("weather")[:4] + catalogue("geo")[:3]


def _skyfield(ts, fleet, times):
    t = ts.from_datetimes([x.astype("datetime64[us]").item().replace(tzinfo=_utc()) for x in times])
    pos, lat, lon, alt = [], [], [], []
    for es in fleet:
        sat = EarthSatellite(*es.tle_lines, es.name, ts)
        geo = sat.at(t)
        pos.append(geo.frame_xyz(itrs).km.T)
        sub = wgs84.geographic_position_of(geo)
        lat.append(sub.latitude.degrees)
        lon.append(sub.longitude.degrees)
        alt.append(sub.elevation.km)
    return np.array(pos), np.array(lat), np.array(lon), np.array(alt), t


def _utc():

    return UTC


def test_itrf_within_5m_of_skyfield(skyfield_ts, sample_fleet):
    ours = sample_fleet.propagate(TIMES, frame="itrf").position
    ref, *_ = _skyfield(skyfield_ts, sample_fleet, TIMES)
    dist_m = np.linalg.norm(ours - ref, axis=-1) * 1000.0
    assert np.nanmax(dist_m) < 5.0, f"worst {np.nanmax(dist_m):.2f} m"


def test_geodetic_matches_skyfield(skyfield_ts, sample_fleet):
    lat, lon, alt = sample_fleet.geodetic(TIMES)
    _, rlat, rlon, ralt, _ = _skyfield(skyfield_ts, sample_fleet, TIMES)
    assert np.abs(lat - rlat).max() < 5e-5  # degrees: about 5 m
    assert np.abs((lon - rlon + 180) % 360 - 180).max() < 5e-5
    assert np.abs(alt - ralt).max() < 0.005  # km


def test_look_angles_match_skyfield_altaz(skyfield_ts, sample_fleet):
    sites = places.ground_stations()
    az, el, rng = sample_fleet.look_angles(sites, TIMES)
    assert az.shape == (3, len(sample_fleet), len(TIMES))
    t = skyfield_ts.from_datetimes(
        [x.astype("datetime64[us]").item().replace(tzinfo=_utc()) for x in TIMES]
    )
    for s, row in sites.iterrows():
        topo = wgs84.latlon(row.latitude_deg, row.longitude_deg, row.altitude_m)
        for i, es in enumerate(sample_fleet):
            alt_ref, az_ref, d_ref = (
                (EarthSatellite(*es.tle_lines, es.name, skyfield_ts) - topo).at(t).altaz()
            )
            np.testing.assert_allclose(el[s, i], alt_ref.degrees, atol=2e-3)
            np.testing.assert_allclose(rng[s, i], d_ref.km, atol=0.01)
            daz = (az[s, i] - az_ref.degrees + 180) % 360 - 180
            assert np.abs(daz[el[s, i] > -80]).max() < 0.01


def test_geodetic_round_trip_is_exact():
    rng = np.random.default_rng(7)
    lat = np.concatenate([rng.uniform(-90, 90, 500), [90.0, -90.0, 0.0]])
    lon = np.concatenate([rng.uniform(-180, 180, 500), [0.0, 10.0, 179.9]])
    alt = np.concatenate([rng.uniform(-0.4, 40000, 500), [500.0, 0.0, 35786.0]])
    xyz = frames.geodetic_to_itrf(lat, lon, alt)
    lat2, lon2, alt2 = frames.itrf_to_geodetic(xyz)
    assert np.abs(lat2 - lat).max() < 1e-9
    mask = np.abs(lat) < 89.999
    assert np.abs(((lon2 - lon + 180) % 360 - 180)[mask]).max() < 1e-9
    assert np.abs(alt2 - alt).max() < 1e-6  # km: a millimetre


def test_gmst_at_j2000_matches_iau82_constant():
    # At 2000-01-01 12:00 UT1 the IAU-82 GMST is 67310.54841 s = 280.46061837 degrees.
    theta = frames.gmst82(np.array([946728000 * 10**9]), np.zeros(1))
    assert np.degrees(theta[0]) == pytest.approx(280.46061837, abs=1e-8)
