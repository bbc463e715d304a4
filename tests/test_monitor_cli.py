"""The public contract: ``sahelsat flood --image S1.tif --out DIR`` writes DIR/water.tif."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import rasterio
import typer
from typer.testing import CliRunner

from sahelsat.monitor import flood, io, sar

FLOODS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "floods"
SPAIN = "Spain_7370579"


def _app():
    # Load the command module by path: the package CLI also imports the other domains.
    path = Path(__file__).resolve().parents[1] / "sahelsat" / "cli" / "monitor.py"
    spec = importlib.util.spec_from_file_location("sahelsat_cli_monitor", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app = typer.Typer()
    module.register(app)
    return app


def _run(*args):
    return CliRunner().invoke(_app(), [str(a) for a in args])


def _label(chip):
    with rasterio.open(FLOODS / "LabelHand" / f"{chip}_LabelHand.tif") as src:
        return src.read(1)


def _iou(mask, label):
    ok = (label >= 0) & (mask != 255)
    p, w = mask == 1, label == 1
    return (p & w & ok).sum() / ((p | w) & ok).sum()


def test_flood_writes_water_tif_on_the_input_grid(tmp_path):
    image = FLOODS / "S1Hand" / f"{SPAIN}_S1Hand.tif"
    result = _run("flood", "--image", image, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    with rasterio.open(tmp_path / "water.tif") as out, rasterio.open(image) as src:
        assert out.dtypes[0] == "uint8" and out.nodata == 255
        assert out.crs == src.crs and out.transform == src.transform
        assert out.shape == src.shape
        mask = out.read(1)
    assert set(np.unique(mask)) <= {0, 1, 255}
    assert _iou(mask, _label(SPAIN)) > 0.55
    for name in ("flood.geojson", "quicklook.png", "impact.csv", "impact.json", "products.json"):
        assert (tmp_path / name).stat().st_size > 0
    # The chip lies in Spain: no region of the three countries is touched.
    regions = __import__("pandas").read_csv(tmp_path / "impact_regions.csv")
    assert list(regions.columns[:4]) == ["country", "region", "settlements", "people"]
    assert regions.empty


def test_all_nan_image_gives_all_nodata(tmp_path):
    result = _run(
        "flood", "--image", FLOODS / "S1Hand" / "Paraguay_34417_S1Hand.tif", "--out", tmp_path
    )
    assert result.exit_code == 0, result.output
    with rasterio.open(tmp_path / "water.tif") as out:
        assert np.all(out.read(1) == 255)


def test_optical_fusion_beats_radar_alone(tmp_path):
    image = FLOODS / "S1Hand" / f"{SPAIN}_S1Hand.tif"
    s2 = FLOODS / "S2Hand" / f"{SPAIN}_S2Hand.tif"
    result = _run("flood", "--image", image, "--optical", s2, "--out", tmp_path / "f")
    assert result.exit_code == 0, result.output
    with rasterio.open(tmp_path / "f" / "water.tif") as out:
        fused = out.read(1)
    ds = io.read_sar(image)
    radar = sar.detect_water(ds.vv.values, ds.vh.values)
    label = _label(SPAIN)
    # The optical index resolves the flooded fields the radar misses (about 0.61 against
    # 0.59 here, IoU against the hand label).
    assert _iou(fused, label) > _iou(radar, label) + 0.01


def test_baseline_removes_normal_water(tmp_path):
    image = FLOODS / "S1Hand" / f"{SPAIN}_S1Hand.tif"
    # Baseline: the left half of the chip is known permanent water.
    with rasterio.open(image) as src:
        profile = src.profile | {"count": 1, "dtype": "uint8", "nodata": 255}
        base = np.zeros(src.shape, np.uint8)
        base[:, :256] = 1
    with rasterio.open(tmp_path / "base.tif", "w", **profile) as dst:
        dst.write(base, 1)
    result = _run("flood", "--image", image, "--baseline", tmp_path / "base.tif", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    with rasterio.open(tmp_path / "water.tif") as w, rasterio.open(tmp_path / "flood.tif") as f:
        water, fl = w.read(1), f.read(1)
    assert (fl[:, :256] == 1).sum() == 0
    np.testing.assert_array_equal(fl[:, 256:] == 1, water[:, 256:] == 1)


def test_bad_input_exits_with_a_named_error(tmp_path):
    junk = tmp_path / "broken.tif"
    junk.write_bytes(b"II*\x00garbage")
    result = _run("flood", "--image", junk, "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert "broken.tif" in result.output
    image = FLOODS / "S1Hand" / f"{SPAIN}_S1Hand.tif"
    result = _run("flood", "--image", image, "--area", "MLI", "--out", tmp_path / "o")
    assert result.exit_code == 2 and "does not overlap the area" in result.output


def test_chunked_and_dask_cluster_give_the_same_mask():
    distributed = pytest.importorskip("dask.distributed")
    image = FLOODS / "S1Hand" / f"{SPAIN}_S1Hand.tif"
    whole = flood.sar_water(io.read_sar(image)).values
    lazy = flood.sar_water(io.read_sar(image, chunks={"x": 512, "y": 512}))
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        on_cluster = lazy.compute().values
    np.testing.assert_array_equal(on_cluster, whole)
    # Smaller blocks with the halo: region growing stays within reach, same answer.
    blocks = flood.sar_water(io.read_sar(image, chunks={"x": 256, "y": 256})).compute().values
    assert (blocks != whole).mean() < 0.01


def test_chunked_run_writes_the_same_water_tif(tmp_path):
    from sahelsat.monitor.pipeline import run_flood

    image = FLOODS / "S1Hand" / f"{SPAIN}_S1Hand.tif"
    run_flood(image, tmp_path / "whole")
    run_flood(image, tmp_path / "blocks", chunks=512)
    with rasterio.open(tmp_path / "whole" / "water.tif") as a:
        whole = a.read(1)
    with rasterio.open(tmp_path / "blocks" / "water.tif") as b:
        assert b.transform == a.transform and b.nodata == 255
        np.testing.assert_array_equal(b.read(1), whole)


def _optical(path, red, nir, lon0=-4.0, lat0=14.5, step=0.001):
    """A 3-band (B2, B4, B8) reflectance x 10,000 GeoTIFF over Mali."""
    from rasterio.transform import from_origin

    data = np.stack([np.full_like(red, 500), red, nir]).astype(np.uint16)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=red.shape[0],
        width=red.shape[1],
        count=3,
        dtype="uint16",
        crs="EPSG:4326",
        transform=from_origin(lon0, lat0, step, step),
        nodata=0,
    ) as dst:
        dst.write(data)
        dst.descriptions = ("B2", "B4", "B8")
    return path


def test_vegetation_command_anomaly_by_hand(tmp_path):
    shape = (50, 60)
    red = np.full(shape, 1000)
    # Past years: NDVI 0.4, 0.5, 0.6 (nir from red); now 0.3 -> z = -2, 60 % of normal.
    past = []
    for k, v in enumerate((0.4, 0.5, 0.6)):
        nir = np.full(shape, round(1000 * (1 + v) / (1 - v)))
        past.append(_optical(tmp_path / f"y{k}.tif", red, nir))
    now = _optical(tmp_path / "now.tif", red, np.full(shape, round(1000 * 1.3 / 0.7)))
    args = ["vegetation", "--image", now, "--out", tmp_path / "v"]
    for p in past:
        args += ["--baseline", p]
    result = _run(*args)
    assert result.exit_code == 0, result.output
    import pandas as pd

    table = pd.read_csv(tmp_path / "v" / "vegetation.csv").set_index("region")
    assert table.loc["MLI", "zscore"] == pytest.approx(-2.0, abs=0.01)
    assert table.loc["MLI", "percent_of_normal"] == pytest.approx(60.0, abs=0.2)
    assert np.isnan(table.loc["NER", "zscore"])  # the image does not reach Niger
    with rasterio.open(tmp_path / "v" / "ndvi.tif") as src:
        assert src.read(1) == pytest.approx(0.3, abs=1e-3)
    too_few = _run("vegetation", "--image", now, "--baseline", past[0], "--out", tmp_path / "w")
    assert too_few.exit_code == 2 and "at least 3 baseline images" in too_few.output


def test_local_stac_item(tmp_path):
    import json

    _optical(tmp_path / "scene.tif", np.full((4, 4), 1000), np.full((4, 4), 3000))
    item = {"type": "Feature", "assets": {"visual": {"href": "scene.tif"}}}
    (tmp_path / "item.json").write_text(json.dumps(item))
    assets = io.read_stac_item(tmp_path / "item.json")
    assert list(assets) == ["visual"] and assets["visual"].sizes["band"] == 3
    item["assets"]["visual"]["href"] = "https://example.org/scene.tif"
    (tmp_path / "remote.json").write_text(json.dumps(item))
    with pytest.raises(io.ImageError, match="remote.json: asset 'visual' is remote"):
        io.read_stac_item(tmp_path / "remote.json")


def _sar_file(path, vh, lon0=-4.0, lat0=14.5, step=0.0001):
    from rasterio.transform import from_origin

    data = np.stack([vh + 7.0, vh]).astype(np.float32)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=vh.shape[0],
        width=vh.shape[1],
        count=2,
        dtype="float32",
        crs="EPSG:4326",
        transform=from_origin(lon0, lat0, step, step),
    ) as dst:
        dst.write(data)
        dst.descriptions = ("VV", "VH")
    return path


def test_dem_removes_dark_pixels_on_steep_slopes(tmp_path):
    from rasterio.transform import from_origin

    rng = np.random.default_rng(7)
    n = 200
    dark = np.zeros((n, n), bool)
    dark[20:80, 20:80] = True  # a pond on the plain
    dark[120:180, 120:180] = True  # radar shadow on a hillside
    sigma = np.where(dark, 10**-2.7, 10**-1.5)
    vh = 10 * np.log10(sigma * rng.gamma(4.4, 1 / 4.4, (n, n)))
    image = _sar_file(tmp_path / "s1.tif", vh)
    # DEM: flat at 300 m, a hill rising 1 m per metre (45 degrees) in the south-east.
    z = np.full((n, n), 300.0, np.float32)
    yy, xx = np.mgrid[0:n, 0:n]
    hill = (yy >= 100) & (xx >= 100)
    z[hill] += 11.0 * (xx[hill] - 100)  # ~11 m pixels: about 45 degrees
    with rasterio.open(
        tmp_path / "dem.tif",
        "w",
        driver="GTiff",
        height=n,
        width=n,
        count=1,
        dtype="float32",
        crs="EPSG:4326",
        transform=from_origin(-4.0, 14.5, 0.0001, 0.0001),
    ) as dst:
        dst.write(z, 1)
    plain = _run("flood", "--image", image, "--out", tmp_path / "a")
    masked = _run("flood", "--image", image, "--dem", tmp_path / "dem.tif", "--out", tmp_path / "b")
    assert plain.exit_code == 0 and masked.exit_code == 0, masked.output
    with (
        rasterio.open(tmp_path / "a" / "water.tif") as a,
        rasterio.open(tmp_path / "b" / "water.tif") as b,
    ):
        before, after = a.read(1), b.read(1)
    assert before[130:170, 130:170].mean() > 0.9  # without a DEM the shadow is "water"
    assert (after[130:170, 130:170] == 1).sum() == 0
    np.testing.assert_array_equal(after[:100, :100], before[:100, :100])


def test_area_geojson_sets_outside_pixels_to_nodata(tmp_path):
    import json

    rng = np.random.default_rng(8)
    vh = 10 * np.log10(10**-1.5 * rng.gamma(4.4, 1 / 4.4, (100, 100)))
    image = _sar_file(tmp_path / "s1.tif", vh)  # -4.0..-3.99 E, 14.49..14.5 N
    west = {
        "type": "Polygon",
        "coordinates": [
            [[-4.0, 14.49], [-3.995, 14.49], [-3.995, 14.5], [-4.0, 14.5], [-4.0, 14.49]]
        ],
    }
    (tmp_path / "area.geojson").write_text(json.dumps(west))
    result = _run("flood", "--image", image, "--area", tmp_path / "area.geojson", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    with rasterio.open(tmp_path / "water.tif") as out:
        mask = out.read(1)
    assert np.all(mask[:, 51:] == 255) and np.all(mask[:, :49] == 0)
    table = __import__("pandas").read_csv(tmp_path / "impact.csv")
    assert str(tmp_path / "area.geojson") in set(table.region)


def _people_of_square(lon0, lat0, lon1, lat1, step):
    """Independent reference: people living in a flooded square, from the shipped
    population base, geodesic distances and areas (pixel by pixel)."""
    from pyproj import Geod

    from sahelsat import places

    geod = Geod(ellps="WGS84")
    lons = np.arange(lon0 + step / 2, lon1, step)
    lats = np.arange(lat1 + step / 2, lat0, step)
    px_lon, px_lat = (a.ravel() for a in np.meshgrid(lons, lats))
    pixel_m2 = np.array([
        abs(geod.polygon_area_perimeter(
            [lo - step / 2, lo + step / 2, lo + step / 2, lo - step / 2],
            [la - step / 2, la - step / 2, la + step / 2, la + step / 2])[0])
        for lo, la in zip(px_lon, px_lat, strict=True)
    ])  # fmt: skip
    table = places.settlements()
    near = table[(abs(table.lon - lon0) < 0.5) & (abs(table.lat - lat0) < 0.5)]
    out = {}
    for s in near.itertuples():
        r = max(1000.0, np.sqrt(s.population / (np.pi * 1500.0)) * 1000.0)
        _, _, d = geod.inv(np.full(px_lon.size, s.lon), np.full(px_lon.size, s.lat), px_lon, px_lat)
        wet = pixel_m2[d <= r].sum()
        if wet:
            out[s.name] = (s.code, s.population * wet / (np.pi * r * r))
    return out


def test_flood_near_mopti_reports_people_and_configurable_alerts(tmp_path):
    import json

    import pandas as pd

    rng = np.random.default_rng(9)
    water = np.zeros((200, 200), bool)
    water[100:150, 100:150] = True  # 0.30 km2, about 1.5 km south-east of Mopti's point
    sigma = np.where(water, 10**-2.7, 10**-1.5)
    vh = 10 * np.log10(sigma * rng.gamma(4.4, 1 / 4.4, water.shape))
    image = _sar_file(tmp_path / "mopti.tif", vh, lon0=-4.19, lat0=14.49)
    result = _run("flood", "--image", image, "--out", tmp_path / "a")
    assert result.exit_code == 0, result.output
    regions = pd.read_csv(tmp_path / "a" / "impact_regions.csv")
    assert list(regions.columns[:4]) == ["country", "region", "settlements", "people"]
    expected = _people_of_square(-4.18, 14.48, -4.175, 14.475, 0.0001)
    assert set(expected) == {"Mopti"}  # the city's 6.3 km disc; no village within 1 km
    row = regions.set_index("region").loc["Mopti"]
    assert (row.country, row.settlements) == ("MLI", 1)
    assert row.people == pytest.approx(expected["Mopti"][1], rel=0.02)
    # 2,500 px of 0.0001 deg: 11.13 m x 10.78 m (cos 14.48 deg) each = 0.300 km2.
    assert row.flooded_km2 == pytest.approx(0.300, rel=0.05)
    assert row.alert == "none"  # 0.3 km2 < 1 km2 and ~450 people < 1,000
    near = pd.read_csv(tmp_path / "a" / "impact_settlements.csv")
    assert list(near.name) == ["Mopti"] and near.population[0] > 100_000
    assert near.flooded_fraction[0] == pytest.approx(0.300 / (np.pi * 6.286**2), rel=0.05)
    table = pd.read_csv(tmp_path / "a" / "impact.csv").set_index("region")
    assert table.loc["MLI", "settlements"] == 1 and table.loc["MLI", "people"] == row.people
    manifest = json.loads((tmp_path / "a" / "products.json").read_text())
    assert {f["file"] for f in manifest["files"]} >= {"water.tif", "impact_regions.csv"}
    assert all(f["en"] and f["fr"] for f in manifest["files"])
    assert "INSTAT" in manifest["people"]["fr"]

    (tmp_path / "alerts.json").write_text(json.dumps([{"name": "orange", "flooded_km2": 0.01}]))
    result = _run(
        "flood", "--image", image, "--alerts", tmp_path / "alerts.json", "--out", tmp_path / "b"
    )
    assert result.exit_code == 0, result.output
    again = pd.read_csv(tmp_path / "b" / "impact_regions.csv").set_index("region")
    assert again.loc["Mopti", "alert"] == "orange"
    assert pd.read_csv(tmp_path / "b" / "impact.csv").set_index("region").loc["MLI", "alert"] == (
        "orange"
    )
    (tmp_path / "bad.json").write_text(json.dumps([{"name": "x", "population": -5}]))
    bad = _run("flood", "--image", image, "--alerts", tmp_path / "bad.json", "--out", tmp_path)
    assert bad.exit_code == 2 and "bad.json: entry 0 (x): population must be >= 0" in bad.output


def _zone_file(path, geom):
    import json

    from shapely.geometry import mapping

    feature = {"type": "Feature", "properties": {}, "geometry": mapping(geom)}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    return path


def _isolated_settlement(country):
    from sahelsat import places

    t = places.settlements()
    xy = np.c_[t.lon * np.cos(np.radians(t.lat)), t.lat] * 111.0
    for row in t[t.country == country].sort_values("population", ascending=False).itertuples():
        if np.sort(np.hypot(*(xy - xy[row.Index]).T))[1] > 40.0:
            return row
    raise AssertionError("no isolated settlement")


def test_zone_around_one_settlement_counts_its_people(tmp_path):
    import json

    import pandas as pd
    from shapely.geometry import box

    s = _isolated_settlement("MLI")
    d = 0.05  # about 5.5 km: wider than its footprint, far from any other settlement
    zone = _zone_file(tmp_path / "z.geojson", box(s.lon - d, s.lat - d, s.lon + d, s.lat + d))
    result = _run("flood", "--zone", zone, "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    regions = pd.read_csv(tmp_path / "o" / "impact_regions.csv")
    assert list(regions.columns[:4]) == ["country", "region", "settlements", "people"]
    assert regions[["country", "region", "settlements", "people"]].values.tolist() == [
        ["MLI", s.region, 1, s.population]
    ]
    # The flooded area is the zone's geodesic area.
    from pyproj import Geod

    square = box(s.lon - d, s.lat - d, s.lon + d, s.lat + d)
    km2 = abs(Geod(ellps="WGS84").geometry_area_perimeter(square)[0]) / 1e6
    assert regions.flooded_km2[0] == pytest.approx(km2, rel=1e-3)
    near = pd.read_csv(tmp_path / "o" / "impact_settlements.csv")
    assert near[["population", "flooded_fraction", "people"]].values.tolist() == [
        [s.population, 1.0, s.population]
    ]
    for name in ("zone.geojson", "impact_map.png", "impact_settlements.geojson"):
        assert (tmp_path / "o" / name).stat().st_size > 0
    manifest = json.loads((tmp_path / "o" / "products.json").read_text())
    assert manifest["extent"].startswith("given")


def test_zone_across_a_border_and_in_the_empty_sahara(tmp_path):
    import pandas as pd
    from shapely.geometry import box

    from sahelsat import places

    outlines = places.country_outlines()
    p = outlines["NER"].boundary.intersection(outlines["BFA"].boundary).interpolate(0.5, True)
    zone = _zone_file(tmp_path / "border.geojson", box(p.x - 0.2, p.y - 0.2, p.x + 0.2, p.y + 0.2))
    result = _run("flood", "--zone", zone, "--out", tmp_path / "b")
    assert result.exit_code == 0, result.output
    regions = pd.read_csv(tmp_path / "b" / "impact_regions.csv")
    assert set(regions.country) == {"NER", "BFA"}
    near = pd.read_csv(tmp_path / "b" / "impact_settlements.csv")
    per_region = near.groupby("code")["people"].sum().round()
    assert (regions.set_index("code").people.loc[per_region.index] - per_region).abs().max() <= 1
    assert (regions.groupby("country").people.sum() > 0).all()

    sahara = _zone_file(tmp_path / "sahara.geojson", box(-2.0, 22.0, -1.0, 23.0))
    result = _run("flood", "--zone", sahara, "--out", tmp_path / "s")
    assert result.exit_code == 0, result.output
    regions = pd.read_csv(tmp_path / "s" / "impact_regions.csv")
    assert set(regions.country) == {"MLI"} and regions.people.sum() == 0
    assert regions.settlements.sum() == 0
    assert (regions.alert == "emergency").all()  # by its area alone: 9,700 km2 >= 100 km2
    outside = _zone_file(tmp_path / "algeria.geojson", box(3.0, 28.0, 4.0, 29.0))
    result = _run("flood", "--zone", outside, "--out", tmp_path / "x")
    assert result.exit_code == 0, result.output
    assert pd.read_csv(tmp_path / "x" / "impact_regions.csv").empty
    assert pd.read_csv(tmp_path / "x" / "impact_settlements.csv").empty


def test_bad_zones_and_options_are_named(tmp_path):
    import json

    (tmp_path / "junk.geojson").write_text("{not json")
    result = _run("flood", "--zone", tmp_path / "junk.geojson", "--out", tmp_path / "o")
    assert result.exit_code == 2 and "junk.geojson" in result.output
    (tmp_path / "pt.geojson").write_text(json.dumps({"type": "Point", "coordinates": [2, 13]}))
    result = _run("flood", "--zone", tmp_path / "pt.geojson", "--out", tmp_path / "o")
    assert result.exit_code == 2 and "pt.geojson" in result.output and "polygon" in result.output
    feats = {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": None}]}
    (tmp_path / "null.geojson").write_text(json.dumps(feats))
    result = _run("flood", "--zone", tmp_path / "null.geojson", "--out", tmp_path / "o")
    assert result.exit_code == 2 and "feature 0" in result.output
    result = _run("flood", "--out", tmp_path / "o")
    assert result.exit_code == 2 and "--image" in result.output and "--zone" in result.output
    image = FLOODS / "S1Hand" / f"{SPAIN}_S1Hand.tif"
    both = _run("flood", "--image", image, "--zone", tmp_path / "pt.geojson", "--out", tmp_path)
    assert both.exit_code == 2
    zone = tmp_path / "pt.geojson"
    extra = _run("flood", "--zone", zone, "--dem", image, "--out", tmp_path / "o")
    assert extra.exit_code == 2 and "--zone takes no" in extra.output


def test_several_baselines_decide_normal_water_by_frequency(tmp_path):
    image = FLOODS / "S1Hand" / f"{SPAIN}_S1Hand.tif"
    with rasterio.open(image) as src:
        profile = src.profile | {"count": 1, "dtype": "uint8", "nodata": 255}
        shape = src.shape
    paths = []
    for k in range(6):  # the left half is wet in one dry season out of six (17 %)
        m = np.zeros(shape, np.uint8)
        if k == 0:
            m[:, :256] = 1
        paths.append(tmp_path / f"b{k}.tif")
        with rasterio.open(paths[-1], "w", **profile) as dst:
            dst.write(m, 1)
    args = ["flood", "--image", image, "--out", tmp_path / "six"]
    for p in paths:
        args += ["--baseline", p]
    assert _run(*args).exit_code == 0
    args = ["flood", "--image", image, "--out", tmp_path / "three"]
    for p in paths[:3]:  # one wet season in three (33 %): normal water
        args += ["--baseline", p]
    assert _run(*args).exit_code == 0
    with rasterio.open(tmp_path / "six" / "flood.tif") as a:
        six = a.read(1)
    with rasterio.open(tmp_path / "three" / "flood.tif") as b:
        three = b.read(1)
    with rasterio.open(tmp_path / "six" / "water.tif") as w:
        water = w.read(1)
    np.testing.assert_array_equal(six == 1, water == 1)  # 17 % < 20 %: all water is flood
    assert (three[:, :256] == 1).sum() == 0
    np.testing.assert_array_equal(three[:, 256:] == 1, water[:, 256:] == 1)


def test_optical_on_another_grid_is_reprojected(tmp_path):
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    s2 = FLOODS / "S2Hand" / f"{SPAIN}_S2Hand.tif"
    utm = tmp_path / "s2_utm20m.tif"
    with rasterio.open(s2) as src:
        transform, width, height = calculate_default_transform(
            src.crs, "EPSG:32630", src.width, src.height, *src.bounds, resolution=20
        )
        profile = src.profile | {
            "crs": "EPSG:32630",
            "transform": transform,
            "width": width,
            "height": height,
        }
        with rasterio.open(utm, "w", **profile) as dst:
            for b in range(1, src.count + 1):
                reproject(
                    rasterio.band(src, b), rasterio.band(dst, b), resampling=Resampling.average
                )
    image = FLOODS / "S1Hand" / f"{SPAIN}_S1Hand.tif"
    result = _run("flood", "--image", image, "--optical", utm, "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    with rasterio.open(tmp_path / "o" / "water.tif") as out, rasterio.open(image) as src:
        assert out.transform == src.transform and out.crs == src.crs
        fused = out.read(1)
    ds = io.read_sar(image)
    label = _label(SPAIN)
    assert _iou(fused, label) > _iou(sar.detect_water(ds.vv.values, ds.vh.values), label)


def test_two_scenes_are_mosaicked(tmp_path):
    from rasterio.windows import Window

    image = FLOODS / "S1Hand" / f"{SPAIN}_S1Hand.tif"
    parts = []
    with rasterio.open(image) as src:
        for name, win in (("north", Window(0, 0, 512, 300)), ("south", Window(0, 280, 512, 232))):
            prof = src.profile | {
                "width": win.width,
                "height": win.height,
                "transform": src.window_transform(win),
            }
            with rasterio.open(tmp_path / f"{name}.tif", "w", **prof) as dst:
                dst.write(src.read(window=win))
                dst.descriptions = src.descriptions
            parts.append(tmp_path / f"{name}.tif")
    assert _run("flood", "--image", image, "--out", tmp_path / "whole").exit_code == 0
    result = _run("flood", "--image", parts[0], "--image", parts[1], "--out", tmp_path / "m")
    assert result.exit_code == 0, result.output
    with (
        rasterio.open(tmp_path / "whole" / "water.tif") as a,
        rasterio.open(tmp_path / "m" / "water.tif") as b,
    ):
        assert b.shape == a.shape
        np.testing.assert_array_equal(b.read(1), a.read(1))


def test_baseline_in_another_crs_and_resolution(tmp_path):
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    image = FLOODS / "S1Hand" / f"{SPAIN}_S1Hand.tif"
    with rasterio.open(image) as src:
        base = np.zeros(src.shape, np.uint8)
        base[:, :256] = 1  # the western half is normal water
        transform, width, height = calculate_default_transform(
            src.crs, "EPSG:32630", src.width, src.height, *src.bounds, resolution=30
        )
        utm = np.full((height, width), 255, np.uint8)
        reproject(
            base,
            utm,
            src_transform=src.transform,
            src_crs=src.crs,
            dst_transform=transform,
            dst_crs="EPSG:32630",
            resampling=Resampling.nearest,
            dst_nodata=255,
        )
    profile = dict(
        driver="GTiff",
        width=width,
        height=height,
        count=1,
        dtype="uint8",
        crs="EPSG:32630",
        transform=transform,
        nodata=255,
    )
    with rasterio.open(tmp_path / "base_utm.tif", "w", **profile) as dst:
        dst.write(utm, 1)
    result = _run(
        "flood", "--image", image, "--baseline", tmp_path / "base_utm.tif", "--out", tmp_path
    )
    assert result.exit_code == 0, result.output
    with rasterio.open(tmp_path / "water.tif") as w, rasterio.open(tmp_path / "flood.tif") as f:
        water, flood = w.read(1), f.read(1)
    # Away from the resampled edge (30 m cells over 10 m pixels), west is not flood and
    # east is all the water there.
    assert (flood[5:-5, 5:250] == 1).sum() == 0
    np.testing.assert_array_equal(flood[5:-5, 262:-5] == 1, water[5:-5, 262:-5] == 1)


def test_dry_season_scene_separates_sand_from_new_water_and_every_layer_says_what_it_is(
    tmp_path,
):
    import json

    rng = np.random.default_rng(12)
    shape = (200, 200)
    sand = np.zeros(shape, bool)
    sand[20:80, 20:80] = True  # as dark as water in both seasons (a sand sheet)
    new = np.zeros(shape, bool)
    new[120:180, 120:180] = True  # water only in the flood season

    def scene(path, dark):
        sigma = np.where(dark, 10**-2.7, 10**-1.5)
        return _sar_file(path, 10 * np.log10(sigma * rng.gamma(4.4, 1 / 4.4, shape)))

    now = scene(tmp_path / "now.tif", sand | new)
    before = scene(tmp_path / "before.tif", sand)
    result = _run("flood", "--image", now, "--baseline", before, "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    o = tmp_path / "o"
    with rasterio.open(o / "water.tif") as w, rasterio.open(o / "flood.tif") as f:
        water, fl = w.read(1), f.read(1)
        tags = f.tags()
    assert water[30:70, 30:70].all() and water[130:170, 130:170].all()  # both dark now
    assert (fl[20:80, 20:80] == 1).sum() == 0 and fl[130:170, 130:170].all()  # new water only
    assert tags["product"] == "flood" and "New water" in tags["description_en"]
    assert "Eau nouvelle" in tags["description_fr"]
    with rasterio.open(o / "permanent_water.tif") as p, rasterio.open(o / "exclusion.tif") as x:
        permanent, codes = p.read(1), x.read(1)
    assert permanent[30:70, 30:70].all() and not permanent[130:170, 130:170].any()
    assert (codes[30:70, 30:70] == 4).all() and (codes[130:170, 130:170] == 0).all()
    with rasterio.open(o / "water_likelihood.tif") as lk:
        like = lk.read(1)
    assert like[140:160, 140:160].min() > 90 and like[100:110, 0:10].max() < 10
    manifest = json.loads((o / "products.json").read_text())
    names = {f["file"] for f in manifest["files"]}
    assert {"water.tif", "flood.tif", "permanent_water.tif", "water_likelihood.tif",
            "exclusion.tif", "water.geojson", "exclusion.geojson"} <= names  # fmt: skip
    polygons = json.loads((o / "exclusion.geojson").read_text())["features"]
    assert {f["properties"]["value"] for f in polygons} == {4}
