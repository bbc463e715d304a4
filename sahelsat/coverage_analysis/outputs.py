"""Coverage products: NetCDF, GeoTIFF and GeoJSON of the cell values, CSV of the
aggregates, PNG maps with the country outlines, and a short text summary."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from sahelsat import places
from sahelsat.coverage_analysis.engine import weighted_mean
from sahelsat.coverage_analysis.figures import FIGURES

UNITS = {
    "percent_covered": "%", "n_visible_mean": "satellites", "n_visible_min": "satellites",
    "n_visible_max": "satellites", "mean_gap_s": "s", "max_gap_s": "s", "n_gaps": "",
    "time_to_first_coverage_s": "s", "time_after_last_coverage_s": "s",
    "mean_response_time_s": "s", "total_access_s": "s", "n_accesses": "",
}  # fmt: skip


def _figure_names(ds: xr.Dataset, metrics=None) -> list[str]:
    dims = ds["cell_area_km2"].dims if "cell_area_km2" in ds else ("point",)
    names = [n for n in ds.data_vars if ds[n].dims == dims and n not in ("cell_area_km2", "weight")]
    if metrics:
        unknown = [m for m in metrics if m not in names]
        if unknown:
            raise ValueError(f"metrics: unknown {unknown}; available: {names}")
        names = list(metrics)
    return names


def aggregates(ds: xr.Dataset, metrics=None) -> pd.DataFrame:
    """Per figure: weighted mean (cell area, or population for points), min, median and
    max over the area's cells; and the fraction of the area never covered."""
    weight = ds["cell_area_km2"] if "cell_area_km2" in ds else ds["weight"]
    w = np.asarray(weight.values, float)
    inside = np.isfinite(w)
    rows = []
    for name in _figure_names(ds, metrics):
        v = np.asarray(ds[name].values, float)[inside]
        rows.append(
            {
                "figure": name,
                "units": UNITS.get(name, "s" if name.endswith("_s") else ""),
                "weighted_mean": weighted_mean(v, w[inside]),
                "min": float(np.min(v)) if v.size else np.nan,
                "median": float(np.median(v)) if v.size else np.nan,
                "max": float(np.max(v)) if v.size else np.nan,
            }
        )
    if "percent_covered" in ds:
        pc = np.asarray(ds["percent_covered"].values, float)[inside]
        never = float(np.sum(w[inside][pc == 0]) / max(np.sum(w[inside]), 1e-300) * 100.0)
        nan = np.nan
        rows.append({"figure": "percent_of_area_never_covered", "units": "%",
                     "weighted_mean": never, "min": nan, "median": nan, "max": nan})  # fmt: skip
    return pd.DataFrame(rows)


def write_netcdf(ds: xr.Dataset, path) -> Path:
    path = Path(path)
    ds.to_netcdf(path)
    return path


def write_geotiff(ds: xr.Dataset, path, metrics=None) -> Path:
    """A north-up float64 GeoTIFF (EPSG:4326), one band per figure (named); NaN outside."""
    import rasterio
    from affine import Affine

    if "lat" not in ds.dims:
        raise ValueError("GeoTIFF needs a grid (lat, lon), not a point set")
    names = _figure_names(ds, metrics)
    res = float(ds.attrs.get("resolution_deg", abs(float(ds.lat[1] - ds.lat[0]))))
    lat, lon = ds["lat"].values, ds["lon"].values
    transform = Affine(res, 0.0, lon[0] - res / 2, 0.0, -res, lat[-1] + res / 2)
    path = Path(path)
    with rasterio.open(path, "w", driver="GTiff", height=len(lat), width=len(lon),
                       count=len(names), dtype="float64", crs="EPSG:4326",
                       transform=transform, nodata=np.nan) as dst:  # fmt: skip
        for b, name in enumerate(names, start=1):
            dst.write(np.asarray(ds[name].values, float)[::-1], b)
            dst.set_band_description(b, name)
    return path


def _json_number(x: float):
    return None if np.isnan(x) else ("inf" if np.isinf(x) else float(x))


def write_geojson(ds: xr.Dataset, path, metrics=None) -> Path:
    """One feature per cell inside the area (its square) or per point, with the figures
    as properties (infinite values as the string "inf")."""
    names = _figure_names(ds, metrics)
    feats = []
    if "lat" in ds.dims:
        res = float(ds.attrs.get("resolution_deg"))
        h = res / 2
        inside = np.isfinite(ds["cell_area_km2"].values)
        vals = {n: ds[n].values for n in names}
        for i, j in zip(*np.nonzero(inside), strict=True):
            la, lo = float(ds.lat[i]), float(ds.lon[j])
            ring = [[lo - h, la - h], [lo + h, la - h], [lo + h, la + h], [lo - h, la + h],
                    [lo - h, la - h]]  # fmt: skip
            props = {n: _json_number(vals[n][i, j]) for n in names}
            feats.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
                          "properties": {"lat": la, "lon": lo, **props}})  # fmt: skip
    else:
        for k in range(ds.sizes["point"]):
            props = {n: _json_number(ds[n].values[k]) for n in names}
            geom = {"type": "Point", "coordinates": [float(ds.lon[k]), float(ds.lat[k])]}
            feats.append({"type": "Feature", "geometry": geom,
                          "properties": {"name": str(ds["name"].values[k]), **props}})  # fmt: skip
    path = Path(path)
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    return path


