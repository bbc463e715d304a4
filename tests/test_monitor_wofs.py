"""The WOfS port reproduces the upstream golden water-observation layer exactly."""

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from sahelsat.monitor import wofs

WOFS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "wofs"


@pytest.fixture(scope="module")
def pair():
    sr = xr.open_dataset(WOFS / "sample_c3_sr.nc", mask_and_scale=False)
    expected = xr.open_dataset(WOFS / "sample_wofl.nc", mask_and_scale=False)
    return sr, expected


def test_reproduces_the_golden_wofl_exactly(pair):
    sr, expected = pair
    got = wofs.wofl(sr)
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got.values, expected.water.values)
    # The sample exercises water, cloud, shadow, nodata and non-contiguity flags.
    assert {0, 1, 2, 32, 64, 128, 160, 192} <= set(np.unique(got.values))


def test_tree_leaves_by_hand():
    # Deep clear water: SWIR far below green (ndi52 = -0.6), dark SWIR2 -> node 6, water.
    # Dry soil: SWIR above green (ndi52 > 0.34) -> node 36, dry.
    blue = np.array([300.0, 900.0])
    green = np.array([400.0, 1100.0])
    red = np.array([300.0, 1400.0])
    nir = np.array([200.0, 2200.0])
    swir1 = np.array([100.0, 3000.0])
    swir2 = np.array([50.0, 2500.0])
    np.testing.assert_array_equal(wofs.classify(blue, green, red, nir, swir1, swir2), [True, False])


def test_missing_band_is_named(pair):
    sr, _ = pair
    with pytest.raises(KeyError, match="nbart_swir_1"):
        wofs.wofl(sr.drop_vars("nbart_swir_1"))


def _tree_as_masks(b1, b2, b3, b4, b5, b7):
    """The same tree written leaf by leaf as whole-array masks (Mueller et al. 2016, fig. 3),
    to check every branch of the compiled walk, not only those the golden sample visits."""
    with np.errstate(divide="ignore", invalid="ignore"):
        n52, n43, n72 = (b5 - b2) / (b5 + b2), (b4 - b3) / (b4 + b3), (b7 - b2) / (b7 + b2)
    left = (n52 <= -0.01) & (b1 <= 2083.5)
    leaves = [
        left & (b7 <= 323.5) & (n43 <= 0.61),  # 6
        left & ~(b7 <= 323.5) & ~(b1 <= 1400.5) & (n43 <= -0.01),  # 10
        left & ~(b7 <= 323.5) & (b1 <= 1400.5) & ~(n72 <= -0.23) & (b1 <= 379),  # 14
        left & ~(b7 <= 323.5) & (b1 <= 1400.5) & (n72 <= -0.23) & (n43 <= 0.22),  # 17
        left & ~(b7 <= 323.5) & (b1 <= 1400.5) & (n72 <= -0.23) & ~(n43 <= 0.22) & (b1 <= 473),
    ]
    near = ~(n52 <= -0.01) & (n52 <= 0.23) & (b1 <= 334.5) & (n43 <= 0.54)
    leaves += [
        near & (n52 <= 0.12),  # 27
        near & ~(n52 <= 0.12) & (b3 <= 364.5) & (b1 <= 129.5),  # 31
        near & ~(n52 <= 0.12) & ~(b3 <= 364.5) & (b1 <= 300.5),  # 33
        ~(n52 <= 0.23)
        & (n52 <= 0.34)
        & (b1 <= 249.5)
        & (n43 <= 0.45)
        & (b3 <= 364.5)
        & (b1 <= 129.5),  # 44
    ]
    return np.logical_or.reduce(leaves), leaves


def test_every_leaf_agrees_with_the_mask_formulation():
    rng = np.random.default_rng(0)
    n = 400_000
    # Dark, water-like reflectances dominate so that every water leaf is reached.
    bands = [rng.uniform(0, 1, n) ** 3 * 3000 for _ in range(6)]
    bands[0][:1000] = np.nan
    expected, leaves = _tree_as_masks(*bands)
    assert all(leaf.sum() > 10 for leaf in leaves), [int(leaf.sum()) for leaf in leaves]
    np.testing.assert_array_equal(wofs.classify(*bands), expected)
    assert not wofs.classify(*bands)[:1000].any()
