"""High-throughput GEO satellite: per-location C/(N+I), adaptive coding and modulation,
and per-beam capacity against demand.

For each location (settlement or grid cell) the serving beam is the one delivering the
most power (EIRP x ITU-R S.672-4 gain); every other beam of the same colour interferes
(all beams transmitting, full load). Thermal noise follows the terminal's G/T under the
ITU-R fade of the location (:func:`sahelsat.comms.itu.attenuation_grid`); rain fades the
wanted and interfering carriers alike, so C/I is fade-free. ACM picks the best DVB-S2X
MODCOD (:func:`sahelsat.comms.dvbs2.acm_efficiency`) at each location.

A beam's capacity is its symbol rate times the demand-weighted harmonic mean of its
users' spectral efficiencies (the time a TDM carrier spends on each user is its demand
over its efficiency): Rs sum(D) / sum(D / eta). When the offered demand of the locations
it can serve exceeds that, each gets the same share.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from numba import njit, prange

from sahelsat.comms import dvbs2, link
from sahelsat.comms.beams import BeamSet, peak_gain_dbi
from sahelsat.comms.defaults import HtsParameters
from sahelsat.comms.itu import attenuation_grid
from sahelsat.comms.link import S672_EXTENTS, s672_relative_db
from sahelsat.comms.service import outage_percent

#: Time percentages (%) of the availability curve: 0.001 % to 10 % of the year.
P_CURVE = np.geomspace(0.001, 10.0, 17)


_DB_TO_LN = math.log(10.0) / 10.0


@njit(cache=True, inline="always")
def _power_db(loc, beam, i, k, eirp, peak, psi0, ln, a, b):  # pragma: no cover - compiled
    c = loc[i, 0] * beam[k, 0] + loc[i, 1] * beam[k, 1] + loc[i, 2] * beam[k, 2]
    psi = math.degrees(math.acos(min(1.0, c)))
    return eirp[k] + s672_relative_db(psi / psi0, peak, ln, a, b), c


@njit(cache=True, parallel=True)
def _serve_kernel(loc, beam, colour, eirp, uniform, peak, psi0, ln, a, b,
                  out_beam, out_gain, out_ci):  # fmt: skip  # pragma: no cover - compiled
    n_beam = beam.shape[0]
    for i in prange(loc.shape[0]):
        best, best_db, best_cos = 0, -np.inf, -2.0
        if uniform:  # equal EIRP: the most power comes from the nearest beam (S.672 falls)
            for k in range(n_beam):
                c = loc[i, 0] * beam[k, 0] + loc[i, 1] * beam[k, 1] + loc[i, 2] * beam[k, 2]
                if c > best_cos:
                    best, best_cos = k, c
            best_db, _ = _power_db(loc, beam, i, best, eirp, peak, psi0, ln, a, b)
        else:  # the most power; among equal powers the nearest beam
            for k in range(n_beam):
                p_db, c = _power_db(loc, beam, i, k, eirp, peak, psi0, ln, a, b)
                if p_db > best_db or (p_db == best_db and c > best_cos):
                    best, best_db, best_cos = k, p_db, c
        interference = 0.0
        for k in range(n_beam):
            if k != best and colour[k] == colour[best]:
                p_db, _ = _power_db(loc, beam, i, k, eirp, peak, psi0, ln, a, b)
                interference += math.exp(_DB_TO_LN * (p_db - best_db))
        out_beam[i] = best
        out_gain[i] = best_db - eirp[best]
        out_ci[i] = -10.0 * math.log10(interference) if interference > 0 else np.inf


def serve(directions, beams: BeamSet, eirp_dbw, peak_gain: float, near_sidelobe_db: float):
    """Serving beam and co-channel C/I of locations.

    ``directions`` (location, 3): unit vectors from the satellite; ``eirp_dbw`` (beam,)
    peak EIRP of each beam; ``peak_gain`` (dBi) and ``near_sidelobe_db`` of the S.672-4
    pattern of width ``beams.beamwidth_deg``. Returns ``beam`` (location,) index of the beam
    delivering the most power (among equal powers the nearest), ``gain_db`` (location,) its
    pattern gain relative to peak, ``c_over_i_db`` (location,) that power over the sum from
    all other beams of the same colour (inf when there are none).
    """
    loc = np.ascontiguousarray(directions, dtype=float).reshape(-1, 3)
    a, b = S672_EXTENTS[float(near_sidelobe_db)]
    n = loc.shape[0]
    out_beam, out_gain, out_ci = np.empty(n, np.int64), np.empty(n), np.empty(n)
    eirp = np.array(np.broadcast_to(eirp_dbw, len(beams)), dtype=float)
    _serve_kernel(loc, np.ascontiguousarray(beams.direction, dtype=float),
                  np.ascontiguousarray(beams.colour, dtype=np.int64), eirp,
                  bool(np.all(eirp == eirp[0])), float(peak_gain), 0.5 * beams.beamwidth_deg,
                  float(near_sidelobe_db), a, b, out_beam, out_gain, out_ci)  # fmt: skip
    return out_beam, out_gain, out_ci


def terminal_gt_db(params: HtsParameters, attenuation_db) -> np.ndarray:
    """Terminal G/T (dB/K) under a path fade ``attenuation_db`` (any shape): dish gain less
    pointing loss, over the system temperature with the fade's sky noise (P.618 §3)."""
    f, d = params.downlink_ghz, params.terminal_diameter_m
    gain = link.antenna_gain_dbi(d, f, params.terminal_efficiency)
    pointing = link.pointing_loss_db(params.pointing_error_deg, link.beamwidth_3db_deg(d, f))
    t_sys = link.system_noise_temperature_k(params.antenna_noise_k, params.lnb_nf_db,
                                            attenuation_db)  # fmt: skip
    return link.g_over_t_db(gain - pointing, t_sys)


