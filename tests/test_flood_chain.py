"""The flood chain in the scenario: people affected per region checked against a hand
computation on the population base (each settlement's footprint disc cut by the zone,
in a local equidistant projection), a zone across a border, an empty Sahara zone, and
the scenario step with its report chapter (exercise extents labelled as such)."""

from __future__ import annotations

import html
import json
import re

import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import box, mapping

from sahelsat import places
from sahelsat.inputs import FloodSection, InputError, zone_features
from sahelsat.scenario import parse_scenario
from sahelsat.scenario.flood import exercise_zones, zone_chain


def _hand_people(zone) -> pd.DataFrame:
    """People per (country, region) by hand: each settlement of the population base lives
    on a disc of places.footprint_m around it; the zone's share of that disc (areas in
    a local azimuthal equidistant projection) times its population is affected."""
    s = places.settlements()
    x0, y0, x1, y1 = zone.bounds
    near = s[(s["lon"] > x0 - 0.2) & (s["lon"] < x1 + 0.2) & (s["lat"] > y0 - 0.2)
             & (s["lat"] < y1 + 0.2)].copy()  # fmt: skip
    radius = places.footprint_m(near["population"].to_numpy(float))
    frac = []
    for (lon, lat), r in zip(near[["lon", "lat"]].to_numpy(), radius, strict=True):
        to_local = Transformer.from_crs(
            "EPSG:4326", f"+proj=aeqd +lat_0={lat} +lon_0={lon} +datum=WGS84", always_xy=True
        )
        local = shapely.transform(zone, lambda xy, t=to_local: np.column_stack(
            t.transform(xy[:, 0], xy[:, 1])))  # fmt: skip
        disc = shapely.Point(0, 0).buffer(r, quad_segs=64)
        frac.append(local.intersection(disc).area / disc.area)
    near["people"] = near["population"].to_numpy(float) * np.array(frac)
    hit = near[near["people"] > 0]
    return hit.groupby(["country", "region"]).agg(
        settlements=("people", "size"), people=("people", "sum")
    )


def _check_against_hand(zone):
    chain = zone_chain(FloodSection(zone=mapping(zone)))
    hand = _hand_people(zone)
    got = chain.regions.set_index(["country", "region"])
    with_people = got[got["people"] > 0]
    assert set(with_people.index) == set(hand.index)
    for key, row in hand.iterrows():
        assert got.loc[key, "people"] == pytest.approx(row["people"], rel=0.01, abs=2)
        assert got.loc[key, "settlements"] == row["settlements"]
    assert {"country", "region", "settlements", "people", "alert"} <= set(chain.regions.columns)
    return chain, hand


def test_a_zone_around_niamey_against_a_hand_computation():
    chain, hand = _check_against_hand(box(2.0, 13.40, 2.25, 13.60))
    assert ("NER", "Niamey") in hand.index and hand["people"].sum() > 10_000
    assert chain.regions.loc[chain.regions["region"] == "Niamey", "alert"].iloc[0] != "none"


def test_a_zone_across_the_niger_burkina_faso_border():
    # A box on the border west of Téra (Niger) and north of Dori's province (Burkina Faso).
    zone = box(0.2, 13.6, 1.2, 14.3)
    outlines = places.country_outlines()
    assert zone.intersects(outlines["NER"]) and zone.intersects(outlines["BFA"])
    chain, hand = _check_against_hand(zone)
    countries = set(chain.regions["country"])
    assert {"NER", "BFA"} <= countries
    for code in ("NER", "BFA"):  # each country's people are its own settlements' share
        assert chain.regions.loc[chain.regions["country"] == code, "people"].sum() == (
            pytest.approx(hand.loc[code, "people"].sum(), rel=0.01, abs=2)
        )


