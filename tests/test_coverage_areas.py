"""Coverage areas and grids: named areas, GeoJSON in its forms, points, cell areas, and
clear errors for bad areas before any heavy work."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from pyproj import Geod

from sahelsat import designs, places
from sahelsat.coverage_analysis import AreaError, coverage, make_area

SQUARE = {"type": "Polygon", "coordinates": [[[0, 10], [2, 10], [2, 12], [0, 12], [0, 10]]]}
BOWTIE = {"type": "Polygon", "coordinates": [[[0, 10], [2, 12], [2, 10], [0, 12], [0, 10]]]}


def test_named_areas_and_cells_inside():
    aes = make_area("AES", 0.5)
    parts = [make_area(c, 0.5) for c in ("MLI", "NER", "BFA")]
    assert abs(aes.n_cells - sum(p.n_cells for p in parts)) <= 3  # shared borders
    assert make_area("Burkina Faso", 0.5).n_cells == parts[2].n_cells
    geom = places.area_geometry("BFA")
    assert shapely.contains_xy(geom, parts[2].cell_lon, parts[2].cell_lat).all()
    # grid aligned on multiples of the resolution
    assert np.allclose((parts[2].lat - 0.25) / 0.5, np.round((parts[2].lat - 0.25) / 0.5))


def test_cell_areas_on_the_ellipsoid_match_pyproj():
    g = make_area(SQUARE, 0.5)
    geod = Geod(ellps="WGS84")
    edge = np.linspace(0.0, 0.5, 400)  # cell sides follow parallels: densify them
    for i, la in enumerate(g.lat):
        lons = np.concatenate([edge, edge[::-1]])
        lats = np.concatenate([np.full(400, la - 0.25), np.full(400, la + 0.25)])
        want = abs(geod.polygon_area_perimeter(lons, lats)[0]) / 1e6
        assert g.row_area_km2[i] == pytest.approx(want, rel=1e-6)
    assert g.cell_area_km2.sum() == pytest.approx(4 * 4 * g.row_area_km2.mean(), rel=1e-12)


def test_geojson_forms_agree(tmp_path):
    path = tmp_path / "square.geojson"
    feature = {"type": "Feature", "properties": {"name": "sq"}, "geometry": SQUARE}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    forms = [SQUARE, json.dumps(SQUARE), feature, str(path), path, shapely.geometry.shape(SQUARE)]
    grids = [make_area(f, 0.25) for f in forms]
    for g in grids:
        np.testing.assert_array_equal(g.mask, grids[0].mask)
    assert grids[0].n_cells == 64


@pytest.mark.parametrize(
    "area, match",
    [
        (BOWTIE, "Self-intersection"),
        ('{"type": "Polygon", "coordinates": [[0, 1]', "not valid GeoJSON"),
        ({"type": "Polygon", "coordinates": "nope"}, "invalid GeoJSON"),
        ({"coordinates": []}, "invalid GeoJSON"),
        ({"type": "Point", "coordinates": [0, 10]}, "Polygon or MultiPolygon"),
        ("Atlantis", "neither a named area"),
        (
            {"type": "Polygon", "coordinates": [[[0, 10], [0.01, 10], [0.01, 10.01], [0, 10]]]},
            "no cell centre",
        ),
        (12, "area must be"),
    ],
)
def test_bad_areas_name_the_parameter(area, match):
    with pytest.raises(AreaError, match=match):
        make_area(area, 0.5)


def test_bad_area_fails_before_propagation(monkeypatch):
    from sahelsat import propagate

    def boom(*a, **k):
        raise AssertionError("propagated before validating the area")

    monkeypatch.setattr(propagate, "states", boom)
    fleet = designs.walker_delta(6, 2, 1, 550, 53)
    with pytest.raises(AreaError, match="Self-intersection"):
        coverage(fleet, BOWTIE, 0.5, "2026-05-30", "2026-05-31")
    with pytest.raises(AreaError, match="resolution_deg"):
        coverage(fleet, "AES", 0.0005, "2026-05-30", "2026-05-31")
    with pytest.raises(AreaError, match="resolution_deg"):
        coverage(fleet, "AES", -1, "2026-05-30", "2026-05-31")


def test_grid_too_large_for_memory_is_refused_early():
    world = {"type": "Polygon", "coordinates": [[[-180, -89], [180, -89], [180, 89], [-180, 89],
                                                  [-180, -89]]]}  # fmt: skip
    with pytest.raises(AreaError, match="max_memory_gb"):
        make_area(world, 0.05, max_memory_gb=1.0)


def test_towns_are_a_weighted_point_set():
    pts = make_area("towns:BFA")
    assert pts.kind == "points" and pts.n_cells == len(places.towns(["BFA"]))
    assert pts.weight.max() > 1e6  # Ouagadougou's population
    ds = coverage(designs.walker_delta(12, 3, 1, 550, 53), "towns:BFA", 0.1, "2026-05-30",
                  "2026-05-30T06:00", 60, 25)  # fmt: skip
    assert ds["percent_covered"].dims == ("point",)
    assert "Ouagadougou" in ds["name"].values
    assert ds.attrs["weighting"].startswith("population of the GeoNames towns")


def test_population_cells_weigh_every_person_of_the_base():
    pts = make_area("population:BFA", resolution_deg=0.25)
    assert pts.kind == "points"
    assert pts.weight.sum() == places.regions(countries=["BFA"])["population"].sum()
    assert (pts.weight > 0).all() and np.all(np.abs(pts.lat / 0.25 % 1 - 0.5) < 1e-9)
    everyone = make_area("population", resolution_deg=0.5)
    assert everyone.weight.sum() == places.regions()["population"].sum()
    with pytest.raises(AreaError, match="Atlantis"):
        make_area("population:Atlantis")


def test_antimeridian_area_with_continuous_longitudes():
    fiji = {"type": "Polygon", "coordinates": [[[176, -20], [182, -20], [182, -15], [176, -15],
                                                 [176, -20]]]}  # fmt: skip
    g = make_area(fiji, 0.5)
    assert g.lon.max() > 180
    ds = coverage(designs.geostationary([179.0]), fiji, 0.5, "2026-05-30", "2026-05-30T01:00",
                  600, 30)  # fmt: skip
    assert (ds["percent_covered"].values[g.mask] == 100.0).all()