def required_esn0_db(params: HtsParameters, speed_mbps: float) -> float:
    """Es/N0 (dB, implementation margin included) of the least demanding MODCOD giving
    ``speed_mbps`` on one beam's carrier."""
    eff = speed_mbps * 1e6 / params.symbol_rate_baud
    return float(dvbs2.required_esn0_db(eff, params.implementation_margin_db))


def link_quality(
    params: HtsParameters,
    beams: BeamSet,
    lat,
    lon,
    height_km=None,
    speed_mbps: float = 10.0,
    feeder_esn0_db: float | None = None,
    rain_rate: str = "exact",
) -> pd.DataFrame:
    """Forward-link quality at ground locations (arrays of one shape, deg; ``height_km``
    default P.1511 topography) from a design's beams.

    Columns: ``elevation_deg, range_km, visible`` (elevation at least the minimum),
    ``beam`` (serving beam, -1 where not visible), ``gain_db`` (serving pattern gain
    relative to peak), ``eirp_dbw`` (towards the location), ``c_over_i_db``,
    ``attenuation_db`` (at the capacity percentage), ``c_over_n_db`` (Es/N0 of thermal
    noise), ``esn0_db`` (Es/(N+I), with the feeder's Es/N0 ``feeder_esn0_db`` when given),
    ``efficiency`` (ACM, bit/symbol, both at ``params.capacity_percent`` of the year),
    ``availability_percent`` (share of the year the link carries ``speed_mbps``) and
    ``efficiency_at_availability`` (ACM at the target availability).
    """
    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    if height_km is None:
        from sahelsat.comms.itu import p1511

        height_km = np.clip(p1511.topographic_altitude(lat, lon), 0.0, 5.0)
    h = np.broadcast_to(np.asarray(height_km, dtype=float), lat.shape)
    _, el, rng = link.geo_look_angles(lat, lon, params.slot_lon_deg, h)
    visible = el >= max(params.min_elevation_deg, 1e-3)
    n = lat.size
    beam = np.full(n, -1)
    gain, ci = np.full(n, np.nan), np.full(n, np.nan)
    if visible.any():
        d = beams.view.directions(lat[visible], lon[visible], h[visible])
        beam[visible], gain[visible], ci[visible] = serve(
            d, beams, params.beam_eirp_dbw, peak_gain_dbi(params), params.near_sidelobe_db
        )
    p_avail = 100.0 - params.availability_percent
    p_grid = np.unique(np.concatenate([P_CURVE, [p_avail, params.capacity_percent]]))
    cn = np.full((n, p_grid.size), -np.inf)
    if visible.any():
        att = attenuation_grid(
            lat[visible],
            lon[visible],
            params.downlink_ghz,
            el[visible],
            p_grid,
            params.terminal_diameter_m,
            params.terminal_efficiency,
            params.tilt_deg,
            h[visible],
            rain_rate=rain_rate,
        )["total"]
        eirp = params.beam_eirp_dbw + gain[visible]
        loss = link.free_space_loss_db(rng[visible], params.downlink_ghz)
        cn0 = link.cn0_dbhz(eirp[:, None], loss[:, None] + att, terminal_gt_db(params, att))
        cn[visible] = link.esn0_db(cn0, params.symbol_rate_baud)  # fmt: skip
    with np.errstate(divide="ignore"):
        esn0 = link.combine_db(cn, np.where(np.isfinite(ci), ci, 999.0)[:, None],
                               feeder_esn0_db)  # fmt: skip
    esn0 = np.where(visible[:, None], esn0, -np.inf)
    i_cap = int(np.flatnonzero(p_grid == params.capacity_percent)[0])
    i_av = int(np.flatnonzero(p_grid == p_avail)[0])
    curve = p_grid <= P_CURVE[-1]
    need = required_esn0_db(params, speed_mbps)
    outage = outage_percent(esn0[:, curve], need, p_grid[curve])
    outage = np.where(visible, outage, 100.0)
    margin = params.implementation_margin_db
    att_cap = np.full(n, np.nan)
    if visible.any():
        att_cap[visible] = att[:, i_cap]
    return pd.DataFrame({
        "elevation_deg": el, "range_km": rng, "visible": visible, "beam": beam,
        "gain_db": gain, "eirp_dbw": params.beam_eirp_dbw + gain, "c_over_i_db": ci,
        "attenuation_db": att_cap, "c_over_n_db": cn[:, i_cap], "esn0_db": esn0[:, i_cap],
        "efficiency": dvbs2.acm_efficiency(esn0[:, i_cap], margin),
        "availability_percent": 100.0 - outage,
        "efficiency_at_availability": dvbs2.acm_efficiency(esn0[:, i_av], margin),
    })  # fmt: skip


