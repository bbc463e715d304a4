"""Water Observations from Space (WOfS): the Landsat decision tree and its bit-flag layer.

The classifier is the regression tree of Mueller et al. (2016, Remote Sensing of
Environment 174, "Water observations from space: mapping surface water from 25 years
of Landsat imagery across Australia"), as Digital Earth Africa runs it continent-wide.
It works on surface reflectance scaled x 10,000 in the Landsat 5/7 band set
(blue, green, red, nir, swir1, swir2) and uses three normalised differences:
ndi52 = (swir1 - green) / (swir1 + green), ndi43 = (nir - red) / (nir + red),
ndi72 = (swir2 - green) / (swir2 + green).

The water-observation layer (WOFL) is a uint8 of bit flags (:data:`FLAGS`); 0 means a
clear dry observation, 128 clear water.
"""

from __future__ import annotations

import numpy as np
import xarray as xr
from numba import njit

WET = 128
FLAGS = {
    "nodata": 1,
    "noncontiguous": 2,
    "low_solar_angle": 4,
    "terrain_shadow": 8,
    "high_slope": 16,
    "cloud_shadow": 32,
    "cloud": 64,
    "water": WET,
}
#: Landsat Collection 3 fmask classes (0 nodata, 1 clear, 2 cloud, 3 shadow, 4 snow, 5 water).
FMASK_FLAGS = {0: FLAGS["nodata"], 2: FLAGS["cloud"], 3: FLAGS["cloud_shadow"]}
#: Bands of the tree, in its order, with the Collection 3 (DEA/DE Africa) names.
TREE_BANDS = ("blue", "green", "red", "nir", "swir1", "swir2")
C3_NAMES = {
    "blue": "nbart_blue",
    "green": "nbart_green",
    "red": "nbart_red",
    "nir": "nbart_nir",
    "swir1": "nbart_swir_1",
    "swir2": "nbart_swir_2",
}


@njit(cache=True, error_model="numpy")
def _tree(b1, b2, b3, b4, b5, b7, out):
    """Evaluate the tree for each pixel of flat float64 arrays; out[i] = True for water.

    Written without branches (each water leaf is the conjunction of the tests on its
    path, node numbers of the paper's figure in the comments) so the loop vectorises.
    """
    for i in range(b1.size):
        blue, red, swir2 = b1[i], b3[i], b7[i]
        n52 = (b5[i] - b2[i]) / (b5[i] + b2[i])
        n43 = (b4[i] - red) / (b4[i] + red)
        n72 = (swir2 - b2[i]) / (swir2 + b2[i])
        left = (n52 <= -0.01) & (blue <= 2083.5)  # node 3 (bright) is dry
        dark7 = swir2 <= 323.5
        dim = blue <= 1400.5
        low72 = n72 <= -0.23
        w = left & dark7 & (n43 <= 0.61)  # node 6
        w |= left & ~dark7 & ~dim & (n43 <= -0.01)  # node 10
        w |= left & ~dark7 & dim & ~low72 & (blue <= 379)  # node 14
        w |= left & ~dark7 & dim & low72 & ((n43 <= 0.22) | (blue <= 473))  # nodes 17, 19
        right = ~(n52 <= -0.01)
        near = right & (n52 <= 0.23) & (blue <= 334.5) & (n43 <= 0.54)  # 23, 25 dry
        dark3 = red <= 364.5
        w |= near & (n52 <= 0.12)  # node 27
        w |= near & ~(n52 <= 0.12) & dark3 & (blue <= 129.5)  # node 31
        w |= near & ~(n52 <= 0.12) & ~dark3 & (blue <= 300.5)  # node 33
        far = right & ~(n52 <= 0.23) & (n52 <= 0.34) & (blue <= 249.5) & (n43 <= 0.45)
        w |= far & dark3 & (blue <= 129.5)  # node 44 (36, 38, 40, 42, 45 dry)
        out[i] = w


