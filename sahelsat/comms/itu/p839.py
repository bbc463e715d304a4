"""ITU-R P.839-4: rain height model (0 degC isotherm height plus 0.36 km)."""

from __future__ import annotations

import numpy as np

from sahelsat.comms.itu.maps import grid

REVISION = "P.839-4"


def isotherm_0_height(lat, lon) -> np.ndarray:
    """Mean annual 0 degC isotherm height above sea level h0 (km); bilinear in the 1.5 deg map."""
    return grid("839/v4_esalat", "839/v4_esalon", "839/v4_esa0height")(lat, lon)


def rain_height(lat, lon) -> np.ndarray:
    """Mean annual rain height above sea level hR = h0 + 0.36 km (P.839-4)."""
    return isotherm_0_height(lat, lon) + 0.36
