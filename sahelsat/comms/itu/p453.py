"""ITU-R P.453-14: wet term of the surface radio refractivity from the annual maps."""

from __future__ import annotations

import numpy as np

from sahelsat.comms.itu.maps import grid

REVISION = "P.453-14"

# Exceedance levels (%) of the annual N_wet maps (P.453 Annex, digital maps).
NWET_LEVELS = (0.1, 0.2, 0.3, 0.5, 1, 2, 3, 5, 10, 20, 30, 50, 60, 70, 80, 90, 95, 99)


def wet_refractivity(lat, lon, p: float = 50.0) -> np.ndarray:
    """Wet term of surface refractivity N_wet (ppm) exceeded for ``p`` % of an average year.

    ``p`` must be one of :data:`NWET_LEVELS` (P.618 scintillation uses the median, 50 %).
    Bilinear interpolation in the 0.75-degree map.
    """
    if float(p) not in NWET_LEVELS:
        raise ValueError(f"p = {p} %: N_wet maps exist for p in {NWET_LEVELS} only")
    tag = f"{p:g}".replace(".", "")
    return grid("453/v13_lat_n", "453/v13_lon_n", f"453/v13_nwet_annual_{tag}")(lat, lon)