def classify(
    blue: np.ndarray,
    green: np.ndarray,
    red: np.ndarray,
    nir: np.ndarray,
    swir1: np.ndarray,
    swir2: np.ndarray,
) -> np.ndarray:
    """The WOfS tree: bool water (True) per pixel; reflectance x 10,000, any equal shapes.

    A compiled walk of the regression tree of Mueller et al. (2016, fig. 3; node numbers
    in the comments). Pixels with a NaN band fail every ``<=`` test and end on a dry
    leaf, as in the reference implementation. Arithmetic is float64 (the reference uses
    float32 for non-float64 input; results can then differ only for pixels within a
    float32 rounding of a threshold).
    """
    arrays = [
        np.ascontiguousarray(x, dtype=np.float64) for x in (blue, green, red, nir, swir1, swir2)
    ]
    shape = arrays[0].shape
    if any(a.shape != shape for a in arrays):
        raise ValueError(f"WOfS bands must share one shape, got {[a.shape for a in arrays]}")
    out = np.empty(arrays[0].size, dtype=np.bool_)
    _tree(*(a.ravel() for a in arrays), out)
    return out.reshape(shape)


def quality_flags(
    bands: dict[str, np.ndarray], nodata: dict[str, float], fmask: np.ndarray | None = None
) -> np.ndarray:
    """uint8 flags from the inputs: nodata (all bands at nodata), non-contiguous (any
    band at nodata) and, from fmask, nodata / cloud / cloud shadow.

    bands: name -> array; nodata: name -> the band's nodata value (compared with ``==``,
    so a NaN nodata never matches, as in the reference).
    """
    at_nodata = np.stack([np.asarray(bands[k]) == nodata[k] for k in bands])
    flags = np.where(at_nodata.all(axis=0), FLAGS["nodata"], 0).astype(np.uint8)
    flags |= np.where(at_nodata.any(axis=0), FLAGS["noncontiguous"], 0).astype(np.uint8)
    if fmask is not None:
        fm = np.asarray(fmask)
        for value, flag in FMASK_FLAGS.items():
            flags |= np.where(fm == value, flag, 0).astype(np.uint8)
    return flags


def wofl(ds: xr.Dataset, fmask: str = "oa_fmask") -> xr.DataArray:
    """Water-observation layer (uint8 bit flags) of a Collection 3 surface-reflectance set.

    ds: Dataset with the ``nbart_*`` bands (and any others: every data variable takes part
    in the contiguity test, each with its ``nodata`` attribute), dims (..., y, x), read with
    ``mask_and_scale=False``. Terrain flags (slope, terrain shadow) need a DEM and are not
    set here. Where fmask says nodata the layer is exactly 1. Returns a DataArray "water"
    with the dims of the bands.
    """
    missing = [C3_NAMES[b] for b in TREE_BANDS if C3_NAMES[b] not in ds]
    if missing:
        raise KeyError(f"WOfS needs band(s) {', '.join(missing)}")
    if fmask not in ds:
        raise KeyError(f"WOfS needs the fmask band {fmask!r}")
    bands, nodata = {}, {}
    for name, var in ds.data_vars.items():
        value = var.attrs.get("nodata", var.attrs.get("nodatavals"))
        if value is None:
            raise KeyError(f"band {name!r} has no 'nodata' attribute")
        bands[name] = var.values
        nodata[name] = np.asarray(value).ravel()[0]
    tree = classify(*(ds[C3_NAMES[b]].values for b in TREE_BANDS))
    flags = quality_flags(bands, nodata, ds[fmask].values)
    out = np.where(tree, WET, 0).astype(np.uint8) | flags
    # A pixel fmask calls nodata carries the nodata flag alone (no water, no other flag).
    out[np.asarray(ds[fmask].values) == 0] = FLAGS["nodata"]
    ref = ds[C3_NAMES["blue"]]
    return xr.DataArray(out, coords=ref.coords, dims=ref.dims, name="water")
