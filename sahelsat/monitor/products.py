"""Disaster-map products: COG masks, simplified GeoJSON polygons, PNG quick-looks, tables.

Masks use the package convention: uint8, 1 = water/flood, 0 = dry, 255 = nodata.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import rasterio
import xarray as xr

NODATA = 255


def write_mask(path: str | Path, mask, like: xr.DataArray | xr.Dataset) -> Path:
    """Write a uint8 mask on the grid of ``like`` as a Cloud-Optimised GeoTIFF.

    mask: (y, x) uint8 numpy array, or a Dask-backed DataArray (then written block by
    block as a tiled, deflate-compressed GeoTIFF so memory stays bounded).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(mask, xr.DataArray) and mask.chunks is not None:
        da = mask.astype(np.uint8).rio.write_crs(like.rio.crs)
        da = da.rio.write_transform(like.rio.transform()).rio.write_nodata(NODATA)
        da.rio.to_raster(
            path, tiled=True, compress="deflate", lock=True, windowed=True, recalc_transform=False
        )
        return path
    arr = np.asarray(mask, dtype=np.uint8)
    profile = dict(
        driver="COG",
        height=arr.shape[0],
        width=arr.shape[1],
        count=1,
        dtype="uint8",
        crs=like.rio.crs,
        transform=like.rio.transform(),
        nodata=NODATA,
        compress="deflate",
    )
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(arr, 1)
        _describe(dst, path.name)
    return path


def _describe(dst, name: str) -> None:
    """Tag a written raster with what it holds (``PRODUCT_TEXT``), English and French."""
    if name in PRODUCT_TEXT:
        en, fr = PRODUCT_TEXT[name]
        dst.update_tags(product=Path(name).stem, description_en=en, description_fr=fr)
        dst.set_band_description(1, Path(name).stem)


def mask_polygons(
    mask: np.ndarray, transform, crs, tolerance_px: float = 1.0, value: int = 1
) -> dict:
    """GeoJSON FeatureCollection (lon/lat) of the regions of ``mask`` equal to ``value``.

    Polygons are simplified by ``tolerance_px`` pixels (topology preserved) before being
    transformed to WGS-84; each feature carries its geodesic area in km2 and ``value``.
    """
    import shapely
    from pyproj import CRS, Geod, Transformer
    from rasterio.features import shapes
    from shapely.geometry import mapping, shape

    pixel = abs(transform.a)
    to_ll = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform
    geod = Geod(ellps="WGS84")
    feats = []
    water = (np.asarray(mask) == value).astype(np.uint8)
    for geom, _ in shapes(water, mask=water.astype(bool), transform=transform, connectivity=8):
        poly = shape(geom).simplify(tolerance_px * pixel, preserve_topology=True)
        if poly.is_empty:
            continue
        if CRS.from_user_input(crs).is_geographic:
            ll = poly
        else:
            ll = shapely.transform(poly, lambda x, y: to_ll(x, y), interleaved=False)
        area = abs(geod.geometry_area_perimeter(ll)[0]) / 1e6
        feats.append(
            {
                "type": "Feature",
                "properties": {"area_km2": round(area, 4), "value": int(value)},
                "geometry": mapping(ll),
            }
        )
    return {"type": "FeatureCollection", "features": feats}


def write_geojson(path: str | Path, collection: dict) -> Path:
    """Write a GeoJSON dict to ``path``."""
    path = Path(path)
    path.write_text(json.dumps(collection))
    return path


def quicklook(
    path: str | Path,
    mask: np.ndarray,
    like,
    title: str,
    labels=("dry", "water"),
    outlines: dict | None = None,
) -> Path:
    """PNG quick-look of a 0/1/255 mask with a legend and optional lon/lat ``outlines``.

    Large masks are decimated to about 2,000 pixels a side for display.
    """
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch
    from pyproj import Transformer

    from sahelsat.figures import new_figure

    step = max(1, int(np.ceil(max(mask.shape) / 2000)))
    m = np.asarray(mask)[::step, ::step]
    show = np.where(m == NODATA, 2, m)
    left, bottom, right, top = like.rio.bounds()
    colours = ["#e8dcb5", "#1f5fbf", "#9a9a9a"]
    fig, ax = new_figure((8, 8 * m.shape[0] / max(m.shape[1], 1) + 0.8))
    ax.imshow(show, cmap=ListedColormap(colours), vmin=0, vmax=2, extent=(left, right, bottom, top))
    if outlines:
        to_img = Transformer.from_crs("EPSG:4326", like.rio.crs, always_xy=True).transform
        for geom in outlines.values():
            for poly in getattr(geom, "geoms", [geom]):
                x, y = to_img(*poly.exterior.xy)
                ax.plot(x, y, color="black", lw=0.8)
        ax.set_xlim(left, right)
        ax.set_ylim(bottom, top)
    handles = [Patch(color=c, label=t) for c, t in zip(colours, (*labels, "no data"), strict=True)]
    ax.legend(handles=handles, loc="lower right", framealpha=0.9)
    ax.set_title(title)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=100)
    return path


