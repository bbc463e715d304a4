"""Interpolation between the exceedance levels of ITU-R probability maps (log of p)."""

from __future__ import annotations

import functools

import numpy as np

from sahelsat.comms.itu.maps import grid

# Exceedance probabilities (%) of the P.836 and P.840 maps.
MAP_LEVELS = (0.1, 0.2, 0.3, 0.5, 1, 2, 3, 5, 10, 20, 30, 50, 60, 70, 80, 90, 95, 99)


def bracket(p, levels=MAP_LEVELS) -> tuple[np.ndarray, np.ndarray]:
    """Lower level index and weight w for ``p`` (%): value = (1-w) v[i] + w v[i+1], with w
    linear in ln p (P.836-6 and P.840-8 step 'interpolate in probability')."""
    lv = np.asarray(levels, dtype=float)
    p = np.asarray(p, dtype=float)
    i = np.clip(np.searchsorted(lv, p, side="right") - 1, 0, len(lv) - 2)
    w = (np.log(p) - np.log(lv[i])) / (np.log(lv[i + 1]) - np.log(lv[i]))
    return i, w


@functools.cache
def stack(pattern: str, lat_name: str, lon_name: str, levels=MAP_LEVELS) -> np.ndarray:
    """Maps of ``pattern % tag`` for each level as one (level, lat, lon) array (grid order of
    :func:`sahelsat.comms.itu.maps.grid`, both axes ascending)."""
    cubes = [grid(lat_name, lon_name, pattern % f"{p:g}".replace(".", "")).values for p in levels]
    return np.stack(cubes)
