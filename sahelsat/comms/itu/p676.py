"""ITU-R P.676-12: attenuation by atmospheric gases (line-by-line specific attenuation and the
Annex 2 slant-path approximation with the zenith water-vapour method)."""

from __future__ import annotations

import functools

import numpy as np
from numba import njit

from sahelsat.comms.itu.maps import itur_data_dir

REVISION = "P.676-12"

# P.676-12 Annex 2 Table 3: (c_i, f_i GHz) of the oxygen equivalent-height term t2.
_T2 = np.array([(0.1597, 118.750334), (0.1066, 368.498246), (0.1325, 424.763020),
                (0.1242, 487.249273), (0.0938, 715.392902), (0.1448, 773.839490),
                (0.1374, 834.145546)])  # fmt: skip


@functools.cache
def _lines(kind: str) -> np.ndarray:
    """Spectroscopic line table of P.676-12 Annex 1 (Table 1 oxygen, Table 2 water vapour),
    shape (n_lines, 7): f0 (GHz) then the six coefficients."""
    path = itur_data_dir() / "676" / f"v12_lines_{kind}.txt"
    return np.loadtxt(path, delimiter=",", skiprows=1)


@njit(cache=True)
def _gamma_oxygen_kernel(f, p, rho, t, lines):  # pragma: no cover - compiled
    out = np.empty(f.shape[0])
    for k in range(f.shape[0]):
        fk, pk = f[k], p[k]
        theta = 300.0 / t[k]
        log_theta = np.log(theta)
        e = rho[k] * t[k] / 216.7
        theta08 = theta**0.8
        strength0 = 1e-7 * pk * theta**3
        total = 0.0
        for n in range(lines.shape[0]):
            f0 = lines[n, 0]
            strength = lines[n, 1] * strength0 * np.exp(lines[n, 2] * (1.0 - theta))
            t_pow = theta08 if lines[n, 4] == 0.0 else np.exp((0.8 - lines[n, 4]) * log_theta)
            width = lines[n, 3] * 1e-4 * (pk * t_pow + 1.1 * e * theta)
            width = np.sqrt(width * width + 2.25e-6)
            delta = (lines[n, 5] + lines[n, 6] * theta) * 1e-4 * (pk + e) * theta08
            total += (
                strength
                * (fk / f0)
                * (
                    (width - delta * (f0 - fk)) / ((f0 - fk) ** 2 + width * width)
                    + (width - delta * (f0 + fk)) / ((f0 + fk) ** 2 + width * width)
                )
            )
        d = 5.6e-4 * (pk + e) * theta08
        n_dry = (
            fk * pk * theta**2
            * (6.14e-5 / (d * (1.0 + (fk / d) ** 2))
               + 1.4e-12 * pk * theta**1.5 / (1.0 + 1.9e-5 * fk**1.5))
        )  # fmt: skip
        out[k] = 0.1820 * fk * (total + n_dry)
    return out


@njit(cache=True)
def _gamma_water_kernel(f, p, rho, t, lines, f_ref):  # pragma: no cover - compiled
    """gamma_w at f, and (second row) at f_ref (NaN f_ref: skipped) for the same air."""
    out = np.zeros((2, f.shape[0]))
    for k in range(f.shape[0]):
        fk, pk, fr = f[k], p[k], f_ref[k]
        theta = 300.0 / t[k]
        log_theta = np.log(theta)
        e = rho[k] * t[k] / 216.7
        strength0 = 1e-1 * e * theta**3.5
        total, total_ref = 0.0, 0.0
        for n in range(lines.shape[0]):
            f0 = lines[n, 0]
            strength = lines[n, 1] * strength0 * np.exp(lines[n, 2] * (1.0 - theta))
            pressure_term = pk * np.exp(lines[n, 4] * log_theta)
            vapour_term = lines[n, 5] * e * np.exp(lines[n, 6] * log_theta)
            width = lines[n, 3] * 1e-4 * (pressure_term + vapour_term)
            width = 0.535 * width + np.sqrt(0.217 * width * width + 2.1316e-12 * f0 * f0 / theta)
            w2 = width * width
            total += strength * (fk / f0) * (width / ((f0 - fk) ** 2 + w2)
                                             + width / ((f0 + fk) ** 2 + w2))  # fmt: skip
            if fr == fr:
                total_ref += strength * (fr / f0) * (width / ((f0 - fr) ** 2 + w2)
                                                     + width / ((f0 + fr) ** 2 + w2))  # fmt: skip
        out[0, k] = 0.1820 * fk * total
        out[1, k] = 0.1820 * fr * total_ref
    return out


def _flat(*args):
    arrays = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in args))
    shape = arrays[0].shape
    return shape, [np.array(a).ravel() for a in arrays]  # copies: numba reads no broadcast views


def gamma_oxygen(f_ghz, p_hpa, rho_g_m3, t_k) -> np.ndarray:
    """Specific attenuation of dry air gamma_o (dB/km): oxygen lines plus the dry continuum,
    P.676-12 Annex 1 §1. ``p_hpa`` is the dry air pressure, ``rho_g_m3`` water
    vapour density, ``t_k`` temperature; arguments broadcast."""
    shape, flat = _flat(f_ghz, p_hpa, rho_g_m3, t_k)
    return _gamma_oxygen_kernel(*flat, _lines("oxygen")).reshape(shape)


