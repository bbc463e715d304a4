"""Vegetation state and drought: NDVI / EVI, composites and anomalies against a baseline.

Reflectance arrays are 0-1 with NaN for nodata; stacks are (time, rows, cols).
"""

from __future__ import annotations

import numpy as np

from sahelsat.monitor.optical import normalized_difference

# EVI coefficients of Huete et al. (2002): gain 2.5, aerosol terms 6 and 7.5, canopy 1.
EVI_G, EVI_C1, EVI_C2, EVI_L = 2.5, 6.0, 7.5, 1.0


def ndvi(red: np.ndarray, nir: np.ndarray) -> np.ndarray:
    """Normalised difference vegetation index (nir - red) / (nir + red), float32."""
    return normalized_difference(nir, red)


def evi(blue: np.ndarray, red: np.ndarray, nir: np.ndarray) -> np.ndarray:
    """Enhanced vegetation index (Huete et al. 2002), float32; NaN where undefined."""
    b, r, n = (np.atleast_1d(np.asarray(x, dtype=np.float32)) for x in (blue, red, nir))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.asarray(EVI_G * (n - r) / (n + EVI_C1 * r - EVI_C2 * b + EVI_L))
    out[~np.isfinite(out)] = np.nan
    return out


def composite(stack: np.ndarray) -> np.ndarray:
    """Per-pixel median over time of a (time, rows, cols) stack, ignoring NaN."""
    s = np.asarray(stack, dtype=np.float32)
    out = np.full(s.shape[1:], np.nan, np.float32)
    seen = np.isfinite(s).any(axis=0)
    out[seen] = np.nanmedian(s[:, seen], axis=0)
    return out


def zscore_anomaly(current: np.ndarray, baseline: np.ndarray, min_years: int = 3) -> np.ndarray:
    """(current - mean) / std of a (time, rows, cols) baseline; NaN with < ``min_years``
    valid baseline values or zero spread."""
    b = np.asarray(baseline, dtype=np.float32)
    n = np.isfinite(b).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"), _quiet():
        mean = np.nanmean(b, axis=0)
        std = np.nanstd(b, axis=0, ddof=1)
        z = (np.asarray(current, np.float32) - mean) / std
    z[(n < min_years) | ~(std > 0)] = np.nan
    return z.astype(np.float32)


def percent_of_normal(current: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """100 * current / baseline mean (per pixel); NaN where the mean is not positive."""
    b = np.asarray(baseline, dtype=np.float32)
    with np.errstate(invalid="ignore", divide="ignore"), _quiet():
        mean = np.nanmean(b, axis=0)
        out = 100.0 * np.asarray(current, np.float32) / mean
    out[~(mean > 0)] = np.nan
    return out.astype(np.float32)


def region_mean(values: np.ndarray, masks: dict[str, np.ndarray]) -> dict[str, float]:
    """Mean of finite ``values`` inside each bool mask (NaN when none)."""
    v = np.asarray(values)
    out = {}
    for name, m in masks.items():
        sel = v[np.asarray(m, bool) & np.isfinite(v)]
        out[name] = float(sel.mean()) if sel.size else float("nan")
    return out


class _quiet:
    """Silence numpy's 'mean of empty slice' warnings inside a block."""

    def __enter__(self):
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        return self._w.__exit__(*exc)
