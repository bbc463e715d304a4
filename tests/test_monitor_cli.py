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
    for name in ("flood.geojson", "quicklook.png", "impact.csv", "impact.json"):
        assert (tmp_path / name).stat().st_size > 0


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
    assert _iou(fused, label) > _iou(radar, label) + 0.02


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


def test_flood_near_mopti_reports_people_and_configurable_alerts(tmp_path):
    import json

    import pandas as pd

    rng = np.random.default_rng(9)
    water = np.zeros((200, 200), bool)
    water[100:150, 100:150] = True  # 0.30 km2, about 500 m south-east of Mopti's centre
    sigma = np.where(water, 10**-2.7, 10**-1.5)
    vh = 10 * np.log10(sigma * rng.gamma(4.4, 1 / 4.4, water.shape))
    image = _sar_file(tmp_path / "mopti.tif", vh, lon0=-4.19, lat0=14.49)
    result = _run("flood", "--image", image, "--out", tmp_path / "a")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "a" / "impact.csv").set_index("region")
    assert table.loc["MLI", "settlements"] == 1
    assert table.loc["MLI", "population"] > 100_000  # Mopti (GeoNames)
    assert table.loc["MLI", "alert"] == "emergency"
    # 2,500 px of 0.0001 deg: 11.13 m x 10.78 m (cos 14.48 deg) each = 0.300 km2.
    assert table.loc["MLI", "flooded_km2"] == pytest.approx(0.300, rel=0.05)
    near = pd.read_csv(tmp_path / "a" / "settlements.csv")
    assert list(near.name) == ["Mopti"] and 300 < near.distance_m[0] < 800

    (tmp_path / "alerts.json").write_text(json.dumps([{"name": "orange", "flooded_km2": 0.01}]))
    result = _run(
        "flood", "--image", image, "--alerts", tmp_path / "alerts.json", "--out", tmp_path / "b"
    )
    assert result.exit_code == 0, result.output
    assert pd.read_csv(tmp_path / "b" / "impact.csv").set_index("region").loc["MLI", "alert"] == (
        "orange"
    )
    (tmp_path / "bad.json").write_text(json.dumps([{"name": "x", "population": -5}]))
    bad = _run("flood", "--image", image, "--alerts", tmp_path / "bad.json", "--out", tmp_path)
    assert bad.exit_code == 2 and "bad.json: entry 0 (x): population must be >= 0" in bad.output


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