def gamma_water(f_ghz, p_hpa, rho_g_m3, t_k) -> np.ndarray:
    """Specific attenuation of water vapour gamma_w (dB/km), P.676-12 Annex 1 water lines."""
    shape, flat = _flat(f_ghz, p_hpa, rho_g_m3, t_k)
    nan = np.full(flat[0].shape, np.nan)
    return _gamma_water_kernel(*flat, _lines("water_vapour"), nan)[0].reshape(shape)


def oxygen_equivalent_height(f_ghz, p_hpa, rho_g_m3, t_k) -> np.ndarray:
    """Equivalent height of dry air h_o (km), P.676-12 Annex 2 (oxygen, slant paths)."""
    f, p, rho, t = (np.asarray(a, dtype=float) for a in (f_ghz, p_hpa, rho_g_m3, t_k))
    e = rho * t / 216.7
    rp = (p + e) / 1013.25
    t1 = (5.1040 / (1.0 + 0.066 * rp**-2.3)
          * np.exp(-(((f - 59.7) / (2.87 + 12.4 * np.exp(-7.9 * rp))) ** 2)))  # fmt: skip
    t2 = sum(c * np.exp(2.12 * rp) / ((f - fi) ** 2 + 0.025 * np.exp(2.2 * rp)) for c, fi in _T2)
    t3 = (0.0114 * f / (1.0 + 0.14 * rp**-2.6)
          * (15.02 * f**2 - 1353.0 * f + 5.333e4)
          / (f**3 - 151.3 * f**2 + 9629.0 * f - 6803.0))  # fmt: skip
    a = 0.7832 + 0.00709 * (t - 273.15)
    h0 = 6.1 * a / (1.0 + 0.17 * rp**-1.1) * (1.0 + t1 + t2 + t3)
    return np.where(f < 70.0, np.minimum(h0, 10.7 * rp**0.3), h0)


def _exact_zenith_ratio(f: np.ndarray, v: np.ndarray) -> np.ndarray:
    """gamma_w(f) / gamma_w(20.6 GHz) at 845 hPa, rho = V / 2.38 and
    T = 14 ln(0.22 V / 2.38) + 3 degC (P.676-12 Annex 2, zenith water-vapour method)."""
    shape, (ff, vv) = _flat(f, v)
    rho_ref = vv / 2.38
    t_ref = 14.0 * np.log(0.22 * vv / 2.38) + 3.0 + 273.15
    g = _gamma_water_kernel(ff, np.full(ff.shape, 845.0), rho_ref, t_ref,
                            _lines("water_vapour"), np.full(ff.shape, 20.6))  # fmt: skip
    return (g[0] / g[1]).reshape(shape)


_SPLINE_NODES = 1024


def _zenith_ratio(f: np.ndarray, v: np.ndarray) -> np.ndarray:
    """:func:`_exact_zenith_ratio`; for one frequency and many sites, the ratio (a smooth
    function of V alone) is computed exactly on 1,024 nodes log-spaced over the sites' V and
    interpolated with a cubic spline in ln V (relative error below 1e-9, tested)."""
    if np.ndim(f) > 0 and np.unique(f).size > 1 or np.size(v) <= 4 * _SPLINE_NODES:
        return _exact_zenith_ratio(f, v)
    from scipy.interpolate import CubicSpline

    lo, hi = float(np.min(v)), float(np.max(v))
    if not lo < hi:
        return _exact_zenith_ratio(f, v)
    nodes = np.geomspace(lo, hi, _SPLINE_NODES)
    f0 = float(np.ravel(f)[0])
    spline = CubicSpline(np.log(nodes), _exact_zenith_ratio(np.full(nodes.shape, f0), nodes))
    return np.broadcast_to(spline(np.log(v)), np.broadcast_shapes(np.shape(f), np.shape(v)))


def zenith_water_vapour_attenuation(f_ghz, v_kg_m2, h_km) -> np.ndarray:
    """Zenith water-vapour attenuation A_w (dB) from the integrated water vapour content V
    (kg/m^2) at a station ``h_km`` above sea level (P.676-12 Annex 2, zenith method)."""
    f, v, h = (np.asarray(a, dtype=float) for a in (f_ghz, v_kg_m2, h_km))
    ratio = _zenith_ratio(f, v)
    a = (0.2048 * np.exp(-(((f - 22.43) / 3.097) ** 2))
         + 0.2326 * np.exp(-(((f - 183.5) / 4.096) ** 2))
         + 0.2073 * np.exp(-(((f - 325.0) / 3.651) ** 2)) - 0.1113)  # fmt: skip
    b = 8.741e4 * np.exp(-0.587 * f) + 312.2 * f**-2.38 + 0.723
    hc = np.clip(h, 0.0, 4.0)
    base = 0.0176 * v * ratio
    return np.where(f < 20.0, base, base * (a * hc**b + 1.0))


def slant_path_attenuation(f_ghz, elevation_deg, rho_g_m3, p_hpa, t_k, v_kg_m2, h_km):
    """Gaseous attenuation on an Earth-space path A_gas (dB), P.676-12 Annex 2:
    (gamma_o h_o + A_w) / sin(el), with A_w from the zenith water-vapour method; >= 0."""
    gamma_o = gamma_oxygen(f_ghz, p_hpa, rho_g_m3, t_k)
    h_o = oxygen_equivalent_height(f_ghz, p_hpa, rho_g_m3, t_k)
    a_w = zenith_water_vapour_attenuation(f_ghz, v_kg_m2, h_km)
    a = (gamma_o * h_o + a_w) / np.sin(np.radians(elevation_deg))
    return np.maximum(a, 0.0)
