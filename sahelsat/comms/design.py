"""A connectivity system design in one call: demand, spot beams, capacity against demand,
gateways, DTH reach and the LEO constellations already flying, with products and trades.

:func:`run_design` takes a :class:`DesignParameters` (every number a documented default
of :mod:`sahelsat.comms.defaults`) and returns a :class:`Design` holding everything a
report, a map or a trade needs; :func:`write_products` writes it as GeoJSON, CSV, NetCDF
and a bilingual summary; :func:`trade` runs variants side by side.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from sahelsat.comms import beams as beams_mod
from sahelsat.comms import broadcast, demand, gateways, hts
from sahelsat.comms.defaults import (  # noqa: F401 - DesignParameters, update: re-exported
    LEO_CONSTELLATIONS,
    DesignParameters,
    ParameterError,
    parameter_table,
    replace,
    update,
)
from sahelsat.comms.itu import REVISIONS
from sahelsat.i18n import figure_text


@dataclass
class Design:
    """A design's results. ``beam_table`` per beam (figures, capacity, demand, people;
    ``capacity_mbps`` for the beam's demand mix, or for users spread evenly over its grid
    cells (``capacity_even_mbps``) where it has no servable demand);
    ``locations`` per demand location (settlement or cell: position, population, demand,
    link quality, served share, LEO visibility); ``regions`` per country and region;
    ``grid`` the link maps (xarray, lat x lon); ``gateway_plan``; ``broadcast``
    (:class:`~sahelsat.comms.broadcast.BroadcastReach`); ``leo_published`` the cited
    LEO capacities; ``summary`` the headline figures; ``notes`` caveats, each a key of
    the words of :mod:`sahelsat.i18n` (``design_note_*``) and its values."""

    parameters: DesignParameters
    beams: beams_mod.BeamSet
    beam_table: pd.DataFrame
    locations: pd.DataFrame
    regions: pd.DataFrame
    grid: xr.Dataset
    gateway_plan: gateways.GatewayPlan | None
    broadcast: broadcast.BroadcastReach | None
    leo_published: pd.DataFrame
    summary: dict
    notes: list[tuple[str, dict]]


def _demand_locations(params: DesignParameters, settlements, notes) -> pd.DataFrame:
    if params.demand_from == "grid":
        grid = demand.population_grid(params.grid_resolution_deg, params.hts.area)
        table = pd.concat([grid.assign(name="", country="", region="", place_type="cell"),
                           demand.demand(grid["population"], params.demand, kind="cell")],
                          axis=1)  # fmt: skip
        table["source"] = "population grid"
        return table
    table = demand.settlement_demand(settlements, params.demand, params.countries)
    skipped = table.attrs.get("skipped", [])
    if skipped:
        notes.append(("design_note_skipped", {"n": len(skipped),
                                              "rows": "; ".join(skipped[:5])}))  # fmt: skip
    return table


def _leo_table(params: DesignParameters, locations: pd.DataFrame, progress) -> pd.DataFrame:
    from sahelsat.comms.leo import settlement_visibility

    out = pd.DataFrame(index=locations.index)
    for c in params.leo:
        if progress:
            progress(f"LEO {c.catalogue}")
        vis = settlement_visibility(c, locations, params.leo_start, params.leo_hours,
                                    params.leo_step_s)  # fmt: skip
        out[f"{c.catalogue}_percent_visible"] = vis["percent_visible"].to_numpy()
        out[f"{c.catalogue}_max_gap_min"] = vis["max_gap_min"].to_numpy()
    return out


def leo_published(constellations=LEO_CONSTELLATIONS) -> pd.DataFrame:
    """Published capacities of the LEO constellations, with their source (none invented:
    empty where nothing is published)."""
    cols = ["constellation", "min_elevation_deg", "system_tbps", "per_satellite_gbps", "source"]
    return pd.DataFrame([(c.catalogue, c.min_elevation_deg, c.system_tbps, c.per_satellite_gbps,
                          c.capacity_source) for c in constellations], columns=cols)  # fmt: skip


def _grid_dataset(params: DesignParameters, bs, grid, quality: pd.DataFrame) -> xr.Dataset:
    data = {}
    for col in ("beam", "gain_db", "c_over_i_db", "c_over_n_db", "esn0_db", "efficiency",
                "availability_percent", "elevation_deg"):  # fmt: skip
        values = quality[col].to_numpy(float)
        if col == "beam":
            values = np.where(values >= 0, values, np.nan)
        data[col] = (("lat", "lon"), grid.expand(values))
    beam = quality["beam"].to_numpy()
    colour = np.where(beam >= 0, bs.colour[np.clip(beam, 0, None)], -1).astype(float)
    data["colour"] = (("lat", "lon"), grid.expand(np.where(colour >= 0, colour, np.nan)))
    data["capacity_density_mbps_per_mhz"] = (
        ("lat", "lon"), grid.expand(quality["efficiency"].to_numpy() * params.hts.symbol_rate_baud
                                    / (params.hts.beam_bandwidth_mhz * 1e6)))  # fmt: skip
    ds = xr.Dataset(data, coords={"lat": grid.lat, "lon": grid.lon})
    units = {
        "gain_db": "dB",
        "c_over_i_db": "dB",
        "c_over_n_db": "dB",
        "esn0_db": "dB",
        "efficiency": "bit/symbol",
        "availability_percent": "%",
        "elevation_deg": "degree",
        "capacity_density_mbps_per_mhz": "Mbit/s per MHz",
    }
    for k, u in units.items():
        ds[k].attrs["units"] = u
    ds["lat"].attrs["units"] = "degrees_north"
    ds["lon"].attrs["units"] = "degrees_east"
    ds.attrs.update({"title": f"{params.name}: forward link per grid cell",
                     "pattern": "ITU-R S.672-4 Annex 1", "modcods": "ETSI EN 302 307-1/-2",
                     "itu_r": ", ".join(REVISIONS.values()),
                     "capacity_percent": params.hts.capacity_percent,
                     "availability_target_percent": params.hts.availability_percent})  # fmt: skip
    return ds


def _regions(locations: pd.DataFrame) -> pd.DataFrame:
    if not len(locations) or (locations["region"] == "").all():
        return pd.DataFrame()
    g = locations.assign(
        served_mbps=locations["demand_mbps"] * locations["served_share"],
        people_served=locations["population"] * locations["served_share"],
    )
    out = (
        g.groupby(["country", "region"], sort=True)
        .agg(
            settlements=("name", "size"),
            population=("population", "sum"),
            offered_mbps=("demand_mbps", "sum"),
            served_mbps=("served_mbps", "sum"),
            people_served=("people_served", "sum"),
            median_availability_percent=("availability_percent", "median"),
        )
        .reset_index()
    )
    out["people_unserved"] = out["population"] - out["people_served"]
    out["unserved_mbps"] = out["offered_mbps"] - out["served_mbps"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["served_share"] = out["served_mbps"] / out["offered_mbps"]
    return out


def run_design(
    params: DesignParameters | None = None,
    settlements: pd.DataFrame | None = None,
    progress=None,
    gateways_on: bool = True,
    broadcast_on: bool = True,
    _fades: dict | None = None,
) -> Design:
    """Run a design: beams over the area, link quality at every demand location and grid
    cell, capacity against demand per beam and region, gateways, DTH reach and LEO
    visibility (when ``params.leo`` is not empty).

    ``settlements``: the demand locations (columns of
    :func:`sahelsat.comms.demand.settlements`; default: the population base);
    ``progress``: optional callable(stage: str).
    """
    params = DesignParameters() if params is None else params
    notes: list[tuple[str, dict]] = []
    say = progress or (lambda stage: None)
    say("demand")
    locs = _demand_locations(params, settlements, notes)
    h = params.hts
    say("beams")
    bs = beams_mod.layout(h, (locs["lat"], locs["lon"], locs["demand_mbps"]))
    feeder = params.gateways.required_esn0_db if gateways_on else None
    speed = params.demand.subscriber_rate_mbps
    say("link quality")
    q = hts.link_quality(h, bs, locs["lat"].to_numpy(float), locs["lon"].to_numpy(float),
                         speed_mbps=speed, feeder_esn0_db=feeder)  # fmt: skip
    cap, share = hts.beam_capacity(q, locs["demand_mbps"], locs["population"], len(bs), h)
    locations = pd.concat([locs.reset_index(drop=True), q], axis=1).assign(served_share=share)
    say("grid")
    from sahelsat.coverage_analysis.areas import make_area

    grid = make_area(h.area, params.grid_resolution_deg)
    gq = hts.link_quality(h, bs, grid.cell_lat, grid.cell_lon, speed_mbps=speed,
                          feeder_esn0_db=feeder)  # fmt: skip
    # users spread evenly over each beam's cells: the capacity of a beam without demand
    even, _ = hts.beam_capacity(gq, np.ones(grid.n_cells), np.zeros(grid.n_cells), len(bs), h)
    cap["capacity_even_mbps"] = even["capacity_mbps"]
    cap["capacity_mbps"] = np.where(cap["servable_mbps"] > 0, cap["capacity_mbps"],
                                    even["capacity_mbps"])  # fmt: skip
    beam_table = hts.beam_figures(h, bs).merge(cap, on="beam")
    ds = _grid_dataset(params, bs, grid, gq)
    plan = None
    if gateways_on:
        say("gateways")
        plan = gateways.plan_gateways(h, len(bs), params.gateways)
    reach = None
    if broadcast_on:
        say("broadcast")
        reach = broadcast.dth_reach(params.broadcast, h.slot_lon_deg, locations,
                                    make_area(h.area, params.broadcast.step_deg))  # fmt: skip
        for k, d in enumerate(params.broadcast.dishes_m):
            locations[f"dth_{d:g}m_availability_percent"] = reach.settlement_availability[:, k]
    if params.leo and params.demand_from == "settlements":
        locations = pd.concat([locations, _leo_table(params, locations, progress)], axis=1)
    elif params.leo:
        notes.append(("design_note_leo_grid", {}))
    regions = _regions(locations)
    summary = _summary(params, bs, beam_table, locations, plan, reach, notes)
    return Design(params, bs, beam_table, locations, regions, ds, plan, reach,
                  leo_published(params.leo), summary, notes)  # fmt: skip


def _summary(params, bs, bt, locations, plan, reach, notes) -> dict:
    pop = float(locations["population"].sum())
    served = float(bt["people_served"].sum())
    out = {
        "design": params.name, "beams": len(bs), "colours": params.hts.colours,
        "layout": params.hts.layout, "beam_bandwidth_mhz": params.hts.beam_bandwidth_mhz,
        "beamwidth_deg": bs.beamwidth_deg, "eirp_dbw": params.hts.beam_eirp_dbw,
        "capacity_gbps": float(bt["capacity_mbps"].sum()) / 1e3,
        "offered_gbps": float(bt["offered_mbps"].sum()) / 1e3,
        "served_gbps": float(bt["served_mbps"].sum()) / 1e3,
        "population": pop, "people_served": served, "people_unserved": pop - served,
        "target_speed_mbps": params.demand.subscriber_rate_mbps,
        "availability_percent": params.hts.availability_percent,
        "busy_hour_mbps_per_subscriber": params.demand.busy_hour_mbps_per_subscriber,
        "population_source": "; ".join(sorted(set(locations["source"].astype(str)))),
        "locations": len(locations),
        "notes": [figure_text("en")[k].format(**v) for k, v in notes],
    }  # fmt: skip
    if plan is not None:
        out.update({"gateways_needed": plan.needed, "gateway_band": plan.band,
                    "gateway_sites": [f"{a}+{b}" if b else a for a, b in
                                      zip(plan.pairs["site"], plan.pairs["diversity_site"],
                                          strict=True)],
                    "gateway_availability_percent": plan.availability_percent})  # fmt: skip
    if reach is not None:
        out["dth_people"] = {
            f"{d:g} m": p for d, p in zip(reach.reach["dish_m"], reach.reach["people"], strict=True)
        }
        out["dth_carrier_mbps"] = float(reach.channels["carrier_mbps"].iloc[0])
    return out


def trade_table(designs: list[Design]) -> pd.DataFrame:
    """Designs side by side: beams, reuse, EIRP, spectrum, capacity, demand, people and
    gateways."""
    rows = []
    for d in designs:
        s, h = d.summary, d.parameters.hts
        rows.append({
            "design": s["design"], "layout": h.layout, "beams": s["beams"],
            "colours": h.colours, "beam_bandwidth_mhz": h.beam_bandwidth_mhz,
            "eirp_dbw": h.beam_eirp_dbw, "antenna_diameter_m": h.antenna_diameter_m,
            "beamwidth_deg": s["beamwidth_deg"], "capacity_gbps": s["capacity_gbps"],
            "offered_gbps": s["offered_gbps"], "served_gbps": s["served_gbps"],
            "people_served": s["people_served"], "people_unserved": s["people_unserved"],
            "median_c_over_i_db": float(np.nanmedian(d.locations["c_over_i_db"])),
            "mean_efficiency": float(d.beam_table["efficiency_mean"].replace(0, np.nan).mean()),
            "gateways": s.get("gateways_needed"),
            "gateway_availability_percent": s.get("gateway_availability_percent"),
            **{f"dth_people_{k.replace(' ', '')}": v
               for k, v in s.get("dth_people", {}).items()},
        })  # fmt: skip
    return pd.DataFrame(rows)


def trade(params: DesignParameters, variants: list[dict], settlements=None, progress=None,
          gateways_on: bool = True) -> tuple[pd.DataFrame, list[Design]]:  # fmt: skip
    """The base design and each variant (a dict of dotted parameter paths to values, e.g.
    ``{"hts.colours": 7, "hts.polarisations": 1}``) side by side (:func:`trade_table`);
    DTH and LEO are the same for every variant and run with the base only."""
    base = dataclasses.replace(params, leo=())
    varied = []
    for k, v in enumerate(variants):  # every variant is checked before any work
        p = update(base, v)
        label = ", ".join(f"{path}={value}" for path, value in v.items())
        varied.append(dataclasses.replace(p, name=f"{params.name} [{label or k + 1}]"))
    return trade_designs(params, varied, settlements, progress, gateways_on)


def trade_designs(params: DesignParameters, others: list[DesignParameters], settlements=None,
                  progress=None, gateways_on: bool = True):  # fmt: skip
    """The design ``params`` and the alternative designs ``others`` side by side:
    (:func:`trade_table`, the designs). LEO visibility runs with the first only; DTH reach
    runs again only for an alternative that changes it (its broadcast parameters, slot or
    countries), else it is the first's."""
    first = run_design(params, settlements, progress, gateways_on)
    designs = [first]
    for p in others:
        p = dataclasses.replace(p, leo=())
        same_dth = (p.broadcast, p.hts.slot_lon_deg, p.countries, p.demand_from) == (
            params.broadcast,
            params.hts.slot_lon_deg,
            params.countries,
            params.demand_from,
        )
        d = run_design(p, settlements, progress, gateways_on, broadcast_on=not same_dth)
        if same_dth and first.broadcast is not None:
            d.broadcast = first.broadcast
            d.summary.update({k: first.summary[k] for k in ("dth_people", "dth_carrier_mbps")})
        designs.append(d)
    return trade_table(designs), designs


