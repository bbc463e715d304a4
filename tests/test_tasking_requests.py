"""Imaging requests: validation with clear errors, geodesic areas."""

from __future__ import annotations

import json
import math

import pytest
from shapely.geometry import Polygon, box

from sahelsat.tasking.requests import (
    RequestError,
    expand_repeats,
    geodesic_area_km2,
    make_request,
    read_requests,
)

WINDOW = dict(start="2026-06-01T00:00:00Z", end="2026-06-03T00:00:00Z")


def test_geodesic_areas_match_hand_values():
    # 1 x 1 degree cell at the equator: 111.319 km (a * pi/180) by 110.574 km (WGS-84
    # meridian degree at the equator) = 12308.8 km2, give or take the curvature.
    assert geodesic_area_km2(box(0, 0, 1, 1)) == pytest.approx(12308.8, rel=1e-4)
    # the cell at 60-61 N: a parallel degree of a cos(phi) / sqrt(1 - e2 sin2(phi)) = 54.95 km
    # by a meridian degree of 111.42 km (111132.95 - 559.82 cos(2 phi) m) at 60.5 N
    assert geodesic_area_km2(box(0, 60, 1, 61)) == pytest.approx(54.95 * 111.42, rel=1e-3)
    # a point with a 10 km radius is a disc of pi * 100 km2 (72-gon inscribed: -0.13 %)
    r = make_request("p", {"type": "Point", "coordinates": [2.11, 13.51]}, radius_km=10, **WINDOW)
    assert r.area_km2 == pytest.approx(math.pi * 100, rel=2e-3)
    # orientation does not matter
    ring = [(0, 0), (0, 1), (1, 1), (1, 0)]
    assert geodesic_area_km2(Polygon(ring)) == pytest.approx(geodesic_area_km2(Polygon(ring[::-1])))


@pytest.mark.parametrize(
    "aoi, kwargs, message",
    [
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
            {},
            "invalid polygon .*Self-intersection",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[179, 0], [-179, 0], [-179, 1], [179, 1], [179, 0]]],
            },
            {},
            "antimeridian",
        ),
        ({"type": "Point", "coordinates": [2, 13]}, {}, "radius_km"),
        ({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, {}, "Polygon"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [0, 100], [1, 1], [0, 0]]]}, {}, "within"),
    ],
)
def test_bad_areas_are_refused(aoi, kwargs, message):
    with pytest.raises(RequestError, match=message):
        make_request("bad", aoi, **WINDOW, **kwargs)


def test_bad_windows_and_sensor_needs_are_refused():
    aoi = box(2.0, 13.4, 2.2, 13.6)
    with pytest.raises(RequestError, match="empty window"):
        make_request("w", aoi, start="2026-06-02", end="2026-06-01")
    with pytest.raises(RequestError, match="not a UTC time"):
        make_request("w", aoi, start="yesterday", end="2026-06-01")
    with pytest.raises(RequestError, match="stereo needs an optical sensor"):
        make_request("s", aoi, sensor="sar", mode="stereo", **WINDOW)
    with pytest.raises(RequestError, match="SAR sees at night"):
        make_request("s", aoi, sensor="sar", min_sun_elevation_deg=20, **WINDOW)
    with pytest.raises(RequestError, match="max_off_nadir_deg"):
        make_request("s", aoi, max_off_nadir_deg=75, **WINDOW)
    with pytest.raises(RequestError, match="priority: must be > 0"):
        make_request("s", aoi, priority=0, **WINDOW)
    # At 13.5 N in early June the noon Sun is within a degree of the zenith (declination
    # about +22 deg); in late December at 60 N it never rises above 90 - 60 - 23.4 = 6.6 deg.
    make_request("ok", aoi, sensor="optical", min_sun_elevation_deg=80, **WINDOW)
    north = box(10, 59.9, 10.2, 60.1)
    with pytest.raises(RequestError, match=r"never reached: the Sun rises at most 6\.\d"):
        make_request(
            "n",
            north,
            sensor="optical",
            min_sun_elevation_deg=10,
            start="2026-12-20",
            end="2026-12-23",
        )


def test_geojson_file_names_file_and_feature(tmp_path):
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"id": "niamey", "priority": 3, "radius_km": 20, "sensor": "sar"},
                "geometry": {"type": "Point", "coordinates": [2.11, 13.51]},
            },
            {
                "type": "Feature",
                "properties": {"id": "mopti", "repeat_days": 1},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[-4.3, 14.4], [-4.0, 14.4], [-4.0, 14.6], [-4.3, 14.4]]],
                },
            },
        ],
    }
    path = tmp_path / "aoi.geojson"
    path.write_text(json.dumps(doc))
    reqs = read_requests(path, **WINDOW)
    assert [r.id for r in reqs] == ["niamey", "mopti"]
    assert reqs[0].sensor == "sar" and reqs[0].priority == 3
    daily = expand_repeats(reqs)
    assert [r.id for r in daily] == ["niamey", "mopti#0", "mopti#1"]
    doc["features"][1]["properties"]["colour"] = "red"
    path.write_text(json.dumps(doc))
    with pytest.raises(RequestError, match=r"aoi.geojson: feature 1 \('mopti'\): unknown prop"):
        read_requests(path, **WINDOW)
    path.write_text("{not json")
    with pytest.raises(RequestError, match="aoi.geojson: not JSON: line 1"):
        read_requests(path, **WINDOW)


def test_non_numbers_and_huge_repeats_are_refused():
    aoi = box(2.0, 13.4, 2.2, 13.6)
    # no limit given: each instrument's own geometry is the limit (no one number for all)
    assert make_request("d", aoi, **WINDOW).max_off_nadir_deg is None
    with pytest.raises(RequestError, match="max_off_nadir_deg: must be a number"):
        make_request("s", aoi, max_off_nadir_deg="steep", **WINDOW)
    with pytest.raises(RequestError, match="min_sun_elevation_deg: must be a number"):
        make_request("s", aoi, min_sun_elevation_deg="noon", **WINDOW)
    with pytest.raises(RequestError, match="radius_km"):
        make_request("p", {"type": "Point", "coordinates": [2, 13]}, radius_km="far", **WINDOW)
    with pytest.raises(RequestError, match="repeat_days: must be > 0"):
        make_request("r", aoi, repeat_days=0, **WINDOW)
    with pytest.raises(RequestError, match="periods"):
        make_request("r", aoi, repeat_days=1e-4, **WINDOW)