def write_table(stem: str | Path, table: pd.DataFrame) -> tuple[Path, Path]:
    """Write an impact table as ``stem.csv`` and ``stem.json`` (records)."""
    stem = Path(stem)
    csv, js = stem.with_suffix(".csv"), stem.with_suffix(".json")
    table.to_csv(csv, index=False)
    js.write_text(table.to_json(orient="records", indent=1))
    return csv, js


#: What each product file holds, in English and French (written to ``products.json``).
PRODUCT_TEXT = {
    "water.tif": (
        "Water now: open water seen in the image (uint8: 1 water, 0 dry, 255 no data or excluded)",
        "Eau actuelle : eau libre vue sur l'image (uint8 : 1 eau, 0 sec, 255 sans donnée ou exclu)",
    ),
    "flood.tif": (
        "New water (flood): water now that is not normal water in the baseline (1 flood, "
        "0 not flood, 255 no data)",
        "Eau nouvelle (inondation) : eau actuelle absente de la référence (1 inondé, "
        "0 non inondé, 255 sans donnée)",
    ),
    "permanent_water.tif": (
        "Normal (permanent or seasonal) water of the baseline (1 normal water, 0 not)",
        "Eau normale (permanente ou saisonnière) de la référence (1 eau normale, 0 non)",
    ),
    "water_likelihood.tif": (
        "Likelihood that a pixel is open water from its backscatter (percent, 0-100; 255 no data)",
        "Vraisemblance qu'un pixel soit de l'eau libre d'après sa rétrodiffusion "
        "(pourcent, 0-100 ; 255 sans donnée)",
    ),
    "exclusion.tif": (
        "Where the map cannot tell water: 0 seen, 1 no data, 2 radar shadow or steep "
        "slope, 3 bright urban or layover, 4 dark in the dry-season baseline (sand, "
        "smooth soil)",
        "Où la carte ne peut pas voir l'eau : 0 vu, 1 sans donnée, 2 ombre radar ou "
        "pente forte, 3 zone urbaine brillante ou repliement, 4 sombre dans la référence "
        "de saison sèche (sable, sol lisse)",
    ),
    "water.geojson": ("Water now, as polygons", "Eau actuelle, en polygones"),
    "flood.geojson": (
        "The flood extent mapped (new water with a baseline, water now without), as polygons",
        "L'étendue inondée cartographiée (eau nouvelle avec une référence, eau actuelle "
        "sans), en polygones",
    ),
    "exclusion.geojson": (
        "Where the map cannot tell water, as polygons (code as in exclusion.tif)",
        "Où la carte ne peut pas voir l'eau, en polygones (codes d'exclusion.tif)",
    ),
    "zone.geojson": (
        "The flood extent given (observed by others or an exercise extent, not mapped by sahelsat)",
        "L'étendue inondée fournie (observée par d'autres ou d'exercice, non "
        "cartographiée par sahelsat)",
    ),
    "impact_regions.csv": (
        "People affected per first-level region: settlements reached, people living in "
        "flooded parts, flooded area, alert level",
        "Personnes touchées par région : localités atteintes, personnes vivant dans les "
        "parties inondées, surface inondée, niveau d'alerte",
    ),
    "impact_regions.json": (
        "The same table as impact_regions.csv, as JSON records",
        "Le même tableau qu'impact_regions.csv, en enregistrements JSON",
    ),
    "impact.json": (
        "The same table as impact.csv, as JSON records",
        "Le même tableau qu'impact.csv, en enregistrements JSON",
    ),
    "impact_settlements.csv": (
        "Each settlement the flood reaches: region, population, flooded fraction of its "
        "footprint, people affected",
        "Chaque localité atteinte : région, population, part inondée de son emprise, "
        "personnes touchées",
    ),
    "impact_settlements.geojson": (
        "The settlements reached, as points",
        "Les localités atteintes, en points",
    ),
    "impact_map.png": (
        "Map: flood extent, regions, settlements reached (sized by people affected)",
        "Carte : étendue inondée, régions, localités atteintes (taille selon les "
        "personnes touchées)",
    ),
    "quicklook.png": ("Quick-look of the mapped extent", "Aperçu de l'étendue cartographiée"),
    "impact.csv": (
        "Impact per country (and per --area): observed and flooded area, settlements, "
        "population of the settlements reached, people affected, alert",
        "Impact par pays (et par --area) : surfaces observée et inondée, localités, "
        "population des localités atteintes, personnes touchées, alerte",
    ),
    "settlements.csv": (
        "The settlements reached (former name of impact_settlements.csv, with the "
        "country or area holding each)",
        "Les localités atteintes (ancien nom d'impact_settlements.csv, avec le pays ou "
        "la zone de chacune)",
    ),
}


