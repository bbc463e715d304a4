"""Settlement service planning: which GEO satellite serves each settlement, with which dish,
at what availability, outage and throughput; DTH footprints; beam/EIRP models.

Everything is vectorised over (site, satellite, time percentage, dish): the forward-link
budget of :mod:`sahelsat.comms.budget` is evaluated on a grid of time percentages and the
annual outage is read where the link's Es/N0 crosses the MODCOD the target throughput needs.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sahelsat import places
from sahelsat.comms import budget, dvbs2, link
from sahelsat.comms.defaults import (
    DESIGNED_SLOTS_DEG,
    KU,
    MINUTES_PER_YEAR,
    STANDARD_DISHES_M,
    Scenario,
)
from sahelsat.comms.itu import REVISIONS
from sahelsat.core.constants import GEO_ALTITUDE_KM
from sahelsat.i18n import figure_text, lang_path
from sahelsat.inputs import InputError

#: Time percentages (%) at which links are evaluated: 0.001 % (5 min/yr) to 10 %.
P_GRID = np.geomspace(0.001, 10.0, 41)
#: Availability levels (%) of the population summary.
SUMMARY_LEVELS = (99.0, 99.5, 99.7, 99.9, 99.95)
KM_PER_DEG = 111.195  # mean great-circle km per degree (R = 6371 km)


class ServiceError(InputError):
    """Invalid service-planning input; the message names the parameter, file or line (and
    ``problems[0].loc`` the parameter, where one is at fault)."""


@dataclass(frozen=True)
class Satellite:
    """A GEO satellite candidate: name, orbital longitude (deg E) and its beam centres
    ``beams`` (n_beam, 2) as (lat, lon) deg on the ground."""

    name: str
    lon_deg: float
    beams: np.ndarray = field(repr=False)


def beam_centres(scenario: Scenario, area: str = "AES") -> np.ndarray:
    """Beam centres (n, 2) lat/lon deg: one beam on the area's centroid when
    ``beam_spacing_deg`` is 0, else a grid spaced ``beam_spacing_deg`` as seen from GEO
    (about 35,786 km away), kept where it falls within one spacing of the area."""
    import shapely

    shape = places.area_geometry(area)
    if scenario.beam_spacing_deg <= 0:
        c = shape.centroid
        return np.array([[c.y, c.x]])
    step = math.radians(scenario.beam_spacing_deg) * GEO_ALTITUDE_KM / KM_PER_DEG
    lon0, lat0, lon1, lat1 = shape.bounds
    lats = np.arange(lat0, lat1 + step, step)
    lons = np.arange(lon0, lon1 + step, step)
    glat, glon = np.meshgrid(lats, lons, indexing="ij")
    inside = shapely.dwithin(shape, shapely.points(glon.ravel(), glat.ravel()), step * 0.5)
    return np.column_stack([glat.ravel()[inside], glon.ravel()[inside]])


def designed_satellites(
    slots_deg=DESIGNED_SLOTS_DEG, scenario: Scenario = KU, area: str = "AES"
) -> list[Satellite]:
    """GEO satellites at designed orbital longitudes (deg E), each with the scenario's beams."""
    beams = beam_centres(scenario, area)
    out = []
    for lon in slots_deg:
        lon = float(lon)
        if not -180.0 <= lon <= 360.0:
            raise ServiceError(f"slot longitude {lon} deg is outside [-180, 360]")
        out.append(Satellite(f"GEO {lon:+.1f}", (lon + 180.0) % 360.0 - 180.0, beams))
    if not out:
        raise ServiceError("no GEO slot given")
    return out


