"""Link-budget kernels: geometry, antennas, noise, carrier-to-noise and their combination.

Pure vectorised functions of numpy arrays (they broadcast); decibels for ratios and gains,
kelvin for temperatures, km for distances, GHz for frequencies, degrees for angles.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, vectorize

from sahelsat import frames
from sahelsat.core.constants import (  # noqa: F401  (re-exported)
    GEO_RADIUS_KM,
    WGS84_A_KM,
    WGS84_F,
)

SPEED_OF_LIGHT_M_S = 299_792_458.0
BOLTZMANN_DBW_PER_K_HZ = -228.5991  # 10 log10(1.380649e-23 J/K), CODATA 2018
T0_K = 290.0  # reference temperature of noise figures (IEEE Std 161)
RAIN_MEDIUM_TEMPERATURE_K = 275.0  # P.618-13 §3: mean radiating temperature T_mr


def db(x) -> np.ndarray:
    """10 log10(x)."""
    return 10.0 * np.log10(np.asarray(x, dtype=float))


def undb(x_db) -> np.ndarray:
    """10^(x/10)."""
    return 10.0 ** (np.asarray(x_db, dtype=float) / 10.0)


def wavelength_m(f_ghz) -> np.ndarray:
    """Free-space wavelength (m) at ``f_ghz``."""
    return SPEED_OF_LIGHT_M_S / (np.asarray(f_ghz, dtype=float) * 1e9)


def free_space_loss_db(distance_km, f_ghz) -> np.ndarray:
    """Free-space path loss (dB), (4 pi d / lambda)^2 (ITU-R P.525)."""
    d_m = np.asarray(distance_km, dtype=float) * 1e3
    return 20.0 * np.log10(4.0 * np.pi * d_m / wavelength_m(f_ghz))


def antenna_gain_dbi(diameter_m, f_ghz, efficiency=0.65) -> np.ndarray:
    """Boresight gain (dBi) of a circular aperture: efficiency (pi D / lambda)^2."""
    d = np.asarray(diameter_m, dtype=float)
    return db(np.asarray(efficiency, dtype=float) * (np.pi * d / wavelength_m(f_ghz)) ** 2)


def beamwidth_3db_deg(diameter_m, f_ghz) -> np.ndarray:
    """Half-power beamwidth (deg) of a reflector, about 70 lambda / D (typical taper)."""
    return 70.0 * wavelength_m(f_ghz) / np.asarray(diameter_m, dtype=float)


def pointing_loss_db(error_deg, beamwidth_deg) -> np.ndarray:
    """Gain lost (dB) at ``error_deg`` off boresight, 12 (theta / theta_3dB)^2 (Gaussian
    main-lobe approximation; 3 dB at half the beamwidth)."""
    ratio = np.asarray(error_deg, dtype=float) / np.asarray(beamwidth_deg, dtype=float)
    return 12.0 * ratio**2


def beam_rolloff_db(off_axis_deg, beamwidth_deg, shape: str = "gaussian") -> np.ndarray:
    """Gain relative to beam peak (dB, <= 0) at ``off_axis_deg`` from the beam centre.

    ``"gaussian"``: -12 (theta / theta_3dB)^2; ``"bessel"``: uniformly illuminated circular
    aperture, (2 J1(u) / u)^2 with u = 3.2327 theta / theta_3dB (so that -3.01 dB falls at
    theta_3dB / 2), floored at the first null's depth of -40 dB.
    """
    ratio = np.asarray(off_axis_deg, dtype=float) / np.asarray(beamwidth_deg, dtype=float)
    if shape == "gaussian":
        return -12.0 * ratio**2
    if shape == "bessel":
        from scipy.special import j1

        u = 3.2327 * ratio
        with np.errstate(invalid="ignore", divide="ignore"):
            pattern = np.where(u > 1e-9, (2.0 * j1(u) / u) ** 2, 1.0)
        return np.maximum(db(np.maximum(pattern, 1e-12)), -40.0)
    raise ValueError(f"beam shape must be 'gaussian' or 'bessel', got {shape!r}")


#: ITU-R S.672-4 Annex 1 table of the main-beam and near-side-lobe extents a, b (in
#: units of psi0) for each near side-lobe level L_N (dB relative to peak).
S672_EXTENTS = {-20.0: (2.58, 6.32), -25.0: (2.88, 6.32), -30.0: (3.16, 6.32)}


@njit(cache=True, inline="always")
def s672_relative_db(ratio, peak_gain_dbi, ln_db, a, b):  # pragma: no cover - compiled
    """Gain (dB relative to peak) of the ITU-R S.672-4 Annex 1 pattern at ``ratio`` =
    psi / psi0 (circular beam, z = 1, alpha = 2, far side lobes L_F = 0 dBi)."""
    if ratio <= a:
        return -3.0 * ratio * ratio
    if ratio <= b:
        return ln_db
    # X - 25 log(psi) with X = Gm + L_N + 25 log(b psi0), floored at L_F = 0 dBi
    return max(ln_db - 25.0 * math.log10(ratio / b), -peak_gain_dbi)


@vectorize(["float64(float64, float64, float64, float64, float64)"], cache=True)
def _s672_vec(ratio, peak_gain_dbi, ln_db, a, b):  # pragma: no cover - compiled
    return s672_relative_db(ratio, peak_gain_dbi, ln_db, a, b)


def s672_gain_dbi(off_axis_deg, peak_gain_dbi, beamwidth_deg, near_sidelobe_db=-25.0):
    """Gain (dBi) of a GSO satellite antenna with a circular beam, ITU-R S.672-4 Annex 1:

    Gm - 3 (psi/psi0)^2 up to a psi0; Gm + L_N up to b psi0; Gm + L_N + 25 log b -
    25 log(psi/psi0) down to the far side-lobe level L_F = 0 dBi; psi0 is half the 3 dB
    ``beamwidth_deg``, ``near_sidelobe_db`` L_N one of -20, -25, -30 (a, b from
    :data:`S672_EXTENTS`). The recommendation's main-beam law applies from psi0 outwards;
    it is used inside psi0 too (the gain falls smoothly to Gm - 3 at the 3 dB edge).
    Angles beyond 90 deg (behind the antenna, never seen from GEO) are not modelled.
    Arguments broadcast.
    """
    ln = float(near_sidelobe_db)
    if ln not in S672_EXTENTS:
        raise ValueError(f"near_sidelobe_db must be one of {sorted(S672_EXTENTS)} (ITU-R "
                         f"S.672-4 Annex 1), got {near_sidelobe_db!r}")  # fmt: skip
    a, b = S672_EXTENTS[ln]
    psi0 = 0.5 * np.asarray(beamwidth_deg, dtype=float)
    ratio = np.abs(np.asarray(off_axis_deg, dtype=float)) / psi0
    gm = np.asarray(peak_gain_dbi, dtype=float)
    return gm + _s672_vec(ratio, gm, ln, a, b)


def noise_temperature_from_figure(nf_db) -> np.ndarray:
    """Equivalent noise temperature (K) of a noise figure (dB): T0 (10^(NF/10) - 1)."""
    return T0_K * (undb(nf_db) - 1.0)


def sky_noise_increase_k(attenuation_db, medium_k=RAIN_MEDIUM_TEMPERATURE_K) -> np.ndarray:
    """Sky noise added by an absorbing path (K): T_mr (1 - 10^(-A/10)) (P.618-13 §3)."""
    return medium_k * (1.0 - undb(-np.asarray(attenuation_db, dtype=float)))


def system_noise_temperature_k(
    antenna_k, lnb_nf_db, attenuation_db=0.0, feed_loss_db=0.0, feed_k=T0_K
) -> np.ndarray:
    """Receive system noise temperature (K) at the LNB input.

    The clear-sky antenna temperature ``antenna_k`` is attenuated by the path fade
    ``attenuation_db`` and the absorbing medium adds :func:`sky_noise_increase_k`; a feed
    loss at ``feed_k`` and the LNB noise figure follow (Friis).
    """
    a = np.asarray(attenuation_db, dtype=float)
    t_ant = np.asarray(antenna_k, dtype=float) * undb(-a) + sky_noise_increase_k(a)
    loss = undb(feed_loss_db)
    return t_ant / loss + feed_k * (1.0 - 1.0 / loss) + noise_temperature_from_figure(lnb_nf_db)


def g_over_t_db(gain_dbi, system_k) -> np.ndarray:
    """Figure of merit G/T (dB/K)."""
    return np.asarray(gain_dbi, dtype=float) - db(system_k)


def cn0_dbhz(eirp_dbw, path_loss_db, g_over_t) -> np.ndarray:
    """Carrier-to-noise-density C/N0 (dBHz) = EIRP - L + G/T - k."""
    return (np.asarray(eirp_dbw, dtype=float) - np.asarray(path_loss_db, dtype=float)
            + np.asarray(g_over_t, dtype=float) - BOLTZMANN_DBW_PER_K_HZ)  # fmt: skip


def esn0_db(cn0, symbol_rate_baud) -> np.ndarray:
    """Symbol energy to noise density Es/N0 (dB) = C/N0 - 10 log10(Rs)."""
    return np.asarray(cn0, dtype=float) - db(symbol_rate_baud)


def combine_db(*ratios_db) -> np.ndarray:
    """Overall carrier-to-(noise + interference) of independent contributions (dB):
    (sum_i (C/X_i)^-1)^-1; e.g. uplink C/N, downlink C/N, C/I and transponder C/IM of a
    bent pipe. ``None`` entries are ignored."""
    terms = [undb(-np.asarray(r, dtype=float)) for r in ratios_db if r is not None]
    if not terms:
        raise ValueError("combine_db needs at least one ratio")
    return -db(sum(terms))


def geodetic_to_ecef_km(lat_deg, lon_deg, height_km=0.0) -> np.ndarray:
    """WGS-84 Earth-fixed position (km), (..., 3): :func:`sahelsat.frames.geodetic_to_itrf`."""
    lat, lon, h = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (lat_deg, lon_deg, height_km))
    )
    return frames.geodetic_to_itrf(lat, lon, h)


def look_angles_ecef(lat_deg, lon_deg, height_km, target_km) -> tuple[np.ndarray, ...]:
    """Azimuth (deg from north, clockwise), elevation (deg) and range (km) from a WGS-84
    station to Earth-fixed target positions ``target_km`` (..., 3); all broadcast
    (:func:`sahelsat.core.geometry.look`, the one topocentric primitive)."""
    target = np.asarray(target_km, dtype=float)
    lat, lon, h = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (lat_deg, lon_deg, height_km))
    )
    shape = np.broadcast_shapes(lat.shape, target.shape[:-1])
    lat, lon, h = (np.broadcast_to(a, shape).ravel() for a in (lat, lon, h))
    pts = np.broadcast_to(target, shape + (3,)).reshape(-1, 3)
    rows = frames.site_frames(lat, lon, h)
    out = frames.look_pairs_rows(rows, pts)
    return (np.degrees(out[:, 0]).reshape(shape), np.degrees(out[:, 1]).reshape(shape),
            out[:, 2].reshape(shape))  # fmt: skip


def geo_position_ecef_km(sat_lon_deg) -> np.ndarray:
    """Earth-fixed position (km) of a geostationary satellite at longitude ``sat_lon_deg``."""
    lon = np.radians(np.asarray(sat_lon_deg, dtype=float))
    return np.stack([GEO_RADIUS_KM * np.cos(lon), GEO_RADIUS_KM * np.sin(lon),
                     np.zeros_like(lon)], axis=-1)  # fmt: skip


def geo_look_angles(lat_deg, lon_deg, sat_lon_deg, height_km=0.0) -> tuple[np.ndarray, ...]:
    """Azimuth, elevation (deg) and range (km) from stations to GEO slots (broadcast)."""
    return look_angles_ecef(lat_deg, lon_deg, height_km, geo_position_ecef_km(sat_lon_deg))


def off_axis_angle_deg(sat_km, point_a_km, point_b_km) -> np.ndarray:
    """Angle (deg) at the satellite between the directions to two Earth points (..., 3)."""
    a = np.asarray(point_a_km) - np.asarray(sat_km)
    b = np.asarray(point_b_km) - np.asarray(sat_km)
    cos = (a * b).sum(-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))
    return np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
