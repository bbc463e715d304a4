"""Forward-link budget (gateway -> GEO bent pipe -> terminal) of a :class:`Scenario`.

Vectorised over any broadcast of sites, satellites, time percentages and dish sizes; the
propagation comes from :func:`sahelsat.comms.itu.attenuation_components`.
"""

from __future__ import annotations

import numpy as np

from sahelsat.comms import dvbs2, link
from sahelsat.comms.defaults import Scenario
from sahelsat.comms.itu import attenuation_components


def uplink_cn_db(scenario: Scenario, range_km) -> np.ndarray:
    """Clear-sky uplink C/N (dB) in the carrier's symbol rate (gateway power control
    compensates uplink fades)."""
    loss = link.free_space_loss_db(range_km, scenario.uplink_ghz)
    cn0 = link.cn0_dbhz(scenario.gateway_eirp_dbw, loss, scenario.satellite_gt_dbk)
    return link.esn0_db(cn0, scenario.symbol_rate_baud)


def forward_link(
    scenario: Scenario,
    lat,
    lon,
    height_km,
    elevation_deg,
    range_km,
    eirp_dbw,
    diameter_m,
    p_percent,
    uplink_range_km=38_000.0,
    modcods=None,
    attenuation: dict | None = None,
) -> dict[str, np.ndarray]:
    """Every line of the forward-link budget, exceeded for ``p_percent`` % of the year.

    ``lat``/``lon`` (deg), ``height_km`` terminal; ``elevation_deg``/``range_km`` towards
    the satellite; ``eirp_dbw`` satellite EIRP towards the terminal (beam roll-off applied);
    ``diameter_m`` terminal dish. All broadcast. Returns arrays (dB unless named): ``fspl``,
    ``gas``, ``cloud``, ``rain``, ``scintillation``, ``attenuation``, ``gain_dbi``,
    ``pointing_loss``, ``t_sys_clear_k``, ``t_sys_k``, ``gt_dbk``, ``cn0_dbhz``,
    ``esn0_down``, ``esn0_up``, ``esn0_total`` (with C/I and C/IM), ``modcod`` (index,
    -1 none), ``efficiency`` (bit/symbol), ``throughput_mbps``.

    ``attenuation``: the path's ITU-R components when already computed (e.g. by
    :func:`sahelsat.comms.itu.attenuation_grid`), broadcasting with the other arguments.
    """
    s = scenario
    f = s.downlink_ghz
    parts = attenuation
    if parts is None:
        parts = attenuation_components(lat, lon, f, elevation_deg, p_percent, diameter_m,
                                       s.efficiency, s.tilt_deg, height_km)  # fmt: skip
    a = parts["total"]
    fspl = link.free_space_loss_db(range_km, f)
    gain = link.antenna_gain_dbi(diameter_m, f, s.efficiency)
    pointing = link.pointing_loss_db(s.pointing_error_deg, link.beamwidth_3db_deg(diameter_m, f))
    t_clear = link.system_noise_temperature_k(s.antenna_noise_k, s.lnb_nf_db, 0.0)
    t_sys = link.system_noise_temperature_k(s.antenna_noise_k, s.lnb_nf_db, a)
    gt = link.g_over_t_db(gain - pointing, t_sys)
    cn0 = link.cn0_dbhz(eirp_dbw, fspl + a, gt)
    down = link.esn0_db(cn0, s.symbol_rate_baud)
    up = uplink_cn_db(s, uplink_range_km)
    total = link.combine_db(up, down, s.c_over_i_db, s.c_over_im_db)
    idx, eff = dvbs2.best_modcod(total, s.implementation_margin_db, modcods)
    return {
        "fspl": fspl,
        "gas": parts["gas"],
        "cloud": parts["cloud"],
        "rain": parts["rain"],
        "scintillation": parts["scintillation"],
        "attenuation": a,
        "gain_dbi": gain,
        "pointing_loss": pointing,
        "t_sys_clear_k": t_clear,
        "t_sys_k": t_sys,
        "gt_dbk": gt,
        "cn0_dbhz": cn0,
        "esn0_down": down,
        "esn0_up": np.broadcast_to(up, np.shape(down)),
        "esn0_total": total,
        "modcod": idx,
        "efficiency": eff,
        "throughput_mbps": eff * s.symbol_rate_baud / 1e6,
    }