def _jsonable(obj):
    if dataclasses.is_dataclass(obj):
        return {f.name: _jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (np.floating, float)):
        return float(obj) if math.isfinite(float(obj)) else None
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def summary_text(design: Design, lang: str = "en") -> str:
    """The headline figures of a design as plain text in ``lang`` (en, fr; French numbers
    with a comma for decimals and spaces between thousands)."""
    text = _summary_lines(design, lang)
    if lang == "fr":  # 1,234.5 -> 1 234,5 in the numbers only
        import re

        text = re.sub(r"(?<=\d),(?=\d{3})", "\u202f", text)
        text = re.sub(r"(?<=\d)\.(?=\d)", ",", text)
    return text


def _summary_lines(design: Design, lang: str) -> str:
    w, s = figure_text(lang), design.summary
    lines = [w["design_title"].format(name=s["design"]),
             w["design_beams"].format(n=s["beams"], colours=s["colours"],
                                      bw=s["beam_bandwidth_mhz"], eirp=s["eirp_dbw"],
                                      width=s["beamwidth_deg"]),
             w["design_capacity"].format(cap=s["capacity_gbps"], off=s["offered_gbps"],
                                         srv=s["served_gbps"]),
             w["design_people"].format(served=s["people_served"], pop=s["population"],
                                       speed=s["target_speed_mbps"],
                                       av=s["availability_percent"]),
             w["design_source"].format(src=s["population_source"])]  # fmt: skip
    if "gateways_needed" in s:
        lines.append(w["design_gateways"].format(n=s["gateways_needed"], band=s["gateway_band"],
                                                 sites=", ".join(s["gateway_sites"]),
                                                 av=s["gateway_availability_percent"]))  # fmt: skip
    if "dth_people" in s:
        lines.append(w["design_dth"].format(
            reach=", ".join(f"{k}: {v:,.0f}" for k, v in s["dth_people"].items()),
            mbps=s["dth_carrier_mbps"]))  # fmt: skip
    for r in design.regions.itertuples():
        lines.append(
            w["design_region"].format(
                country=r.country, region=r.region, served=r.people_served, pop=r.population
            )
        )
    lines += [f"! {w[k].format(**v)}" for k, v in design.notes]
    return "\n".join(lines) + "\n"