def test_an_empty_sahara_zone_affects_no_one():
    zone = box(-4.0, 21.0, -3.5, 21.5)  # Erg Chech, northern Mali
    s = places.settlements()
    assert not ((s["lon"].between(-4.2, -3.3)) & (s["lat"].between(20.8, 21.7))).any()
    chain = zone_chain(FloodSection(zone=mapping(zone)))
    assert chain.regions["people"].sum() == 0 and len(chain.settlements) == 0
    assert (chain.regions["settlements"] == 0).all() and list(chain.regions["country"]) == ["MLI"]


def test_the_exercise_extents_are_labelled_and_lie_on_the_niger():
    data = exercise_zones()
    rivers = json.loads(places.data_path("water", "rivers.geojson").read_text())
    lines = [f["geometry"] for f in rivers["features"] if f["properties"]["name"] == "Niger"]
    niger = shapely.unary_union([shapely.geometry.shape(g) for g in lines])
    for f in data["features"]:
        label = f["properties"]["label"]
        assert "exercise" in label and "not an observation" in label
        assert shapely.geometry.shape(f["geometry"]).intersects(niger)
    chain = zone_chain(FloodSection(zone="exercise"))
    assert chain.exercise
    assert {"Niamey", "Tillabéri", "Mopti"} <= set(chain.regions["region"])
    assert all(f["properties"]["exercise"] for f in chain.extent()["features"])


def test_a_bad_zone_is_refused_with_its_field():
    with pytest.raises(InputError, match="Polygon"):
        zone_features({"type": "Point", "coordinates": [2.0, 13.5]})
    with pytest.raises(ValueError, match="exactly one of image"):
        FloodSection()
    with pytest.raises(ValueError, match="baseline"):
        FloodSection(zone="exercise", baseline=["a.tif"])


SMALL = """
[scenario]
name = "flood test"
start = 2026-05-31T00:00:00Z
duration_hours = 12

[[satellites]]
role = "imaging"
design = "sun-synchronous"
name = "OURSAR"
altitude_km = 690
ltan_hours = 18.0
count = 2
sensor = "sar"
swath_km = 100
max_off_nadir_deg = 40

[area]
countries = ["NER"]
coverage_resolution_deg = 1.0
coverage_step_s = 120

[imaging]
time_limit_s = 3

[[requests]]
id = "niamey"
point = [2.11, 13.50]
radius_km = 12
sensor = "sar"
"""


def test_a_scenario_flood_section_is_validated(tmp_path):
    from sahelsat.scenario import ScenarioError

    with pytest.raises(ScenarioError, match="flood.zone"):
        parse_scenario(SMALL + '\n[flood]\nzone = "missing.geojson"\n', "f.toml", tmp_path)
    with pytest.raises(ScenarioError, match="flood.request"):
        parse_scenario(SMALL + '\n[flood]\nzone = "exercise"\nrequest = "nope"\n', "f.toml")


@pytest.fixture(scope="module")
def flood_run(tmp_path_factory):
    from sahelsat.scenario import report, run

    folder = tmp_path_factory.mktemp("sc")
    zone = {"type": "FeatureCollection", "features": [{"type": "Feature",
            "properties": {"name": "Niamey riverside"},
            "geometry": mapping(box(2.0, 13.40, 2.25, 13.60))}]}  # fmt: skip
    (folder / "zone.geojson").write_text(json.dumps(zone))
    sc = parse_scenario(SMALL + '\n[flood]\nzone = "zone.geojson"\nrequest = "niamey"\n', "s",
                        folder)  # fmt: skip
    res = run.run_scenario(sc, folder / "out")
    report.write_report(res, pdf=False)
    return res, folder / "out"


