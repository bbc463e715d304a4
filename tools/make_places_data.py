"""Rebuild the shipped regions and settlements from the project's shared data folder.

Usage: python tools/make_places_data.py [SHARED_DATA_DIR]   (default ../shared/data)

Writes, under sahelsat/data/:
- regions/adm1.geojson: the 31 first-level regions (properties country, region, code,
  units), coordinates rounded to 1e-5 degrees (about 1 m);
- regions/bfa_provinces.geojson: Burkina Faso's 45 provinces with the census names
  (accents restored), their region and region code (the region holding most of the
  province);
- places/settlements.csv: the OpenStreetMap settlements (city, town, village, hamlet,
  isolated dwelling) inside the three countries' outlines, their country, region and
  province, the population tagged in OpenStreetMap where there is one, a GeoNames
  population where the town matches one of the shipped GeoNames towns (same name within
  10 km), and the GeoNames towns that match no OpenStreetMap node.
The population figures of sahelsat/data/population/ are typed in from their sources
(see sahelsat/data/README.md), not built here.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "sahelsat" / "data"
sys.path.insert(0, str(ROOT))

from sahelsat import places  # noqa: E402

#: OpenStreetMap ``place`` values kept as settlements, and the few misspellings mapped.
PLACE_TYPES = {
    "city": "city",
    "town": "town",
    "village": "village",
    "hamlet": "hamlet",
    "isolated_dwelling": "isolated_dwelling",
    "village;hamlet": "village",
    "isolated_dwelling;hamlet": "hamlet",
    "v": "village",
    "v+": "village",
    "h": "hamlet",
    "ham": "hamlet",
}
MATCH_KM = 10.0


def key(name) -> str:
    """Name folded for matching: no accents, lower case, letters and digits only."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


def rounded(geom):
    return shapely.set_precision(geom, 1e-5)


def write_geojson(path: Path, features: list[dict]) -> None:
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    )
    print(f"{path.relative_to(ROOT)}: {len(features)} features")


def build_regions(shared: Path):
    src = json.loads((shared / "regions" / "adm1.geojson").read_text())
    feats, adm1 = [], []
    for f in src["features"]:
        p = f["properties"]
        geom = rounded(shape(f["geometry"]))
        props = {
            "country": p["iso3"],
            "region": p["adm1_name"],
            "code": p["adm1_code"],
            "units": p["source_date"],
        }
        feats.append({"type": "Feature", "properties": props, "geometry": mapping(geom)})
        adm1.append((props, geom))
    feats.sort(key=lambda f: (f["properties"]["country"], f["properties"]["code"]))
    write_geojson(DATA / "regions" / "adm1.geojson", feats)

    census = pd.read_csv(DATA / "population" / "bfa_rgph2019_communes.csv")
    names = {key(n): n for n in census["province"].unique()}
    names[key("Komonjdjari")] = names[key("Komondjari")]  # geoBoundaries' spelling
    src = json.loads((shared / "regions" / "bfa_adm2_geoboundaries.geojson").read_text())
    bfa = [(p, g) for p, g in adm1 if p["country"] == "BFA"]
    feats = []
    for f in src["features"]:
        geom = rounded(shape(f["geometry"]))
        overlap = [shapely.area(shapely.intersection(geom, g)) for _, g in bfa]
        parent = bfa[int(np.argmax(overlap))][0]
        props = {
            "country": "BFA",
            "region": parent["region"],
            "region_code": parent["code"],
            "province": names[key(f["properties"]["shapeName"])],
            "code": f["properties"]["shapeID"],
        }
        feats.append({"type": "Feature", "properties": props, "geometry": mapping(geom)})
    feats.sort(key=lambda f: (f["properties"]["region_code"], f["properties"]["province"]))
    write_geojson(DATA / "regions" / "bfa_provinces.geojson", feats)


def locate(lon, lat, units: list[tuple[str, object]], country_of: dict) -> list[str]:
    """Code of the unit holding each point; a point in a gap between units (the outlines
    and the regions do not match to the metre) goes to the nearest unit of its country."""
    pts = shapely.points(lon, lat)
    codes = np.array([""] * len(pts), dtype=object)
    for code, geom in units:
        shapely.prepare(geom)
        codes[shapely.covers(geom, pts) & (codes == "")] = code
    return codes, pts


def fill_nearest(codes, pts, countries, units, country_of):
    for i in np.flatnonzero(codes == ""):
        same = [(c, g) for c, g in units if country_of[c] == countries[i]]
        d = [shapely.distance(g, pts[i]) for _, g in same]
        codes[i] = same[int(np.argmin(d))][0]
    return codes