def beam_geojson(design: Design) -> dict:
    """The beam map: one Feature per beam cell (lon/lat polygon) with the beam table's
    columns as properties, and the design's parameters as metadata."""
    import shapely

    feats = []
    for cell, rec in zip(design.beams.cells(), design.beam_table.to_dict(orient="records"),
                         strict=True):  # fmt: skip
        feats.append({"type": "Feature", "properties": _jsonable(rec),
                      "geometry": json.loads(shapely.to_geojson(cell))})  # fmt: skip
    return {"type": "FeatureCollection", "features": feats,
            "metadata": {"design": design.summary["design"],
                         "parameters": _jsonable(design.parameters),
                         "pattern": "ITU-R S.672-4 Annex 1",
                         "population_source": design.summary["population_source"]}}  # fmt: skip


def region_geojson(design: Design, tolerance_deg: float = 0.01) -> dict:
    """Served people per region: one Feature per region of the population base (its
    outline simplified to ``tolerance_deg``) with the design's regions table as
    properties; empty when the demand is not by settlement."""
    import shapely

    from sahelsat.places import regions

    feats = []
    if len(design.regions):
        outlines = regions(1).set_index(["country", "region"])["geometry"]
        for rec in design.regions.to_dict(orient="records"):
            geom = outlines.get((rec["country"], rec["region"]))
            if geom is None:
                continue
            geom = shapely.simplify(geom, tolerance_deg, preserve_topology=True)
            feats.append({"type": "Feature", "properties": _jsonable(rec),
                          "geometry": json.loads(shapely.to_geojson(geom))})  # fmt: skip
    return {"type": "FeatureCollection", "features": feats,
            "metadata": {"design": design.summary["design"],
                         "target_speed_mbps": design.summary["target_speed_mbps"],
                         "availability_percent": design.summary["availability_percent"],
                         "population_source": design.summary["population_source"],
                         "regions": "sahelsat.places.regions(1): official figures per "
                                    "region (sahelsat/data/README.md)"}}  # fmt: skip