def test_the_scenario_flood_step_writes_the_chain(flood_run):
    res, out = flood_run
    assert "flood" not in res.errors, res.errors.get("flood")
    regions = pd.read_csv(out / "flood" / "impact_regions.csv")
    assert list(regions.columns[:4]) == ["country", "region", "settlements", "people"]
    hand = _hand_people(box(2.0, 13.40, 2.25, 13.60))
    assert regions["people"].sum() == pytest.approx(hand["people"].sum(), rel=0.01)
    tl = pd.read_csv(out / "flood" / "timeline.csv")
    assert set(tl["status"]) <= {"planned", "forecast"} and len(tl)
    assert tl["request"].str.startswith("niamey-").all()  # the request the flood answers
    assert (tl["coverage"] > 0).all() and (tl["coverage"] <= 1).all()
    starts = pd.to_datetime(tl["start"])
    assert (pd.to_datetime(tl["data_available"]) >= starts).all()
    assert ((starts >= "2026-05-31") & (starts <= "2026-05-31 12:00")).all()
    # our satellites' images are planned, the public missions' forecast, never the reverse
    ours = tl["satellite"].str.startswith("OURSAR")
    assert (tl.loc[ours, "status"] == "planned").all()
    assert (tl.loc[~ours, "status"] == "forecast").all()
    assert set(tl["sensor"]) == {"sar"}  # the linked request's needs: radar only


def test_the_report_has_a_flood_chapter_in_both_languages(flood_run):
    res, out = flood_run
    en = (out / "report.en.html").read_text(encoding="utf-8")
    fr = html.unescape((out / "report.fr.html").read_text(encoding="utf-8"))
    assert "Flood: people affected" in en and "Crue : personnes touchées" in fr
    assert "given by the user" in en and "fournie par l'utilisateur" in fr
    assert "EXERCISE" not in en  # a user's zone is not called an exercise
    for page in (en, fr):
        for region in res.flood.regions["region"]:
            assert region in page
    assert res.figures["flood_map"]["en"].is_file() and res.figures["flood_map"]["fr"].is_file()


def test_the_report_summary_gives_the_flood_figures(flood_run):
    """The summary's flood figures are the impact table's, and say what the extent is."""
    res, out = flood_run
    regions = pd.read_csv(out / "flood" / "impact_regions.csv")
    for lang, extent in (("en", "given by the user"), ("fr", "fournie par l'utilisateur")):
        page = html.unescape((out / f"report.{lang}.html").read_text(encoding="utf-8"))
        shown = dict(re.findall(r'data-key="(\w+)">([^<]*)<', page))
        assert int(shown["flood_people_affected"]) == round(regions["people"].sum()) > 0
        assert int(shown["flood_regions_affected"]) == len(regions)
        assert int(shown["flood_regions_emergency"]) == (regions["alert"] == "emergency").sum()
        assert shown["flood_extent"] == extent
    saved = json.loads((out / "key_figures.json").read_text())
    assert saved["flood_people_affected"] == round(regions["people"].sum())


def test_a_scene_is_mapped_and_labelled_as_mapped(tmp_path, shared_data):
    """The scene branch on a hand-labelled Sen1Floods11 chip: water against the label,
    and the words say 'mapped from the scene', never 'exercise' or 'given'."""
    import rasterio

    from sahelsat.scenario.flood import scene_chain
    from sahelsat.scenario.report import flood_label

    s1 = shared_data / "floods" / "S1Hand" / "Spain_7370579_S1Hand.tif"
    label = rasterio.open(shared_data / "floods" / "LabelHand" / s1.name.replace(
        "S1Hand", "LabelHand")).read(1)  # fmt: skip
    chain = scene_chain(FloodSection(image=[str(s1)]), tmp_path)
    with rasterio.open(chain.written["water"]) as ds:
        water = ds.read(1)
    valid = (label >= 0) & (water != 255)
    pred, truth = water[valid] == 1, label[valid] == 1
    assert (pred & truth).sum() / (pred | truth).sum() >= 0.5
    assert chain.water["features"] and not chain.exercise
    assert "mapped by sahelsat" in flood_label(chain, "en") and s1.name in flood_label(chain, "en")
    assert "cartographiée par sahelsat" in flood_label(chain, "fr")
    # Spain is outside the three countries: no region of the population base is touched
    assert chain.regions.empty or chain.regions["people"].sum() == 0
