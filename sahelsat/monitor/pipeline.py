"""End-to-end flood and vegetation jobs: files in, products in a folder out.

Used by the ``sahelsat flood`` and ``sahelsat vegetation`` commands; each step is a
function of :mod:`sahelsat.monitor` and reports through the optional ``progress``
callback (a step name).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import xarray as xr
from rasterio.enums import Resampling

from sahelsat.monitor import flood as fl
from sahelsat.monitor import impact, io, optical, products, sar, terrain, vegetation
from sahelsat.monitor.sar import NODATA

#: Above this many pixels a scene is read lazily and processed block by block.
LAZY_PIXELS = 64_000_000
BLOCK = 2048


def area_from_argument(area: str):
    """A lon/lat geometry from ``AES``, an ISO3 code / country name, or a GeoJSON file."""
    from shapely.geometry import shape
    from shapely.ops import unary_union

    from sahelsat import places

    path = Path(area)
    if path.suffix.lower() in (".geojson", ".json"):
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as err:
            raise io.ImageError(f"{path}: not a readable GeoJSON area: {err}") from err
        feats = data.get("features", [data]) if isinstance(data, dict) else []
        geoms = []
        for i, f in enumerate(feats if isinstance(feats, list) else []):
            g = f.get("geometry", f) if isinstance(f, dict) else None
            try:
                geoms.append(shape(g))
            except (AttributeError, KeyError, TypeError, ValueError) as err:
                msg = f"{path}: feature {i}: not a GeoJSON geometry ({err})"
                raise io.ImageError(msg) from None
        if not geoms:
            raise io.ImageError(f"{path}: the GeoJSON holds no geometry")
        return unary_union(geoms)
    try:
        return places.area_geometry(area)
    except (KeyError, ValueError) as err:
        raise io.ImageError(f"--area {area!r}: unknown area ({err})") from err


def run_flood(
    image: Path | list[Path],
    out: Path,
    optical_path: Path | None = None,
    baseline: Path | list[Path] | None = None,
    area: str | None = None,
    dem: Path | None = None,
    method: str = "multiscale",
    buffer_m: float = impact.DEFAULT_BUFFER_M,
    alerts: Path | None = None,
    chunks: int | None = None,
    progress: Callable[[str], None] = lambda step: None,
) -> dict[str, Path]:
    """Map water (and flood against ``baseline``) from a SAR image; write the products.

    ``image`` is one GeoTIFF, or several, mosaicked (:func:`io.mosaic`).
    With ``dem`` (a GeoTIFF of heights in metres), water on slopes steeper than
    :data:`terrain.MAX_WATER_SLOPE_DEG` is removed (radar shadow).
    ``baseline`` is one raster (a uint8 water mask, a 0-1 water frequency, or a
    dry-season Sentinel-1 scene with VV/VH bands: then new water must also be a drop of
    :data:`sar.CHANGE_DB` against it, and what was already dark there is normal water)
    or several uint8 masks, whose water frequency then decides normal water.
    Writes ``out/water.tif`` on the image grid (uint8: 1 water, 0 dry, 255 nodata) and,
    for scenes that fit in memory, ``water_likelihood.tif``, ``exclusion.tif`` (and
    their polygons), ``flood.tif`` and ``permanent_water.tif`` (when a baseline is
    given), ``water.geojson``, ``flood.geojson``, ``quicklook.png``, the people affected
    per region (``impact_regions.csv``, ``impact_settlements.csv``, ``impact_map.png``;
    ``impact.csv`` / ``impact.json`` / ``settlements.csv`` per country) and
    ``products.json`` (what each file holds); ``alerts`` is a JSON file of alert levels
    (:func:`impact.load_alert_levels`). Returns the written paths by name.
    """
    levels = impact.load_alert_levels(alerts) if alerts else impact.DEFAULT_ALERTS
    if isinstance(baseline, str | Path):
        baseline = [baseline]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    images = [Path(image)] if isinstance(image, str | Path) else [Path(p) for p in image]
    image = images[0]
    progress("reading the SAR image")
    size = sum(io.open_raster(p).sizes["x"] * io.open_raster(p).sizes["y"] for p in images)
    if chunks is None and size > LAZY_PIXELS:
        chunks = BLOCK
    sar_ds = io.read_sar(images, chunks={"x": chunks, "y": chunks} if chunks else None)
    ref = sar_ds[next(iter(sar_ds.data_vars))]
    progress("detecting water (SAR)")
    water = fl.sar_water(sar_ds, method=method)
    written = {}
    if water.chunks is not None:
        if optical_path or baseline or area or dem:
            raise io.ImageError(
                f"{image}: --optical, --baseline, --area and --dem work on scenes that fit in "
                "memory; this one is processed in blocks: run them on a clipped image"
            )
        progress("writing water.tif block by block")
        written["water"] = products.write_mask(out / "water.tif", water, ref)
        return written
    mask = water.values
    vv = sar_ds["vv"].values if "vv" in sar_ds else None
    vh = sar_ds["vh"].values if "vh" in sar_ds else None
    valid = np.isfinite(vv if vh is None else vh) & (True if vv is None else np.isfinite(vv))
    progress("water likelihood and where SAR cannot see water")
    likelihood = sar.water_likelihood(vv, vh)
    percent = np.where(valid, np.round(100 * np.nan_to_num(likelihood)), NODATA)
    written["likelihood"] = products.write_mask(
        out / "water_likelihood.tif", percent.astype(np.uint8), ref
    )
    bright = sar.bright_surfaces(vv) if vv is not None else None
    steep = dark_before = None
    if optical_path is not None:
        progress("detecting water (optical) and fusing")
        opt_ds = io.read_optical(optical_path, needed=("green",))
        if "swir1" not in opt_ds and "nir" not in opt_ds:
            raise io.ImageError(f"{optical_path}: needs a SWIR1 (MNDWI) or NIR (NDWI) band")
        scl = opt_ds["scl"] if "scl" in opt_ds else None  # classes: nearest, not bilinear
        opt_ds = io.match_grid(
            opt_ds.drop_vars("scl", errors="ignore"), ref, str(optical_path), Resampling.bilinear
        )
        if scl is not None:
            opt_ds["scl"] = io.match_grid(scl, ref, str(optical_path))
        mask = optical.fuse(mask, fl.optical_water(opt_ds))
    if dem is not None:
        progress("masking steep terrain (DEM)")
        height = io.match_grid(io.open_raster(dem).isel(band=0), ref, str(dem), Resampling.bilinear)
        z = height.values.astype(np.float64)
        if height.rio.nodata is not None:
            z[z == height.rio.nodata] = np.nan
        steep = terrain.too_steep(terrain.slope_degrees(z, *impact.pixel_size_m(ref)))
        mask = np.where(steep & (mask == 1), 0, mask).astype(np.uint8)
    region = None
    if area is not None:
        region = area_from_argument(area)
        inside = io.area_mask(ref, region, str(image))
        mask = np.where(inside, mask, NODATA).astype(np.uint8)
    written["water"] = products.write_mask(out / "water.tif", mask, ref)
    water_polys = products.mask_polygons(mask, ref.rio.transform(), ref.rio.crs)
    written["water_geojson"] = products.write_geojson(out / "water.geojson", water_polys)
    flood_mask = mask
    if baseline:
        progress("removing normal water (baseline)")
        normal, changed, dark_before = _normal_water(baseline, ref, method, vv, vh)
        flood_mask = fl.flood_extent(mask, normal)
        if changed is not None:  # a dry-season SAR scene: new water must also be a drop
            flood_mask = np.where((flood_mask == 1) & ~changed, 0, flood_mask).astype(np.uint8)
        written["flood"] = products.write_mask(out / "flood.tif", flood_mask, ref)
        permanent = np.where(mask == NODATA, NODATA, normal).astype(np.uint8)
        written["permanent"] = products.write_mask(out / "permanent_water.tif", permanent, ref)
    codes = sar.exclusion(mask != NODATA, steep, bright, dark_before)
    written["exclusion"] = products.write_mask(out / "exclusion.tif", codes, ref)
    feats = []
    for code in np.unique(codes[codes > 0]):
        got = products.mask_polygons(codes, ref.rio.transform(), ref.rio.crs, value=int(code))
        feats += got["features"]
    written["exclusion_geojson"] = products.write_geojson(
        out / "exclusion.geojson", {"type": "FeatureCollection", "features": feats}
    )
    progress("vectorising and drawing")
    polys = products.mask_polygons(flood_mask, ref.rio.transform(), ref.rio.crs)
    written["geojson"] = products.write_geojson(out / "flood.geojson", polys)
    from sahelsat import places

    outlines = places.country_outlines()
    written["png"] = products.quicklook(
        out / "quicklook.png",
        flood_mask,
        ref,
        f"{'Flood' if baseline else 'Water'}: {Path(image).name}",
        labels=("dry", "flood" if baseline else "water"),
        outlines=outlines,
    )
    progress("people affected per region (population base)")
    exposed = impact.mask_exposure(flood_mask, ref, None, buffer_m)
    by_region, affected = impact.region_impact(flood_mask, ref, levels, buffer_m, exposed)
    written.update(products.write_impact(out, by_region, affected))
    written["impact_map"] = products.impact_map(
        out / "impact_map.png",
        by_region,
        affected,
        polys,
        f"{'Flood' if baseline else 'Water'}: {Path(image).name}",
    )
    regions = dict(outlines)
    if region is not None and area not in regions:
        regions = {str(area): region, **regions}
    table, near = impact.impact_table(
        flood_mask, ref, regions, None, buffer_m=buffer_m, levels=levels, exposed=exposed
    )
    written["impact_csv"], written["impact_json"] = products.write_table(out / "impact", table)
    near.to_csv(out / "settlements.csv", index=False)
    written["settlements"] = out / "settlements.csv"
    written["manifest"] = products.write_manifest(out, written, {"method": method})
    return written


def run_zone(
    zone: str | Path,
    out: Path,
    buffer_m: float = impact.DEFAULT_BUFFER_M,
    alerts: Path | None = None,
    progress: Callable[[str], None] = lambda step: None,
) -> dict[str, Path]:
    """People affected by a flood extent given as a GeoJSON polygon (observed by others,
    or an exercise extent): no image needed.

    Writes ``zone.geojson`` (the extent as read), ``impact_regions.csv``/``.json`` (one
    row per first-level region the extent touches: ``country, region, settlements,
    people`` then region code, settlements' population, flooded km2, alert),
    ``impact_settlements.csv``/``.geojson``, ``impact_map.png`` and ``products.json``.
    Returns the written paths by name.
    """
    from shapely.geometry import mapping

    levels = impact.load_alert_levels(alerts) if alerts else impact.DEFAULT_ALERTS
    out = Path(out)
    progress("reading the flood extent")
    geom = area_from_argument(str(zone))
    out.mkdir(parents=True, exist_ok=True)
    progress("people affected per region (population base)")
    try:
        by_region, affected = impact.zone_impact(geom, levels, buffer_m)
    except ValueError as err:
        raise io.ImageError(f"{zone}: {err}") from err
    extent = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"source": str(zone)},
                      "geometry": mapping(geom)}],
    }  # fmt: skip
    written = {"zone": products.write_geojson(out / "zone.geojson", extent)}
    written.update(products.write_impact(out, by_region, affected))
    title = f"Flood extent given: {Path(zone).name}"
    written["impact_map"] = products.impact_map(
        out / "impact_map.png", by_region, affected, extent, title
    )
    written["manifest"] = products.write_manifest(
        out, written, {"extent": "given (not mapped by sahelsat)", "source": str(zone)}
    )
    return written


def _normal_water(baseline: list, ref, method: str, vv, vh):
    """Normal water from the baseline(s), and, for a dry-season SAR scene, where the
    backscatter dropped since (new water must) and where it was already as dark as water.

    Returns (normal bool, changed bool or None, dark_before bool or None), on ``ref``'s grid.
    """
    sar_paths = [p for p in baseline if io.open_raster(p).sizes["band"] >= 2]
    if sar_paths:
        if len(baseline) != 1:
            raise io.ImageError(
                f"{sar_paths[0]}: a dry-season SAR scene is the only baseline it can be given "
                "with (not with water masks)"
            )
        before = io.match_grid(io.read_sar(sar_paths[0]), ref, str(sar_paths[0]))
        b_vv = before["vv"].values if "vv" in before and vv is not None else None
        b_vh = before["vh"].values if "vh" in before and vh is not None else None
        if b_vv is None and b_vh is None:
            raise io.ImageError(f"{sar_paths[0]}: no band in common with the image (VV, VH)")
        dark = sar.detect_water(b_vv, b_vh, method=method) == 1
        now, then = (vh, b_vh) if b_vh is not None else (vv, b_vv)
        return dark, sar.changed_to_water(now, then), dark
    layers = [_baseline_layer(p, ref) for p in baseline]
    if len(layers) == 1:
        return fl.normal_water(layers[0]), None, None
    stack = np.stack([np.asarray(v, np.uint8) for v in layers])  # frequency, as WOfS
    return fl.normal_water(fl.water_frequency(stack)), None, None


def _baseline_layer(path: Path, ref) -> np.ndarray:
    """One baseline raster (water mask or frequency) on the grid of ``ref``."""
    base = io.open_raster(path)
    if base.sizes["band"] != 1:
        raise io.ImageError(f"{path}: expected one band (a water mask or frequency)")
    base = io.match_grid(base.isel(band=0), ref, str(path))
    values = base.values
    if base.rio.nodata is not None and values.dtype.kind == "f":
        values = np.where(values == base.rio.nodata, np.nan, values)
    return values


def run_vegetation(
    current: Path,
    baselines: list[Path],
    out: Path,
    index: str = "ndvi",
    area: str | None = None,
    progress: Callable[[str], None] = lambda step: None,
) -> dict[str, Path]:
    """NDVI/EVI of ``current`` and its anomaly against the images in ``baselines``.

    Writes ``index.tif`` (float32), ``zscore.tif``, ``percent_of_normal.tif`` and
    ``vegetation.csv`` (mean anomaly per country, or per ``area``).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    need = ("red", "nir") if index == "ndvi" else ("blue", "red", "nir")

    def idx(path, like=None):
        ds = io.read_optical(path, needed=need)
        if like is not None:
            ds = io.match_grid(ds, like, str(path), Resampling.bilinear)
        if index == "ndvi":
            v = vegetation.ndvi(ds.red.values, ds.nir.values)
        else:
            v = vegetation.evi(ds.blue.values, ds.red.values, ds.nir.values)
        return v, ds

    progress(f"computing {index.upper()}")
    now, ref = idx(current)
    like = ref[need[0]]
    stack = np.stack([idx(p, like)[0] for p in baselines]) if baselines else None
    written = {}

    def save(name, arr):
        da = xr.DataArray(arr.astype(np.float32), coords=like.coords, dims=like.dims)
        da = da.rio.write_crs(like.rio.crs).rio.write_nodata(np.nan)
        path = out / f"{name}.tif"
        da.rio.to_raster(path, driver="COG", recalc_transform=False)
        written[name] = path

    save(index, now)
    if stack is None or len(stack) < 3:
        raise io.ImageError(f"{current}: an anomaly needs at least 3 baseline images")
    progress("anomalies")
    z = vegetation.zscore_anomaly(now, stack)
    pct = vegetation.percent_of_normal(now, stack)
    save("zscore", z)
    save("percent_of_normal", pct)
    from sahelsat import places

    regions = {area: area_from_argument(area)} if area else places.country_outlines()
    masks = impact.region_masks(like, regions)
    zs, ps = vegetation.region_mean(z, masks), vegetation.region_mean(pct, masks)
    import pandas as pd

    table = pd.DataFrame({"region": list(regions), "zscore": [zs[r] for r in regions]}).assign(
        percent_of_normal=[ps[r] for r in regions]
    )
    table.to_csv(out / "vegetation.csv", index=False)
    written["table"] = out / "vegetation.csv"
    return written
