"""Settlements: the ~38,000 OpenStreetMap places of the three countries, and GeoNames towns.

``settlements()`` is the table every "people" figure of sahelsat rests on: each
OpenStreetMap settlement (city, town, village, hamlet, isolated dwelling) inside the
countries' outlines, plus the GeoNames towns OpenStreetMap lacks, with the people the
population base gives it (:mod:`sahelsat.places.population`). ``towns()`` keeps the 286
GeoNames towns of 500 people or more (about 18 million people, a quarter of the three
countries: never present their sum as the population).

Data: ``sahelsat/data/places/settlements.csv`` (built by ``tools/make_places_data.py``;
OpenStreetMap data, © OpenStreetMap contributors, ODbL 1.0) and ``towns.csv`` (GeoNames,
CC BY 4.0).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import pandas as pd

from sahelsat import inputs
from sahelsat.places.outlines import country_code, data_path

SETTLEMENT_COLUMNS = [
    "name", "lat", "lon", "country", "region", "place_type", "population",
    "population_known", "source",
]  # fmt: skip
#: Place types, largest first (OpenStreetMap ``place`` values).
PLACE_TYPES = ("city", "town", "village", "hamlet", "isolated_dwelling")


@cache
def _towns() -> pd.DataFrame:
    with data_path("places", "towns.csv").open() as f:
        table = pd.read_csv(f, dtype={"admin1": str})
    table["name"] = inputs.unique_names(table["name"], table["country"], table["admin1"])
    return table


def towns(countries: Iterable[str] | None = None, min_population: int = 0) -> pd.DataFrame:
    """Towns of the region (GeoNames places of 500 people or more).

    Columns: ``name`` (unique: a name two towns share is qualified by country, then
    region code, e.g. ``Gao (MLI)``, so the table serves as sites), ``country`` (ISO3),
    ``admin1`` (GeoNames code), ``latitude_deg, longitude_deg, population`` (0 where
    GeoNames does not know it), ``geonameid``; sorted by country then falling population.
    For people counts use
    :func:`settlements` (the population base), not these towns.
    """
    t = _towns()
    if countries is not None:
        codes = [country_code(c) for c in countries]
        t = t[t["country"].isin(codes)]
    if min_population > 0:
        t = t[t["population"] >= min_population]
    return t.reset_index(drop=True).copy()


@cache
def raw_settlements() -> pd.DataFrame:
    """The shipped settlement table before any population is allocated: ``osm_id,
    geonameid, name, latitude_deg, longitude_deg, country, place_type, population_osm,
    population_geonames, region_code, province_code``."""
    with data_path("places", "settlements.csv").open(encoding="utf-8") as f:
        t = pd.read_csv(
            f,
            dtype={"name": str, "province_code": str},
            keep_default_na=False,
            na_values={
                c: [""] for c in ("osm_id", "geonameid", "population_osm", "population_geonames")
            },  # fmt: skip
        )
    for c in ("osm_id", "geonameid", "population_osm", "population_geonames"):
        t[c] = t[c].astype("Int64")
    return t


def settlements(countries: Iterable[str] | None = None) -> pd.DataFrame:
    """Every settlement of the three countries with its share of the official population.

    Columns: ``name`` (may be empty: many OpenStreetMap hamlets carry none), ``lat, lon``
    (degrees), ``country`` (ISO3), ``region`` (first-level region name), ``place_type``
    (:data:`PLACE_TYPES`), ``population`` (people, integers summing exactly to the
    official figure of each allocation unit), ``population_known`` (the settlement's
    weight is a population figure from GeoNames or OpenStreetMap rather than its place
    type's calibrated weight), ``source`` ("openstreetmap" or "geonames"), then ``code``
    (region code), ``province`` (Burkina Faso), ``weight``, ``osm_id``, ``geonameid``.
    Method and limits: :mod:`sahelsat.places.population` and :func:`population_note`.
    """
    from sahelsat.places.population import allocated

    t = allocated()
    if countries is not None:
        t = t[t["country"].isin([country_code(c) for c in countries])]
    return t.reset_index(drop=True).copy()
