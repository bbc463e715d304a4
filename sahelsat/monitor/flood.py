"""Flood mapping: water now, minus the water that is normally there.

``map_water`` turns the rasters read by :mod:`sahelsat.monitor.io` into a water mask
(SAR, optical, or both fused); ``flood_extent`` removes permanent or seasonal water
known from a baseline (a dry-season mask or a water-frequency layer, as WOfS
summaries provide). Large scenes are processed block by block with Dask.
"""

from __future__ import annotations

import dask.array as dsa
import numpy as np
import xarray as xr

from sahelsat.monitor import optical as opt
from sahelsat.monitor import sar
from sahelsat.monitor.sar import NODATA

#: A pixel wet in at least this fraction of its clear baseline observations is normal
#: (seasonal or permanent) water. WOfS summaries call water "seasonal" from about 20 %
#: of observations; below that, wet observations are mostly rare events or noise.
SEASONAL_FREQUENCY = 0.2
#: Overlap (pixels) between blocks of a chunked scene: region growing reaches this far
#: past a block edge, and the speckle window needs half its width.
HALO = 256


def water_frequency(stack: np.ndarray) -> np.ndarray:
    """Fraction of clear observations that saw water, per pixel.

    stack: (time, rows, cols) uint8 masks (1 water, 0 dry, 255 nodata).
    Returns float32 (rows, cols), NaN where no observation was clear.
    """
    s = np.asarray(stack)
    wet = (s == 1).sum(axis=0)
    clear = ((s == 0) | (s == 1)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        freq = (wet / clear).astype(np.float32)
    freq[clear == 0] = np.nan
    return freq


def normal_water(baseline: np.ndarray, threshold: float = SEASONAL_FREQUENCY) -> np.ndarray:
    """Bool (rows, cols) mask of normal water from a baseline.

    baseline: a uint8 mask (1 water, 0 dry, 255 nodata: nodata counts as not water) or a
    float water frequency in 0-1 (NaN = never observed), compared with ``threshold``.
    """
    b = np.asarray(baseline)
    if b.dtype == np.uint8:
        return b == 1
    return np.nan_to_num(b.astype(np.float32), nan=0.0) >= threshold


def flood_extent(water_now: np.ndarray, normal: np.ndarray | None = None) -> np.ndarray:
    """uint8 flood mask: 1 water now and not normally water, 0 otherwise, 255 nodata.

    water_now: uint8 (rows, cols) 1/0/255; normal: bool (rows, cols) or None (then every
    water pixel is flood).
    """
    now = np.asarray(water_now)
    flood = now == 1
    if normal is not None:
        flood &= ~np.asarray(normal, bool)
    return sar.encode(flood, now != NODATA)


def _sar_block(vv, vh, method):
    return sar.detect_water(vv, vh, method=method)


def sar_water(ds: xr.Dataset, method: str = "multiscale") -> xr.DataArray:
    """Water mask (uint8 DataArray, y x) of a SAR Dataset from ``io.read_sar``.

    Dask-backed inputs are processed block by block with a :data:`HALO`-pixel overlap
    (so a block's result matches the in-memory one unless a water body's growth reaches
    further than the halo across a block edge); numpy inputs in one piece.
    """
    vv = ds["vv"] if "vv" in ds else None
    vh = ds["vh"] if "vh" in ds else None
    ref = vv if vv is not None else vh
    if ref.chunks is None:
        out = sar.detect_water(
            None if vv is None else vv.values, None if vh is None else vh.values, method=method
        )
        return xr.DataArray(out, coords=ref.coords, dims=ref.dims, name="water")
    arrays = [a.data for a in (vv, vh) if a is not None]
    depth = min(HALO, *(c for chunks in arrays[0].chunks for c in chunks))
    if vv is not None and vh is not None:
        data = dsa.map_overlap(
            _sar_block, *arrays, method=method, depth=depth, boundary="none", dtype=np.uint8
        )
    else:
        band = arrays[0]
        kw = {"vv": None} if vv is None else {"vh": None}

        def one(block):
            args = {"vv": block, "vh": block, **kw}
            return _sar_block(args["vv"], args["vh"], method)

        data = dsa.map_overlap(one, band, depth=depth, boundary="none", dtype=np.uint8)
    return xr.DataArray(data, coords=ref.coords, dims=ref.dims, name="water")


def optical_water(ds: xr.Dataset) -> np.ndarray:
    """uint8 water mask of an optical Dataset from ``io.read_optical`` (cloud-masked)."""
    scl = ds["scl"].values if "scl" in ds else None
    blue = ds["blue"].values if "blue" in ds else None
    cirrus = ds["cirrus"].values if "cirrus" in ds else None
    clouds = None if scl is None and blue is None else opt.cloud_mask(blue, cirrus, scl)
    return opt.detect_water(
        ds["green"].values,
        ds["nir"].values if "nir" in ds else None,
        ds["swir1"].values if "swir1" in ds else None,
        clouds,
    )
