"""Ground-station contacts for downlink, from predicted passes with a station mask.

:func:`contacts_from_passes` turns the passes of a fleet over the ground stations (the
orbital core's :func:`sahelsat.passes`) into the contact table the scheduler takes;
:func:`satellite_table` gives each satellite the planning figures it needs (recorder,
agility, energy, downlink rate) from its sensor and orbit.
"""

from __future__ import annotations

import pandas as pd

from sahelsat.tasking.opportunities import Sensor, sensor_for


def contacts_from_passes(
    fleet, stations=None, start=None, stop=None, *, min_elevation: float = 5.0
) -> pd.DataFrame:
    """Contacts ``contact, satellite, station, start, end`` of ``fleet`` with ``stations``.

    ``stations``: a site table (default the national ground stations of Bamako, Niamey and
    Ouagadougou). ``min_elevation``: the stations' antenna mask, degrees. A contact spans
    the pass above the mask; overlapping contacts at one station compete for its antenna
    (the scheduler lets one of them be used).
    """
    from sahelsat.access import passes
    from sahelsat.places import ground_stations

    stations = ground_stations() if stations is None else stations
    found = passes(fleet, stations, start, stop, min_elevation=min_elevation)
    out = pd.DataFrame(
        {
            "satellite": found["satellite"].astype(str).to_numpy(),
            "station": found["site"].astype(str).to_numpy(),
            "start": found["rise"].to_numpy(dtype="datetime64[ns]"),
            "end": found["set"].to_numpy(dtype="datetime64[ns]"),
        }
    )
    out = out[out["end"] > out["start"]].sort_values(["start", "station"]).reset_index(drop=True)
    out.insert(
        0,
        "contact",
        [
            f"{s}>{g}#{i}"
            for i, (s, g) in enumerate(zip(out["satellite"], out["station"], strict=True))
        ],
    )
    return out


def satellite_table(
    fleet,
    *,
    memory_gbit: float = 256.0,
    slew_rate_deg_s: float = 1.5,
    settle_s: float = 10.0,
    energy_fraction: float = 0.15,
    downlink_rate_mbps: float = 300.0,
    sensors: dict[str, Sensor] | None = None,
) -> pd.DataFrame:
    """Planning figures per satellite of ``fleet`` (one row each, scheduler columns).

    The energy budget per orbit lets the sensor image ``energy_fraction`` of the orbit
    (its duty cycle) at its power. The defaults are planning assumptions of a small
    Earth-observation satellite, to be replaced by a mission's own figures.
    """
    rows = []
    for name, period_min in zip(fleet.names, fleet.period_min, strict=True):
        sensor = (sensors or {}).get(str(name)) or sensor_for(str(name))
        period_s = float(period_min) * 60.0
        rows.append(
            (str(name), memory_gbit, slew_rate_deg_s, settle_s, period_s,
             sensor.power_w * energy_fraction * period_s / 3600.0, downlink_rate_mbps)
        )  # fmt: skip
    return pd.DataFrame(
        rows,
        columns=["satellite", "memory_gbit", "slew_rate_deg_s", "settle_s", "orbit_period_s",
                 "energy_per_orbit_wh", "downlink_rate_mbps"],
    )  # fmt: skip


def latency_summary(acquisitions: pd.DataFrame) -> pd.DataFrame:
    """Per station: acquisitions sent down, volume (Gbit) and latency (median, max, s)."""
    sent = acquisitions.dropna(subset=["contact"])
    if sent.empty:
        return pd.DataFrame(
            columns=["station", "acquisitions", "volume_gbit", "median_latency_s", "max_latency_s"]
        )
    g = sent.groupby("station")
    return pd.DataFrame(
        {
            "acquisitions": g.size(),
            "volume_gbit": g["volume_gbit"].sum(),
            "median_latency_s": g["latency_s"].median(),
            "max_latency_s": g["latency_s"].max(),
        }
    ).reset_index()
