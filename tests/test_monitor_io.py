"""Reading rasters: clear errors for bad files, grids that differ, areas that miss."""

from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import box

from sahelsat.monitor import io

FLOODS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "floods"
S1 = FLOODS / "S1Hand" / "Spain_7370579_S1Hand.tif"


def _write(path, data, crs="EPSG:4326", transform=None, nodata=None, names=None):
    data = np.asarray(data)
    if data.ndim == 2:
        data = data[None]
    transform = transform or from_origin(2.0, 14.0, 0.001, 0.001)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=data.shape[1],
        width=data.shape[2],
        count=data.shape[0],
        dtype=data.dtype,
        crs=crs,
        transform=transform,
        nodata=nodata,
    ) as dst:
        dst.write(data)
        if names:
            dst.descriptions = tuple(names)
    return path


def test_reads_vv_vh_in_db_with_grid():
    ds = io.read_sar(S1)
    assert set(ds.data_vars) == {"vv", "vh"}
    assert ds.rio.crs.to_epsg() == 4326 and ds.vv.shape == (512, 512)
    assert -30 < float(np.nanmedian(ds.vv)) < 0


def test_linear_backscatter_is_converted_to_db(tmp_path):
    lin = np.full((2, 8, 8), 0.01, np.float32)  # -20 dB
    ds = io.read_sar(_write(tmp_path / "lin.tif", lin, names=["VV", "VH"]))
    assert np.allclose(ds.vv.values, -20.0, atol=1e-4)


def test_missing_file_corrupt_and_truncated(tmp_path):
    with pytest.raises(io.ImageError, match="no such file"):
        io.read_sar(tmp_path / "absent.tif")
    junk = tmp_path / "junk.tif"
    junk.write_bytes(b"this is not a tiff" * 10)
    with pytest.raises(io.ImageError, match="junk.tif: not a readable GeoTIFF"):
        io.read_sar(junk)
    cut = tmp_path / "cut.tif"
    cut.write_bytes(S1.read_bytes()[: S1.stat().st_size // 2])
    with pytest.raises(io.ImageError, match="cut.tif"):
        io.read_sar(cut)


def test_missing_bands_are_named(tmp_path):
    path = _write(tmp_path / "hh.tif", np.zeros((1, 4, 4), np.float32), names=["HH"])
    with pytest.raises(io.ImageError, match="hh.tif: no band named VV or VH"):
        io.read_sar(path)
    with pytest.raises(io.ImageError, match="S1Hand.tif: missing band"):
        io.read_optical(S1)


def test_no_crs_is_an_error(tmp_path):
    path = tmp_path / "nocrs.tif"
    with rasterio.open(
        path, "w", driver="GTiff", height=4, width=4, count=1, dtype="float32"
    ) as dst:
        dst.write(np.zeros((1, 4, 4), np.float32))
    with pytest.raises(io.ImageError, match="no coordinate reference system"):
        io.open_raster(path)


def test_baseline_in_another_crs_and_resolution_is_reprojected(tmp_path):
    # Image: 0.001 deg pixels over 2.0-2.1 E, 13.9-14.0 N; baseline: UTM 31N, 200 m pixels,
    # water in its western half (x < 2.05 E roughly).
    img = io.open_raster(_write(tmp_path / "img.tif", np.zeros((100, 100), np.float32)))
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:4326", "EPSG:32631", always_xy=True)
    x0, y1 = tr.transform(1.99, 14.01)
    x1, y0 = tr.transform(2.11, 13.89)
    n_x, n_y = int((x1 - x0) // 200) + 1, int((y1 - y0) // 200) + 1
    xs = x0 + 200 * (np.arange(n_x) + 0.5)
    lon_of_col, _ = Transformer.from_crs("EPSG:32631", "EPSG:4326", always_xy=True).transform(
        xs, np.full(n_x, (y0 + y1) / 2)
    )
    base = np.repeat((lon_of_col < 2.05).astype(np.uint8)[None, :], n_y, axis=0)
    path = _write(
        tmp_path / "base.tif", base, crs="EPSG:32631", transform=from_origin(x0, y1, 200, 200)
    )
    matched = io.match_grid(io.open_raster(path).isel(band=0), img, "base.tif")
    assert matched.shape == (100, 100)
    v = matched.values
    assert v[:, :40].mean() > 0.95 and v[:, 60:].mean() < 0.05
    with pytest.raises(io.ImageError, match="base.tif: grid differs"):
        io.match_grid(io.open_raster(path).isel(band=0), img, "base.tif", reproject=False)


def test_image_outside_the_area(tmp_path):
    img = io.open_raster(_write(tmp_path / "img.tif", np.zeros((10, 10), np.float32)))
    inside = io.area_mask(img, box(2.0, 13.99, 2.005, 14.0), "img.tif")
    assert inside.sum() == 50
    with pytest.raises(io.ImageError, match="img.tif: the image does not overlap the area"):
        io.area_mask(img, box(10, 10, 11, 11), "img.tif")
    far = io.open_raster(
        _write(
            tmp_path / "far.tif",
            np.zeros((10, 10), np.uint8),
            transform=from_origin(50, 50, 0.001, 0.001),
        )
    )
    with pytest.raises(io.ImageError, match="far.tif: does not overlap"):
        io.match_grid(far.isel(band=0), img, "far.tif")


def test_mosaic_of_two_halves_rebuilds_the_scene(tmp_path):
    from rasterio.windows import Window

    with rasterio.open(S1) as src:
        profile = src.profile
        parts = []
        for name, win in (("west", Window(0, 0, 300, 512)), ("east", Window(250, 0, 262, 512))):
            prof = profile | {
                "width": win.width,
                "height": win.height,
                "transform": src.window_transform(win),
            }
            with rasterio.open(tmp_path / f"{name}.tif", "w", **prof) as dst:
                dst.write(src.read(window=win))
                dst.descriptions = src.descriptions
            parts.append(tmp_path / f"{name}.tif")
    whole = io.read_sar(S1)
    merged = io.read_sar(parts)
    assert merged.vv.shape == whole.vv.shape
    np.testing.assert_allclose(merged.x.values, whole.x.values, atol=1e-9)
    np.testing.assert_array_equal(merged.vh.values, whole.vh.values)
    with pytest.raises(io.ImageError, match="mosaic: no input files"):
        io.mosaic([])


def test_single_band_file_is_read_as_vv(tmp_path):
    ds = io.read_sar(_write(tmp_path / "vv.tif", np.full((1, 6, 6), -12.0, np.float32)))
    assert list(ds.data_vars) == ["vv"] and float(ds.vv.mean()) == -12.0