def write_png(ds: xr.Dataset, path, metric: str = "percent_covered") -> Path:
    """A map of one figure with the country outlines and a colour bar (Agg backend)."""
    import matplotlib

    from sahelsat.figures import new_figure

    values = np.asarray(ds[metric].values, float)
    fig, ax = new_figure((9, 6), dpi=110)
    finite = values[np.isfinite(values)]
    cmap = matplotlib.colormaps["viridis"].with_extremes(over="#d62728")  # inf: never covered
    if "lat" in ds.dims:
        res = float(ds.attrs.get("resolution_deg"))
        lat, lon = ds["lat"].values, ds["lon"].values
        lat_e = np.append(lat - res / 2, lat[-1] + res / 2)
        lon_e = np.append(lon - res / 2, lon[-1] + res / 2)
        vmax = float(finite.max()) if finite.size else 1.0
        shown = np.where(np.isposinf(values), vmax * 2 + 1, values)
        vmin = float(finite.min()) if finite.size else 0.0
        mesh = ax.pcolormesh(lon_e, lat_e, np.ma.masked_invalid(shown), cmap=cmap, vmin=vmin,
                             vmax=vmax)  # fmt: skip
    else:
        vmax = float(finite.max()) if finite.size else 1.0
        shown = np.where(np.isposinf(values), vmax * 2 + 1, values)
        mesh = ax.scatter(ds["lon"].values, ds["lat"].values, c=shown, s=12, cmap=cmap,
                          vmin=float(finite.min()) if finite.size else 0.0, vmax=vmax)  # fmt: skip
    places.draw_outlines(ax)
    bar = fig.colorbar(mesh, ax=ax, extend="max" if np.isposinf(values).any() else "neither")
    bar.set_label(f"{metric} ({UNITS.get(metric, '')})  red: never covered")
    ax.set_title(
        f"{metric}: {ds.attrs.get('area', '')}, {ds.attrs.get('n_satellites', '?')} satellites, "
        f"{ds.attrs.get('start', '')[:16]} +{ds.attrs.get('n_steps', 0)} x "
        f"{ds.attrs.get('step_s', 0):g} s",
        fontsize=9,
    )
    path = Path(path)
    fig.savefig(path, bbox_inches="tight")
    return path


def summary(ds: xr.Dataset) -> str:
    """A short text summary: the case and the weighted aggregates of the main figures."""
    a = ds.attrs
    lines = [
        f"Coverage of {a.get('area')} ({a.get('n_cells')} cells"
        + (f" at {a['resolution_deg']:g} deg" if "resolution_deg" in a else "")
        + f") by {a.get('n_satellites')} satellites",
        f"{a.get('start')} to {a.get('stop')}, {a.get('n_steps')} steps of {a.get('step_s'):g} s, "
        f"min elevation {a.get('min_elevation_deg'):g} deg, sensor: {a.get('sensor')}",
        f"weighting: {a.get('weighting')}",
    ]
    agg = aggregates(ds)
    for row in agg.itertuples():
        if row.figure in FIGURES + ("percent_of_area_never_covered",) or row.figure.startswith(
            "gap_p"
        ):
            lines.append(f"  {row.figure:30s} {row.weighted_mean:12.3f} {row.units}")
    return "\n".join(lines) + "\n"


def write_products(ds: xr.Dataset, out_dir, metrics=None, stem: str = "coverage") -> list[Path]:
    """All products into ``out_dir``: .nc, .tif (grids), .geojson, _aggregates.csv,
    one .png per metric (default: percent_covered and max_gap_s), _summary.txt."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = [write_netcdf(ds, out / f"{stem}.nc")]
    if "lat" in ds.dims:
        written.append(write_geotiff(ds, out / f"{stem}.tif", metrics))
    written.append(write_geojson(ds, out / f"{stem}.geojson", metrics))
    csv = out / f"{stem}_aggregates.csv"
    aggregates(ds, metrics).to_csv(csv, index=False)
    written.append(csv)
    for m in metrics or ("percent_covered", "max_gap_s"):
        written.append(write_png(ds, out / f"{stem}_{m}.png", m))
    text = out / f"{stem}_summary.txt"
    text.write_text(summary(ds))
    written.append(text)
    return written
