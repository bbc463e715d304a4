"""ITU-R P.840-8: attenuation due to clouds on Earth-space paths."""

from __future__ import annotations

import numpy as np

from sahelsat.comms.itu.levels import bracket, stack
from sahelsat.comms.itu.maps import grid

REVISION = "P.840-8"

_LAT, _LON = "840/v7_lat", "840/v7_lon"  # P.840-8 ships the same maps as P.840-7


def specific_attenuation_coefficient(f_ghz, temperature_k=273.15) -> np.ndarray:
    """Cloud liquid water specific attenuation coefficient K_l ((dB/km)/(g/m^3)), P.840-8
    §2, double-Debye permittivity of water; P.840-8 uses 273.15 K for slant paths."""
    f = np.asarray(f_ghz, dtype=float)
    theta = 300.0 / np.asarray(temperature_k, dtype=float)
    eps0 = 77.66 + 103.3 * (theta - 1.0)
    eps1 = 0.0671 * eps0
    eps2 = 3.52
    fp = 20.20 - 146.0 * (theta - 1.0) + 316.0 * (theta - 1.0) ** 2
    fs = 39.8 * fp
    eps_re = (eps0 - eps1) / (1 + (f / fp) ** 2) + (eps1 - eps2) / (1 + (f / fs) ** 2) + eps2
    eps_im = f * (eps0 - eps1) / (fp * (1 + (f / fp) ** 2)) + f * (eps1 - eps2) / (
        fs * (1 + (f / fs) ** 2)
    )
    eta = (2.0 + eps_re) / eps_im
    return 0.819 * f / (eps_im * (1.0 + eta**2))


def reduced_liquid_water(lat, lon, p) -> np.ndarray:
    """Columnar content of reduced cloud liquid water L_red (kg/m^2) exceeded for ``p`` %
    (bilinear in the 1.125-degree maps, linear in ln p between map levels)."""
    cube = stack("840/v7_lred_%s", _LAT, _LON)
    g = grid(_LAT, _LON, "840/v7_lred_1")
    lat, lon, p = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (lat, lon, p)))
    r, c = g.fractional_index(lat, lon)
    i = np.clip(np.floor(r).astype(np.intp), 0, cube.shape[1] - 2)
    j = np.clip(np.floor(c).astype(np.intp), 0, cube.shape[2] - 2)
    t, u = r - i, c - j
    k, w = bracket(p)
    out = np.zeros(lat.shape)
    for level, weight in ((k, 1.0 - w), (k + 1, w)):
        v = (
            cube[level, i, j] * (1 - t) * (1 - u)
            + cube[level, i + 1, j] * t * (1 - u)
            + cube[level, i, j + 1] * (1 - t) * u
            + cube[level, i + 1, j + 1] * t * u
        )
        out += v * weight
    return out


def cloud_attenuation(lat, lon, elevation_deg, f_ghz, p) -> np.ndarray:
    """Cloud attenuation A_C (dB) exceeded for ``p`` %: L_red K_l(f, 273.15 K) / sin(el)."""
    kl = specific_attenuation_coefficient(f_ghz)
    return reduced_liquid_water(lat, lon, p) * kl / np.sin(np.radians(elevation_deg))
