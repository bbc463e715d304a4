"""LEO user links from the orbital core's elevation statistics.

The terminal always uses the highest satellite in view (best server). Over a time window
the best-server elevation and range are binned (1 deg); for each bin the ITU-R fade
statistics give the outage of the link, and the annual unavailability is the time-weighted
sum plus the time with no satellite above the minimum elevation (rain and geometry taken
as independent).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sahelsat.comms import budget, dvbs2
from sahelsat.comms.defaults import LEO_KU, MINUTES_PER_YEAR, Scenario
from sahelsat.comms.service import P_GRID, ServiceError, _check_targets, outage_percent


def pfd_mask_dbw_m2_4khz(elevation_deg) -> np.ndarray:
    """PFD limit (dB(W/m^2) in 4 kHz) of non-GSO FSS satellites in 10.7-11.7 GHz, ITU Radio
    Regulations Article 21 Table 21-4: -150 below 5 deg, -150 + (el - 5)/2 up to 25 deg,
    -140 above."""
    el = np.asarray(elevation_deg, dtype=float)
    return np.where(el <= 5.0, -150.0, np.where(el <= 25.0, -150.0 + 0.5 * (el - 5.0), -140.0))


def pfd_limited_eirp_dbw(elevation_deg, range_km, bandwidth_hz) -> np.ndarray:
    """EIRP (dBW) in ``bandwidth_hz`` that puts the Article 21 PFD limit on the ground at
    ``range_km``: PFD + 10 log10(4 pi d^2) + 10 log10(B / 4 kHz)."""
    d_m = np.asarray(range_km, dtype=float) * 1e3
    spreading = 10.0 * np.log10(4.0 * np.pi * d_m**2)
    return (pfd_mask_dbw_m2_4khz(elevation_deg) + spreading
            + 10.0 * np.log10(np.asarray(bandwidth_hz, dtype=float) / 4e3))  # fmt: skip


def best_server(fleet, site: tuple[str, float, float, float], times):
    """Elevation (deg) and range (km) of the highest satellite of ``fleet`` at each time,
    each (time,); NaN where no satellite has a valid position. ``site``: (name, lat, lon,
    alt_m)."""
    _, el, rng = fleet.look_angles([site], times)
    el, rng = el[0], rng[0]  # (sat, time)
    valid = np.isfinite(el)
    masked = np.where(valid, el, -np.inf)
    k = np.argmax(masked, axis=0)
    cols = np.arange(el.shape[1])
    best_el = np.where(valid.any(axis=0), el[k, cols], np.nan)
    return best_el, np.where(valid.any(axis=0), rng[k, cols], np.nan)


@dataclass
class LeoLink:
    """LEO link statistics: ``elevations`` per 1-deg bin (time share %, median range,
    EIRP, Es/N0 and throughput at the target percentage, outage %), ``visible_percent``
    of time with a satellite above the minimum elevation, and the resulting annual
    ``availability_percent`` / ``outage_minutes`` for the target throughput."""

    elevations: pd.DataFrame
    visible_percent: float
    availability_percent: float
    outage_minutes: float
    scenario: Scenario
    throughput_mbps: float


def leo_link(
    fleet,
    site: tuple[str, float, float, float],
    times,
    scenario: Scenario = LEO_KU,
    diameter_m: float = 0.6,
    availability: float | None = None,
    throughput_mbps: float | None = None,
    uplink_range_km: float = 2000.0,
) -> LeoLink:
    """Availability of a LEO user link at ``site`` over the sampled ``times`` (datetime64
    UTC array; sample a few hours to days at 30-60 s). See the module docstring."""
    availability = scenario.availability_percent if availability is None else availability
    throughput_mbps = scenario.throughput_mbps if throughput_mbps is None else throughput_mbps
    p_target, required = _check_targets(availability, throughput_mbps, scenario)
    name, lat, lon, alt_m = site
    el, rng = best_server(fleet, site, times)
    n = el.size
    if n == 0:
        raise ServiceError("times is empty: give at least one sample time")
    visible = np.isfinite(el) & (el >= scenario.min_elevation_deg)
    bins = np.floor(el[visible]).astype(int)
    uniq, counts = np.unique(bins, return_counts=True)
    med_rng = np.array([np.median(rng[visible][bins == b]) for b in uniq])
    el_c = uniq + 0.5
    bandwidth = scenario.symbol_rate_baud * 1.2
    eirp = pfd_limited_eirp_dbw(el_c, med_rng, bandwidth)
    p_grid = np.unique(np.append(P_GRID, p_target))
    it = int(np.flatnonzero(np.isclose(p_grid, p_target))[0])
    if uniq.size:
        res = budget.forward_link(scenario, lat, lon, alt_m / 1000.0, el_c[:, None],
                                  med_rng[:, None], eirp[:, None], diameter_m, p_grid[None, :],
                                  uplink_range_km=uplink_range_km)  # fmt: skip
        es = res["esn0_total"]
        outage = outage_percent(es, required, p_grid)
        es_t = es[:, it]
    else:
        outage = es_t = np.zeros(0)
    _, eff = dvbs2.best_modcod(es_t, scenario.implementation_margin_db)
    share = counts / n
    unavailable = 100.0 * (1.0 - visible.mean()) + float(np.sum(share * outage))
    table = pd.DataFrame({
        "elevation_deg": uniq.astype(float), "time_percent": 100.0 * share,
        "range_km": med_rng, "eirp_dbw": eirp, "esn0_db": es_t,
        "throughput_mbps": eff * scenario.symbol_rate_baud / 1e6, "outage_percent": outage,
    })  # fmt: skip
    return LeoLink(table, 100.0 * visible.mean(), 100.0 - unavailable,
                   unavailable / 100.0 * MINUTES_PER_YEAR, scenario, throughput_mbps)  # fmt: skip


def settlement_visibility(constellation, settlements: pd.DataFrame, start, hours: float = 24.0,
                          step_s: float = 60.0) -> pd.DataFrame:  # fmt: skip
    """Per settlement (``lat, lon`` deg, optional ``name``, ``population``): the share of
    time with a satellite of ``constellation`` (a
    :class:`~sahelsat.comms.defaults.LeoConstellation`: its shipped catalogue and the
    terminals' minimum elevation) above the minimum elevation, and the longest gap,
    from the coverage engine over ``hours`` from ``start`` (UTC) every ``step_s``.

    Returns ``percent_visible`` and ``max_gap_min`` (0 when never out of view; the whole
    window when never in view).
    """
    from sahelsat.coverage_analysis import coverage
    from sahelsat.fleet import catalogue

    table = pd.DataFrame({"latitude_deg": settlements["lat"].to_numpy(float),
                          "longitude_deg": settlements["lon"].to_numpy(float)})  # fmt: skip
    t0 = np.datetime64(str(start).replace("Z", ""), "ns")
    t1 = t0 + np.timedelta64(int(round(hours * 3600.0)), "s")
    ds = coverage(catalogue(constellation.catalogue), area=table, start=t0, stop=t1,
                  step_s=step_s, min_elevation=constellation.min_elevation_deg, n_fold=(1,),
                  gap_percentiles=())  # fmt: skip
    pct = ds["percent_covered"].to_numpy()
    gap = ds["max_gap_s"].to_numpy() / 60.0
    gap = np.where(pct <= 0.0, hours * 60.0, np.nan_to_num(gap, nan=0.0))
    return pd.DataFrame({"percent_visible": pct, "max_gap_min": gap})