def geo_satellites(
    lon_min: float = -30.0,
    lon_max: float = 30.0,
    when: str = "2026-05-30T00:00",
    scenario: Scenario = KU,
    names: list[str] | None = None,
    area: str = "AES",
) -> list[Satellite]:
    """Real geostationary satellites of the shipped ``geo`` catalogue whose sub-satellite
    longitude at ``when`` (UTC) lies in [lon_min, lon_max] deg E (near-equatorial, near-GEO
    altitude), optionally only those whose name contains one of ``names`` (case-insensitive).
    Raises :class:`ServiceError` for a name that matches no satellite in the window."""
    from sahelsat.fleet import catalogue

    fleet = catalogue("geo")
    lat, lon, alt = fleet.geodetic(np.array([np.datetime64(when, "ns")]))
    lat, lon, alt = lat[:, 0], lon[:, 0], alt[:, 0]
    table = fleet.table()
    name_col = "name" if "name" in table.columns else table.columns[0]
    all_names = np.asarray(table[name_col], dtype=str)
    keep = (np.abs(lat) < 1.0) & (np.abs(alt - GEO_ALTITUDE_KM) < 300.0)
    keep &= (lon >= lon_min) & (lon <= lon_max)
    if names:
        wanted = np.zeros(len(all_names), dtype=bool)
        for n in names:
            hit = np.char.find(np.char.upper(all_names), n.upper()) >= 0
            if not np.any(hit & keep):
                raise ServiceError(
                    f"unknown satellite {n!r}: no GEO satellite of the 'geo' catalogue between "
                    f"{lon_min} and {lon_max} deg E has that name"
                )
            wanted |= hit
        keep &= wanted
    beams = beam_centres(scenario, area)
    return [Satellite(all_names[i].strip(), float(lon[i]), beams) for i in np.flatnonzero(keep)]


def read_settlements(source) -> tuple[pd.DataFrame, list[str]]:
    """Settlements as ``name, latitude_deg, longitude_deg, population, altitude_m``.

    ``source``: a DataFrame or a CSV path with columns name, latitude_deg (or lat/latitude),
    longitude_deg (or lon/longitude), population, optional altitude_m. Rows with a bad
    value are skipped and reported as ``"line N: reason"`` strings (never the whole batch).
    """
    label = "table"
    if not isinstance(source, pd.DataFrame):
        path = Path(source)
        if not path.is_file():
            raise ServiceError(f"settlement file {path} does not exist")
        label = str(path)
        source = pd.read_csv(path)
    df = source.rename(columns=lambda c: str(c).strip().lower())
    aliases = {"lat": "latitude_deg", "latitude": "latitude_deg", "lon": "longitude_deg",
               "longitude": "longitude_deg", "pop": "population"}  # fmt: skip
    df = df.rename(columns={k: v for k, v in aliases.items() if k in df.columns})
    missing = [c for c in ("name", "latitude_deg", "longitude_deg", "population")
               if c not in df.columns]  # fmt: skip
    if missing:
        raise ServiceError(f"{label}: missing column(s) {missing}; need name, latitude_deg, "
                           "longitude_deg, population (altitude_m optional)")  # fmt: skip
    rows, skipped = [], []
    for i, r in enumerate(df.itertuples(index=False)):
        line = i + 2  # header is line 1
        rec = r._asdict()
        try:
            lat = float(rec["latitude_deg"])
            lon = float(rec["longitude_deg"])
            pop = float(rec["population"])
            alt = float(rec.get("altitude_m", 0.0) or 0.0) if "altitude_m" in rec else np.nan
        except (TypeError, ValueError) as exc:
            skipped.append(f"{label} line {line}: not a number ({exc})")
            continue
        problem = (
            "latitude_deg outside [-90, 90]" if not -90 <= lat <= 90 else
            "longitude_deg outside [-180, 360]" if not -180 <= lon <= 360 else
            "population negative or missing" if not pop >= 0 else None
        )  # fmt: skip
        if problem:
            skipped.append(f"{label} line {line} ({rec['name']}): {problem}")
            continue
        rows.append((str(rec["name"]), lat, (lon + 180) % 360 - 180, pop, alt))
    out = pd.DataFrame(rows, columns=["name", "latitude_deg", "longitude_deg", "population",
                                      "altitude_m"])  # fmt: skip
    for extra in ("country", "admin1"):
        if extra in df.columns and len(out) == len(df):
            out[extra] = df[extra].to_numpy()
    return out, skipped


