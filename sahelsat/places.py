"""Places on the ground: sites, the national ground stations, towns and country outlines.

Sites are tables with the columns ``name, latitude_deg, longitude_deg, altitude_m``
(geodetic, WGS-84). Everything here is validated at the edge: a bad site names its row
and field. Country outlines and towns ship in ``sahelsat/data`` (see its README).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape

from sahelsat import inputs
from sahelsat.inputs import InputError

SITE_COLUMNS = ["name", "latitude_deg", "longitude_deg", "altitude_m"]

#: Country codes (ISO 3166-1 alpha-3) of the Alliance of Sahel States, and their names.
COUNTRIES = {"MLI": "Mali", "NER": "Niger", "BFA": "Burkina Faso"}

#: The three national ground stations (capital cities; positions from GeoNames,
#: altitudes from the cities' airports' published elevations).
GROUND_STATIONS = pd.DataFrame(
    [
        ("Bamako", 12.60915, -7.97522, 381.0),
        ("Niamey", 13.51366, 2.10980, 223.0),
        ("Ouagadougou", 12.36566, -1.53388, 316.0),
    ],
    columns=SITE_COLUMNS,
)


class SiteError(InputError):
    """A site that cannot be used: names the row and the field."""


def _data_path(*parts: str):
    return resources.files("sahelsat").joinpath("data", *parts)


def ground_stations() -> pd.DataFrame:
    """The national ground stations (Bamako, Niamey, Ouagadougou) as a site table."""
    return GROUND_STATIONS.copy()


def sites_table(sites) -> pd.DataFrame:
    """Validate sites into a table with columns ``name, latitude_deg, longitude_deg, altitude_m``.

    ``sites``: a table with those columns (``altitude_m`` optional, default 0), or an
    iterable of ``(name, latitude_deg, longitude_deg[, altitude_m])`` tuples. Latitudes
    must lie in [-90, 90], longitudes in [-180, 360), altitudes in [-500, 9000] m, and
    names must be unique. Raises :class:`SiteError` naming the row and field otherwise.
    """
    if isinstance(sites, pd.DataFrame):
        missing = [c for c in SITE_COLUMNS[:3] if c not in sites.columns]
        if missing:
            raise SiteError(
                f"site table lacks column(s) {missing}; expected {SITE_COLUMNS}"
                " (altitude_m optional)"
            )
        rows = list(
            zip(
                sites["name"],
                sites["latitude_deg"],
                sites["longitude_deg"],
                sites["altitude_m"] if "altitude_m" in sites.columns else [0.0] * len(sites),
                strict=True,
            )
        )
    elif isinstance(sites, tuple) and len(sites) in (3, 4) and isinstance(sites[0], str):
        rows = [sites]
    elif isinstance(sites, Iterable) and not isinstance(sites, (str, bytes)):
        rows = list(sites)
    else:
        raise SiteError(
            "sites must be a table with columns name, latitude_deg, longitude_deg[, altitude_m]"
            f" or a list of (name, lat, lon[, alt_m]) tuples, not {type(sites).__name__}"
        )
    try:
        checked = inputs.sites(rows)
    except InputError as exc:
        raise SiteError(exc.problems, "sites") from None
    return pd.DataFrame([site.row() for site in checked], columns=SITE_COLUMNS)


def parse_site(text: str) -> tuple[str, float, float, float]:
    """Parse ``NAME=LAT,LON[,ALT_M]`` (degrees, metres), as the CLI takes it."""
    try:
        return inputs.Site.parse(text).row()
    except InputError as exc:
        raise SiteError(exc.problems, f"site {text!r}") from None


@cache
def _towns() -> pd.DataFrame:
    with _data_path("places", "towns.csv").open() as f:
        table = pd.read_csv(f, dtype={"admin1": str})
    table["name"] = inputs.unique_names(table["name"], table["country"], table["admin1"])
    return table


def towns(countries: Iterable[str] | None = None, min_population: int = 0) -> pd.DataFrame:
    """Towns of the region (GeoNames places of 500 people or more).

    Columns: ``name`` (unique: a name two towns share is qualified by country, then
    region code, e.g. ``Gao (MLI)``, so the table serves as sites), ``country`` (ISO3),
    ``admin1`` (GeoNames code), ``latitude_deg, longitude_deg, population`` (0 where
    GeoNames does not know it), ``geonameid``; sorted by country then falling population.
    """
    t = _towns()
    if countries is not None:
        codes = [_country_code(c) for c in countries]
        t = t[t["country"].isin(codes)]
    if min_population > 0:
        t = t[t["population"] >= min_population]
    return t.reset_index(drop=True).copy()


def _country_code(name: str) -> str:
    key = name.strip().upper()
    for code, full in COUNTRIES.items():
        if key in (code, full.upper()):
            return code
    raise ValueError(f"unknown country {name!r}; use one of {sorted(COUNTRIES)} or their names")


@cache
def _outline(code: str) -> shapely.Geometry:
    with _data_path("boundaries", f"{code.lower()}.geo.json").open() as f:
        features = json.load(f)["features"]
    return shapely.union_all([shape(feat["geometry"]) for feat in features])


def country_outlines() -> dict[str, shapely.Geometry]:
    """Outlines of Mali, Niger and Burkina Faso: ISO3 code -> shapely polygon (lon/lat)."""
    return {code: _outline(code) for code in COUNTRIES}


def draw_outlines(ax, color: str = "black") -> None:
    """Draw the three countries' outlines and codes on matplotlib axes in lon/lat degrees
    (equal aspect, axis labels)."""
    for code, geom in country_outlines().items():
        for poly in getattr(geom, "geoms", [geom]):
            x, y = poly.exterior.xy
            ax.plot(x, y, color=color, linewidth=0.8)
        c = geom.representative_point()
        ax.annotate(code, (c.x, c.y), fontsize=8, color="dimgray", ha="center")
    ax.set_xlabel("longitude (°E)")  # the same words in English and French
    ax.set_ylabel("latitude (°N)")
    ax.set_aspect("equal")


def area_geometry(area: str = "AES") -> shapely.Geometry:
    """A named area as one lon/lat geometry: ``AES`` (the three countries) or one ISO3/name."""
    if area.strip().upper() in ("AES", "SAHEL", "ALL"):
        return shapely.union_all(list(country_outlines().values()))
    return _outline(_country_code(area))


def site_arrays(sites) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Latitudes, longitudes (degrees) and altitudes (km), each (site,), of a site table."""
    t = sites_table(sites)
    return (
        t["latitude_deg"].to_numpy(float),
        t["longitude_deg"].to_numpy(float),
        t["altitude_m"].to_numpy(float) / 1000.0,
    )
