"""Reading Earth-observation rasters (GeoTIFF / COG, local STAC items) into xarray.

Every reader validates at the edge: a missing, corrupt or truncated file, a raster
without a coordinate reference system, missing bands or an image that does not overlap
the area raise :class:`ImageError`, whose message names the file and the problem.
Arrays come back as float32 ``xarray.DataArray`` (y, x) with NaN for nodata, carrying
CRS and transform through rioxarray; pass ``chunks`` to get lazy Dask arrays.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import rasterio
import rioxarray  # noqa: F401  (registers the .rio accessor)
import xarray as xr
from rasterio.enums import Resampling
from rasterio.windows import Window

#: Sentinel-2 L1C/L2A band order of a 13-band stack (Sen1Floods11, SNAP exports).
S2_BANDS = ("B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B9", "B10", "B11", "B12")
#: Common names of optical bands to the Sentinel-2 / Landsat names that carry them.
OPTICAL_ALIASES = {
    "blue": ("B2", "blue", "SR_B2", "nbart_blue"),
    "green": ("B3", "green", "SR_B3", "nbart_green"),
    "red": ("B4", "red", "SR_B4", "nbart_red"),
    "nir": ("B8", "nir", "B8A", "SR_B5", "nbart_nir"),
    "swir1": ("B11", "swir1", "swir16", "SR_B6", "nbart_swir_1"),
    "swir2": ("B12", "swir2", "swir22", "SR_B7", "nbart_swir_2"),
    "cirrus": ("B10", "cirrus"),
    "scl": ("SCL", "scl"),
}


class ImageError(ValueError):
    """A raster input that cannot be used; the message names the file and the problem."""


def open_raster(path: str | Path, chunks: int | dict | None = None) -> xr.DataArray:
    """Open a GeoTIFF/COG as a (band, y, x) DataArray with nodata kept in ``rio.nodata``.

    The first and last rows are read at once, so a truncated file fails here with a clear
    message rather than half-way through a computation.
    """
    path = Path(path)
    if not path.is_file():
        raise ImageError(f"{path}: no such file")
    try:
        with rasterio.open(path) as src:
            if src.crs is None:
                raise ImageError(f"{path}: the raster has no coordinate reference system")
            for row in {0, src.height - 1}:
                src.read(window=Window(0, row, src.width, 1))
        da = rioxarray.open_rasterio(path, chunks=chunks, masked=False)
    except ImageError:
        raise
    except (rasterio.errors.RasterioError, OSError) as err:
        raise ImageError(f"{path}: not a readable GeoTIFF (corrupt or truncated?): {err}") from err
    names = da.attrs.get("long_name")
    if isinstance(names, str):
        names = (names,)
    if names and len(names) == da.sizes["band"] and all(names):
        da = da.assign_coords(band=[str(n) for n in names])
    da.attrs["source"] = str(path)
    return da


def mosaic(paths, chunks=None) -> xr.DataArray:
    """One (band, y, x) raster from several files, in the CRS and pixel size of the first.

    The others are reprojected onto the union extent at the first file's CRS and
    resolution; where files overlap, the first with data wins. One path returns that
    file unchanged (its own grid).
    """
    from rioxarray.merge import merge_arrays

    paths = [Path(p) for p in ([paths] if isinstance(paths, str | Path) else paths)]
    if not paths:
        raise ImageError("mosaic: no input files")
    first = open_raster(paths[0], chunks)
    if len(paths) == 1:
        return first
    arrays = [_as_float(first)]
    for p in paths[1:]:
        da = open_raster(p, chunks)
        if da.sizes["band"] != first.sizes["band"]:
            raise ImageError(f"{p}: {da.sizes['band']} bands, {paths[0]} has {first.sizes['band']}")
        da = _as_float(da)
        if da.rio.crs != first.rio.crs:
            da = da.rio.reproject(first.rio.crs, resolution=first.rio.resolution())
        arrays.append(da)
    res = tuple(abs(r) for r in first.rio.resolution())
    out = merge_arrays(arrays, res=res, nodata=np.nan)
    out.attrs["source"] = ", ".join(map(str, paths))
    return out.assign_coords(band=first.band.values)


def _as_float(da: xr.DataArray) -> xr.DataArray:
    """float32 with the file's nodata value replaced by NaN."""
    nodata = da.rio.nodata
    out = da.astype(np.float32)
    if nodata is not None and np.isfinite(nodata):
        out = out.where(da != nodata)
    out = out.rio.write_nodata(np.nan, encoded=False)
    return out


