"""ITU-R P.1511-2: topography for Earth-space propagation modelling (height above sea level)."""

from __future__ import annotations

import numpy as np

from sahelsat.comms.itu.maps import grid

REVISION = "P.1511-2"


def topographic_altitude(lat, lon) -> np.ndarray:
    """Height of the ground above mean sea level (km) at ``lat``, ``lon`` (deg, any shape).

    Bicubic interpolation of the 1/12-degree P.1511-2 map (given in metres).
    """
    return grid("1511/v2_lat", "1511/v2_lon", "1511/v2_topo", "bicubic")(lat, lon) / 1000.0
