"""ITU-R P.618-13: rain attenuation, tropospheric scintillation and their combination with
gas and cloud attenuation on Earth-space paths."""

from __future__ import annotations

import numpy as np

from sahelsat.comms.itu import p838

REVISION = "P.618-13"

EFFECTIVE_EARTH_RADIUS_KM = 8500.0  # P.618-13 §2.2.1.1 step 2


def rain_attenuation(lat, f_ghz, elevation_deg, p, hs_km, hr_km, r001_mm_h, tilt_deg):
    """Rain attenuation A_p (dB) exceeded for ``p`` % of an average year, P.618-13 §2.2.1.1
    steps 2-10, given the station height ``hs_km``, rain height ``hr_km`` and R0.01 (mm/h).
    All arguments broadcast (terms not depending on ``p`` keep the other arguments' shape,
    so a (location, 1) by (p,) call computes them once per location); 0 where the station
    is above the rain height or R0.01 is 0."""
    lat, f, el, p, hs, hr, r001, tau = (
        np.asarray(a, dtype=float) for a in (lat, f_ghz, elevation_deg, p, hs_km, hr_km,
                                             r001_mm_h, tilt_deg)
    )  # fmt: skip
    dh = hr - hs
    wet = (dh > 0) & (r001 > 0)
    dh = np.where(wet, dh, 1e-6)
    r001 = np.where(wet, r001, 1e-6)
    sin_el = np.sin(np.radians(el))
    cos_el = np.cos(np.radians(el))
    ls = np.where(
        el >= 5.0,
        dh / sin_el,
        2.0 * dh / (np.sqrt(sin_el**2 + 2.0 * dh / EFFECTIVE_EARTH_RADIUS_KM) + sin_el),
    )
    lg = ls * cos_el
    gamma = p838.specific_attenuation(r001, f, el, tau)
    r_h = 1.0 / (1.0 + 0.78 * np.sqrt(lg * gamma / f) - 0.38 * (1.0 - np.exp(-2.0 * lg)))
    zeta = np.degrees(np.arctan2(dh, lg * r_h))
    lr = np.where(zeta > el, lg * r_h / cos_el, dh / sin_el)
    chi = np.where(np.abs(lat) < 36.0, 36.0 - np.abs(lat), 0.0)
    v_v = 1.0 / (
        1.0
        + np.sqrt(sin_el)
        * (31.0 * (1.0 - np.exp(-el / (1.0 + chi))) * np.sqrt(lr * gamma) / f**2 - 0.45)
    )
    a001 = gamma * lr * v_v
    beta = np.where(
        (p >= 1.0) | (np.abs(lat) >= 36.0),
        0.0,
        np.where(
            el >= 25.0,
            -0.005 * (np.abs(lat) - 36.0),
            -0.005 * (np.abs(lat) - 36.0) + 1.8 - 4.25 * sin_el,
        ),
    )
    exponent = -(0.655 + 0.033 * np.log(p) - 0.045 * np.log(a001) - beta * (1.0 - p) * sin_el)
    shape = np.broadcast_shapes(
        lat.shape, f.shape, el.shape, p.shape, hs.shape, hr.shape, r001.shape, tau.shape
    )
    return np.broadcast_to(np.where(wet, a001 * (p / 0.01) ** exponent, 0.0), shape).copy()


def scintillation_sigma(f_ghz, elevation_deg, diameter_m, efficiency, nwet, h_l_m=1000.0):
    """Standard deviation of scintillation sigma (dB), P.618-13 §2.4.1 steps 3-7, from the
    median wet refractivity ``nwet`` (P.453) and the antenna diameter (m) and efficiency."""
    args = (f_ghz, elevation_deg, diameter_m, efficiency, nwet)
    f, el, d, eta, nwet = (np.asarray(a, dtype=float) for a in args)
    sin_el = np.sin(np.radians(el))
    sigma_ref = 3.6e-3 + 1e-4 * nwet
    length = 2.0 * h_l_m / (np.sqrt(sin_el**2 + 2.35e-4) + sin_el)
    x = 1.22 * eta * d**2 * f / length  # D_eff^2 = eta D^2
    with np.errstate(invalid="ignore"):
        g2 = 3.86 * (x**2 + 1.0) ** (11.0 / 12.0) * np.sin(
            11.0 / 6.0 * np.arctan2(1.0, x)
        ) - 7.08 * x ** (5.0 / 6.0)
        g = np.where(x >= 7.0, 0.0, np.sqrt(np.maximum(g2, 0.0)))
    return sigma_ref * f ** (7.0 / 12.0) * g / sin_el**1.2


def scintillation_attenuation(f_ghz, elevation_deg, p, diameter_m, efficiency, nwet):
    """Scintillation fade depth A_S (dB) exceeded for ``p`` % (0.01..50), P.618-13 §2.4.1."""
    lp = np.log10(np.asarray(p, dtype=float))
    a_p = -0.061 * lp**3 + 0.072 * lp**2 - 1.71 * lp + 3.0
    return a_p * scintillation_sigma(f_ghz, elevation_deg, diameter_m, efficiency, nwet)


def combine(a_gas, a_cloud, a_rain, a_scint):
    """Total attenuation A_T = A_G + sqrt((A_R + A_C)^2 + A_S^2) (dB), P.618-13 §2.5;
    the caller evaluates A_G and A_C at max(p, 1 %) as §2.5 requires."""
    return a_gas + np.sqrt((a_rain + a_cloud) ** 2 + a_scint**2)