def beam_capacity(
    quality: pd.DataFrame, demand_mbps, population, n_beams: int, params: HtsParameters
) -> tuple[pd.DataFrame, np.ndarray]:
    """Capacity against demand per beam, and the share of its demand each location gets.

    ``quality``: :func:`link_quality` of the locations; ``demand_mbps``, ``population``
    (location,). A location can be served when its link carries the target speed at the
    target availability (``availability_percent`` at least ``params.availability_percent``)
    and ACM closes at the capacity percentage. Returns (per-beam DataFrame with ``beam,
    locations, population, offered_mbps, servable_mbps, capacity_mbps, served_mbps,
    served_share, people_served, people_unserved, efficiency_mean`` (harmonic, demand
    weighted), ``efficiency_p10/p50/p90`` (demand-weighted percentiles), ``c_over_i_p50_db``;
    per-location share (location,) of its demand served).

    A beam whose locations carry no demand gets the capacity of an even spread of them.
    """
    d = np.asarray(demand_mbps, dtype=float)
    pop = np.asarray(population, dtype=float)
    beam = quality["beam"].to_numpy()
    eta = quality["efficiency"].to_numpy()
    ok = quality["availability_percent"].to_numpy() >= params.availability_percent - 1e-9
    ok &= (eta > 0) & (beam >= 0)
    rs_mbps = params.symbol_rate_baud / 1e6
    b = np.where(beam >= 0, beam, n_beams)  # bin n_beams: not visible
    nb = n_beams + 1
    offered = np.bincount(b, d, nb)[:n_beams]
    servable = np.bincount(b, np.where(ok, d, 0.0), nb)[:n_beams]
    time_share = np.bincount(b, np.where(ok, d / np.where(ok, eta, 1.0), 0.0), nb)[:n_beams]
    n_ok = np.bincount(b, ok.astype(float), nb)[:n_beams]
    inv_eta = np.bincount(b, np.where(ok, 1.0 / np.where(ok, eta, 1.0), 0.0), nb)[:n_beams]
    with np.errstate(divide="ignore", invalid="ignore"):
        eff_mean = np.where(servable > 0, servable / time_share,
                            np.where(n_ok > 0, n_ok / inv_eta, 0.0))  # fmt: skip
    capacity = rs_mbps * eff_mean
    served = np.minimum(servable, capacity)
    with np.errstate(divide="ignore", invalid="ignore"):
        share_b = np.where(servable > 0, served / servable, 0.0)
    share = np.where(ok, share_b[np.clip(beam, 0, n_beams - 1)], 0.0)
    pop_b = np.bincount(b, pop, nb)[:n_beams]
    people_served = np.bincount(b, pop * share, nb)[:n_beams]
    rows = {"beam": np.arange(n_beams), "locations": np.bincount(b, minlength=nb)[:n_beams],
            "population": pop_b, "offered_mbps": offered, "servable_mbps": servable,
            "capacity_mbps": capacity, "served_mbps": served, "served_share": share_b,
            "people_served": people_served, "people_unserved": pop_b - people_served,
            "efficiency_mean": eff_mean}  # fmt: skip
    for q in (10, 50, 90):
        rows[f"efficiency_p{q}"] = _weighted_percentile(b, eta, np.where(ok, d, 0.0), n_beams, q)
    ci = quality["c_over_i_db"].to_numpy()
    rows["c_over_i_p50_db"] = _weighted_percentile(b, ci, (beam >= 0).astype(float), n_beams, 50)
    return pd.DataFrame(rows), share