def satellite_eirp_dbw(scenario: Scenario, sat: Satellite, lat, lon) -> np.ndarray:
    """EIRP (dBW) of ``sat`` towards ground points: beam peak plus the roll-off of the
    nearest beam (Gaussian or Bessel model of :func:`sahelsat.comms.link.beam_rolloff_db`)."""
    sat_km = link.geo_position_ecef_km(sat.lon_deg)
    pts = link.geodetic_to_ecef_km(np.asarray(lat)[..., None], np.asarray(lon)[..., None])
    centres = link.geodetic_to_ecef_km(sat.beams[:, 0], sat.beams[:, 1])
    theta = link.off_axis_angle_deg(sat_km, pts, centres)  # (..., beam)
    gain = link.beam_rolloff_db(theta, scenario.beam_3db_deg, scenario.beam_shape)
    return scenario.satellite_eirp_dbw + gain.max(axis=-1)


def _check_targets(availability: float, throughput_mbps: float, scenario: Scenario):
    if not 0.0 < availability < 100.0:
        raise ServiceError.at("availability", f"must lie in (0, 100) %, got {availability}")
    p = 100.0 - availability
    if not P_GRID[0] <= p <= 5.0:
        raise ServiceError.at(
            "availability",
            f"{availability} % means {p:g} % outage; the ITU-R rain model covers "
            "0.001-5 % of the time, so use an availability between 95 and 99.999 %",
        )
    eff = throughput_mbps * 1e6 / scenario.symbol_rate_baud
    if not throughput_mbps > 0:
        raise ServiceError.at("throughput", f"must be positive, got {throughput_mbps} Mbit/s")
    req = float(dvbs2.required_esn0_db(eff, scenario.implementation_margin_db))
    if not np.isfinite(req):
        raise ServiceError.at(
            "throughput",
            f"{throughput_mbps} Mbit/s needs {eff:.2f} bit/symbol at "
            f"{scenario.symbol_rate_baud / 1e6:g} Mbaud; no DVB-S2X MODCOD is that efficient",
        )
    return p, req


def outage_percent(esn0_db, required_db, p_grid=P_GRID, axis: int = -1) -> np.ndarray:
    """Annual outage (%) of links whose Es/N0 (dB) was evaluated at the time percentages
    ``p_grid`` along ``axis``: where Es/N0 crosses ``required_db`` (linear in ln p between
    grid points). Clipped to the grid: p_grid[0] when always met, p_grid[-1] when never."""
    m = np.moveaxis(np.asarray(esn0_db, dtype=float) - required_db, axis, -1)
    ok = m >= 0.0
    j = np.argmax(ok, axis=-1)
    never = ~ok.any(axis=-1)
    jm = np.clip(j - 1, 0, len(p_grid) - 1)
    m0 = np.take_along_axis(m, jm[..., None], -1)[..., 0]
    m1 = np.take_along_axis(m, j[..., None], -1)[..., 0]
    lp = np.log(p_grid)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.clip(np.where(m1 > m0, -m0 / (m1 - m0), 1.0), 0.0, 1.0)
    p = np.exp(lp[jm] + w * (lp[j] - lp[jm]))
    p = np.where(j == 0, p_grid[0], p)
    return np.where(never, p_grid[-1], p)


@dataclass
class ServicePlan:
    """Result of :func:`plan_service`: ``sites`` per settlement, ``summary`` population
    served per availability level and dish, ``skipped`` input rows, the scenario and the
    ITU-R revisions used."""

    sites: pd.DataFrame
    summary: pd.DataFrame
    scenario: Scenario
    availability: float
    throughput_mbps: float
    skipped: list[str]
    revisions: dict[str, str]


