"""ITU-R P-series propagation models for Earth-space links, one module per recommendation.

:func:`total_attenuation` is the entry point: the attenuation (dB) exceeded for p % of an
average year on a slant path, P.618-13 §2.5, with gases (P.676-12 Annex 2), clouds
(P.840-8), rain (P.618-13, P.837-7, P.838-3, P.839-4) and scintillation (P.618-13, P.453).
:data:`REVISIONS` names the revisions used; outputs print it.
"""

from __future__ import annotations

import numpy as np

from sahelsat.comms.itu import (
    p453,
    p618,
    p676,
    p835,
    p836,
    p837,
    p838,
    p839,
    p840,
    p1510,
    p1511,
)

REVISIONS: dict[str, str] = {
    m.REVISION.split("-")[0]: m.REVISION
    for m in (p618, p676, p840, p837, p838, p839, p836, p453, p1510, p1511, p835)
}
"""Revision of each ITU-R recommendation implemented, e.g. ``{"P.618": "P.618-13", ...}``."""

SUPPORTED_REVISIONS = ("P.618-13",)
FREQUENCY_RANGE_GHZ = (1.0, 55.0)  # P.618-13 rain prediction range (§2.2.1.1)
P_RANGE_PERCENT = (0.001, 50.0)  # P.618-13 §2.5 total attenuation range


def _check_range(name: str, value: np.ndarray, lo: float, hi: float, lo_open=False, hint=""):
    bad = ~np.isfinite(value) | (value > hi) | ((value <= lo) if lo_open else (value < lo))
    if np.any(bad):
        sample = np.unique(value[bad])[:5]
        interval = f"({lo:g}, {hi:g}]" if lo_open else f"[{lo:g}, {hi:g}]"
        raise ValueError(
            f"{name} must lie in {interval}; got {', '.join(f'{v:g}' for v in sample)}"
            + (f" ({hint})" if hint else "")
        )


def attenuation_components(
    lat,
    lon,
    f_ghz,
    elevation_deg,
    p_percent,
    diameter_m,
    efficiency=0.5,
    tilt_deg=45.0,
    height_km=None,
    revision: str = "P.618-13",
    rain_rate: str = "exact",
) -> dict[str, np.ndarray]:
    """Attenuation components (dB) exceeded for ``p_percent`` % of an average year.

    Arguments broadcast together (numpy rules): ``lat``/``lon`` station (deg), ``f_ghz``
    frequency (1..55 GHz), ``elevation_deg`` path elevation (0..90 deg), ``p_percent``
    (0.001..50 %), ``diameter_m`` and ``efficiency`` of the antenna (scintillation),
    ``tilt_deg`` polarisation tilt (45 = circular), ``height_km`` station height above sea
    level (default: P.1511-2 topography). ``rain_rate``: ``"exact"`` (default) computes R0.01
    from the monthly maps (P.837-7 Annex 1), as ITU-R's validation examples do; ``"map"``
    reads the P.837-7 R0.01 map, as ``itur`` 0.4 does (differences up to ~0.02 dB).

    Returns a dict with ``gas``, ``cloud``, ``rain``, ``scintillation`` and ``total``, each
    an array of the broadcast shape.
    """
    if revision not in SUPPORTED_REVISIONS:
        raise ValueError(
            f"revision {revision!r} is not available; supported: {SUPPORTED_REVISIONS}. "
            "P.618-14 needs the P.840-9 cloud maps and P.676-13, which are not shipped."
        )
    if rain_rate not in ("map", "exact"):
        raise ValueError(f"rain_rate must be 'map' or 'exact', got {rain_rate!r}")
    args = [lat, lon, f_ghz, elevation_deg, p_percent, diameter_m, efficiency, tilt_deg]
    if height_km is not None:
        args.append(height_km)
    arrays = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in args))
    lat, lon, f, el, p, d, eta, tau = arrays[:8]
    _check_range("lat", lat, -90.0, 90.0)
    _check_range("lon", lon, -360.0, 360.0)
    _check_range("f_ghz", f, *FREQUENCY_RANGE_GHZ, hint="range of the P.618/P.838 rain model")
    _check_range("elevation_deg", el, 0.0, 90.0, lo_open=True, hint="the path must rise")
    _check_range("p_percent", p, *P_RANGE_PERCENT, hint="time percentage of P.618-13 §2.5")
    _check_range("diameter_m", d, 0.0, 100.0, lo_open=True)
    _check_range("efficiency", eta, 0.0, 1.0, lo_open=True)
    hs = arrays[8] if height_km is not None else p1511.topographic_altitude(lat, lon)
    _check_range("height_km", hs, -1.0, 10.0)

    p_cg = np.maximum(p, 1.0)  # P.618-13 §2.5: gas and cloud at p >= 1 %
    t = p1510.surface_mean_temperature(lat, lon)
    pressure = p835.standard_pressure(hs)
    rho = p836.surface_water_vapour_density(lat, lon, p_cg, hs)
    v = p836.total_water_vapour_content(lat, lon, p_cg, hs)
    gas = p676.slant_path_attenuation(f, el, rho, pressure, t, v, hs)
    cloud = p840.cloud_attenuation(lat, lon, el, f, p_cg)
    if rain_rate == "map":
        r001 = p837.rainfall_rate_r001(lat, lon)
    else:
        r001 = p837.rainfall_rate(lat, lon, 0.01)
    rain = p618.rain_attenuation(lat, f, el, p, hs, p839.rain_height(lat, lon), r001, tau)
    nwet = p453.wet_refractivity(lat, lon, 50.0)
    scint = p618.scintillation_attenuation(f, el, p, d, eta, nwet)
    total = p618.combine(gas, cloud, rain, scint)
    return {"gas": gas, "cloud": cloud, "rain": rain, "scintillation": scint, "total": total}


