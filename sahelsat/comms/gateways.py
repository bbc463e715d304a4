"""Gateways of a high-throughput satellite: feeder-link budgets at Ka or Q/V band with rain,
ITU-R P.618-13 site diversity, how many gateways the beams need and where to put them.

A gateway uplinks one carrier per user beam (a transparent payload maps feeder spectrum
onto beams): the beams' spectrum over a gateway's feeder spectrum (band x polarisations)
gives the number of gateways. A feeder link is out when its Es/N0, after uplink power
control has made up what it can of the fade, falls below the required Es/N0. With site
diversity each gateway has a second site and is out only when both are
(:func:`site_diversity_outage`, P.618-13 §2.2.4.1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sahelsat import places
from sahelsat.comms import link
from sahelsat.comms.defaults import (
    FEEDER_BANDS,
    GatewayParameters,
    HtsParameters,
    ParameterError,
)
from sahelsat.comms.hts import P_CURVE
from sahelsat.comms.itu import attenuation_grid, p618, p837, p839, p1511
from sahelsat.comms.service import outage_percent

#: Time percentages of the P.618-13 §2.2.4.1 log-normal fit of rain attenuation.
_P_FIT = np.array([0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0])


def distance_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Geodesic distance (km) on the WGS-84 ellipsoid."""
    from pyproj import Geod

    _, _, d = Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)
    return np.asarray(d) / 1e3


def _upper_tail(x: float, y: float, rho: float) -> float:
    """P(X > x, Y > y) of two standard normal variables with correlation ``rho``."""
    if rho >= 1.0 - 1e-12:  # one variable: both exceed when the larger threshold is
        return float(stats.norm.sf(max(x, y)))
    rho = max(rho, -0.999999)
    cov = [[1.0, rho], [rho, 1.0]]
    return float(stats.multivariate_normal(mean=[0.0, 0.0], cov=cov).cdf([-x, -y]))


def _lognormal_fit(lat, f_ghz, el, hs, hr, r001, tau, p_rain):
    """(m, sigma) of ln A_rain against Q^-1(p / P_rain) for the P.618 fitting
    percentages below the rain probability ``p_rain`` (%); None with fewer than two."""
    p = _P_FIT[_P_FIT < p_rain]
    if p.size < 2:
        return None
    a = p618.rain_attenuation(lat, f_ghz, el, p, hs, hr, r001, tau)
    ok = a > 0
    if ok.sum() < 2:
        return None
    q = stats.norm.isf(p[ok] / p_rain)
    sigma, m = np.polyfit(q, np.log(a[ok]), 1)
    return m, sigma


def rain_statistics(lat, lon, el, f_ghz, tilt_deg=45.0, h_km=None, rain_rate="exact"):
    """A site's rain for P.618-13 site diversity: (P.837 rain probability P_k in %, and the
    (m, sigma) of its log-normal rain-attenuation fit, or None when it rains too rarely
    for two fitting points)."""
    hs = float(p1511.topographic_altitude(lat, lon)) if h_km is None else float(h_km)
    r001 = p837.rainfall_rate_r001(lat, lon) if rain_rate == "map" else \
        p837.rainfall_rate(lat, lon, 0.01)  # fmt: skip
    p_rain = float(p837.rainfall_probability(lat, lon))
    fit = _lognormal_fit(lat, f_ghz, el, hs, float(p839.rain_height(lat, lon)), float(r001),
                         tilt_deg, p_rain)  # fmt: skip
    return p_rain, fit


def joint_outage(d_km: float, a1: float, rain1, a2: float, rain2) -> float:
    """P.618-13 §2.2.4.1 joint outage (%) of two sites ``d_km`` apart with rain
    thresholds ``a1``, ``a2`` (dB) and :func:`rain_statistics` ``rain1``, ``rain2``."""
    (p1, fit1), (p2, fit2) = rain1, rain2
    if fit1 is None or fit2 is None:
        return 0.0  # a site where it (almost) never rains is never out
    if not (a1 > 0 and a2 > 0):
        raise ValueError(f"rain thresholds must be positive dB, got {a1!r}, {a2!r}")
    rho_r = 0.7 * math.exp(-d_km / 60.0) + 0.3 * math.exp(-((d_km / 700.0) ** 2))
    rho_a = 0.94 * math.exp(-d_km / 30.0) + 0.06 * math.exp(-((d_km / 500.0) ** 2))
    rain_both = _upper_tail(stats.norm.isf(p1 / 100.0), stats.norm.isf(p2 / 100.0), rho_r)
    lim1 = (math.log(a1) - fit1[0]) / fit1[1]
    lim2 = (math.log(a2) - fit2[0]) / fit2[1]
    return 100.0 * rain_both * _upper_tail(lim1, lim2, rho_a)


