"""ITU-R P.838-3: specific attenuation of rain, gamma_R = k R^alpha (dB/km)."""

from __future__ import annotations

import numpy as np

REVISION = "P.838-3"

# Coefficients of P.838-3 Tables 1-4: rows (a_j, b_j, c_j), then (m, c).
_KH = ((-5.33980, -0.10008, 1.13098), (-0.35351, 1.26970, 0.45400),
       (-0.23789, 0.86036, 0.15354), (-0.94158, 0.64552, 0.16817))  # fmt: skip
_KH_MC = (-0.18961, 0.71147)
_KV = ((-3.80595, 0.56934, 0.81061), (-3.44965, -0.22911, 0.51059),
       (-0.39902, 0.73042, 0.11899), (0.50167, 1.07319, 0.27195))  # fmt: skip
_KV_MC = (-0.16398, 0.63297)
_AH = ((-0.14318, 1.82442, -0.55187), (0.29591, 0.77564, 0.19822),
       (0.32177, 0.63773, 0.13164), (-5.37610, -0.96230, 1.47828),
       (16.1721, -3.29980, 3.43990))  # fmt: skip
_AH_MC = (0.67849, -1.95537)
_AV = ((-0.07771, 2.33840, -0.76284), (0.56727, 0.95545, 0.54039),
       (-0.20238, 1.14520, 0.26809), (-48.2991, 0.791669, 0.116226),
       (48.5833, 0.791459, 0.116479))  # fmt: skip
_AV_MC = (-0.053739, 0.83433)


def _fit(x: np.ndarray, rows, mc) -> np.ndarray:
    total = sum(a * np.exp(-(((x - b) / c) ** 2)) for a, b, c in rows)
    return total + mc[0] * x + mc[1]


def coefficients(f_ghz, elevation_deg, tilt_deg) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients (k, alpha) for frequency (GHz, 1..1000), path elevation and polarisation
    tilt (deg; 0 horizontal, 90 vertical, 45 circular); P.838-3 §1."""
    x = np.log10(np.asarray(f_ghz, dtype=float))
    kh = 10.0 ** _fit(x, _KH, _KH_MC)
    kv = 10.0 ** _fit(x, _KV, _KV_MC)
    ah = _fit(x, _AH, _AH_MC)
    av = _fit(x, _AV, _AV_MC)
    geo = np.cos(np.radians(elevation_deg)) ** 2 * np.cos(np.radians(2.0 * np.asarray(tilt_deg)))
    k = (kh + kv + (kh - kv) * geo) / 2.0
    alpha = (kh * ah + kv * av + (kh * ah - kv * av) * geo) / (2.0 * k)
    return k, alpha


def specific_attenuation(rain_rate_mm_h, f_ghz, elevation_deg, tilt_deg) -> np.ndarray:
    """Rain specific attenuation gamma_R (dB/km) for rain rate R (mm/h)."""
    k, alpha = coefficients(f_ghz, elevation_deg, tilt_deg)
    return k * np.asarray(rain_rate_mm_h, dtype=float) ** alpha
