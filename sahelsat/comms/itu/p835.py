"""ITU-R P.835-6: reference standard atmosphere (pressure in the troposphere)."""

from __future__ import annotations

import numpy as np

REVISION = "P.835-6"


def standard_pressure(h_km) -> np.ndarray:
    """Mean annual global reference pressure (hPa) at geometric height ``h_km`` (0..11 km).

    P.835-6 §1.1: geopotential height h' = 6356.766 h / (6356.766 + h), then
    P = 1013.25 (288.15 / (288.15 - 6.5 h'))^(-34.1632 / 6.5).
    """
    h = np.asarray(h_km, dtype=float)
    hp = 6356.766 * h / (6356.766 + h)
    return 1013.25 * (288.15 / (288.15 - 6.5 * hp)) ** (-34.1632 / 6.5)
