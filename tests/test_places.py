"""Region data: outlines, towns, ground stations, site validation."""

import pytest
from pyproj import Geod

from sahelsat import places


@pytest.mark.parametrize("code, km2", [("MLI", 1_252_284), ("NER", 1_182_024), ("BFA", 272_334)])
def test_outline_areas_match_the_published_geodesic_areas(code, km2):
    area, _ = Geod(ellps="WGS84").geometry_area_perimeter(places.country_outlines()[code])
    assert abs(area) / 1e6 == pytest.approx(km2, rel=1e-3)


def test_towns_and_stations():
    t = places.towns()
    assert len(t) > 250 and set(t.country) == {"MLI", "NER", "BFA"}
    known = t.population[t.population > 0]
    assert known.min() >= 500 and len(known) > 200
    big = places.towns(["Niger"], min_population=100_000)
    assert "Niamey" in set(big.name) and (big.country == "NER").all()
    stations = places.ground_stations()
    for row in stations.itertuples():
        country = {"Bamako": "MLI", "Niamey": "NER", "Ouagadougou": "BFA"}[row.name]
        from shapely.geometry import Point

        assert places.country_outlines()[country].contains(
            Point(row.longitude_deg, row.latitude_deg)
        )


def test_site_validation_names_the_problem():
    assert places.parse_site("Gao=16.27,-0.04,260") == ("Gao", 16.27, -0.04, 260.0)
    with pytest.raises(places.SiteError, match="longitude_deg"):
        places.sites_table([("X", 10.0, 400.0)])
    with pytest.raises(places.SiteError, match="unique"):
        places.sites_table([("X", 10.0, 1.0), ("X", 11.0, 1.0)])
    with pytest.raises(places.SiteError, match="lacks column"):
        import pandas as pd

        places.sites_table(pd.DataFrame({"name": ["a"], "lat": [1.0], "lon": [2.0]}))
    with pytest.raises(ValueError, match="unknown country"):
        places.towns(["Atlantis"])
