"""The population base: regions and their official figures, settlements, grid, people in a zone.

Official figures cited here (independent of the shipped tables):
- Mali, INSTAT, RGPH5 2022, national total 22,395,485 (Conseil des ministres of
  2023-08-09, as reported by Journal du Mali); Bamako 4,227,569, Tombouctou 974,278 and
  Taoudénit 100,358 (régions of 2023, as published by maliweb.net in 2024).
- Burkina Faso, INSD, 5e RGPH 2019, definitive results (2022-07-01): 20,505,155; the
  preliminary results of 2020-12-22 by région: Centre 3,032,668, Hauts-Bassins
  2,238,375, Centre-Sud 788,341 (lefaso/koaci press reports), Boucle du Mouhoun 1,898,133.
- Niger: the 67 départements of OCHA's HNRP 2026 table in the shared data folder.
"""

import math

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Point, box

from sahelsat import places

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def table():
    return places.settlements()


def test_regions_carry_the_official_figures(shared_data):
    r = places.regions()
    assert list(r.columns) == [
        "country", "region", "code", "population", "population_year", "population_source",
        "geometry",
    ]  # fmt: skip
    assert r.groupby("country").size().to_dict() == {"BFA": 13, "MLI": 10, "NER": 8}
    total = r.groupby("country")["population"].sum()
    # Mali: the 20 régions of 2023 sum to 22,395,490, INSTAT's total is 22,395,485.
    assert abs(total["MLI"] - 22_395_485) <= 10
    assert total["BFA"] == 20_505_155
    ner = pd.read_csv(shared_data / "regions" / "ner_adm2_population_hnrp2026.csv")
    assert total["NER"] == ner["population"].sum() == 28_581_568
    by = r.set_index("region")["population"]
    assert by["Bamako"] == 4_227_569 and by["Tombouctou"] == 974_278 + 100_358
    for name, preliminary in [
        ("Centre", 3_032_668),
        ("Hauts-Bassins", 2_238_375),
        ("Centre-Sud", 788_341),
        ("Boucle du Mouhoun", 1_898_133),
    ]:
        assert by[name] == pytest.approx(preliminary, rel=0.005)
    niger = ner.assign(code=ner["admin1_code"].str.replace("NER", "NE")).groupby("code")
    assert r.set_index("code").loc[niger.groups.keys(), "population"].to_dict() == (
        niger["population"].sum().to_dict()
    )
    assert set(r["population_year"]) == {2019, 2022, 2026}
    assert r["population_source"].str.len().min() > 20
    provinces = places.regions(level=2)
    assert len(provinces) == 45 and provinces["population"].sum() == 20_505_155
    assert provinces.groupby("parent")["population"].sum()["Centre"] == by["Centre"]
    with pytest.raises(ValueError, match="level"):
        places.regions(level=3)


def test_every_region_and_province_holds_people(table):
    assert set(table.columns[:9]) == {
        "name", "lat", "lon", "country", "region", "place_type", "population",
        "population_known", "source",
    }  # fmt: skip
    per_region = table.groupby("code")["population"].agg(["size", "sum"])
    regions = places.regions().set_index("code")
    assert set(per_region.index) == set(regions.index)
    assert (per_region["size"] > 0).all()
    assert (per_region["sum"] == regions["population"]).all()
    provinces = places.regions(level=2).set_index("region")["population"]
    bfa = table[table.country == "BFA"].groupby("province")["population"].sum()
    assert bfa.to_dict() == provinces.to_dict()
    assert (table["population"] >= 0).all() and table["population"].dtype.kind == "i"
    assert table["population_known"].sum() > 2000
    assert len(table) > 35_000 and set(table["source"]) == {"openstreetmap", "geonames"}


def test_settlements_lie_in_their_country_and_region(table):
    outlines = places.country_outlines()
    pts = shapely.points(table["lon"], table["lat"])
    for code, geom in outlines.items():
        mine = (table["country"] == code).to_numpy()
        assert shapely.covers(geom, pts[mine]).all(), code
    regions = places.regions().set_index("code")["geometry"]
    geoms = regions.loc[table["code"]].to_numpy()
    inside = shapely.covers(geoms, pts)
    # The country outlines (mledoze) and the regions (OCHA, geoBoundaries) differ by up
    # to about 10 km along borders: points between them go to the nearest region of
    # their country.
    assert inside.mean() > 0.99
    assert shapely.distance(geoms[~inside], pts[~inside]).max() < 0.12  # degrees
    only_mali = places.settlements(["Mali"])
    assert set(only_mali["country"]) == {"MLI"}


def test_known_figures_are_kept_and_others_share_the_rest(table):
    bamako = table[(table["name"] == "Bamako") & (table["country"] == "MLI")].iloc[0]
    assert bamako["population_known"] and bamako["population"] == 4_227_569  # GeoNames
    weights = places.population.type_weights()
    village = weights.set_index(["country", "place_type"]).loc[("BFA", "village")]
    raw = places.gazetteer.raw_settlements()
    known = raw.query("country == 'BFA' and place_type == 'village'")
    known = known["population_geonames"].fillna(known["population_osm"]).dropna()
    assert village["weight"] == known.median() and village["known"] == len(known)
    assert places.population.largest_remainder(np.array([1.0, 1.0, 1.0]), 10).tolist() == [
        4,
        3,
        3,
    ]