def _pick(da: xr.DataArray, wanted: tuple[str, ...]) -> xr.DataArray | None:
    names = [str(b).upper() for b in da.band.values]
    for w in wanted:
        if w.upper() in names:
            return da.isel(band=names.index(w.upper()))
    return None


def _sample(da: xr.DataArray, size: int = 1024) -> np.ndarray:
    """Values of a central window (at most size x size): enough to tell units apart
    without reading a whole lazy scene."""
    r0 = max(da.sizes["y"] // 2 - size // 2, 0)
    c0 = max(da.sizes["x"] // 2 - size // 2, 0)
    return np.asarray(da.isel(y=slice(r0, r0 + size), x=slice(c0, c0 + size)))


def read_sar(path, chunks=None) -> xr.Dataset:
    """Sentinel-1 backscatter as a Dataset with ``vv`` and/or ``vh`` in dB (NaN nodata).

    ``path`` is one GeoTIFF or a list of them (mosaicked, see :func:`mosaic`).
    Bands are found by their description (VV, VH); an unnamed 2-band file is read as
    (VV, VH) and a 1-band file as VV. Linear sigma0 (all values >= 0, median below 1) is
    converted to dB.
    """
    da = _as_float(mosaic(path, chunks))
    if not np.issubdtype(da.band.dtype, np.integer):
        vv, vh = _pick(da, ("VV",)), _pick(da, ("VH",))
        if vv is None and vh is None:
            raise ImageError(
                f"{path}: no band named VV or VH (bands: {', '.join(map(str, da.band.values))})"
            )
    elif da.sizes["band"] in (1, 2):
        vv = da.isel(band=0)
        vh = da.isel(band=1) if da.sizes["band"] == 2 else None
    else:
        raise ImageError(f"{path}: {da.sizes['band']} unnamed bands; expected VV[, VH]")
    out = xr.Dataset({k: v.drop_vars("band") for k, v in (("vv", vv), ("vh", vh)) if v is not None})
    sample = _sample(next(iter(out.data_vars.values())))
    sample = sample[np.isfinite(sample)]
    if sample.size and sample.min() >= 0 and np.median(sample) < 1.0:
        with np.errstate(divide="ignore", invalid="ignore"):
            out = 10.0 * np.log10(out.where(out > 0))
    out.attrs["source"] = str(path)
    return out.rio.write_crs(da.rio.crs)


def read_optical(path, chunks=None, needed=("green", "nir", "swir1")) -> xr.Dataset:
    """Optical reflectance (0-1) as a Dataset with common band names (green, nir, ...).

    ``path`` is one GeoTIFF or a list of them (mosaicked, see :func:`mosaic`).
    Bands are found by description (Sentinel-2 B3, Landsat SR_B3, ...); an unnamed
    13-band file is read in Sentinel-2 order. Integer-scaled reflectance (x 10,000) is
    divided back; nodata (and 0 in scaled files) becomes NaN. Raises ImageError naming
    the missing band when one of ``needed`` is absent.
    """
    raw = mosaic(path, chunks)
    if np.issubdtype(raw.band.dtype, np.integer) and raw.sizes["band"] == len(S2_BANDS):
        raw = raw.assign_coords(band=list(S2_BANDS))
    scl = _pick(raw, OPTICAL_ALIASES["scl"])
    da = _as_float(raw)
    bands = {}
    for name, aliases in OPTICAL_ALIASES.items():
        if name == "scl":
            continue
        b = _pick(da, aliases)
        if b is not None:
            bands[name] = b.drop_vars("band")
    missing = [n for n in needed if n not in bands]
    if missing:
        raise ImageError(
            f"{path}: missing band(s) {', '.join(missing)} "
            f"(bands: {', '.join(map(str, raw.band.values))})"
        )
    out = xr.Dataset(bands)
    sample = _sample(out[needed[0]])
    sample = sample[np.isfinite(sample)]
    if sample.size and np.nanmedian(sample) > 2.0:
        out = (out.where(out > 0) / 10000.0).astype(np.float32)
    if scl is not None:
        out["scl"] = scl.drop_vars("band")
    out.attrs["source"] = str(path)
    return out.rio.write_crs(da.rio.crs)


def read_stac_item(path: str | Path, chunks=None) -> dict[str, xr.DataArray]:
    """Assets of a local STAC item (JSON) opened as rasters, keyed by asset name.

    Relative ``href``s are resolved against the item's folder; remote ones are refused
    (the package works offline).
    """
    path = Path(path)
    try:
        item = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as err:
        raise ImageError(f"{path}: not a readable STAC item: {err}") from err
    assets = item.get("assets") if isinstance(item, dict) else None
    if not isinstance(assets, dict) or not assets:
        raise ImageError(f"{path}: STAC item has no 'assets'")
    out = {}
    for key, asset in assets.items():
        href = str(asset.get("href", ""))
        if not href.lower().endswith((".tif", ".tiff")):
            continue
        if "://" in href and not href.startswith("file://"):
            raise ImageError(f"{path}: asset {key!r} is remote ({href}); download it first")
        local = Path(href.removeprefix("file://"))
        out[key] = open_raster(local if local.is_absolute() else path.parent / local, chunks)
    if not out:
        raise ImageError(f"{path}: STAC item has no GeoTIFF asset")
    return out


def same_grid(a: xr.DataArray | xr.Dataset, b: xr.DataArray | xr.Dataset) -> bool:
    """True when two rasters share CRS, shape and transform (to 1e-9 of a pixel)."""
    if a.rio.crs != b.rio.crs or a.rio.shape != b.rio.shape:
        return False
    return np.allclose(a.rio.transform()[:6], b.rio.transform()[:6], rtol=0, atol=1e-9)


def match_grid(
    data: xr.DataArray | xr.Dataset,
    like: xr.DataArray | xr.Dataset,
    name: str,
    resampling: Resampling = Resampling.nearest,
    reproject: bool = True,
):
    """Put ``data`` on the grid of ``like`` (reprojecting), or raise ImageError.

    ``name`` (usually the file) is used in the message. With ``reproject=False`` a
    CRS or resolution mismatch is an error instead of a resampling. Raises when the two
    rasters do not overlap at all.
    """
    if same_grid(data, like):
        return data
    if data.rio.crs is None or like.rio.crs is None:
        raise ImageError(f"{name}: no coordinate reference system; cannot match the image grid")
    if not reproject:
        raise ImageError(
            f"{name}: grid differs from the image (CRS {data.rio.crs} vs {like.rio.crs}, "
            f"resolution {data.rio.resolution()} vs {like.rio.resolution()})"
        )
    from rasterio.warp import transform_bounds

    left, bottom, right, top = transform_bounds(data.rio.crs, like.rio.crs, *data.rio.bounds())
    l2, b2, r2, t2 = like.rio.bounds()
    if left >= r2 or right <= l2 or bottom >= t2 or top <= b2:
        raise ImageError(f"{name}: does not overlap the image")
    return data.rio.reproject_match(like, resampling=resampling)


def area_mask(like: xr.DataArray | xr.Dataset, geometry, name: str) -> np.ndarray:
    """Bool (y, x) mask of the pixels of ``like`` inside a lon/lat shapely ``geometry``.

    Raises ImageError naming ``name`` when the image and the area do not overlap.
    """
    import shapely
    from pyproj import Transformer
    from rasterio.features import geometry_mask

    to_img = Transformer.from_crs("EPSG:4326", like.rio.crs, always_xy=True).transform
    geom = shapely.transform(geometry, lambda x, y: to_img(x, y), interleaved=False)
    inside = ~geometry_mask(
        [geom], out_shape=like.rio.shape, transform=like.rio.transform(), all_touched=True
    )
    if not inside.any():
        raise ImageError(f"{name}: the image does not overlap the area")
    return inside