def build_settlements(shared: Path):
    raw = pd.read_csv(shared / "places-osm" / "places.csv", dtype={"population": str})
    raw = raw[raw["place"].isin(PLACE_TYPES)].copy()
    raw["place"] = raw["place"].map(PLACE_TYPES)
    lon, lat = raw["longitude_deg"].to_numpy(float), raw["latitude_deg"].to_numpy(float)
    pts = shapely.points(lon, lat)
    country = np.array([""] * len(raw), dtype=object)
    for code, geom in places.country_outlines().items():
        shapely.prepare(geom)
        country[shapely.covers(geom, pts) & (country == "")] = code
    raw["country"] = country
    raw = raw[raw["country"] != ""]
    pop = pd.to_numeric(raw["population"].str.replace(r"[\s,.]", "", regex=True), "coerce")
    raw["population"] = pop.where(pop > 0).astype("Int64")
    out = pd.DataFrame(
        {
            "osm_id": raw["osm_node_id"].astype("Int64"),
            "geonameid": pd.array([pd.NA] * len(raw), dtype="Int64"),
            "name": raw["name"].fillna(""),
            "latitude_deg": raw["latitude_deg"].round(6),
            "longitude_deg": raw["longitude_deg"].round(6),
            "country": raw["country"],
            "place_type": raw["place"],
            "population_osm": raw["population"],
            "population_geonames": pd.array([pd.NA] * len(raw), dtype="Int64"),
        }
    ).reset_index(drop=True)
    # GeoNames towns: a population for the OSM node of the same name nearby, or a new row.
    towns = places.towns()
    keys = out["name"].map(key)
    extra = []
    for t in towns.itertuples():
        cand = out.index[(keys == key(t.name)) & (out["country"] == t.country)]
        if len(cand):
            d = _km(t.latitude_deg, t.longitude_deg, out.loc[cand, "latitude_deg"],
                    out.loc[cand, "longitude_deg"])  # fmt: skip
            if d.min() <= MATCH_KM:
                i = cand[int(np.argmin(d))]
                out.loc[i, "geonameid"] = t.geonameid
                if t.population > 0:
                    out.loc[i, "population_geonames"] = t.population
                continue
        kind = "city" if t.population >= 100_000 else "town" if t.population >= 5_000 else "village"
        extra.append(
            {
                "osm_id": pd.NA,
                "geonameid": t.geonameid,
                "name": t.name,
                "latitude_deg": t.latitude_deg,
                "longitude_deg": t.longitude_deg,
                "country": t.country,
                "place_type": kind,
                "population_osm": pd.NA,
                "population_geonames": t.population if t.population > 0 else pd.NA,
            }
        )
    print(f"GeoNames towns: {len(towns) - len(extra)} matched, {len(extra)} added")
    out = pd.concat([out, pd.DataFrame(extra)], ignore_index=True)
    regions = json.loads((DATA / "regions" / "adm1.geojson").read_text())["features"]
    units = [(f["properties"]["code"], shape(f["geometry"])) for f in regions]
    country_of = {f["properties"]["code"]: f["properties"]["country"] for f in regions}
    lon, lat = out["longitude_deg"].to_numpy(float), out["latitude_deg"].to_numpy(float)
    codes, pts = locate(lon, lat, units, country_of)
    wrong = np.array(
        [c != "" and country_of[c] != k for c, k in zip(codes, out["country"], strict=True)]
    )
    codes[wrong] = ""  # a region of the neighbour country: the outline decides the country
    out["region_code"] = fill_nearest(codes, pts, out["country"].to_numpy(), units, country_of)
    provinces = json.loads((DATA / "regions" / "bfa_provinces.geojson").read_text())["features"]
    pu = [(f["properties"]["code"], shape(f["geometry"])) for f in provinces]
    p_country = {c: "BFA" for c, _ in pu}
    bfa = (out["country"] == "BFA").to_numpy()
    pcodes = np.array([""] * len(out), dtype=object)
    c, p = locate(lon[bfa], lat[bfa], pu, p_country)
    pcodes[bfa] = fill_nearest(c, p, np.array(["BFA"] * bfa.sum()), pu, p_country)
    out["province_code"] = pcodes
    out = out.sort_values(["country", "region_code", "osm_id"], kind="stable")
    path = DATA / "places" / "settlements.csv"
    out.to_csv(path, index=False)
    counts = out.groupby("country").size().to_dict()
    print(f"{path.relative_to(ROOT)}: {len(out)} settlements {counts}")


def _km(lat0, lon0, lat, lon):
    lat, lon = np.radians(np.asarray(lat, float)), np.radians(np.asarray(lon, float))
    p0, l0 = np.radians(lat0), np.radians(lon0)
    a = np.sin((lat - p0) / 2) ** 2 + np.cos(p0) * np.cos(lat) * np.sin((lon - l0) / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(a))


def main(shared: str = str(ROOT.parent / "shared" / "data")) -> None:
    build_regions(Path(shared))
    build_settlements(Path(shared))


if __name__ == "__main__":
    main(*sys.argv[1:])