def plan_service(
    settlements,
    satellites: list[Satellite],
    scenario: Scenario = KU,
    availability: float | None = None,
    throughput_mbps: float | None = None,
    dishes=STANDARD_DISHES_M,
    gateway: tuple[float, float] = (12.64, -8.0),
    progress=None,
) -> ServicePlan:
    """For every settlement: best satellite, smallest standard dish meeting ``availability``
    (%) at ``throughput_mbps``, annual outage minutes, throughput and population served.

    ``settlements``: as :func:`read_settlements` takes; ``satellites``: candidates (see
    :func:`designed_satellites`, :func:`geo_satellites`); ``gateway`` (lat, lon) deg of the
    uplink station; ``progress``: optional callable(done, total) for long runs.
    """
    availability = scenario.availability_percent if availability is None else availability
    throughput_mbps = scenario.throughput_mbps if throughput_mbps is None else throughput_mbps
    p_target, required = _check_targets(availability, throughput_mbps, scenario)
    if not satellites:
        raise ServiceError("no candidate satellite given")
    sites, skipped = read_settlements(settlements)
    if sites.empty:
        raise ServiceError("no valid settlement to plan; " + "; ".join(skipped[:5]))
    d = np.asarray(sorted(dishes), dtype=float)
    if np.any(d <= 0) or d.size == 0:
        raise ServiceError(f"dish diameters must be positive, got {list(dishes)}")
    lat = sites["latitude_deg"].to_numpy()
    lon = sites["longitude_deg"].to_numpy()
    from sahelsat.comms.itu import p1511

    alt_m = sites["altitude_m"].to_numpy()
    h_km = np.where(np.isfinite(alt_m), alt_m / 1000.0, p1511.topographic_altitude(lat, lon))
    h_km = np.clip(h_km, 0.0, 5.0)
    p_grid = np.unique(np.append(P_GRID, p_target))
    n_s, n_k = len(sites), len(satellites)
    esn0 = np.full((n_s, n_k, len(p_grid), len(d)), -np.inf)
    elev = np.full((n_s, n_k), np.nan)
    azim = np.full((n_s, n_k), np.nan)
    eirp = np.full((n_s, n_k), np.nan)
    for k, sat in enumerate(satellites):
        az, el, rng = link.geo_look_angles(lat, lon, sat.lon_deg, h_km)
        elev[:, k], azim[:, k] = el, az
        eirp[:, k] = satellite_eirp_dbw(scenario, sat, lat, lon)
        _, _, up_rng = link.geo_look_angles(gateway[0], gateway[1], sat.lon_deg, 0.4)
        vis = el >= scenario.min_elevation_deg
        if np.any(vis):
            res = budget.forward_link(
                scenario, lat[vis, None, None], lon[vis, None, None], h_km[vis, None, None],
                el[vis, None, None], rng[vis, None, None], eirp[vis, k, None, None],
                d[None, None, :], p_grid[None, :, None], uplink_range_km=up_rng,
            )  # fmt: skip
            esn0[vis, k] = res["esn0_total"]
        if progress:
            progress(k + 1, n_k)
    outage = outage_percent(esn0, required, p_grid, axis=2)  # (site, sat, dish)
    outage = np.where(np.isfinite(esn0).all(axis=2), outage, 100.0)
    it = int(np.flatnonzero(np.isclose(p_grid, p_target))[0])
    meets = outage <= p_target * (1 + 1e-9)
    any_sat = meets.any(axis=1)  # (site, dish)
    served = any_sat.any(axis=1)
    dish_i = np.where(served, np.argmax(any_sat, axis=1), len(d) - 1)
    # best satellite: meets with the chosen dish and has the highest Es/N0 at the target
    score = np.take_along_axis(esn0[:, :, it, :], dish_i[:, None, None], 2)[..., 0]
    score = np.where(np.take_along_axis(meets, dish_i[:, None, None], 2)[..., 0] | ~served[:, None],
                     score, -np.inf)  # fmt: skip
    best = np.argmax(score, axis=1)
    rows = np.arange(n_s)
    es_t = esn0[rows, best, it, dish_i]
    idx, eff = dvbs2.best_modcod(es_t, scenario.implementation_margin_db)
    table = dvbs2.modcod_table()
    out_p = outage[rows, best, dish_i]
    visible_any = np.isfinite(esn0[:, :, 0, 0]).any(axis=1)
    result = sites.copy()
    result["altitude_m"] = h_km * 1000.0
    result["satellite"] = np.where(visible_any, [satellites[k].name for k in best], "")
    result["satellite_lon_deg"] = [satellites[k].lon_deg for k in best]
    result["elevation_deg"] = elev[rows, best]
    result["azimuth_deg"] = azim[rows, best]
    result["eirp_dbw"] = eirp[rows, best]
    result["dish_m"] = np.where(served, d[dish_i], np.nan)
    result["served"] = served
    result["availability_percent"] = 100.0 - out_p
    result["outage_minutes"] = out_p / 100.0 * MINUTES_PER_YEAR
    result["esn0_db"] = es_t
    result["modcod"] = np.where(idx >= 0, table["name"].to_numpy()[np.maximum(idx, 0)], "none")
    result["throughput_mbps"] = eff * scenario.symbol_rate_baud / 1e6
    # population served at each availability level, per largest dish allowed
    best_avail = 100.0 - np.min(outage, axis=1)  # (site, dish): best satellite per dish
    pop = sites["population"].to_numpy()
    summary = pd.DataFrame(
        {f"dish <= {dm:g} m": [float(pop[np.max(best_avail[:, : j + 1], axis=1) >= lv].sum())
                               for lv in SUMMARY_LEVELS] for j, dm in enumerate(d)},
        index=pd.Index(SUMMARY_LEVELS, name="availability_percent"),
    )  # fmt: skip
    return ServicePlan(result, summary, scenario, availability, throughput_mbps, skipped,
                       dict(REVISIONS))  # fmt: skip