def attenuation_grid(
    lat,
    lon,
    f_ghz,
    elevation_deg,
    p_percent,
    diameter_m,
    efficiency=0.5,
    tilt_deg=45.0,
    height_km=None,
    rain_rate: str = "exact",
) -> dict[str, np.ndarray]:
    """:func:`attenuation_components` of many locations on one grid of time percentages:
    the same model and results, with each location's map look-ups done once.

    ``lat``, ``lon``, ``elevation_deg`` (and ``height_km``, ``diameter_m``,
    ``efficiency`` when arrays) have one shape (location,); ``f_ghz`` and ``tilt_deg``
    are numbers; ``p_percent`` is (p,). Returns ``gas, cloud, rain, scintillation,
    total``, each (location, p), dB.
    """
    p = np.atleast_1d(np.asarray(p_percent, dtype=float))
    args = [lat, lon, elevation_deg, diameter_m, efficiency]
    if height_km is not None:
        args.append(height_km)
    arrays = [np.array(a) for a in np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(a, dtype=float)) for a in args))]  # fmt: skip
    lat, lon, el, d, eta = arrays[:5]
    if lat.ndim != 1 or p.ndim != 1:
        raise ValueError("attenuation_grid takes locations (n,) and p_percent (m,)")
    f, tau = float(f_ghz), float(tilt_deg)
    _check_range("lat", lat, -90.0, 90.0)
    _check_range("lon", lon, -360.0, 360.0)
    _check_range("f_ghz", np.array([f]), *FREQUENCY_RANGE_GHZ, hint="range of the P.618/P.838 "
                 "rain model")  # fmt: skip
    _check_range("elevation_deg", el, 0.0, 90.0, lo_open=True, hint="the path must rise")
    _check_range("p_percent", p, *P_RANGE_PERCENT, hint="time percentage of P.618-13 §2.5")
    _check_range("diameter_m", d, 0.0, 100.0, lo_open=True)
    _check_range("efficiency", eta, 0.0, 1.0, lo_open=True)
    hs = arrays[5] if height_km is not None else p1511.topographic_altitude(lat, lon)
    _check_range("height_km", hs, -1.0, 10.0)
    if rain_rate not in ("map", "exact"):
        raise ValueError(f"rain_rate must be 'map' or 'exact', got {rain_rate!r}")
    # gas and cloud at max(p, 1 %) (§2.5): once per distinct value
    p_cg = np.maximum(p, 1.0)
    levels, which = np.unique(p_cg, return_inverse=True)
    t = p1510.surface_mean_temperature(lat, lon)
    pressure = p835.standard_pressure(hs)
    gas = np.empty((lat.size, levels.size))
    cloud = np.empty_like(gas)
    for k, pc in enumerate(levels):
        rho = p836.surface_water_vapour_density(lat, lon, pc, hs)
        v = p836.total_water_vapour_content(lat, lon, pc, hs)
        gas[:, k] = p676.slant_path_attenuation(f, el, rho, pressure, t, v, hs)
        cloud[:, k] = p840.cloud_attenuation(lat, lon, el, f, pc)
    gas, cloud = gas[:, which], cloud[:, which]
    r001 = p837.rainfall_rate_r001(lat, lon) if rain_rate == "map" else p837.rainfall_rate(
        lat, lon, 0.01)  # fmt: skip
    col = (slice(None), None)
    rain = p618.rain_attenuation(lat[col], f, el[col], p[None, :], hs[col],
                                 p839.rain_height(lat, lon)[col], r001[col], tau)  # fmt: skip
    nwet = p453.wet_refractivity(lat, lon, 50.0)
    scint = p618.scintillation_attenuation(f, el[col], p[None, :], d[col], eta[col], nwet[col])
    total = p618.combine(gas, cloud, rain, scint)
    return {"gas": gas, "cloud": cloud, "rain": rain, "scintillation": scint, "total": total}


def total_attenuation(
    lat,
    lon,
    f_ghz,
    elevation_deg,
    p_percent,
    diameter_m,
    efficiency=0.5,
    tilt_deg=45.0,
    height_km=None,
    revision: str = "P.618-13",
    rain_rate: str = "exact",
) -> np.ndarray:
    """Total Earth-space attenuation (dB) exceeded for ``p_percent`` % of an average year,
    ITU-R P.618-13 §2.5; arguments as in ITU-R's validation examples, broadcast together.

    See :func:`attenuation_components` for the arguments and the component breakdown.
    """
    return attenuation_components(
        lat, lon, f_ghz, elevation_deg, p_percent, diameter_m, efficiency, tilt_deg,
        height_km, revision, rain_rate,
    )["total"]  # fmt: skip


__all__ = [
    "REVISIONS",
    "attenuation_components",
    "attenuation_grid",
    "total_attenuation",
    "p453",
    "p618",
    "p676",
    "p835",
    "p836",
    "p837",
    "p838",
    "p839",
    "p840",
    "p1510",
    "p1511",
]
