"""Impact of a flood map: flooded area per region, settlements reached, alert levels.

Masks are uint8 (rows, cols) with 1 flood, 0 dry, 255 nodata, on the grid of ``like``
(an xarray object with a rioxarray CRS and transform). Regions are lon/lat shapely
geometries; settlements a DataFrame like :func:`sahelsat.places.towns`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import ndimage as ndi

#: Alert levels, lowest first: a region reaches a level when its flooded area (km2) or
#: the people in settlements near flood water reach the level's value. The defaults
#: follow the orders of magnitude civil-protection bulletins use (local, district,
#: national); pass your own to ``alert_level``.
DEFAULT_ALERTS = (
    ("watch", {"flooded_km2": 1.0, "population": 1_000}),
    ("warning", {"flooded_km2": 10.0, "population": 10_000}),
    ("emergency", {"flooded_km2": 100.0, "population": 100_000}),
)
#: Settlements within this distance (m) of flood water count as affected: GeoNames
#: points mark a town's centre, and Sahel towns spread 1-3 km around it.
DEFAULT_BUFFER_M = 2000.0


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


def settlements_near(
    mask: np.ndarray, like, settlements: pd.DataFrame, buffer_m: float = DEFAULT_BUFFER_M
) -> pd.DataFrame:
    """Settlements inside the grid within ``buffer_m`` of a flood pixel.

    Returns the matching rows of ``settlements`` with ``distance_m`` (0 inside water).
    """
    from pyproj import Transformer

    if settlements.empty:
        return settlements.assign(distance_m=[])
    to_img = Transformer.from_crs("EPSG:4326", like.rio.crs, always_xy=True)
    x, y = to_img.transform(settlements.longitude_deg.values, settlements.latitude_deg.values)
    inv = ~like.rio.transform()
    x, y = np.asarray(x), np.asarray(y)
    col, row = inv.a * x + inv.b * y + inv.c, inv.d * x + inv.e * y + inv.f
    row, col = np.floor(row).astype(int), np.floor(col).astype(int)
    rows, cols = like.rio.shape
    inside = (row >= 0) & (row < rows) & (col >= 0) & (col < cols)
    flood = np.asarray(mask) == 1
    if not inside.any() or not flood.any():
        return settlements.iloc[:0].assign(distance_m=[])
    dist = ndi.distance_transform_edt(~flood, sampling=pixel_size_m(like))
    d = np.full(len(settlements), np.inf)
    d[inside] = dist[row[inside], col[inside]]
    near = d <= buffer_m
    return settlements[near].assign(distance_m=d[near].round(1))


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


def impact_table(
    mask: np.ndarray,
    like,
    regions: dict,
    settlements: pd.DataFrame | None = None,
    buffer_m: float = DEFAULT_BUFFER_M,
    levels=DEFAULT_ALERTS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-region impact and the affected settlements.

    Returns (table, affected): table has ``region, observed_km2, flooded_km2,
    flooded_pct, settlements, population, alert``; affected lists the settlements near
    flood water with their region. Regions that miss the grid get zeros.
    """
    from shapely.geometry import Point

    m = np.asarray(mask)
    area = pixel_area_km2(like)
    masks = region_masks(like, regions)
    near = (
        settlements_near(m, like, settlements, buffer_m)
        if settlements is not None
        else pd.DataFrame(columns=["name", "population", "distance_m"])
    )
    near = near.assign(region="")
    rows = []
    for name, inside in masks.items():
        observed = float((area * (inside & (m != 255))).sum())
        flooded = float((area * (inside & (m == 1))).sum())
        if len(near):
            geom = regions[name]
            hit = [
                geom.covers(Point(lo, la))
                for lo, la in zip(near.longitude_deg, near.latitude_deg, strict=True)
            ]
            near.loc[np.asarray(hit, bool), "region"] = name
        sel = near[near.region == name]
        people = float(pd.to_numeric(sel.get("population"), errors="coerce").fillna(0).sum())
        rows.append(
            {
                "region": name,
                "observed_km2": round(observed, 3),
                "flooded_km2": round(flooded, 3),
                "flooded_pct": round(100 * flooded / observed, 3) if observed else 0.0,
                "settlements": len(sel),
                "population": int(people),
                "alert": alert_level(flooded, people, levels),
            }
        )
    return pd.DataFrame(rows), near.reset_index(drop=True)
