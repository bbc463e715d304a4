"""One terminal's forward link, from a typed :class:`~sahelsat.inputs.LinkTarget` to every
line of its budget: what ``sahelsat link`` prints is this one call.

The satellite is a designed GEO slot or a real GEO satellite of the shipped catalogue; the
band's default scenario (:data:`sahelsat.comms.defaults.SCENARIOS`) is taken with the
target's overrides; the uplink comes from the national gateway
(:data:`sahelsat.comms.defaults.GATEWAY`); attenuation is exceeded for 100 - availability %
of an average year (ITU-R, see :func:`sahelsat.comms.budget.forward_link`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sahelsat.comms import budget, defaults, service
from sahelsat.comms import link as lk
from sahelsat.comms.dvbs2 import modcod_table
from sahelsat.comms.itu import REVISIONS
from sahelsat.inputs import InputError, LinkTarget


@dataclass(frozen=True)
class LinkBudget:
    """A forward-link budget: the scenario used, the satellite, the geometry, the time
    percentage ``p_percent`` and every line of :func:`~sahelsat.comms.budget.forward_link`
    in ``values`` (floats; dB unless named)."""

    target: LinkTarget
    scenario: defaults.Scenario
    satellite: service.Satellite
    elevation_deg: float
    range_km: float
    eirp_dbw: float
    availability_percent: float
    p_percent: float
    values: dict
    modcod: str

    def rows(self) -> list[tuple[str, str, str]]:
        """(item, value, unit) lines for a person to read, in budget order."""
        s, r, p, dish = self.scenario, self.values, self.p_percent, self.target.dish_m
        return [
            ("satellite", f"{self.satellite.name} at {self.satellite.lon_deg:+.2f} deg E", ""),
            ("elevation / range", f"{self.elevation_deg:.2f} deg / {self.range_km:,.0f} km", ""),
            ("downlink frequency", f"{s.downlink_ghz:g}", "GHz"),
            ("satellite EIRP to site", f"{self.eirp_dbw:.2f}", "dBW"),
            ("free-space loss", f"{r['fspl']:.2f}", "dB"),
            (f"gas (P.676, p={max(p, 1):g} %)", f"{r['gas']:.2f}", "dB"),
            (f"cloud (P.840, p={max(p, 1):g} %)", f"{r['cloud']:.2f}", "dB"),
            (f"rain (P.618, p={p:g} %)", f"{r['rain']:.2f}", "dB"),
            ("scintillation (P.618)", f"{r['scintillation']:.2f}", "dB"),
            ("total attenuation", f"{r['attenuation']:.2f}", "dB"),
            (f"dish gain ({dish:g} m, eff. {s.efficiency:g})", f"{r['gain_dbi']:.2f}", "dBi"),
            ("pointing loss", f"{r['pointing_loss']:.2f}", "dB"),
            ("system noise, clear / faded", f"{r['t_sys_clear_k']:.0f} / {r['t_sys_k']:.0f}", "K"),
            ("G/T (faded)", f"{r['gt_dbk']:.2f}", "dB/K"),
            ("C/N0 downlink", f"{r['cn0_dbhz']:.2f}", "dBHz"),
            (f"Es/N0 downlink ({s.symbol_rate_baud / 1e6:g} Mbaud)", f"{r['esn0_down']:.2f}", "dB"),
            ("Es/N0 uplink (clear sky)", f"{r['esn0_up']:.2f}", "dB"),
            ("C/I, C/IM", f"{s.c_over_i_db:g}, {s.c_over_im_db:g}", "dB"),
            ("Es/N0 end to end", f"{r['esn0_total']:.2f}", "dB"),
            (f"MODCOD (margin {s.implementation_margin_db:g} dB)", self.modcod, ""),
            ("throughput", f"{r['throughput_mbps']:.1f}", "Mbit/s"),
        ]

    def to_dict(self) -> dict:
        """The budget as JSON-ready numbers and names."""
        out = dict(self.values)
        out.update(site=self.target.site.name, satellite=self.satellite.name,
                   satellite_lon_deg=self.satellite.lon_deg, elevation_deg=self.elevation_deg,
                   range_km=self.range_km, modcod=self.modcod,
                   availability_percent=self.availability_percent,
                   itu_r_revisions=REVISIONS)  # fmt: skip
        return out


def scenario_of(target: LinkTarget) -> defaults.Scenario:
    """The band's default scenario with the target's overrides."""
    s = defaults.SCENARIOS[target.band]
    if target.frequency_ghz is not None:
        s = replace(s, downlink_ghz=target.frequency_ghz)
    if target.efficiency is not None:
        s = replace(s, efficiency=target.efficiency)
    if target.eirp_dbw is not None:
        s = replace(s, satellite_eirp_dbw=target.eirp_dbw)
    return s


def link_budget(target: LinkTarget) -> LinkBudget:
    """Every line of the forward-link budget of ``target``; raises
    :class:`~sahelsat.inputs.InputError` naming the field when the satellite is unknown or
    below the scenario's minimum elevation at the site."""
    s = scenario_of(target)
    availability = s.availability_percent if target.availability_percent is None else (
        target.availability_percent)  # fmt: skip
    p, _ = service._check_targets(availability, s.throughput_mbps, s)
    if target.satellite:
        try:
            sat = service.geo_satellites(names=[target.satellite], scenario=s)[0]
        except service.ServiceError as exc:
            raise InputError.at("satellite", exc.reason) from None
    else:
        sat = service.designed_satellites([target.sat_lon_deg], s)[0]
    site = target.site
    h_km = site.altitude_m / 1000.0
    lat, lon = site.latitude_deg, site.longitude_deg
    _, el, rng = lk.geo_look_angles(lat, lon, sat.lon_deg, h_km)
    if el < s.min_elevation_deg:
        raise InputError.at(
            "satellite" if target.satellite else "sat_lon_deg",
            f"{sat.name} is {float(el):.1f} deg above {site.name}'s horizon, below the "
            f"{s.min_elevation_deg:g} deg minimum; choose a slot nearer {lon:.0f} deg E",
        )
    eirp = service.satellite_eirp_dbw(s, sat, lat, lon) if target.eirp_dbw is None else (
        target.eirp_dbw)  # fmt: skip
    g = defaults.GATEWAY
    _, _, up_rng = lk.geo_look_angles(g.latitude_deg, g.longitude_deg, sat.lon_deg,
                                      g.altitude_m / 1000.0)  # fmt: skip
    r = budget.forward_link(s, lat, lon, h_km, el, rng, eirp, target.dish_m, p,
                            uplink_range_km=up_rng)  # fmt: skip
    idx = int(r["modcod"])
    modcod = modcod_table()["name"][idx] if idx >= 0 else "none closes"
    return LinkBudget(target, s, sat, float(el), float(rng), float(eirp), availability, p,
                      {k: float(v) for k, v in r.items()}, modcod)  # fmt: skip
