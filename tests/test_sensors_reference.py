"""Sentinel-1C and Sentinel-2A/B/C swaths over the region against an independent reference.

The reference shares no code with sahelsat: Skyfield (python-sgp4) propagates the real
element sets to Earth-fixed positions and velocities; each point of a fine grid over an
area is taken at the instant the satellite is abeam of it (its line of sight across the
track, zero Doppler), where this file's own ellipsoid geometry gives the incidence angle
(radar) or the off-nadir angle (optical) of that line of sight. A point is imaged when it
lies inside the instrument's published swath: Sentinel-1 IW, incidence 29.1-46.0 degrees
on the right; Sentinel-2 MSI, 10.3 degrees either side of nadir, on day-time passes.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from sgp4.api import Satrec
from shapely.geometry import Point, Polygon
from skyfield.api import EarthSatellite, wgs84
from skyfield.framelib import itrs

from sahelsat import catalogue
from sahelsat.tasking.opportunities import find_opportunities
from sahelsat.tasking.requests import make_request

A_KM, F = 6378.137, 1 / 298.257223563
B_KM = A_KM * (1 - F)
START, DAYS = (2026, 5, 31), 5
WINDOW = dict(start="2026-05-31T00:00:00Z", end="2026-06-05T00:00:00Z")
AREAS = {  # three areas of the region: Mali, Niger (Lake Chad), Niger (Tillaberi)
    "inner-niger-delta": Polygon([(-4.4, 14.3), (-3.9, 14.3), (-3.9, 14.8), (-4.4, 14.8)]),
    "lake-chad-shore": Polygon([(13.1, 13.6), (13.5, 13.6), (13.5, 13.9), (13.1, 13.9)]),
    "tillaberi": Polygon([(0.5, 14.0), (1.7, 14.0), (1.7, 15.0), (0.5, 15.0)]),
}
SATELLITES = ["SENTINEL-1C", "SENTINEL-2A", "SENTINEL-2B", "SENTINEL-2C"]


def ecef(lat_deg, lon_deg):
    """WGS-84 points on the ellipsoid (height 0), (..., 3) km."""
    la, lo = np.radians(lat_deg), np.radians(lon_deg)
    n = A_KM / np.sqrt(1 - F * (2 - F) * np.sin(la) ** 2)
    return np.stack(
        [
            n * np.cos(la) * np.cos(lo),
            n * np.cos(la) * np.sin(lo),
            n * (1 - F * (2 - F)) * np.sin(la),
        ],
        axis=-1,
    )


def normal(g):
    n = g / np.array([A_KM**2, A_KM**2, B_KM**2])
    return n / np.linalg.norm(n, axis=-1, keepdims=True)


def nadir(p):
    """Unit geodetic nadir below satellites at ``p`` (..., 3): Bowring's iteration."""
    x, y, z = p[..., 0], p[..., 1], p[..., 2]
    e2 = F * (2 - F)
    rho = np.hypot(x, y)
    lat = np.arctan2(z, rho * (1 - e2))
    for _ in range(6):
        n = A_KM / np.sqrt(1 - e2 * np.sin(lat) ** 2)
        h = rho / np.cos(lat) - n
        lat = np.arctan2(z, rho * (1 - e2 * n / (n + h)))
    lon = np.arctan2(y, x)
    return -np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)


def states(sat, ts, seconds):
    """ITRS position (km) and velocity (km/s), each (time, 3), at seconds after START."""
    t = ts.utc(*START, 0, 0, seconds)
    r, v = sat.at(t).frame_xyz_and_velocity(itrs)
    return r.km.T, v.km_per_s.T


def grid(poly, n=48):
    """Points inside ``poly`` on a lon/lat grid, with cos(latitude) area weights."""
    x0, y0, x1, y1 = poly.bounds
    lon, lat = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    keep = np.array(
        [poly.covers(Point(a, b)) for a, b in zip(lon.ravel(), lat.ravel(), strict=True)]
    )
    lon, lat = lon.ravel()[keep], lat.ravel()[keep]
    return lon, lat, np.cos(np.radians(lat))


_COARSE: dict[str, tuple] = {}