def dth_footprint(
    satellite: Satellite,
    scenario: Scenario,
    dish_m: float,
    modcod: str = "QPSK 3/4",
    area: str = "AES",
    step_deg: float = 0.5,
) -> pd.DataFrame:
    """Broadcast (DTH) footprint: availability (%) with which ``dish_m`` receives a carrier
    of ``modcod`` on a ``step_deg`` grid over ``area``; columns ``latitude_deg,
    longitude_deg, inside, elevation_deg, eirp_dbw, availability_percent``."""
    import shapely

    table = dvbs2.modcod_table()
    hit = table["name"].str.upper() == modcod.strip().upper()
    if not hit.any():
        raise ServiceError(f"unknown MODCOD {modcod!r}; e.g. {', '.join(table['name'][:4])}")
    required = float(table.loc[hit, "esn0_db"].iloc[0]) + scenario.implementation_margin_db
    shape = places.area_geometry(area)
    lon0, lat0, lon1, lat1 = shape.bounds
    lats = np.arange(math.floor(lat0), lat1 + step_deg, step_deg)
    lons = np.arange(math.floor(lon0), lon1 + step_deg, step_deg)
    glat, glon = (a.ravel() for a in np.meshgrid(lats, lons, indexing="ij"))
    inside = shapely.contains_xy(shape, glon, glat)
    from sahelsat.comms.itu import p1511

    h = np.clip(p1511.topographic_altitude(glat, glon), 0.0, 5.0)
    _, el, rng = link.geo_look_angles(glat, glon, satellite.lon_deg, h)
    eirp = satellite_eirp_dbw(scenario, satellite, glat, glon)
    avail = np.full(glat.shape, np.nan)
    vis = el >= scenario.min_elevation_deg
    if np.any(vis):
        res = budget.forward_link(
            scenario, glat[vis, None], glon[vis, None], h[vis, None], el[vis, None],
            rng[vis, None], eirp[vis, None], dish_m, P_GRID[None, :],
        )  # fmt: skip
        avail[vis] = 100.0 - outage_percent(res["esn0_total"], required, P_GRID)
    return pd.DataFrame({"latitude_deg": glat, "longitude_deg": glon, "inside": inside,
                         "elevation_deg": el, "eirp_dbw": eirp,
                         "availability_percent": avail})  # fmt: skip