def _weighted_percentile(group, values, weights, n_groups: int, q: float) -> np.ndarray:
    """Weighted percentile ``q`` of ``values`` in each group 0..n_groups-1 (NaN if empty)."""
    out = np.full(n_groups, np.nan)
    order = np.lexsort((values, group))
    g, v, w = group[order], values[order], weights[order]
    starts = np.searchsorted(g, np.arange(n_groups))
    ends = np.searchsorted(g, np.arange(n_groups), side="right")
    for k in range(n_groups):
        ww = w[starts[k] : ends[k]]
        if ww.sum() > 0:
            c = np.cumsum(ww)
            out[k] = v[starts[k] : ends[k]][np.searchsorted(c, q / 100.0 * c[-1])]
    return out


def beam_figures(params: HtsParameters, beams: BeamSet) -> pd.DataFrame:
    """Per beam: ``beam, colour, lat, lon`` (ground centre), ``bandwidth_mhz``,
    ``symbol_rate_mbaud``, ``eirp_dbw`` (peak) and ``edge_eirp_dbw`` (at the cell corner),
    ``rf_power_w`` (amplifier output feeding it), ``gt_dbk`` (peak, return uplink) and
    ``edge_gt_dbk``."""
    gm = peak_gain_dbi(params)
    gm_up = peak_gain_dbi(params, params.uplink_ghz)
    corner_deg = math.degrees(beams.spacing_rad) / math.sqrt(3.0)
    psi0_up = 0.5 * float(link.beamwidth_3db_deg(params.antenna_diameter_m, params.uplink_ghz))
    gt = gm_up - 10.0 * math.log10(params.satellite_noise_k)
    n = len(beams)
    rf_w = 10.0 ** ((params.beam_eirp_dbw - gm + params.output_loss_db) / 10.0)
    return pd.DataFrame({
        "beam": np.arange(n), "colour": beams.colour, "lat": beams.lat, "lon": beams.lon,
        "bandwidth_mhz": params.beam_bandwidth_mhz,
        "symbol_rate_mbaud": params.symbol_rate_baud / 1e6,
        "eirp_dbw": params.beam_eirp_dbw, "edge_eirp_dbw": params.beam_eirp_dbw - params.edge_db,
        "rf_power_w": rf_w, "gt_dbk": gt,
        "edge_gt_dbk": gt - 3.0 * (corner_deg / psi0_up) ** 2,
    })  # fmt: skip