def coarse_states(es):
    """Rough Earth-fixed states every 20 s over the five days, to find the passes:
    python-sgp4 in TEME turned by the IAU-82 sidereal angle (UT1 = UTC, no polar motion:
    tens of metres, plenty to find passes; the geometry uses Skyfield's full states)."""
    if es.name not in _COARSE:
        seconds = np.arange(0.0, DAYS * 86400.0 + 1, 20.0)
        sat = Satrec.twoline2rv(*es.tle_lines)
        jd0 = 2461191.5  # 2026-05-31 00:00 UTC
        _, r, v = sat.sgp4_array(np.full(seconds.size, jd0), seconds / 86400.0)
        tu = (jd0 - 2451545.0 + seconds / 86400.0) / 36525.0
        gmst_s = 67310.54841 + (876600 * 3600 + 8640184.812866) * tu + 0.093104 * tu**2
        theta = np.radians((gmst_s % 86400.0) / 240.0)
        c, s = np.cos(theta), np.sin(theta)
        rot = np.stack([np.stack([c, s, 0 * c], -1), np.stack([-s, c, 0 * c], -1),
                        np.stack([0 * c, 0 * c, 1 + 0 * c], -1)], axis=1)  # fmt: skip
        r_f = np.einsum("tij,tj->ti", rot, r)
        v_f = np.einsum("tij,tj->ti", rot, v) + np.cross([0, 0, -7.292115e-5], r_f)
        _COARSE[es.name] = (seconds, r_f, v_f)
    return _COARSE[es.name]


def reference_opportunities(es, ts, poly, kind):
    """(centroid abeam time in s after START, coverage, incidence at the centroid) of
    every pass of ``es`` imaging part of ``poly``."""
    sat = EarthSatellite(*es.tle_lines, es.name, ts)
    coarse, r, v = coarse_states(es)
    c = poly.centroid
    centre = ecef(c.y, c.x)
    f = np.einsum("tk,tk->t", centre - r, v)
    crossing = np.flatnonzero((f[:-1] > 0) & (f[1:] <= 0))
    lon, lat, w = grid(poly)
    g = ecef(lat, lon)
    out = []
    for k in crossing:
        if np.linalg.norm(r[k] - centre) > (1400 if kind == "sar" else 1000):
            continue  # too far across the track for any swath of these instruments
        if kind == "optical" and v[k, 2] > 0:
            continue  # Sentinel-2 images the day side: descending passes (10:30 LT) here
        fine = coarse[k] + np.arange(-40.0, 61.0, 1.0)
        rf, vf = states(sat, ts, fine)
        pts = np.vstack([g, centre[None]])
        ff = np.einsum("mtk,tk->mt", pts[:, None, :] - rf[None], vf)
        j = np.argmax((ff[:, :-1] > 0) & (ff[:, 1:] <= 0), axis=1)
        m = np.arange(len(pts))
        assert ((ff[m, j] > 0) & (ff[m, j + 1] <= 0)).all()  # every point abeam in the window
        wgt = ff[m, j] / (ff[m, j] - ff[m, j + 1])
        p = rf[j] + wgt[:, None] * (rf[j + 1] - rf[j])
        vv = vf[j] + wgt[:, None] * (vf[j + 1] - vf[j])
        los = pts - p
        los_u = los / np.linalg.norm(los, axis=1, keepdims=True)
        incidence = np.degrees(np.arccos(np.sum(normal(pts) * -los_u, axis=1)))
        off_nadir = np.degrees(np.arccos(np.sum(nadir(p) * los_u, axis=1)))
        right = np.sum(los * np.cross(vv, -nadir(p)), axis=1) > 0
        if kind == "sar":
            inside = right & (incidence >= 29.1) & (incidence <= 46.0)
        else:
            inside = off_nadir <= 10.3
        cover = float(np.sum(w[inside[:-1]]) / np.sum(w))
        if cover > 0:
            t_centre = fine[j[-1]] + wgt[-1]
            out.append((t_centre, cover, float(incidence[-1])))
    return out


@pytest.fixture(scope="module")
def fleet():
    return catalogue("resource").select("^(?:SENTINEL-1C|SENTINEL-2[ABC])$")


@pytest.fixture(scope="module")
def ours(fleet):
    requests = [make_request(k, p, **WINDOW) for k, p in AREAS.items()]
    with pytest.warns(UserWarning, match="element sets"):  # Sentinel-1C's set is 28 days old
        return find_opportunities(fleet, requests)


def _seconds(t):
    return (np.datetime64(t, "ns") - np.datetime64("2026-05-31T00:00:00", "ns")) / np.timedelta64(
        1, "s"
    )


