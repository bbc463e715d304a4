"""The coverage command and its products: NetCDF, GeoTIFF, GeoJSON, CSV, PNG, summary."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import rasterio
import xarray as xr
from typer.testing import CliRunner

from sahelsat.cli import app

runner = CliRunner()


def test_cli_writes_products(tmp_path):
    out = tmp_path / "cov"
    args = ["coverage", "walker:12/3/1,550,53", "--area", "BFA", "--resolution", "0.5",
            "--start", "2026-05-30T00:00:00Z", "--duration", "6h", "--step", "120s",
            "--min-elevation", "20", "--window", "3h", "--out", str(out)]  # fmt: skip
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "percent_covered" in res.output
    ds = xr.open_dataset(out / "coverage.nc")
    inside = np.isfinite(ds["cell_area_km2"].values)
    assert ds.attrs["n_satellites"] == 12 and ds.sizes["window"] == 2
    assert np.isfinite(ds["percent_covered"].values[inside]).all()
    with rasterio.open(out / "coverage.tif") as tif:
        assert "percent_covered" in tif.descriptions
        band = tif.descriptions.index("percent_covered") + 1
        np.testing.assert_array_equal(tif.read(band)[::-1], ds["percent_covered"].values)
    gj = json.loads((out / "coverage.geojson").read_text())
    assert len(gj["features"]) == int(inside.sum())
    agg = pd.read_csv(out / "coverage_aggregates.csv")
    pc = agg.set_index("figure").loc["percent_covered", "weighted_mean"]
    assert pc == ds.attrs["mean_percent_covered"]
    for name in ("coverage_percent_covered.png", "coverage_max_gap_s.png", "coverage_summary.txt"):
        assert (out / name).stat().st_size > 500


def test_cli_imaging_points_and_metrics(tmp_path):
    out = tmp_path / "eo"
    args = ["coverage", "resource", "--satellite", "SENTINEL-2", "--area", "towns:NER",
            "--duration", "1d", "--step", "60s", "--min-elevation", "0", "--swath", "290",
            "--min-sun-elevation", "10", "--metrics", "percent_covered,max_gap_s",
            "--out", str(out)]  # fmt: skip
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    ds = xr.open_dataset(out / "coverage.nc")
    assert "swath 290 km" in ds.attrs["sensor"]
    assert not (out / "coverage.tif").exists()  # points: no raster
    gj = json.loads((out / "coverage.geojson").read_text())
    assert set(gj["features"][0]["properties"]) == {"name", "percent_covered", "max_gap_s"}


def test_cli_errors_are_clear(tmp_path):
    res = runner.invoke(app, ["coverage", "walker:24/5/1,550,53", "--out", str(tmp_path)])
    assert res.exit_code != 0 and "planes" in res.output
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "Polygon", "coordinates": [[[0,10],[2,12],[2,10],[0,12],[0,10]]]}')
    res = runner.invoke(app, ["coverage", "geo:0", "--area", str(bad), "--out", str(tmp_path)])
    assert res.exit_code == 2 and "Self-intersection" in res.output
