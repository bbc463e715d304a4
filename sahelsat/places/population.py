"""The population base: official figures spread over settlements, then over a grid.

Method (every "people" figure of sahelsat rests on it):

1. Official figures per allocation unit (:func:`sahelsat.places.admin.allocation_units`:
   Burkina Faso's 45 provinces, Mali's 10 and Niger's 8 régions), from each national
   statistics office's latest census or projection.
2. Each settlement gets a weight: its population figure where GeoNames (preferred: more
   recent) or OpenStreetMap has one; otherwise the median of the known figures of its
   place type in its country (the three countries' median where the country has fewer
   than :data:`MIN_KNOWN` figures of that type); an isolated dwelling weighs one
   household (:data:`HOUSEHOLD_SIZE`).
3. Within each unit, settlements with a known figure keep it, and the rest of the
   unit's official figure goes to the others in proportion to their weights, rounded to
   whole people by largest remainders, so every unit sums exactly to its figure. (Where
   the known figures exceed the unit's figure, or every settlement of the unit has one,
   all weights are scaled to the figure instead.) The people of a unit who live away
   from any mapped settlement, and the growth of known places since their figure, are
   thereby given to the settlements without a figure, mostly villages and hamlets.
4. :func:`population_grid` adds each settlement's people to the grid cell holding it.

Limits: OpenStreetMap lists villages unevenly (some areas are mapped hamlet by hamlet,
others not at all), so people who live away from a mapped settlement are given to the
mapped ones of their unit; known figures date from 2006-2022 and are used only as
relative weights; a settlement is a point, its people a disc around it (:func:`footprint_m`);
Niger's départements and Mali's régions of 2023 have no outline here, so their figures
only enter the totals. The result is right in total per unit, approximate in place.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pandas as pd
import shapely

from sahelsat.places import gazetteer
from sahelsat.places.admin import POPULATION_SOURCES, allocation_units, regions

#: Fewest known figures of a place type in a country for its own median to be used.
MIN_KNOWN = 30
#: People per household in Burkina Faso at the 2019 census (INSD, 5e RGPH: 20,505,155
#: residents in 3,908,847 households): the weight of an isolated dwelling.
HOUSEHOLD_SIZE = 20_505_155 / 3_908_847
#: Density (people/km2) used to turn a settlement's people into the disc they live on:
#: 1,500 per km2, the density of an "urban centre" cell in the Degree of Urbanisation
#: (European Commission / UN Statistical Commission, 2020), so a disc is at least as
#: large as the built-up area of a town of that size.
FOOTPRINT_DENSITY_PER_KM2 = 1500.0
#: Smallest footprint radius (m): a settlement's point is one spot of a village whose
#: compounds and fields spread around it, and OpenStreetMap points are placed by hand.
FOOTPRINT_MIN_RADIUS_M = 1000.0

POPULATION_NOTE = {
    "en": (
        "People: sahelsat population base. Official figures (Mali: INSTAT RGPH5 2022; "
        "Burkina Faso: INSD RGPH 2019; Niger: INS projection 2026 as in OCHA HNRP 2026) "
        "spread over OpenStreetMap settlements (© OpenStreetMap contributors, ODbL) and "
        "GeoNames towns by their known population or a weight per place type; a "
        "settlement's people live on a disc around it. Right in total per region, "
        "approximate in place."
    ),
    "fr": (
        "Personnes : base de population de sahelsat. Chiffres officiels (Mali : INSTAT "
        "RGPH5 2022 ; Burkina Faso : INSD RGPH 2019 ; Niger : projection INS 2026 reprise "
        "par le HNRP 2026 d'OCHA) répartis sur les localités d'OpenStreetMap "
        "(© contributeurs d'OpenStreetMap, ODbL) et les villes de GeoNames selon leur "
        "population connue ou un poids par type de lieu ; les habitants d'une localité "
        "vivent sur un disque autour d'elle. Juste au total par région, approché en détail."
    ),
}


def population_note(lang: str = "en") -> str:
    """What a people figure rests on, in English (``en``) or French (``fr``)."""
    if lang not in POPULATION_NOTE:
        raise ValueError(f"lang={lang!r}: one of {sorted(POPULATION_NOTE)}")
    return POPULATION_NOTE[lang]


def type_weights(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The weight of a settlement without a known figure, per country and place type.

    Columns ``country, place_type, weight, known, basis``: ``known`` is the number of
    figures of that type in that country; ``basis`` says which median (or the household
    size) gave the weight.
    """
    t = gazetteer.raw_settlements() if table is None else table
    known = t["population_geonames"].fillna(t["population_osm"]).astype(float)
    rows = []
    for ptype in gazetteer.PLACE_TYPES:
        of_type = known[(t["place_type"] == ptype).to_numpy()].dropna()
        for country in sorted(t["country"].unique()):
            mine = known[((t["place_type"] == ptype) & (t["country"] == country)).to_numpy()]
            mine = mine.dropna()
            if len(mine) >= MIN_KNOWN:
                weight, basis = float(mine.median()), f"median of {len(mine)} in {country}"
            elif len(of_type) >= MIN_KNOWN:
                weight, basis = float(of_type.median()), f"median of {len(of_type)}, 3 countries"
            else:
                weight, basis = HOUSEHOLD_SIZE, "one household (INSD RGPH 2019)"
            rows.append((country, ptype, weight, len(mine), basis))
    return pd.DataFrame(rows, columns=["country", "place_type", "weight", "known", "basis"])


def largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Integers proportional to ``weights`` (>= 0, not all 0) that sum exactly to ``total``."""
    w = np.asarray(weights, dtype=float)
    share = w * (total / w.sum())
    out = np.floor(share).astype(np.int64)
    short = int(total - out.sum())
    if short:
        out[np.argsort(-(share - out), kind="stable")[:short]] += 1
    return out


def _share(weights: np.ndarray, known: np.ndarray, total: int) -> np.ndarray:
    """People of one unit: known figures kept, the rest spread by weight (step 3)."""
    rest = total - weights[known].sum()
    if rest < 0 or known.all():
        return largest_remainder(weights, total)
    out = np.empty(len(weights), np.int64)
    out[known] = np.round(weights[known]).astype(np.int64)
    out[~known] = largest_remainder(weights[~known], total - int(out[known].sum()))
    return out


@cache
def allocated() -> pd.DataFrame:
    """The settlement table with its people (see :func:`sahelsat.places.settlements`)."""
    raw = gazetteer.raw_settlements()
    weights = type_weights(raw)
    by_type = raw[["country", "place_type"]].merge(weights, how="left")["weight"].to_numpy()
    known = raw["population_geonames"].fillna(raw["population_osm"]).astype(float)
    w = np.where(known.notna(), known.to_numpy(), by_type)
    units = allocation_units()
    unit = np.where(raw["country"] == "BFA", raw["province_code"], raw["region_code"])
    people = np.zeros(len(raw), dtype=np.int64)
    for u in units.itertuples():
        sel = unit == u.unit_code
        if not sel.any():  # a shipped-data inconsistency, not a user error
            raise RuntimeError(f"no settlement in {u.unit} ({u.unit_code}) to hold its people")
        people[sel] = _share(w[sel], known.notna().to_numpy()[sel], u.population)
    names = regions(1).set_index("code")["region"]
    provinces = units.set_index("unit_code")["unit"]
    out = pd.DataFrame(
        {
            "name": raw["name"],
            "lat": raw["latitude_deg"],
            "lon": raw["longitude_deg"],
            "country": raw["country"],
            "region": raw["region_code"].map(names),
            "place_type": raw["place_type"],
            "population": people,
            "population_known": known.notna().to_numpy(),
            "source": np.where(raw["osm_id"].isna(), "geonames", "openstreetmap"),
            "code": raw["region_code"],
            "province": raw["province_code"].map(provinces).fillna(""),
            "weight": w,
            "osm_id": raw["osm_id"],
            "geonameid": raw["geonameid"],
        }
    )
    return out


def population_grid(resolution_deg: float = 0.01, area=None):
    """People per cell of a regular lat/lon grid (cells aligned on multiples of the
    resolution), from the settlements: each settlement's people in the cell holding it.

    ``area``: None (the three countries), a name (``AES``, ``MLI``, ``Niger``...) or a
    lon/lat shapely geometry; only settlements inside it count and the grid spans its
    bounds. Returns an ``xarray.DataArray`` named ``population`` (lat, lon), cell
    centres ascending, float64 people; ``attrs`` carry the resolution, the total and
    the note of :func:`population_note`. The grid sums exactly to its settlements.
    """
    import xarray as xr

    from sahelsat.places.outlines import area_geometry

    res = float(resolution_deg)
    if not (math.isfinite(res) and 0.0 < res <= 10.0):
        raise ValueError(f"resolution_deg={resolution_deg!r}: expected (0, 10] degrees")
    geom = area_geometry("AES") if area is None else area
    if isinstance(geom, str):
        geom = area_geometry(geom)
    if not isinstance(geom, shapely.Geometry) or geom.is_empty:
        raise ValueError("area: expected None, an area name or a non-empty shapely geometry")
    t = allocated()
    lon, lat = t["lon"].to_numpy(), t["lat"].to_numpy()
    x0, y0, x1, y1 = geom.bounds
    i0, i1 = math.floor(y0 / res + 1e-9), math.ceil(y1 / res - 1e-9)
    j0, j1 = math.floor(x0 / res + 1e-9), math.ceil(x1 / res - 1e-9)
    n_lat, n_lon = max(i1 - i0, 1), max(j1 - j0, 1)
    if n_lat * n_lon > 50_000_000:
        raise ValueError(
            f"resolution_deg={res:g}: {n_lat} x {n_lon} cells over the area; use a coarser grid"
        )
    if area is None:
        inside = np.ones(len(t), bool)
    else:
        inside = shapely.covers(geom, shapely.points(lon, lat))
    rows = np.floor(lat / res + 1e-9).astype(np.int64) - i0
    cols = np.floor(lon / res + 1e-9).astype(np.int64) - j0
    ok = inside & (rows >= 0) & (rows < n_lat) & (cols >= 0) & (cols < n_lon)
    flat = np.bincount(
        rows[ok] * n_lon + cols[ok],
        weights=t["population"].to_numpy(float)[ok],
        minlength=n_lat * n_lon,
    )
    grid = xr.DataArray(
        flat.reshape(n_lat, n_lon),
        dims=("lat", "lon"),
        coords={
            "lat": (np.arange(i0, i0 + n_lat) + 0.5) * res,
            "lon": (np.arange(j0, j0 + n_lon) + 0.5) * res,
        },  # fmt: skip
        name="population",
        attrs={
            "units": "people",
            "resolution_deg": res,
            "settlements": int(ok.sum()),
            "total": float(flat.sum()),
            "note": population_note("en"),
        },
    )
    return grid


def footprint_m(population, min_radius_m: float = FOOTPRINT_MIN_RADIUS_M) -> np.ndarray:
    """Radius (m) of the disc a settlement's people live on: the disc holding them at
    :data:`FOOTPRINT_DENSITY_PER_KM2`, at least ``min_radius_m``. Shape of ``population``."""
    p = np.asarray(population, dtype=float)
    r = np.sqrt(np.maximum(p, 0.0) / (math.pi * FOOTPRINT_DENSITY_PER_KM2)) * 1000.0
    return np.maximum(r, float(min_radius_m))


def _zone_geometry(zone) -> shapely.Geometry:
    from shapely.geometry import shape

    geom = shape(zone.get("geometry", zone)) if isinstance(zone, dict) else zone
    if not isinstance(geom, shapely.Geometry):
        raise ValueError(f"zone: expected a shapely geometry or GeoJSON dict, not {type(zone)}")
    if geom.geom_type not in ("Polygon", "MultiPolygon", "GeometryCollection"):
        raise ValueError(f"zone: expected a (multi)polygon, got a {geom.geom_type}")
    if geom.is_empty:
        raise ValueError("zone: the polygon is empty")
    x0, y0, x1, y1 = geom.bounds
    if y0 < -90 or y1 > 90 or x0 < -540 or x1 > 540:
        raise ValueError(f"zone: bounds {geom.bounds} are not longitude/latitude degrees")
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    polys = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type.endswith("Polygon")]
    geom = shapely.union_all(polys)
    if geom.is_empty or geom.area == 0:
        raise ValueError("zone: the polygon encloses no area")
    return geom


def footprint_discs(lon, lat, radius_m, vertices: int = 64) -> np.ndarray:
    """Footprint discs as lon/lat shapely polygons (geodesic circles of ``radius_m``
    around each point, ``vertices`` points each). Inputs (settlement,), output (settlement,)."""
    from pyproj import Geod

    lon, lat, r = (np.asarray(a, dtype=float) for a in np.broadcast_arrays(lon, lat, radius_m))
    az = np.linspace(0.0, 360.0, vertices, endpoint=False)
    n = lon.size
    x, y, _ = Geod(ellps="WGS84").fwd(
        np.repeat(lon, vertices), np.repeat(lat, vertices), np.tile(az, n), np.repeat(r, vertices)
    )
    ring = np.stack([np.reshape(x, (n, vertices)), np.reshape(y, (n, vertices))], axis=-1)
    return shapely.polygons(ring)


def _geodesic_area(geoms) -> np.ndarray:
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    return np.array([abs(geod.geometry_area_perimeter(g)[0]) for g in geoms])


def zone_exposure(zone, min_radius_m: float = FOOTPRINT_MIN_RADIUS_M) -> pd.DataFrame:
    """Settlements whose footprint (:func:`footprint_m`) the lon/lat polygon ``zone``
    reaches, with ``fraction`` (0-1, the share of the footprint's area inside the zone,
    geodesic areas) and ``people`` (population x fraction: the people living inside it).

    Returns the rows of :func:`sahelsat.places.settlements` plus ``radius_m, fraction,
    people``, falling people first; empty when no footprint is reached.
    """
    geom = _zone_geometry(zone)
    t = allocated()
    radius = footprint_m(t["population"].to_numpy(), min_radius_m)
    x0, y0, x1, y1 = geom.bounds
    coslat = max(math.cos(math.radians(min(max(abs(y0), abs(y1)) + 1.0, 89.0))), 0.01)
    pad = radius.max() / 110_000.0 / coslat
    lon, lat = t["lon"].to_numpy(), t["lat"].to_numpy()
    near = (lon >= x0 - pad) & (lon <= x1 + pad) & (lat >= y0 - pad) & (lat <= y1 + pad)
    idx = np.flatnonzero(near)
    discs = footprint_discs(lon[idx], lat[idx], radius[idx])
    shapely.prepare(geom)
    reach = shapely.intersects(geom, discs)
    idx, discs = idx[reach], discs[reach]
    frac = np.ones(len(idx))
    partial = ~shapely.contains_properly(geom, discs)
    if partial.any():
        cut = shapely.intersection(discs[partial], geom)
        frac[partial] = _geodesic_area(cut) / _geodesic_area(discs[partial])
    keep = frac > 0
    out = t.iloc[idx[keep]].assign(radius_m=radius[idx[keep]].round(0), fraction=frac[keep])
    out["people"] = out["population"] * out["fraction"]
    return out.sort_values("people", ascending=False, kind="stable").reset_index(drop=True)


def people_by_region(exposed: pd.DataFrame, touched=()) -> pd.DataFrame:
    """People per first-level region from exposed settlements (a table with ``code`` and
    ``people``, like :func:`zone_exposure` returns).

    One row per region in ``touched`` (region codes the hazard reaches) or holding an
    exposed settlement: ``country, region, code, settlements`` (count reached),
    ``people`` (whole people, rounded), ``settlement_population`` (all the people of the
    reached settlements), sorted by falling people.
    """
    table = regions(1)[["country", "region", "code"]]
    agg = exposed.groupby("code").agg(
        settlements=("people", "size"),
        people=("people", "sum"),
        settlement_population=("population", "sum"),
    )
    codes = set(touched) | set(agg.index)
    out = table[table["code"].isin(codes)].set_index("code")
    out = out.join(agg).fillna({"settlements": 0, "people": 0.0, "settlement_population": 0})
    out["people"] = out["people"].round().astype(np.int64)
    out["settlements"] = out["settlements"].astype(np.int64)
    out["settlement_population"] = out["settlement_population"].astype(np.int64)
    out = out.reset_index()[
        ["country", "region", "settlements", "people", "code", "settlement_population"]
    ]
    return out.sort_values(["people", "country", "region"], ascending=[False, True, True])


def regions_touched(zone) -> list[str]:
    """Codes of the first-level regions the lon/lat polygon ``zone`` overlaps."""
    geom = _zone_geometry(zone)
    table = regions(1)
    hit = shapely.intersects(geom, table["geometry"].to_numpy())
    area = shapely.area(shapely.intersection(geom, table["geometry"].to_numpy()[hit]))
    return list(table["code"].to_numpy()[hit][area > 0])


def people_in(zone, min_radius_m: float = FOOTPRINT_MIN_RADIUS_M) -> pd.DataFrame:
    """People living inside a lon/lat polygon, per first-level region.

    One row per region the polygon overlaps or whose settlements it reaches: ``country,
    region, settlements, people, code, settlement_population`` (see
    :func:`people_by_region`); no row when the polygon lies outside the three countries.
    """
    return people_by_region(zone_exposure(zone, min_radius_m), regions_touched(zone))


def totals() -> pd.DataFrame:
    """Per country: the official figure, its year and source, and the base's sum."""
    units = allocation_units()
    official = units.groupby("country")["population"].sum()
    base = allocated().groupby("country")["population"].sum()
    return pd.DataFrame(
        {
            "official": official,
            "base": base,
            "year": {c: POPULATION_SOURCES[c][0] for c in official.index},
            "source": {c: POPULATION_SOURCES[c][1] for c in official.index},
        }
    )