def write_outputs(plan: ServicePlan, folder, languages=("en",)) -> list[Path]:
    """Write ``service.csv``, ``service.geojson``, ``summary.csv``, ``summary.txt`` and the
    PNG maps of :func:`service_maps` in each of ``languages`` into ``folder``; returns the
    paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    s = plan.sites
    paths = [folder / "service.csv", folder / "service.geojson", folder / "summary.csv",
             folder / "summary.txt"]  # fmt: skip
    s.to_csv(paths[0], index=False)
    features = []
    for rec in s.to_dict(orient="records"):
        props = {k: (None if isinstance(v, float) and not math.isfinite(v) else
                     v.item() if hasattr(v, "item") else v)
                 for k, v in rec.items()}  # fmt: skip
        features.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {
                    "type": "Point",
                    "coordinates": [rec["longitude_deg"], rec["latitude_deg"]],
                },
            }
        )
    meta = {
        "scenario": plan.scenario.name,
        "availability_percent": plan.availability,
        "throughput_mbps": plan.throughput_mbps,
        "itu_r_revisions": plan.revisions,
    }
    paths[1].write_text(json.dumps({"type": "FeatureCollection", "metadata": meta,
                                    "features": features}))  # fmt: skip
    plan.summary.to_csv(paths[2])
    paths[3].write_text(summary_text(plan))
    for lang in languages:
        paths += service_maps(plan, folder, lang)
    return paths


def service_maps(plan: ServicePlan, folder, lang: str = "en") -> list[Path]:
    """PNG maps of a plan's availability, dish and throughput per settlement, titled in
    ``lang`` (``availability.png``, or ``availability.<lang>.png``); returns the paths."""
    from sahelsat.figures import new_figure

    words = figure_text(lang)
    s = plan.sites
    paths = []
    for column, key, cmap in [
        ("availability_percent", "availability", "viridis"),
        ("dish_m", "dish", "plasma"),
        ("throughput_mbps", "throughput", "cividis"),
    ]:
        fig, ax = new_figure((9, 6))
        places.draw_outlines(ax)
        sc = ax.scatter(
            s["longitude_deg"],
            s["latitude_deg"],
            c=s[column],
            cmap=cmap,
            s=12 + 40 * np.sqrt(s["population"] / max(s["population"].max(), 1.0)),
        )
        fig.colorbar(sc, ax=ax, label=words[key], shrink=0.75)
        target = words["target"].format(
            av=plan.availability, tp=plan.throughput_mbps, rev=plan.revisions["P.618"]
        )
        ax.set_title(f"{plan.scenario.name}: {words[key]}\n{target}")
        path = lang_path(Path(folder) / f"{column.split('_')[0]}.png", lang)
        fig.savefig(path, dpi=110, bbox_inches="tight")
        paths.append(path)
    return paths


def summary_text(plan: ServicePlan) -> str:
    """A short plain-text summary of a plan (what the CLI prints)."""
    s = plan.sites
    pop = s["population"].sum()
    served = s.loc[s["served"], "population"].sum()
    lines = [
        f"{plan.scenario.name}: {len(s)} settlements, population {pop:,.0f}",
        f"target: {plan.availability} % of an average year at {plan.throughput_mbps:g} Mbit/s",
        f"served with a standard dish: {int(s['served'].sum())} settlements, "
        f"population {served:,.0f} ({100 * served / max(pop, 1):.1f} %)",
        "dish sizes used: " + ", ".join(f"{k:g} m x {v}" for k, v in
                                        s["dish_m"].value_counts().sort_index().items()),
        "ITU-R: " + ", ".join(plan.revisions.values()),
    ]  # fmt: skip
    if plan.skipped:
        lines.append(f"skipped {len(plan.skipped)} input rows: " + "; ".join(plan.skipped[:5]))
    return "\n".join(lines) + "\n"


def plot_footprint(fp: pd.DataFrame, path, title: str, target: float) -> Path:
    """PNG map of a :func:`dth_footprint` with the target-availability contour."""
    from sahelsat.figures import new_figure

    lats = np.unique(fp["latitude_deg"])
    lons = np.unique(fp["longitude_deg"])
    grid = fp["availability_percent"].to_numpy().reshape(len(lats), len(lons))
    fig, ax = new_figure((9, 6))
    mesh = ax.pcolormesh(lons, lats, np.clip(grid, 99.0, 100.0), shading="nearest",
                         cmap="viridis")  # fmt: skip
    if np.nanmax(grid) >= target >= np.nanmin(grid):
        ax.contour(lons, lats, grid, levels=[target], colors="red", linewidths=1.5)
    places.draw_outlines(ax)
    fig.colorbar(mesh, ax=ax, label="availability (%)")
    ax.set_title(title)
    path = Path(path)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path