def site_diversity_outage(
    lat1, lon1, a1, el1, lat2, lon2, a2, el2, f_ghz, tilt_deg=45.0, h1_km=None, h2_km=None,
    rain_rate: str = "exact",
) -> float:  # fmt: skip
    """Joint probability (% of an average year) that rain attenuation exceeds ``a1`` dB on
    the path from site 1 and ``a2`` dB on the path from site 2, ITU-R P.618-13 §2.2.4.1.

    Rain at both sites: standard normals correlated by rho_r = 0.7 exp(-d/60) + 0.3
    exp(-(d/700)^2), thresholds Q^-1(P_k) of the P.837 rain probabilities P_k. Attenuation
    given rain: log-normal at each site (least-squares fit of ln A_p against Q^-1(p/P_k)
    for the recommendation's p below P_k), correlated by rho_a = 0.94 exp(-d/30) + 0.06
    exp(-(d/500)^2); d the geodesic distance (km). Sites at (deg, km above sea level;
    default P.1511), elevation angles ``el1``, ``el2`` (deg), ``f_ghz``, polarisation
    ``tilt_deg``; ``rain_rate`` as in :func:`sahelsat.comms.itu.attenuation_components`.
    """
    d = float(distance_km(lat1, lon1, lat2, lon2))
    r1 = rain_statistics(lat1, lon1, el1, f_ghz, tilt_deg, h1_km, rain_rate)
    r2 = rain_statistics(lat2, lon2, el2, f_ghz, tilt_deg, h2_km, rain_rate)
    return joint_outage(d, a1, r1, a2, r2)


def gateways_needed(hts: HtsParameters, n_beams: int, params: GatewayParameters) -> int:
    """Gateways the beams' forward spectrum needs: n_beams x beam bandwidth over one
    gateway's feeder spectrum (feeder band x polarisations)."""
    _, band_mhz = FEEDER_BANDS[params.band]
    return max(1, math.ceil(n_beams * hts.beam_bandwidth_mhz / (band_mhz * params.polarisations)))


def candidate_sites(names) -> pd.DataFrame:
    """Candidate gateway towns by name from the town table: ``name, lat, lon``; raises
    :class:`ParameterError` naming an unknown town."""
    towns = places.towns()
    rows = []
    for name in names:
        hit = towns[towns["name"].str.casefold() == str(name).strip().casefold()]
        if hit.empty:
            raise ParameterError("gateways.candidates", f"unknown town {name!r} (sahelsat's "
                                 "GeoNames towns of Mali, Niger and Burkina Faso)")  # fmt: skip
        best = hit.sort_values("population", ascending=False).iloc[0]
        rows.append((best["name"], best["latitude_deg"], best["longitude_deg"]))
    return pd.DataFrame(rows, columns=["name", "lat", "lon"]).drop_duplicates("name")


def feeder_links(sites: pd.DataFrame, hts: HtsParameters, params: GatewayParameters):
    """Feeder uplink budget of each site (``name, lat, lon``): ``elevation_deg,
    range_km, esn0_clear_db`` (no atmosphere), ``fade_margin_db`` (clear-sky Es/N0 plus
    power-control headroom over the requirement, less the median atmosphere),
    ``outage_percent``, ``availability_percent``, ``rain_threshold_db`` (the rain fade at
    the site's outage percentage, for site diversity)."""
    f_ghz, _ = FEEDER_BANDS[params.band]
    lat, lon = sites["lat"].to_numpy(float), sites["lon"].to_numpy(float)
    h = np.clip(p1511.topographic_altitude(lat, lon), 0.0, 5.0)
    _, el, rng = link.geo_look_angles(lat, lon, hts.slot_lon_deg, h)
    if np.any(el <= 5.0):
        bad = sites["name"].to_numpy()[el <= 5.0]
        raise ParameterError("gateways.candidates", f"{list(bad)} see the slot below 5 deg")
    loss = link.free_space_loss_db(rng, f_ghz)
    cn0 = link.cn0_dbhz(params.carrier_eirp_dbw, loss, params.satellite_gt_dbk)
    es0 = link.esn0_db(cn0, hts.symbol_rate_baud)
    p_grid = np.append(P_CURVE, 50.0)
    att = attenuation_grid(lat, lon, f_ghz, el, p_grid, params.gateway_diameter_m, 0.65,
                           params.tilt_deg, h)["total"]  # fmt: skip
    clear = att[:, -1:]
    es = es0[:, None] - att + np.minimum(params.upc_range_db, att - clear)
    out = outage_percent(es[:, :-1], params.required_esn0_db, P_CURVE)
    rain_t = np.array([
        float(p618.rain_attenuation(la, f_ghz, e, p, hh, p839.rain_height(la, lo),
                                    p837.rainfall_rate(la, lo, 0.01), params.tilt_deg))
        for la, lo, e, p, hh in zip(lat, lon, el, out, h, strict=True)])  # fmt: skip
    return sites.assign(
        height_km=h, elevation_deg=el, range_km=rng, esn0_clear_db=es0,
        fade_margin_db=es0 - clear[:, 0] + params.upc_range_db - params.required_esn0_db,
        outage_percent=out, availability_percent=100.0 - out, rain_threshold_db=rain_t,
    )  # fmt: skip


