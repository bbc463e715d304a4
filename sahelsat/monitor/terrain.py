"""Terrain masks from a digital elevation model: standing water needs flat ground.

On slopes, radar shadow and foreshortening produce dark pixels that look like water;
flood water itself collects on flat ground. A slope mask removes the former.
"""

from __future__ import annotations

import numpy as np

#: Steepest ground (degrees) that still holds standing flood water. Floodplains slope
#: well under 1 degree; 5 degrees leaves margin for DEM noise (SRTM/Copernicus 30 m DEM
#: height noise of a few metres gives ~2-4 degree slope noise at 30-90 m spacing).
MAX_WATER_SLOPE_DEG = 5.0


def slope_degrees(dem: np.ndarray, dy_m: float, dx_m: float) -> np.ndarray:
    """Slope (degrees) of a (rows, cols) elevation grid in metres with pixel size dy, dx (m).

    Central differences inside, one-sided at the edges; NaN where the DEM is NaN.
    """
    z = np.asarray(dem, dtype=np.float64)
    gy, gx = np.gradient(z, dy_m, dx_m)
    return np.degrees(np.arctan(np.hypot(gx, gy))).astype(np.float32)


def too_steep(slope_deg: np.ndarray, max_slope_deg: float = MAX_WATER_SLOPE_DEG) -> np.ndarray:
    """Bool mask of ground too steep for standing water (NaN slope counts as not steep)."""
    return np.nan_to_num(np.asarray(slope_deg), nan=0.0) > max_slope_deg
