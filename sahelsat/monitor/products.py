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
    return path


def mask_polygons(mask: np.ndarray, transform, crs, tolerance_px: float = 1.0) -> dict:
    """GeoJSON FeatureCollection (lon/lat) of the value-1 regions of ``mask``.

    Polygons are simplified by ``tolerance_px`` pixels (topology preserved) before being
    transformed to WGS-84; each feature carries its area in km2 (in the mask's CRS units
    for projected grids, geodesic for geographic ones).
    """
    import shapely
    from pyproj import CRS, Geod, Transformer
    from rasterio.features import shapes
    from shapely.geometry import mapping, shape

    pixel = abs(transform.a)
    to_ll = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform
    geod = Geod(ellps="WGS84")
    feats = []
    water = (np.asarray(mask) == 1).astype(np.uint8)
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
            {"type": "Feature", "properties": {"area_km2": round(area, 4)}, "geometry": mapping(ll)}
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
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch
    from pyproj import Transformer

    step = max(1, int(np.ceil(max(mask.shape) / 2000)))
    m = np.asarray(mask)[::step, ::step]
    show = np.where(m == NODATA, 2, m)
    left, bottom, right, top = like.rio.bounds()
    colours = ["#e8dcb5", "#1f5fbf", "#9a9a9a"]
    fig, ax = plt.subplots(figsize=(8, 8 * m.shape[0] / max(m.shape[1], 1) + 0.8))
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
    plt.close(fig)
    return path


def write_table(stem: str | Path, table: pd.DataFrame) -> tuple[Path, Path]:
    """Write an impact table as ``stem.csv`` and ``stem.json`` (records)."""
    stem = Path(stem)
    csv, js = stem.with_suffix(".csv"), stem.with_suffix(".json")
    table.to_csv(csv, index=False)
    js.write_text(table.to_json(orient="records", indent=1))
    return csv, js
