"""Water from optical reflectance: NDWI / MNDWI, cloud masks, and SAR-optical fusion.

Inputs are reflectance arrays (0-1), shape (rows, cols), NaN for nodata.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sahelsat.monitor.sar import NODATA, encode

#: Sentinel-2 scene-classification (SCL) classes that hide the ground: 3 cloud shadow,
#: 8 / 9 cloud of medium / high probability, 10 thin cirrus (ESA L2A product definition).
SCL_MASKED = (3, 8, 9, 10)
#: Without an SCL band (L1C): blue reflectance above 0.2 is cloud (water, vegetation and
#: most soils stay below 0.15 in blue), and cirrus (B10) above 0.012 is thin cirrus.
BLUE_CLOUD = 0.2
CIRRUS_CLOUD = 0.012
#: Water index thresholds: 0 separates water (positive) from land for both NDWI
#: (McFeeters 1996) and MNDWI (Xu 2006).
INDEX_THRESHOLD = 0.0


@njit(cache=True)
def _nd_kernel(a, b, out):
    for i in range(a.size):
        s = a[i] + b[i]
        out[i] = (a[i] - b[i]) / s if s != 0 else np.nan


def normalized_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(a - b) / (a + b) as float32, any equal shapes; NaN where a + b == 0 or an input is NaN."""
    a, b = np.broadcast_arrays(np.asarray(a, dtype=np.float32), np.asarray(b, dtype=np.float32))
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    out = np.empty(a.shape, np.float32)
    _nd_kernel(a.reshape(-1), b.reshape(-1), out.reshape(-1))
    return out


def ndwi(green: np.ndarray, nir: np.ndarray) -> np.ndarray:
    """McFeeters (1996) normalised difference water index (green - nir) / (green + nir)."""
    return normalized_difference(green, nir)


def mndwi(green: np.ndarray, swir1: np.ndarray) -> np.ndarray:
    """Xu (2006) modified NDWI (green - swir1) / (green + swir1); suppresses built-up land."""
    return normalized_difference(green, swir1)


def cloud_mask(
    blue: np.ndarray | None = None, cirrus: np.ndarray | None = None, scl: np.ndarray | None = None
) -> np.ndarray:
    """Bool (rows, cols) mask of cloud and shadow: from SCL when given, else brightness tests."""
    if scl is not None:
        return np.isin(np.asarray(scl), SCL_MASKED)
    if blue is None:
        raise ValueError("cloud_mask needs an SCL band or the blue band")
    cloud = np.asarray(blue) > BLUE_CLOUD
    if cirrus is not None:
        cloud |= np.asarray(cirrus) > CIRRUS_CLOUD
    return cloud


def detect_water(
    green: np.ndarray,
    nir: np.ndarray | None = None,
    swir1: np.ndarray | None = None,
    clouds: np.ndarray | None = None,
    threshold: float = INDEX_THRESHOLD,
) -> np.ndarray:
    """uint8 (rows, cols) water mask: MNDWI > threshold (NDWI without SWIR), 255 nodata/cloud."""
    if swir1 is None and nir is None:
        raise ValueError("optical water detection needs a SWIR1 or a NIR band")
    index = mndwi(green, swir1) if swir1 is not None else ndwi(green, nir)
    valid = np.isfinite(index)
    if clouds is not None:
        valid &= ~np.asarray(clouds, bool)
    return encode(index > threshold, valid)


def fuse(sar: np.ndarray | None, optical: np.ndarray | None) -> np.ndarray:
    """Combine two uint8 water masks: optical where it saw the ground, SAR elsewhere.

    Optical indices resolve flooded fields that look rough to the radar; radar sees
    through the clouds, so each fills the other's nodata.
    """
    if sar is None and optical is None:
        raise ValueError("fuse needs at least one mask")
    if sar is None:
        return np.asarray(optical, np.uint8)
    if optical is None:
        return np.asarray(sar, np.uint8)
    return np.where(np.asarray(optical) != NODATA, optical, sar).astype(np.uint8)
