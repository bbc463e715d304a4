"""Busy-hour connectivity demand per settlement or grid cell, from the population base.

Households = population / household size; subscribers = households x take-up; their
busy-hour demand is the rate sold over the contention. Institutions (schools, health
centres, administration) are counted per settlement from its population
(:class:`~sahelsat.comms.defaults.Institution`: one per so many inhabitants, at least one
in a settlement above a size) and draw their own rates. Every number comes from a
:class:`~sahelsat.comms.defaults.DemandParameters` with its documented defaults.

The population base is ``sahelsat.places`` (official figures per region carried by the
settlements; see ``sahelsat/data/README.md``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sahelsat import places
from sahelsat.comms.defaults import DemandParameters, ParameterError

SETTLEMENT_COLUMNS = ["name", "lat", "lon", "country", "region", "place_type", "population",
                      "population_known", "source"]  # fmt: skip


def settlements(countries=None) -> pd.DataFrame:
    """The settlements of the population base (:func:`sahelsat.places.settlements`):
    ``name, lat, lon, country, region, place_type, population, population_known, source``."""
    return places.settlements(countries=countries)[SETTLEMENT_COLUMNS].copy()


def population_grid(resolution_deg: float, area="AES") -> pd.DataFrame:
    """Population per grid cell (``lat, lon, population``; cells holding people) from
    :func:`sahelsat.places.population_grid`."""
    out = places.population_grid(resolution_deg=resolution_deg, area=area)
    out = out.to_dataframe().reset_index()
    out = out.rename(columns={"latitude_deg": "lat", "longitude_deg": "lon"})
    return out[["lat", "lon", "population"]][out["population"] > 0].reset_index(drop=True)


def institution_counts(population, params: DemandParameters, kind: str = "settlement"):
    """Number of each institution kind per location, {name: array}.

    ``kind="settlement"``: whole institutions, one per ``people_per_unit`` inhabitants
    (rounded, at least one) where the population reaches ``min_population``, none below;
    ``kind="cell"``: the expected (fractional) number in a grid cell, population /
    ``people_per_unit``, since a cell is not a community.
    """
    pop = np.asarray(population, dtype=float)
    out = {}
    for inst in params.institutions:
        if kind == "cell":
            out[inst.name] = pop / inst.people_per_unit
        elif kind == "settlement":
            n = np.maximum(1.0, np.round(pop / inst.people_per_unit))
            out[inst.name] = np.where(pop >= inst.min_population, n, 0.0)
        else:
            raise ParameterError("demand.kind", f"{kind!r} must be 'settlement' or 'cell'")
    return out


def demand(population, params: DemandParameters | None = None, kind: str = "settlement"):
    """Busy-hour forward demand of locations with ``population`` (array, persons).

    Returns a DataFrame: ``households, subscribers, residential_mbps``, one count column
    per institution kind and ``<kind>_mbps``, ``institution_mbps`` and ``demand_mbps``
    (the total), all per location.
    """
    params = DemandParameters() if params is None else params
    pop = np.asarray(population, dtype=float)
    if np.any(~np.isfinite(pop) | (pop < 0)):
        raise ParameterError("population", "must be finite and non-negative")
    households = pop / params.household_size
    subscribers = households * params.take_up
    out = {"households": households, "subscribers": subscribers,
           "residential_mbps": subscribers * params.busy_hour_mbps_per_subscriber}  # fmt: skip
    counts = institution_counts(pop, params, kind)
    inst_total = np.zeros_like(pop)
    for inst in params.institutions:
        mbps = counts[inst.name] * inst.rate_mbps / inst.contention
        out[inst.name] = counts[inst.name]
        out[f"{inst.name}_mbps"] = mbps
        inst_total = inst_total + mbps
    out["institution_mbps"] = inst_total
    out["demand_mbps"] = out["residential_mbps"] + inst_total
    return pd.DataFrame(out)


def settlement_demand(
    table: pd.DataFrame | None = None, params: DemandParameters | None = None, countries=None
) -> pd.DataFrame:
    """:func:`settlements` (or ``table`` with their columns) joined with their
    :func:`demand`. Rows without a valid position are dropped and listed in
    ``attrs["skipped"]``; a missing or negative population counts as empty."""
    t = settlements(countries) if table is None else table.reset_index(drop=True)
    missing = [c for c in ("name", "lat", "lon", "population") if c not in t.columns]
    if missing:
        raise ParameterError("settlements", f"table lacks column(s) {missing}")
    lat = pd.to_numeric(t["lat"], errors="coerce").to_numpy(float)
    lon = pd.to_numeric(t["lon"], errors="coerce").to_numpy(float)
    good = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90.0) & (np.abs(lon) <= 360.0)
    t = t.assign(lat=lat, lon=(lon + 180.0) % 360.0 - 180.0)[good].reset_index(drop=True)
    t.attrs["skipped"] = [f"settlements row {i}: lat/lon not a position"
                          for i in np.flatnonzero(~good)]  # fmt: skip
    for col, default in (("country", ""), ("region", ""), ("source", "table")):
        if col not in t.columns:
            t[col] = default
    pop = pd.to_numeric(t["population"], errors="coerce").to_numpy(float)
    pop = np.where(np.isfinite(pop) & (pop > 0), pop, 0.0)
    t = t.assign(population=pop)
    out = pd.concat([t, demand(pop, params)], axis=1)
    out.attrs["skipped"] = t.attrs["skipped"]
    return out
