"""Administrative regions of the three countries and their official population figures.

First-level regions: Mali's 10 régions of 2015 (Taoudénit inside Tombouctou), Niger's 8
régions (2023), Burkina Faso's 13 régions (2017 units); second level: Burkina Faso's 45
provinces. Geometries ship in ``sahelsat/data/regions``, the figures in
``sahelsat/data/population`` (origins, licences and citations: ``sahelsat/data/README.md``).

Each country's figures come from its national statistics office, at the finest unit we
have both a figure and an outline for (the *allocation units*):

- Mali: INSTAT, 5th census (RGPH5, 2022), by the 20 régions of 2023, summed into the 10
  units of 2015 that hold them (Kita and Nioro in Kayes, Taoudénit in Tombouctou, ...).
- Burkina Faso: INSD, 5th census (RGPH 2019, definitive results), by commune, summed
  into the 45 provinces and 13 régions.
- Niger: the 2026 projection of INS Niger's figures by département used by OCHA's
  Humanitarian Needs and Response Plan 2026, summed into the 8 régions (the départements
  have no outline here).
"""

from __future__ import annotations

import json
from functools import cache

import pandas as pd
import shapely
from shapely.geometry import shape

from sahelsat.places.outlines import COUNTRIES, country_code, data_path

#: Year and source of each country's figures (the full citation is in the data README).
POPULATION_SOURCES = {
    "MLI": (2022, "INSTAT Mali, RGPH5 2022, résultats définitifs (régions de 2023)"),
    "BFA": (2019, "INSD Burkina Faso, 5e RGPH 2019, résultats définitifs (communes)"),
    "NER": (2026, "INS Niger projection 2026 by département, as in OCHA HNRP 2026"),
}
REGION_COLUMNS = [
    "country", "region", "code", "population", "population_year", "population_source",
    "geometry",
]  # fmt: skip


def _features(name: str) -> list[dict]:
    with data_path("regions", name).open(encoding="utf-8") as f:
        return json.load(f)["features"]


@cache
def _adm1() -> pd.DataFrame:
    rows = [
        {**f["properties"], "geometry": shape(f["geometry"])} for f in _features("adm1.geojson")
    ]
    return pd.DataFrame(rows)


@cache
def _provinces() -> pd.DataFrame:
    rows = [
        {**f["properties"], "geometry": shape(f["geometry"])}
        for f in _features("bfa_provinces.geojson")
    ]
    return pd.DataFrame(rows)


def _read(name: str) -> pd.DataFrame:
    with data_path("population", name).open(encoding="utf-8") as f:
        return pd.read_csv(f)


@cache
def allocation_units() -> pd.DataFrame:
    """The units the official figures are given for, with an outline.

    Columns ``country, region, code`` (the first-level region holding the unit), ``unit,
    unit_code`` (Burkina Faso: the province and its geoBoundaries id; Mali and Niger: the
    region again), ``population, population_year, population_source, geometry``.
    """
    adm1 = _adm1().set_index("code")
    mli = _read("mli_rgph5_2022.csv").groupby("unit_2015_code")["population"].sum()
    ner = _read("ner_hnrp2026_departements.csv")
    ner = ner.groupby(ner["region_code"].str.replace("NER", "NE", regex=False))["population"]
    bfa = _read("bfa_rgph2019_communes.csv").groupby("province")["population"].sum()
    rows = []
    for code, total in [*mli.items(), *ner.sum().items()]:
        r = adm1.loc[code]
        rows.append((r.country, r.region, code, r.region, code, int(total), r.geometry))
    for p in _provinces().itertuples():
        rows.append(
            ("BFA", p.region, p.region_code, p.province, p.code, int(bfa[p.province]), p.geometry)
        )
    units = pd.DataFrame(
        rows, columns=["country", "region", "code", "unit", "unit_code", "population", "geometry"]
    )
    missing = set(adm1.index) - set(units["code"])
    if missing:  # a shipped-data inconsistency, not a user error
        raise RuntimeError(f"no population figure for the region(s) {sorted(missing)}")
    units["population_year"] = units["country"].map(lambda c: POPULATION_SOURCES[c][0])
    units["population_source"] = units["country"].map(lambda c: POPULATION_SOURCES[c][1])
    return units


def regions(level: int = 1, countries=None) -> pd.DataFrame:
    """Administrative regions with their official population.

    ``level=1``: the 31 first-level regions of Mali, Niger and Burkina Faso; ``level=2``:
    Burkina Faso's 45 provinces (the only second-level units with an outline here; Niger's
    67 départements enter the régions' totals). ``countries``: ISO3 codes or names.
    Columns ``country, region, code, population, population_year, population_source,
    geometry`` (shapely, lon/lat) and, for level 2, ``parent`` (the first-level region).
    Population: people counted or projected by the national statistics office in
    ``population_year`` (see :data:`POPULATION_SOURCES`).
    """
    if level not in (1, 2):
        raise ValueError(f"level={level!r}: 1 (régions) or 2 (Burkina Faso's provinces)")
    units = allocation_units()
    if level == 1:
        pop = units.groupby("code")["population"].sum()
        out = _adm1().assign(population=lambda t: t["code"].map(pop).astype(int))
        out["population_year"] = out["country"].map(lambda c: POPULATION_SOURCES[c][0])
        out["population_source"] = out["country"].map(lambda c: POPULATION_SOURCES[c][1])
        out = out[REGION_COLUMNS]
    else:
        bfa = units[units["country"] == "BFA"]
        out = bfa.rename(columns={"region": "parent"}).rename(
            columns={"unit": "region", "code": "parent_code", "unit_code": "code"}
        )
        out = out[[*REGION_COLUMNS, "parent"]]
    if countries is not None:
        out = out[out["country"].isin([country_code(c) for c in countries])]
    return out.sort_values(["country", "code"]).reset_index(drop=True)


def region_of(lon, lat, level: int = 1) -> pd.DataFrame:
    """The region holding each lon/lat point (degrees): columns ``country, region, code``,
    empty strings for points outside every region."""
    table = regions(level)
    pts = shapely.points(lon, lat)
    out = pd.DataFrame({"country": "", "region": "", "code": ""}, index=range(len(pts)))
    for r in table.itertuples():
        inside = shapely.covers(r.geometry, pts) & (out["code"] == "").to_numpy()
        out.loc[inside, ["country", "region", "code"]] = (r.country, r.region, r.code)
    return out


__all__ = ["COUNTRIES", "POPULATION_SOURCES", "allocation_units", "region_of", "regions"]
