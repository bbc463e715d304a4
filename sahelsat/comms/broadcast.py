"""Direct-to-home broadcasting from a Ku-band transponder: where, and for how many people,
each dish size receives the carrier at the target availability; how many TV and radio
channels the carrier holds.

The link is the Ku forward-link scenario :data:`~sahelsat.comms.defaults.KU` (regional
beam, EIRP, terminal) from the design's GEO slot, evaluated with
:func:`sahelsat.comms.budget.forward_link` on the ITU-R fades of every location
(:func:`sahelsat.comms.itu.attenuation_grid`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sahelsat.comms import budget, dvbs2, link
from sahelsat.comms.defaults import KU, BroadcastParameters, ParameterError, Scenario
from sahelsat.comms.hts import P_CURVE
from sahelsat.comms.itu import attenuation_grid, p1511
from sahelsat.comms.service import designed_satellites, outage_percent, satellite_eirp_dbw


def carrier_mbps(params: BroadcastParameters, scenario: Scenario = KU) -> float:
    """Useful bit rate (Mbit/s) of the transponder's carrier: symbol rate x the MODCOD's
    spectral efficiency."""
    return scenario.symbol_rate_baud * _modcod(params)["efficiency"] / 1e6


def _modcod(params: BroadcastParameters) -> pd.Series:
    table = dvbs2.modcod_table(vl_snr=False)
    hit = table[table["name"].str.casefold() == params.modcod.strip().casefold()]
    if hit.empty:
        raise ParameterError("broadcast.modcod", f"unknown MODCOD {params.modcod!r}; e.g. "
                             f"{', '.join(table['name'][8:12])}")  # fmt: skip
    return hit.iloc[0]


def channels(params: BroadcastParameters, scenario: Scenario = KU) -> pd.DataFrame:
    """Channels the carrier holds, per TV coding: ``coding, rate_mbps, tv_channels`` (with
    ``params.radio_channels`` radio services beside them) and ``radio_only`` (radio
    services alone filling the carrier)."""
    total = carrier_mbps(params, scenario)
    left = total - params.radio_channels * params.radio_rate_mbps
    if left < 0:
        raise ParameterError("broadcast.radio_channels", f"{params.radio_channels} radio "
                             f"services need more than the carrier's {total:.1f} "
                             "Mbit/s")  # fmt: skip
    rows = [(name, rate, int(np.floor(left / rate + 1e-9))) for name, rate in params.tv_rates_mbps]
    out = pd.DataFrame(rows, columns=["coding", "rate_mbps", "tv_channels"])
    out["radio_channels"] = params.radio_channels
    out["carrier_mbps"] = total
    out["radio_only"] = int(np.floor(total / params.radio_rate_mbps + 1e-9))
    return out


def availability(lat, lon, dish_m: float, slot_lon_deg: float, params: BroadcastParameters,
                 scenario: Scenario = KU, area: str = "AES") -> np.ndarray:  # fmt: skip
    """Share of the year (%) a ``dish_m`` dish at each location (deg arrays) receives the
    carrier from the slot (NaN below the scenario's minimum elevation)."""
    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    need = float(_modcod(params)["esn0_db"]) + scenario.implementation_margin_db
    sat = designed_satellites((slot_lon_deg,), scenario, area)[0]
    h = np.clip(p1511.topographic_altitude(lat, lon), 0.0, 5.0)
    _, el, rng = link.geo_look_angles(lat, lon, sat.lon_deg, h)
    out = np.full(lat.shape, np.nan)
    vis = el >= scenario.min_elevation_deg
    if not vis.any():
        return out
    eirp = satellite_eirp_dbw(scenario, sat, lat[vis], lon[vis])
    att = attenuation_grid(lat[vis], lon[vis], scenario.downlink_ghz, el[vis], P_CURVE, dish_m,
                           scenario.efficiency, scenario.tilt_deg, h[vis])  # fmt: skip
    col = (slice(None), None)
    res = budget.forward_link(scenario, lat[vis][col], lon[vis][col], h[vis][col],
                              el[vis][col], rng[vis][col], eirp[col], dish_m, P_CURVE[None, :],
                              attenuation=att)  # fmt: skip
    out[vis] = 100.0 - outage_percent(res["esn0_total"], need, P_CURVE)
    return out


@dataclass
class BroadcastReach:
    """DTH reach: ``reach`` per dish (``dish_m, area_km2, settlements, people``, and
    ``people_grid`` when a population grid exists), ``channels``
    (:func:`channels`), per-location ``settlement_availability`` (location, dish) % and
    ``cell_availability`` (cell, dish) % of the grid cells, the parameters."""

    reach: pd.DataFrame
    channels: pd.DataFrame
    settlement_availability: np.ndarray
    cell_availability: np.ndarray
    params: BroadcastParameters


def dth_reach(params: BroadcastParameters, slot_lon_deg: float, settlements: pd.DataFrame,
              grid, grid_population=None, scenario: Scenario = KU,
              area: str = "AES") -> BroadcastReach:  # fmt: skip
    """Area and people each of ``params.dishes_m`` serves at ``params.availability_percent``:
    ``settlements`` (``lat, lon, population``), ``grid`` a
    :class:`~sahelsat.coverage_analysis.areas.Grid` of the area (its cells' areas), and
    optionally ``grid_population`` (cell,)."""
    s_av = np.stack(
        [
            availability(
                settlements["lat"], settlements["lon"], d, slot_lon_deg, params, scenario, area
            )
            for d in params.dishes_m
        ],
        axis=-1,
    )
    c_av = np.stack([availability(grid.cell_lat, grid.cell_lon, d, slot_lon_deg, params,
                                  scenario, area) for d in params.dishes_m], axis=-1)  # fmt: skip
    target = params.availability_percent
    pop = settlements["population"].to_numpy(float)
    rows = []
    for k, d in enumerate(params.dishes_m):
        ok_s = s_av[:, k] >= target
        ok_c = c_av[:, k] >= target
        row = {"dish_m": float(d), "area_km2": float(grid.cell_area_km2[ok_c].sum()),
               "area_share": float(ok_c.mean()), "settlements": int(ok_s.sum()),
               "people": float(pop[ok_s].sum())}  # fmt: skip
        if grid_population is not None:
            row["people_grid"] = float(np.asarray(grid_population)[ok_c].sum())
        rows.append(row)
    return BroadcastReach(pd.DataFrame(rows), channels(params, scenario), s_av, c_av, params)