def write_impact(out: str | Path, regions: pd.DataFrame, settlements: pd.DataFrame) -> dict:
    """Write ``impact_regions.csv`` (+ ``.json``), ``impact_settlements.csv`` and
    ``impact_settlements.geojson`` into ``out``; returns the paths by name."""
    out = Path(out)
    csv, js = write_table(out / "impact_regions", regions)
    s_csv = out / "impact_settlements.csv"
    settlements.to_csv(s_csv, index=False)
    feats = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(r["lon"]), float(r["lat"])]},
            "properties": {
                k: (None if pd.isna(v) else v.item() if hasattr(v, "item") else v)
                for k, v in r.items()
                if k not in ("lat", "lon")
            },
        }
        for r in settlements.to_dict("records")
    ]
    s_js = write_geojson(
        out / "impact_settlements.geojson", {"type": "FeatureCollection", "features": feats}
    )
    return {
        "impact_regions": csv,
        "impact_regions_json": js,
        "impact_settlements": s_csv,
        "impact_settlements_geojson": s_js,
    }


def impact_map(
    path: str | Path,
    regions: pd.DataFrame,
    settlements: pd.DataFrame,
    extent: dict,
    title: str,
) -> Path:
    """PNG map: the flood ``extent`` (a lon/lat GeoJSON FeatureCollection), the regions
    touched (outlined and named), the country outlines and the settlements reached
    (circles sized by people affected). Drawn with matplotlib's object API."""
    import shapely
    from shapely.geometry import shape

    from sahelsat import places
    from sahelsat.figures import new_figure

    geoms = [shape(f["geometry"]) for f in extent.get("features", [])]
    every = places.regions(1).set_index("code")
    touched = every.loc[[c for c in regions.get("code", []) if c in every.index]]
    parts = geoms or list(touched["geometry"]) or list(places.country_outlines().values())
    if len(settlements):
        parts = [*parts, shapely.MultiPoint(settlements[["lon", "lat"]].to_numpy())]
    x0, y0, x1, y1 = shapely.union_all(parts).bounds
    pad = 0.15 * max(x1 - x0, y1 - y0, 0.02)
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    fig, ax = new_figure((8, 7))
    for r in every.itertuples():
        for poly in getattr(r.geometry, "geoms", [r.geometry]):
            ax.plot(*poly.exterior.xy, color="0.6", lw=0.5)
    for r in touched.itertuples():
        for poly in getattr(r.geometry, "geoms", [r.geometry]):
            ax.plot(*poly.exterior.xy, color="black", lw=1.0)
        c = r.geometry.intersection(shapely.box(x0, y0, x1, y1)).representative_point()
        ax.annotate(r.region, (c.x, c.y), fontsize=8, ha="center", color="0.25")
    for g in geoms:
        for poly in getattr(g, "geoms", [g]):
            if poly.geom_type == "Polygon":
                ax.fill(*poly.exterior.xy, color="#1f5fbf", alpha=0.6, lw=0)
    if len(settlements):
        size = 10 + 200 * np.sqrt(settlements["people"] / max(settlements["people"].max(), 1))
        ax.scatter(settlements["lon"], settlements["lat"], s=size, facecolors="none",
                   edgecolors="#c0392b", linewidths=1.0)  # fmt: skip
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1 / np.cos(np.radians((y0 + y1) / 2)))
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.set_title(title, fontsize=10)
    fig.text(0.01, 0.005, "© OpenStreetMap contributors (ODbL); regions OCHA, geoBoundaries",
             fontsize=6, color="0.4")  # fmt: skip
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=100)
    return path


def write_manifest(out: str | Path, written: dict, facts: dict | None = None) -> Path:
    """``products.json``: every written file with what it holds (English and French),
    the note of the population base and ``facts`` (e.g. the method used)."""
    from sahelsat import places

    out = Path(out)
    files = []
    for path in written.values():
        name = Path(path).name
        en, fr = PRODUCT_TEXT.get(name, ("", ""))
        files.append({"file": name, "en": en, "fr": fr})
    doc = {
        "files": files,
        "people": {"en": places.population_note("en"), "fr": places.population_note("fr")},
        **(facts or {}),
    }
    path = out / "products.json"
    path.write_text(json.dumps(doc, indent=1, ensure_ascii=False))
    return path
