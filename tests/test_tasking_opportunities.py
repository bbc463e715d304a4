"""Imaging opportunities from real orbits, against Skyfield and hand geometry."""

from __future__ import annotations

import math
from datetime import UTC

import numpy as np
import pytest
from skyfield.api import EarthSatellite, wgs84

from sahelsat import catalogue
from sahelsat.tasking.opportunities import (
    AGILE_OPTICAL,
    SENTINEL_2,
    find_opportunities,
)
from sahelsat.tasking.requests import GEOD, make_request

T = (2026, 5, 31, 10, 0, 0)
WINDOW = dict(start="2026-05-31T09:50:00Z", end="2026-05-31T10:10:00Z")
R_EARTH = 6378.137


@pytest.fixture(scope="module")
def s2a():
    return catalogue("resource").select("^SENTINEL-2A$")


@pytest.fixture
def reference(s2a, skyfield_ts):
    """Sub-satellite point, heading and radius at T from Skyfield (independent)."""
    es = s2a.element_sets[0]
    sat = EarthSatellite(*es.tle_lines, es.name, skyfield_ts)
    here, later = (wgs84.subpoint_of(sat.at(skyfield_ts.utc(*T[:5], T[5] + dt))) for dt in (0, 1))
    lon0, lat0 = here.longitude.degrees, here.latitude.degrees
    heading, _, _ = GEOD.inv(lon0, lat0, later.longitude.degrees, later.latitude.degrees)
    radius = float(np.linalg.norm(sat.at(skyfield_ts.utc(*T)).itrf_xyz().km))
    return lon0, lat0, heading, radius


def _disc(lon, lat, radius_km, name="aoi", **kw):
    return make_request(
        name,
        {"type": "Point", "coordinates": [lon, lat]},
        radius_km=radius_km,
        min_sun_elevation_deg=-90,
        **WINDOW,
        **kw,
    )


def _offset(ref, km):
    lon0, lat0, heading, _ = ref
    lon, lat, _ = GEOD.fwd(lon0, lat0, heading + 90.0, km * 1000.0)
    return lon, lat


def _t(seconds):
    return np.datetime64("2026-05-31T10:00:00") + np.timedelta64(int(seconds * 1e9), "ns")


def test_target_under_the_track_is_seen_at_nadir(s2a, reference):
    lon0, lat0, _, _ = reference
    out = find_opportunities(s2a, [_disc(lon0, lat0, 5.0)], sensors={"SENTINEL-2A": AGILE_OPTICAL})
    assert len(out) == 1
    row = out.iloc[0]
    assert abs((row["closest_approach"] - _t(0)) / np.timedelta64(1, "s")) < 1.0
    assert row["off_nadir_deg"] < 0.2
    assert row["coverage"] == pytest.approx(1.0, abs=1e-3)
    # 10 km across at a ground speed of about 6.8 km/s: about 1.5 s of imaging
    assert (row["end"] - row["start"]) / np.timedelta64(1, "s") == pytest.approx(1.5, abs=0.3)


@pytest.mark.parametrize("km", [150.0, -300.0])
def test_off_nadir_matches_skyfield_and_spherical_geometry(s2a, reference, skyfield_ts, km):
    lon, lat = _offset(reference, km)
    out = find_opportunities(s2a, [_disc(lon, lat, 5.0)], sensors={"SENTINEL-2A": AGILE_OPTICAL})
    assert len(out) == 1
    row = out.iloc[0]
    assert np.sign(row["look_angle_deg"]) == np.sign(km)  # positive: right of the track
    assert abs((row["closest_approach"] - _t(0)) / np.timedelta64(1, "s")) < 3.0
    # Skyfield: satellite and target in ITRS, nadir along the ellipsoid normal below it
    es = s2a.element_sets[0]
    sat = EarthSatellite(*es.tle_lines, es.name, skyfield_ts)
    when = row["closest_approach"].to_pydatetime().replace(tzinfo=UTC)
    at = sat.at(skyfield_ts.from_datetime(when))
    p = at.itrf_xyz().km
    sub = wgs84.subpoint_of(at)
    la, lo = sub.latitude.radians, sub.longitude.radians
    down = -np.array([math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)])
    los = wgs84.latlon(lat, lon).itrs_xyz.km - p
    expected = math.degrees(math.acos(los @ down / np.linalg.norm(los)))
    assert row["off_nadir_deg"] == pytest.approx(expected, abs=0.02)
    # and a sphere of the local radius: lam = d / R; eta = atan(R sin lam / (r - R cos lam))
    big_r = np.linalg.norm(wgs84.latlon(lat, lon).itrs_xyz.km)
    lam = abs(km) / big_r
    r = np.linalg.norm(p)
    sphere = math.degrees(math.atan2(big_r * math.sin(lam), r - big_r * math.cos(lam)))
    assert row["off_nadir_deg"] == pytest.approx(sphere, abs=0.3)


def test_fixed_swath_coverage(s2a, reference):
    sensors = {"SENTINEL-2A": SENTINEL_2}
    inside = _disc(*_offset(reference, 60.0), 20.0, "inside")
    outside = _disc(*_offset(reference, 250.0), 20.0, "outside")
    # as ours, the night pass counts (a forecast of Sentinel-2 would be by day only)
    out = find_opportunities(s2a, [inside, outside], sensors=sensors, ours={"SENTINEL-2A"})
    assert out["request"].tolist() == ["inside"]
    assert out.iloc[0]["coverage"] == pytest.approx(1.0, abs=1e-3)
    # a disc centred on the swath edge is half covered: the edge's line of sight is 10.3
    # degrees off nadir (MSI field of view 20.6 degrees); on a sphere of the local radius
    # R seen from radius r: lam = asin(r / R sin(eta)) - eta, d = R lam (about 149 km here)
    lon0, lat0, _, r = reference
    big_r = float(np.linalg.norm(wgs84.latlon(lat0, lon0).itrs_xyz.km))
    eta = math.radians(10.3)
    d_km = big_r * (math.asin(r / big_r * math.sin(eta)) - eta)
    edge = _disc(*_offset(reference, d_km), 20.0)
    out = find_opportunities(s2a, [edge], sensors=sensors, ours={"SENTINEL-2A"})
    assert out.iloc[0]["coverage"] == pytest.approx(0.5, abs=0.05)


def test_sensor_needs_filter(s2a, reference):
    lon0, lat0, _, _ = reference
    sar_only = make_request(
        "sar", {"type": "Point", "coordinates": [lon0, lat0]}, radius_km=5, sensor="sar", **WINDOW
    )
    assert find_opportunities(s2a, [sar_only]).empty  # Sentinel-2 is optical
    narrow = make_request(
        "n",
        {"type": "Point", "coordinates": list(_offset(reference, 300.0))},
        radius_km=5,
        max_off_nadir_deg=10,
        min_sun_elevation_deg=-90,
        **WINDOW,
    )
    assert find_opportunities(s2a, [narrow], sensors={"SENTINEL-2A": AGILE_OPTICAL}).empty