def test_grid_sums_equal_settlement_sums(table):
    grid = places.population_grid(0.01)
    assert float(grid.sum()) == table["population"].sum()
    assert grid.attrs["units"] == "people" and "OpenStreetMap" in grid.attrs["note"]
    assert np.all(np.diff(grid.lat) > 0) and grid.lat[1] - grid.lat[0] == pytest.approx(0.01)
    niger = places.population_grid(0.1, area="NER")
    assert float(niger.sum()) == table.loc[table.country == "NER", "population"].sum()
    bamako = table[(table["name"] == "Bamako") & (table["country"] == "MLI")].iloc[0]
    cell = grid.sel(lat=bamako["lat"], lon=bamako["lon"], method="nearest")
    i = math.floor(bamako["lat"] / 0.01)
    assert float(cell.lat) == pytest.approx((i + 0.5) * 0.01)
    in_cell = table[
        (np.floor(table["lat"] / 0.01) == i)
        & (np.floor(table["lon"] / 0.01) == math.floor(bamako["lon"] / 0.01))
    ]
    assert float(cell) == in_cell["population"].sum() >= 4_227_569
    with pytest.raises(ValueError, match="resolution_deg"):
        places.population_grid(0)


def _isolated(table, country):
    """A settlement of ``country`` whose nearest neighbour lies more than 40 km away."""
    mine = table[table["country"] == country]
    xy = np.c_[table["lon"] * np.cos(np.radians(table["lat"])), table["lat"]] * 111.0
    for row in mine.sort_values("population", ascending=False).itertuples():
        d = np.hypot(*(xy - xy[row.Index]).T)
        if np.sort(d)[1] > 40.0:
            return row
    raise AssertionError("no isolated settlement")


def _square(lon, lat, half_km):
    dlat = half_km / 111.0
    dlon = dlat / math.cos(math.radians(lat))
    return box(lon - dlon, lat - dlat, lon + dlon, lat + dlat)


def _disc_fraction(lon, lat, radius_m, zone, n_r=60, n_a=120):
    """Share of a geodesic disc inside ``zone``, from an equal-area lattice of points."""
    r = radius_m * np.sqrt((np.arange(n_r) + 0.5) / n_r)
    az = np.arange(n_a) * 360.0 / n_a
    rr, aa = np.meshgrid(r, az)
    x, y, _ = GEOD.fwd(np.full(rr.size, lon), np.full(rr.size, lat), aa.ravel(), rr.ravel())
    return shapely.covers(zone, shapely.points(x, y)).mean()


def test_zone_around_one_settlement(table):
    s = _isolated(table, "NER")
    radius = places.footprint_m(s.population)
    assert radius == max(1000.0, math.sqrt(s.population / (math.pi * 1500)) * 1000)
    whole = places.people_in(_square(s.lon, s.lat, 2 * radius / 1000))
    assert len(whole) == 1
    row = whole.iloc[0]
    assert (row.country, row.region, row.settlements) == ("NER", s.region, 1)
    assert row.people == s.population
    # The eastern half of the zone: half of the settlement's people.
    east = box(s.lon, s.lat - 1, s.lon + 1, s.lat + 1)
    half = places.people_in(east.intersection(_square(s.lon, s.lat, 2 * radius / 1000)))
    assert half["people"].sum() == pytest.approx(s.population / 2, rel=0.01)
    exposed = places.zone_exposure(east)
    assert exposed.iloc[0]["fraction"] == pytest.approx(0.5, abs=0.002)


def test_zone_crossing_a_border(table):
    # A 30 x 30 km square on the Mali - Burkina Faso border near Koloko / Sikasso.
    outlines = places.country_outlines()
    border = outlines["MLI"].boundary.intersection(outlines["BFA"].boundary)
    p = border.interpolate(0.5, normalized=True)
    zone = _square(p.x, p.y, 15)
    result = places.people_in(zone).set_index("code")
    assert set(result["country"]) == {"MLI", "BFA"}
    exposed = places.zone_exposure(zone)
    for code, row in result.iterrows():
        mine = exposed[exposed["code"] == code]
        expected = sum(
            s.population * _disc_fraction(s.lon, s.lat, s.radius_m, zone) for s in mine.itertuples()
        )
        assert row.people == pytest.approx(expected, rel=0.02, abs=2)
        assert row.settlements == len(mine) > 0
    # Every settlement whose point lies in the zone, far from its edges, is wholly in it.
    inner = _square(p.x, p.y, 10)
    pts = shapely.points(table["lon"], table["lat"])
    inside = table[shapely.covers(inner, pts) & (table["population"] < 500_000)]
    got = exposed.set_index(["lon", "lat"])["fraction"]
    assert (got.loc[list(zip(inside["lon"], inside["lat"], strict=True))] == 1.0).all()


def test_empty_sahara_and_outside_the_countries():
    sahara = box(-2.0, 22.0, -1.0, 23.0)  # Tanezrouft, northern Mali
    result = places.people_in(sahara)
    assert len(result) >= 1 and set(result["country"]) == {"MLI"}
    assert result["people"].sum() == 0 and result["settlements"].sum() == 0
    algeria = box(3.0, 28.0, 4.0, 29.0)
    assert places.people_in(algeria).empty
    with pytest.raises(ValueError, match="zone: the polygon is empty"):
        places.zone_exposure(Point(0, 0).buffer(0.1).difference(Point(0, 0).buffer(1)))


def test_bad_zones_are_named():
    with pytest.raises(ValueError, match="zone"):
        places.people_in(Point(2.0, 13.5))
    with pytest.raises(ValueError, match="zone"):
        places.people_in(box(200.0, 100.0, 201.0, 101.0))
    bowtie = shapely.Polygon([(2.0, 13.0), (2.2, 13.2), (2.2, 13.0), (2.0, 13.2)])
    assert not bowtie.is_valid
    assert len(places.people_in(bowtie)) >= 1  # repaired, not refused


def test_note_in_both_languages():
    for lang in ("en", "fr"):
        note = places.population_note(lang)
        assert "INSTAT" in note and "INSD" in note and "OpenStreetMap" in note
    with pytest.raises(ValueError):
        places.population_note("de")
