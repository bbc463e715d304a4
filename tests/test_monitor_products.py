"""Flood extent, optical water, vegetation anomalies, impact tables and map products."""

import json

import numpy as np
import pandas as pd
import pytest
import rasterio
import xarray as xr
from pyproj import Geod
from rasterio.transform import from_origin
from shapely.geometry import box

from sahelsat.monitor import flood, impact, optical, products, vegetation


def _grid(rows=100, cols=100, lon0=2.0, lat0=14.0, step=0.001):
    da = xr.DataArray(np.zeros((rows, cols), np.uint8), dims=("y", "x"))
    da = da.rio.write_crs("EPSG:4326").rio.write_transform(from_origin(lon0, lat0, step, step))
    return da


def test_flood_is_water_now_minus_normal_water():
    now = np.array([[1, 1, 0, 255]], np.uint8)
    normal = flood.normal_water(np.array([[1, 0, 1, 0]], np.uint8))
    np.testing.assert_array_equal(flood.flood_extent(now, normal), [[0, 1, 0, 255]])
    stack = np.array([[[1, 0, 255]], [[1, 0, 255]], [[0, 1, 255]]], np.uint8)
    freq = flood.water_frequency(stack)
    np.testing.assert_allclose(freq[0, :2], [2 / 3, 1 / 3])
    assert np.isnan(freq[0, 2])
    np.testing.assert_array_equal(flood.normal_water(freq), [[True, True, False]])


def test_optical_indices_clouds_and_fusion():
    green = np.array([[0.10, 0.08, 0.30]])
    swir = np.array([[0.02, 0.20, 0.25]])
    blue = np.array([[0.05, 0.06, 0.35]])  # the third pixel is bright: cloud
    clouds = optical.cloud_mask(blue=blue)
    water = optical.detect_water(green, swir1=swir, clouds=clouds)
    np.testing.assert_array_equal(water, [[1, 0, 255]])
    np.testing.assert_allclose(optical.mndwi(green, swir)[0, 0], (0.10 - 0.02) / 0.12, rtol=1e-6)
    sar_mask = np.array([[0, 1, 1]], np.uint8)
    np.testing.assert_array_equal(optical.fuse(sar_mask, water), [[1, 0, 1]])


def test_all_cloud_scene_falls_back_to_radar():
    shape = (20, 20)
    clouds = optical.cloud_mask(scl=np.full(shape, 9))
    water = optical.detect_water(np.full(shape, 0.1), swir1=np.full(shape, 0.01), clouds=clouds)
    assert np.all(water == 255)
    radar = np.zeros(shape, np.uint8)
    radar[:5] = 1
    np.testing.assert_array_equal(optical.fuse(radar, water), radar)


def test_vegetation_anomalies_by_hand():
    red = np.array([0.1, 0.05])
    nir = np.array([0.3, 0.45])
    np.testing.assert_allclose(vegetation.ndvi(red, nir), [0.5, 0.8], rtol=1e-6)
    # EVI = 2.5 (0.3 - 0.1) / (0.3 + 6*0.1 - 7.5*0.05 + 1) = 0.5 / 1.525
    np.testing.assert_allclose(vegetation.evi(0.05, 0.1, 0.3), 0.5 / 1.525, rtol=1e-6)
    base = np.array([[0.4], [0.5], [0.6]])[:, :, None]  # (time=3, 1, 1): mean 0.5, sd 0.1
    np.testing.assert_allclose(
        vegetation.zscore_anomaly(np.array([[0.3]]), base), [[-2.0]], rtol=1e-5
    )
    np.testing.assert_allclose(
        vegetation.percent_of_normal(np.array([[0.3]]), base), [[60.0]], rtol=1e-5
    )
    assert np.isnan(vegetation.zscore_anomaly(np.array([[0.3]]), base[:2])).all()
    comp = vegetation.composite(np.array([[[0.1, np.nan]], [[0.3, np.nan]], [[0.2, np.nan]]]))
    assert comp[0, 0] == pytest.approx(0.2) and np.isnan(comp[0, 1])