def write_products(design: Design, folder, trade_df: pd.DataFrame | None = None,
                   languages=("en", "fr")) -> list[Path]:  # fmt: skip
    """Write ``beams.geojson`` (beam map), ``beams.csv``, ``regions.csv`` and
    ``regions.geojson`` (served people per region),
    ``locations.csv``, ``grid.nc`` (link maps), ``gateways.csv`` and
    ``gateway_pairs.csv``, ``dth_reach.csv`` and ``dth_channels.csv``,
    ``leo_published.csv``, ``parameters.csv`` (every parameter used with its default, unit
    and source), ``trade.csv`` (when given), ``summary.json`` and
    ``summary.<lang>.txt``; returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []

    def put(name: str, write):
        path = folder / name
        tmp = path.with_name(path.name + ".part")
        write(tmp)
        tmp.replace(path)  # never leave a half-written product under the real name
        paths.append(path)

    put("beams.geojson", lambda p: p.write_text(json.dumps(beam_geojson(design))))
    put("beams.csv", lambda p: design.beam_table.to_csv(p, index=False))
    if len(design.regions):
        put("regions.csv", lambda p: design.regions.to_csv(p, index=False))
        put("regions.geojson", lambda p: p.write_text(json.dumps(region_geojson(design))))
    put("locations.csv", lambda p: design.locations.to_csv(p, index=False))
    put("grid.nc", lambda p: design.grid.to_netcdf(p))
    if design.gateway_plan is not None:
        put("gateways.csv", lambda p: design.gateway_plan.sites.to_csv(p, index=False))
        put("gateway_pairs.csv", lambda p: design.gateway_plan.pairs.to_csv(p, index=False))
    if design.broadcast is not None:
        put("dth_reach.csv", lambda p: design.broadcast.reach.to_csv(p, index=False))
        put("dth_channels.csv", lambda p: design.broadcast.channels.to_csv(p, index=False))
    put("leo_published.csv", lambda p: design.leo_published.to_csv(p, index=False))
    put("parameters.csv", lambda p: pd.DataFrame(parameter_table(design.parameters)).to_csv(
        p, index=False))  # fmt: skip
    if trade_df is not None:
        put("trade.csv", lambda p: trade_df.to_csv(p, index=False))
    meta = {"summary": design.summary, "parameters": design.parameters,
            "itu_r_revisions": REVISIONS}  # fmt: skip
    put("summary.json", lambda p: p.write_text(json.dumps(_jsonable(meta), indent=1)))
    for lang in languages:
        put(f"summary.{lang}.txt", lambda p, lang=lang: p.write_text(summary_text(design, lang)))
    return paths
