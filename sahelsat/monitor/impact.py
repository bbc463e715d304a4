"""Impact of a flood: flooded area and people per region, settlements reached, alert levels.

Masks are uint8 (rows, cols) with 1 flood, 0 dry, 255 nodata, on the grid of ``like``
(an xarray object with a rioxarray CRS and transform); a flood can also be given as a
lon/lat polygon (:func:`zone_impact`). People come from the population base of
:mod:`sahelsat.places` (official figures spread over settlements): a settlement's
people live on a disc around it, and those in its flooded part are affected.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sahelsat.places.population import FOOTPRINT_MIN_RADIUS_M

#: Alert levels, lowest first: a region reaches a level when its flooded area (km2) or
#: the people living in flooded parts of settlements reach the level's value. The defaults
#: follow the orders of magnitude civil-protection bulletins use (local, district,
#: national); pass your own to ``alert_level``.
DEFAULT_ALERTS = (
    ("watch", {"flooded_km2": 1.0, "population": 1_000}),
    ("warning", {"flooded_km2": 10.0, "population": 10_000}),
    ("emergency", {"flooded_km2": 100.0, "population": 100_000}),
)
#: Smallest footprint radius (m) of a settlement: flood water within it reaches the
#: settlement (the population base's own value, with its reasons).
DEFAULT_BUFFER_M = FOOTPRINT_MIN_RADIUS_M


def pixel_area_km2(like) -> np.ndarray:
    """Area of each pixel row in km2, shape (rows, 1): geodesic for lon/lat grids."""
    from pyproj import Geod

    t = like.rio.transform()
    rows = like.rio.shape[0]
    if like.rio.crs.is_geographic:
        top = t.f + t.e * np.arange(rows)
        bottom = top + t.e
        lon0, lon1 = t.c, t.c + t.a
        geod = Geod(ellps="WGS84")
        areas = np.array(
            [
                abs(geod.polygon_area_perimeter([lon0, lon1, lon1, lon0], [b, b, a, a])[0])
                for a, b in zip(top, bottom, strict=True)
            ]
        )
        return (areas / 1e6)[:, None]
    return np.full((rows, 1), abs(t.a * t.e) / 1e6)


def pixel_size_m(like) -> tuple[float, float]:
    """(dy, dx) of a pixel in metres (at the grid's centre latitude for lon/lat grids)."""
    t = like.rio.transform()
    if like.rio.crs.is_geographic:
        lat = np.radians(t.f + t.e * like.rio.shape[0] / 2)
        m_per_deg = 111_320.0
        return abs(t.e) * m_per_deg, abs(t.a) * m_per_deg * np.cos(lat)
    return abs(t.e), abs(t.a)


def region_masks(like, regions: dict) -> dict[str, np.ndarray]:
    """Bool (rows, cols) mask of each lon/lat region on the grid of ``like``."""
    import shapely
    from pyproj import Transformer
    from rasterio.features import geometry_mask

    to_img = Transformer.from_crs("EPSG:4326", like.rio.crs, always_xy=True).transform
    out = {}
    for name, geom in regions.items():
        g = shapely.transform(geom, lambda x, y: to_img(x, y), interleaved=False)
        out[name] = ~geometry_mask([g], out_shape=like.rio.shape, transform=like.rio.transform())
    return out


def _settlement_table(settlements) -> pd.DataFrame:
    """Settlements as a table with ``lat, lon, population`` (the population base by default;
    ``latitude_deg, longitude_deg`` are accepted as well)."""
    from sahelsat import places

    t = places.settlements() if settlements is None else settlements
    t = t.rename(columns={"latitude_deg": "lat", "longitude_deg": "lon"})
    missing = [c for c in ("lat", "lon", "population") if c not in t.columns]
    if missing:
        raise ValueError(f"settlements: table lacks column(s) {missing}")
    pop = pd.to_numeric(t["population"], errors="coerce").fillna(0).clip(lower=0)
    return t.assign(population=pop)


def _metres_per_unit(crs) -> float:
    from pyproj import CRS

    axis = CRS.from_user_input(crs).axis_info
    return float(axis[0].unit_conversion_factor) if axis else 1.0


def mask_exposure(
    mask: np.ndarray, like, settlements=None, min_radius_m: float | None = None
) -> pd.DataFrame:
    """Settlements whose footprint holds flood pixels of ``mask`` (1 flood, 0 dry, 255
    nodata) on the grid of ``like``.

    A settlement's people live on a disc of :func:`sahelsat.places.footprint_m` around it
    (at least ``min_radius_m``, default :data:`DEFAULT_BUFFER_M`). Adds ``radius_m``,
    ``flooded_fraction`` (flooded area / disc area: parts the image does not see count as
    not flooded), ``observed_fraction`` (the share of the disc the image sees),
    ``distance_m`` (from the settlement's point to the nearest flood pixel of its disc)
    and ``people`` (population x flooded_fraction). ``settlements``: a table with ``lat,
    lon, population`` (default: :func:`sahelsat.places.settlements`). Rows with no flood
    in their disc are left out; falling people first.
    """
    from pyproj import Transformer

    from sahelsat import places

    t = _settlement_table(settlements)
    m = np.asarray(mask)
    min_r = DEFAULT_BUFFER_M if min_radius_m is None else float(min_radius_m)
    radius = places.footprint_m(t["population"].to_numpy(float), min_r)
    tr = like.rio.transform()
    rows, cols = like.rio.shape
    geographic = like.rio.crs.is_geographic
    if geographic:
        x = t["lon"].to_numpy(float)
        y = t["lat"].to_numpy(float)
    else:
        to_img = Transformer.from_crs("EPSG:4326", like.rio.crs, always_xy=True)
        x, y = (np.asarray(a) for a in to_img.transform(t["lon"].to_numpy(), t["lat"].to_numpy()))
    unit_m = 1.0 if geographic else _metres_per_unit(like.rio.crs)
    inv = ~tr
    col_f = inv.a * x + inv.b * y + inv.c
    row_f = inv.d * x + inv.e * y + inv.f
    # Pixel size in metres at each settlement (along rows, along columns).
    if geographic:
        py = abs(tr.e) * 110_574.0 * np.ones_like(y)
        px = abs(tr.a) * 111_320.0 * np.cos(np.radians(y))
    else:
        py = np.full_like(y, abs(tr.e) * unit_m)
        px = np.full_like(x, abs(tr.a) * unit_m)
    reach_r, reach_c = radius / py, radius / px
    near = (
        (row_f + reach_r >= 0) & (row_f - reach_r <= rows)
        & (col_f + reach_c >= 0) & (col_f - reach_c <= cols)
    )  # fmt: skip
    area = pixel_area_km2(like)[:, 0] * 1e6  # m2 of a pixel of each row
    flood, valid = m == 1, m != 255
    out = []
    for i in np.flatnonzero(near):
        r0 = max(int(np.floor(row_f[i] - reach_r[i])), 0)
        r1 = min(int(np.ceil(row_f[i] + reach_r[i])) + 1, rows)
        c0 = max(int(np.floor(col_f[i] - reach_c[i])), 0)
        c1 = min(int(np.ceil(col_f[i] + reach_c[i])) + 1, cols)
        if r0 >= r1 or c0 >= c1:
            continue
        dy = (np.arange(r0, r1) + 0.5 - row_f[i])[:, None] * py[i]
        dx = (np.arange(c0, c1) + 0.5 - col_f[i])[None, :] * px[i]
        dist = np.hypot(dy, dx)
        inside = dist <= radius[i]
        wet = inside & flood[r0:r1, c0:c1]
        if not wet.any():
            continue
        a = area[r0:r1, None]
        disc = np.pi * radius[i] ** 2
        seen = inside & valid[r0:r1, c0:c1]
        out.append(
            (i, float((a * wet).sum()) / disc, min(float((a * seen).sum()) / disc, 1.0),
             float(dist[wet].min()))
        )  # fmt: skip
    if not out:
        return t.iloc[:0].assign(
            radius_m=[], flooded_fraction=[], observed_fraction=[], distance_m=[], people=[]
        )
    idx, frac, seen, dist = (np.array(v) for v in zip(*out, strict=True))
    frac = np.minimum(frac, 1.0)
    res = t.iloc[idx].assign(
        radius_m=radius[idx].round(0),
        flooded_fraction=frac.round(4),
        observed_fraction=seen.round(4),
        distance_m=dist.round(1),
        people=t["population"].to_numpy(float)[idx] * frac,
    )
    return res.sort_values("people", ascending=False, kind="stable").reset_index(drop=True)


def load_alert_levels(path) -> tuple:
    """Alert levels from a JSON file: a list, lowest level first, of
    ``{"name": "watch", "flooded_km2": 1, "population": 1000}`` (either limit optional).
    Raises ValueError naming the file, entry and field that is wrong.
    """
    import json
    from pathlib import Path

    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(f"{path}: not a readable JSON file of alert levels: {err}") from err
    if not isinstance(data, list) or not data:
        raise ValueError(f"{path}: expected a non-empty list of alert levels")
    levels = []
    for i, entry in enumerate(data):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ValueError(f"{path}: entry {i}: needs a 'name' string")
        limits = {}
        for field in ("flooded_km2", "population"):
            if field in entry:
                value = entry[field]
                if not isinstance(value, int | float) or value < 0:
                    raise ValueError(f"{path}: entry {i} ({entry['name']}): {field} must be >= 0")
                limits[field] = float(value)
        if not limits:
            raise ValueError(f"{path}: entry {i} ({entry['name']}): give flooded_km2 or population")
        levels.append((entry["name"], limits))
    return tuple(levels)


def alert_level(flooded_km2: float, population: float, levels=DEFAULT_ALERTS) -> str:
    """Highest level whose flooded area or population threshold is reached ("none" if none)."""
    found = "none"
    for name, limits in levels:
        if flooded_km2 >= limits.get("flooded_km2", np.inf) or population >= limits.get(
            "population", np.inf
        ):
            found = name
    return found


def _with_alerts(table: pd.DataFrame, levels) -> pd.DataFrame:
    table["alert"] = [
        alert_level(f, p, levels)
        for f, p in zip(table["flooded_km2"], table["people"], strict=True)
    ]
    return table


REGION_COLUMNS = ["country", "region", "settlements", "people"]
SETTLEMENT_COLUMNS = [
    "name", "country", "region", "code", "lat", "lon", "place_type", "population",
    "population_known", "source", "radius_m", "flooded_fraction", "people",
]  # fmt: skip


def _settlement_rows(exposed: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in SETTLEMENT_COLUMNS if c in exposed.columns]
    extra = [c for c in ("observed_fraction", "distance_m", "osm_id") if c in exposed.columns]
    out = exposed[cols + extra].copy()
    out["people"] = out["people"].round(1)
    return out


def region_impact(
    mask: np.ndarray,
    like,
    levels=DEFAULT_ALERTS,
    min_radius_m: float | None = None,
    exposed: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Impact of a flood mask per first-level region, on the population base.

    Returns (regions, settlements). ``regions``: one row per region the flood touches
    (flood pixels in it, or a reached settlement), columns ``country, region,
    settlements, people`` then ``code, settlement_population, flooded_km2, observed_km2,
    alert``; ``settlements``: the reached settlements (:func:`mask_exposure`, which
    ``exposed`` may give already computed).
    """
    from sahelsat import places

    m = np.asarray(mask)
    if exposed is None:
        exposed = mask_exposure(m, like, None, min_radius_m)
    table = places.regions(1)
    x0, y0, x1, y1 = _bounds_lonlat(like)
    cand = table[shapely_intersects_box(table["geometry"], x0, y0, x1, y1)]
    area = pixel_area_km2(like)
    masks = region_masks(like, dict(zip(cand["code"], cand["geometry"], strict=True)))
    flooded = {c: float((area * (k & (m == 1))).sum()) for c, k in masks.items()}
    observed = {c: float((area * (k & (m != 255))).sum()) for c, k in masks.items()}
    touched = [c for c, v in flooded.items() if v > 0]
    out = places.people_by_region(exposed, touched)
    out["flooded_km2"] = out["code"].map(flooded).fillna(0.0).round(4)
    out["observed_km2"] = out["code"].map(observed).fillna(0.0).round(4)
    return _with_alerts(out.reset_index(drop=True), levels), _settlement_rows(exposed)


def zone_impact(
    zone, levels=DEFAULT_ALERTS, min_radius_m: float | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Impact of a flood extent given as a lon/lat polygon (an observed or exercise
    extent, no image): the same tables as :func:`region_impact`, ``flooded_km2`` being
    the zone's geodesic area in each region."""
    from pyproj import Geod

    from sahelsat import places

    min_r = DEFAULT_BUFFER_M if min_radius_m is None else float(min_radius_m)
    exposed = places.zone_exposure(zone, min_r).rename(columns={"fraction": "flooded_fraction"})
    exposed["flooded_fraction"] = exposed["flooded_fraction"].round(4)
    touched = places.regions_touched(zone)
    out = places.people_by_region(exposed, touched)
    geom = places.population._zone_geometry(zone)
    regions = places.regions(1).set_index("code")["geometry"]
    geod = Geod(ellps="WGS84")
    out["flooded_km2"] = [
        round(abs(geod.geometry_area_perimeter(geom.intersection(regions[c]))[0]) / 1e6, 4)
        for c in out["code"]
    ]
    return _with_alerts(out.reset_index(drop=True), levels), _settlement_rows(exposed)


def _bounds_lonlat(like) -> tuple[float, float, float, float]:
    from pyproj import Transformer

    left, bottom, right, top = like.rio.bounds()
    if like.rio.crs.is_geographic:
        return left, bottom, right, top
    to_ll = Transformer.from_crs(like.rio.crs, "EPSG:4326", always_xy=True)
    return to_ll.transform_bounds(left, bottom, right, top, densify_pts=21)


def shapely_intersects_box(geoms, x0, y0, x1, y1) -> np.ndarray:
    """Bool (n,) whether each lon/lat geometry meets the box."""
    import shapely

    return shapely.intersects(np.asarray(geoms), shapely.box(x0, y0, x1, y1))


def impact_table(
    mask: np.ndarray,
    like,
    regions: dict,
    settlements: pd.DataFrame | None = None,
    buffer_m: float = DEFAULT_BUFFER_M,
    levels=DEFAULT_ALERTS,
    exposed: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Impact per named area (e.g. the countries, or a user's area) and the reached settlements.

    ``regions``: name -> lon/lat geometry; ``settlements``: a table with ``lat, lon``
    (or ``latitude_deg, longitude_deg``) and ``population`` (default: the population
    base). Returns (table, affected): table has ``region, observed_km2, flooded_km2,
    flooded_pct, settlements, population`` (all the people of the reached settlements),
    ``people`` (those living in flooded parts of their footprints) and ``alert``;
    affected is :func:`mask_exposure` (or ``exposed``) with each settlement's ``region``
    (the first named area holding it, "" if none). Areas that miss the grid get zeros.
    """
    import shapely

    m = np.asarray(mask)
    area = pixel_area_km2(like)
    masks = region_masks(like, regions)
    near = mask_exposure(m, like, settlements, buffer_m) if exposed is None else exposed
    pts = shapely.points(near["lon"].to_numpy(float), near["lat"].to_numpy(float))
    where = np.array([""] * len(near), dtype=object)
    rows = []
    for name, inside in masks.items():
        observed = float((area * (inside & (m != 255))).sum())
        flooded = float((area * (inside & (m == 1))).sum())
        hit = shapely.covers(regions[name], pts)
        where[hit & (where == "")] = name
        sel = near[hit]
        people = float(sel["people"].sum())
        rows.append(
            {
                "region": name,
                "observed_km2": round(observed, 3),
                "flooded_km2": round(flooded, 3),
                "flooded_pct": round(100 * flooded / observed, 3) if observed else 0.0,
                "settlements": len(sel),
                "population": int(sel["population"].sum()),
                "people": int(round(people)),
                "alert": alert_level(flooded, people, levels),
            }
        )
    return pd.DataFrame(rows), near.assign(region=where).reset_index(drop=True)