@dataclass
class GatewayPlan:
    """Gateway choice: ``sites`` (every candidate's feeder budget, ``chosen`` and
    ``partner``), ``pairs`` (the chosen gateways: ``site``, ``diversity_site``,
    ``distance_km``, ``outage_percent``, ``availability_percent``), ``needed`` gateways,
    ``band`` and ``frequency_ghz``, and the worst gateway's ``availability_percent``."""

    sites: pd.DataFrame
    pairs: pd.DataFrame
    needed: int
    band: str
    frequency_ghz: float
    availability_percent: float


def plan_gateways(hts: HtsParameters, n_beams: int, params: GatewayParameters) -> GatewayPlan:
    """Choose gateways among ``params.candidates`` for ``n_beams`` beams.

    Without site diversity: the :func:`gateways_needed` sites with the highest feeder
    availability. With it: pairs of sites, taken greedily by joint availability (the best
    pair of the remaining candidates first), each pair one gateway.
    """
    need = gateways_needed(hts, n_beams, params)
    sites = feeder_links(candidate_sites(params.candidates), hts, params)
    f_ghz, _ = FEEDER_BANDS[params.band]
    per = 2 if params.site_diversity else 1
    if len(sites) < need * per:
        raise ParameterError("gateways.candidates", f"{n_beams} beams need {need} gateways"
                             f"{' with a diversity site each' if per == 2 else ''}: give at "
                             f"least {need * per} candidates, not {len(sites)}")  # fmt: skip
    rows = []
    if params.site_diversity:
        n = len(sites)
        rain = [rain_statistics(r.lat, r.lon, r.elevation_deg, f_ghz, params.tilt_deg,
                                r.height_km) for r in sites.itertuples()]  # fmt: skip
        thr = sites["rain_threshold_db"].to_numpy()
        lat, lon = sites["lat"].to_numpy(), sites["lon"].to_numpy()
        joint = np.full((n, n), np.inf)
        for i in range(n):
            for j in range(i + 1, n):
                d = float(distance_km(lat[i], lon[i], lat[j], lon[j]))
                joint[i, j] = joint[j, i] = joint_outage(d, thr[i], rain[i], thr[j], rain[j])
        free = np.ones(n, bool)
        for _ in range(need):
            masked = np.where(free[:, None] & free[None, :], joint, np.inf)
            i, j = np.unravel_index(np.argmin(masked), masked.shape)
            free[[i, j]] = False
            rows.append((i, j, joint[i, j]))
    else:
        for i in np.argsort(sites["outage_percent"].to_numpy(), kind="stable")[:need]:
            rows.append((i, -1, sites["outage_percent"].iloc[i]))
    names = sites["name"].to_numpy()
    pairs = pd.DataFrame({
        "site": [names[i] for i, _, _ in rows],
        "diversity_site": [names[j] if j >= 0 else "" for _, j, _ in rows],
        "distance_km": [float(distance_km(sites.lat.iloc[i], sites.lon.iloc[i], sites.lat.iloc[j],
                                          sites.lon.iloc[j])) if j >= 0 else 0.0
                        for i, j, _ in rows],
        "outage_percent": [o for _, _, o in rows],
    })  # fmt: skip
    pairs["availability_percent"] = 100.0 - pairs["outage_percent"]
    chosen = np.zeros(len(sites), bool)
    partner = np.full(len(sites), "", dtype=object)
    for i, j, _ in rows:
        chosen[i] = True
        if j >= 0:
            chosen[j] = True
            partner[i], partner[j] = names[j], names[i]
    sites = sites.assign(chosen=chosen, partner=partner)
    return GatewayPlan(sites, pairs, need, params.band, f_ghz,
                       float(pairs["availability_percent"].min()))  # fmt: skip