def test_impact_area_settlements_and_alerts():
    like = _grid()
    mask = np.zeros((100, 100), np.uint8)
    mask[:50, :50] = 1  # 0.05 x 0.05 deg in the north-west corner
    mask[90:, :] = 255
    region = {"west": box(2.0, 13.9, 2.05, 14.0), "east": box(2.05, 13.9, 2.1, 14.0)}
    towns = pd.DataFrame(
        {
            "name": ["wet", "near", "far"],
            "latitude_deg": [13.98, 13.96, 13.92],
            "longitude_deg": [2.01, 2.06, 2.09],
            "population": [5000, 20000, 800],
        }
    )
    table, near = impact.impact_table(mask, like, region, towns, buffer_m=1500)
    geod = Geod(ellps="WGS84")
    expected = abs(geod.polygon_area_perimeter([2.0, 2.05, 2.05, 2.0], [13.95, 13.95, 14, 14])[0])
    west = table.set_index("region").loc["west"]
    assert west.flooded_km2 == pytest.approx(expected / 1e6, rel=1e-3)
    assert table.set_index("region").loc["east"].flooded_km2 == 0

    # A settlement's people live on a disc (5,000 people: 1.5 km, the smallest allowed;
    # 20,000: sqrt(20,000 / (pi 1,500)) = 2.06 km); the affected share is the part of the
    # disc inside the flooded square (the image's western edge is the square's: what the
    # image does not see counts as not flooded). "far" is ~4 km away.
    def share(lon, lat, r, n=801):
        y, x = np.mgrid[-r : r : n * 1j, -r : r : n * 1j]
        disc = x**2 + y**2 <= r * r
        lo = lon + x / (111_320 * np.cos(np.radians(lat)))
        la = lat + y / 110_574
        wet = (lo >= 2.0) & (lo <= 2.05) & (la >= 13.95) & (la <= 14.0)
        return (disc & wet).sum() / disc.sum()

    people = near.set_index("name")["people"]
    assert set(near.name) == {"wet", "near"}
    assert people["wet"] == pytest.approx(5000 * share(2.01, 13.98, 1500.0), rel=0.01)
    assert people["near"] == pytest.approx(20000 * share(2.06, 13.96, 2060.3), rel=0.02)
    assert near.set_index("name").loc["wet"].distance_m == pytest.approx(0, abs=80)
    assert dict(zip(table.region, table.alert, strict=True)) == {
        "west": "warning",  # 29.9 km2 >= 10 km2
        "east": "watch",  # about 3,300 people in flooded parts >= 1,000
    }
    assert impact.alert_level(0.5, 100) == "none"
    custom = (("red", {"flooded_km2": 0.1}),)
    assert impact.alert_level(0.5, 0, custom) == "red"


def test_products_cog_geojson_png(tmp_path):
    like = _grid()
    mask = np.zeros((100, 100), np.uint8)
    mask[10:30, 10:40] = 1
    mask[:, 95:] = 255
    path = products.write_mask(tmp_path / "m.tif", mask, like)
    with rasterio.open(path) as src:
        np.testing.assert_array_equal(src.read(1), mask)
        assert src.nodata == 255 and src.crs.to_epsg() == 4326
    fc = products.mask_polygons(mask, like.rio.transform(), like.rio.crs)
    assert len(fc["features"]) == 1
    geod = Geod(ellps="WGS84")
    lon = [2.01, 2.04, 2.04, 2.01]
    lat = [13.97, 13.97, 13.99, 13.99]
    expected = abs(geod.polygon_area_perimeter(lon, lat)[0]) / 1e6
    assert fc["features"][0]["properties"]["area_km2"] == pytest.approx(expected, rel=1e-3)
    products.write_geojson(tmp_path / "f.geojson", fc)
    assert json.loads((tmp_path / "f.geojson").read_text())["type"] == "FeatureCollection"
    png = products.quicklook(
        tmp_path / "q.png", mask, like, "test", outlines={"a": box(2, 13.9, 2.1, 14)}
    )
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
