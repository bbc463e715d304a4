"""ITU-R P.1510-1: annual and monthly mean surface temperature (K) from the 0.75-degree maps."""

from __future__ import annotations

import numpy as np

from sahelsat.comms.itu.maps import grid

REVISION = "P.1510-1"


def surface_mean_temperature(lat, lon) -> np.ndarray:
    """Annual mean surface temperature (K) at 2 m above ground; bilinear in the map."""
    return grid("1510/v1_lat", "1510/v1_lon", "1510/v1_t_annual")(lat, lon)


def surface_month_mean_temperature(lat, lon, month: int) -> np.ndarray:
    """Monthly mean surface temperature (K) for ``month`` 1..12; bilinear in the map."""
    if not 1 <= int(month) <= 12:
        raise ValueError(f"month must be 1..12, got {month}")
    return grid("1510/v1_lat", "1510/v1_lon", f"1510/v1_t_month{int(month):02d}")(lat, lon)