@pytest.mark.parametrize("area", list(AREAS))
@pytest.mark.parametrize("name", SATELLITES)
def test_opportunities_match_the_reference(fleet, ours, skyfield_ts, area, name):
    es = fleet[[name]].element_sets[0]
    kind = "sar" if name.startswith("SENTINEL-1") else "optical"
    ref = reference_opportunities(es, skyfield_ts, AREAS[area], kind)
    mine = ours[(ours.request == area) & (ours.satellite == name)]
    assert set(mine["status"]) <= {"forecast"}  # satellites we do not operate
    assert set(mine["beam"]) <= {"IW" if kind == "sar" else "MSI"}
    t_mine = np.array([_seconds(t) for t in mine["closest_approach"]])
    matched = set()
    for t_ref, cover, incidence in ref:
        dt = np.abs(t_mine - t_ref) if len(t_mine) else np.array([np.inf])
        k = int(np.argmin(dt))
        if cover < 0.02 and dt[k] > 5:
            continue  # a sliver below both methods' resolution
        assert dt[k] < 3.0, f"{name} over {area}: no opportunity near {t_ref:.0f} s"
        row = mine.iloc[k]
        assert row["coverage"] == pytest.approx(cover, abs=0.05)
        if kind == "sar":
            assert row["incidence_deg"] == pytest.approx(incidence, abs=0.05)
            assert row["look_side"] == "right"
        matched.add(k)
    extra = mine.iloc[[i for i in range(len(mine)) if i not in matched]]
    assert (extra["coverage"] < 0.02).all(), f"opportunities the reference lacks:\n{extra}"


def test_every_satellite_has_opportunities(ours):
    """None dropped by defaults: Sentinel-1 IW looks 26-40 degrees off nadir, beyond the
    30 degrees that used to be every request's default."""
    assert set(ours["satellite"]) == set(SATELLITES)
    sar = ours[ours.satellite == "SENTINEL-1C"]
    assert len(sar) >= 3 and sar["off_nadir_deg"].max() > 30.0
    assert ours["max_off_nadir_deg"].isna().all() and set(ours["limited_by"]) == {"instrument"}


def _far_edge_point(es, ts, t_centre, incidence_deg):
    """Lon/lat of the ground point across the track at ``t_centre`` (s after START) where
    the right-looking line of sight meets the ellipsoid at ``incidence_deg`` (bisection
    on the off-nadir angle; this file's own geometry)."""
    sat = EarthSatellite(*es.tle_lines, es.name, ts)
    r, v = states(sat, ts, np.array([t_centre]))
    p, vv = r[0], v[0]
    down = nadir(p)
    right = np.cross(vv, -down)
    right /= np.linalg.norm(right)

    def hit(eta):
        u = math.cos(eta) * down + math.sin(eta) * right
        s = np.array([1 / A_KM, 1 / A_KM, 1 / B_KM])
        a, b, c = (u * s) @ (u * s), (p * s) @ (u * s), (p * s) @ (p * s) - 1
        g = p + (-b - math.sqrt(b * b - a * c)) / a * u
        return g, math.degrees(math.acos(normal(g) @ (p - g) / np.linalg.norm(p - g)))

    lo, hi = 0.0, math.radians(60)
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if hit(mid)[1] < incidence_deg else (lo, mid)
    g = hit(lo)[0]
    return math.degrees(math.atan2(g[1], g[0])), math.degrees(
        math.atan2(g[2], (1 - F * (2 - F)) * math.hypot(g[0], g[1]))
    )


def test_an_area_straddling_the_swath_edge_gets_its_partial_opportunity(fleet, skyfield_ts):
    """A disc whose centre lies 8 km beyond the IW far edge (46 degrees) is imaged in part."""
    es = fleet[["SENTINEL-1C"]].element_sets[0]
    ref = reference_opportunities(es, skyfield_ts, AREAS["tillaberi"], "sar")
    t_centre = ref[0][0]
    lon, lat = _far_edge_point(es, skyfield_ts, t_centre, 46.0)
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    # 8 km further out: away from the track, i.e. along the line from the track point
    sub = wgs84.subpoint_of(
        EarthSatellite(*es.tle_lines, es.name, skyfield_ts).at(
            skyfield_ts.utc(*START, 0, 0, t_centre)
        )
    )
    az, _, _ = geod.inv(sub.longitude.degrees, sub.latitude.degrees, lon, lat)
    c_lon, c_lat, _ = geod.fwd(lon, lat, az, 8000.0)
    request = make_request(
        "edge", {"type": "Point", "coordinates": [c_lon, c_lat]}, radius_km=25.0, **WINDOW
    )
    disc = request.aoi
    ref_edge = [
        o
        for o in reference_opportunities(es, skyfield_ts, disc, "sar")
        if abs(o[0] - t_centre) < 60
    ]
    assert len(ref_edge) == 1 and 0.15 < ref_edge[0][1] < 0.5
    with pytest.warns(UserWarning, match="element sets"):
        found = find_opportunities(fleet[["SENTINEL-1C"]], [request])
    row = found.iloc[np.argmin(np.abs([_seconds(t) - t_centre for t in found["closest_approach"]]))]
    assert row["coverage"] == pytest.approx(ref_edge[0][1], abs=0.05)
    assert row["incidence_deg"] > 46.0  # the centre lies outside the swath
    assert row["incidence_max_deg"] == pytest.approx(46.0, abs=0.05)
    assert 0 < row["value"] < 100
