"""The flood chain: from a flood extent (a zone) or a radar scene to the people affected
per region, and the timeline of the images that will show it next.

Used by the scenario's ``[flood]`` step (after the imaging plan), by ``sahelsat brief``
and by the service's ``flood`` and ``brief`` jobs. A zone is a flood extent someone
else drew (a partner's map) or an EXERCISE extent (the shipped ones along the Niger):
exercise extents are labelled as such wherever they appear, never as observations.
People: the population base of :mod:`sahelsat.places` (official figures spread over
settlements); next images: :func:`sahelsat.tasking.pipeline.plan_requests` over our
satellites (planned) and the public Earth-observation fleet (forecast).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from sahelsat import inputs
from sahelsat.inputs import EXERCISE_ZONE, FloodSection, InputError

#: Words of the flood chain that a person reads, per language.
TEXT = {
    "en": {
        "exercise": "EXERCISE extent, not an observation",
        "given": "flood extent given by the user (not mapped by sahelsat)",
        "mapped": "water mapped by sahelsat from the radar scene",
        "request": "imaging request's area (no flood extent known)",
        "regions": "first-level regions",
        "rivers": "rivers and lakes (Natural Earth 1:10m)",
        "zone": "flood extent",
        "settlements": "affected settlements (size: people)",
        "map_title": "Flood: {what}",
        "lon": "longitude (°)",
        "lat": "latitude (°)",
    },
    "fr": {
        "exercise": "emprise d'EXERCICE, pas une observation",
        "given": "emprise de crue fournie par l'utilisateur (non cartographiée par sahelsat)",
        "mapped": "eau cartographiée par sahelsat sur la scène radar",
        "request": "zone de la demande d'imagerie (aucune emprise de crue connue)",
        "regions": "régions (premier niveau)",
        "rivers": "fleuves et lacs (Natural Earth 1:10m)",
        "zone": "emprise de la crue",
        "settlements": "localités touchées (taille : personnes)",
        "map_title": "Crue : {what}",
        "lon": "longitude (°)",
        "lat": "latitude (°)",
    },
}

TIMELINE_COLUMNS = ["zone", "request", "satellite", "sensor", "status", "start", "coverage",
                    "data_available"]  # fmt: skip
DOWNLINK_COLUMNS = ["zone", "satellite", "acquired", "station", "downlink_end"]


@dataclass
class FloodChain:
    """What the flood chain produced.

    ``zones``: the extents as read (name, label, geometry: :class:`inputs.Area`);
    ``exercise``: they are exercise extents; ``source``: where they came from;
    ``regions``/``settlements``: the impact tables of :mod:`sahelsat.monitor.impact`
    (``country, region, settlements, people, ..., alert`` per region; each reached
    settlement); ``water``: lon/lat GeoJSON of mapped water (a scene only);
    ``timeline``: next images per zone (planned and forecast, soonest first);
    ``downlinks``: our planned downlinks of those images; ``written``: files by name.
    """

    zones: list[dict]
    exercise: bool
    source: str
    regions: pd.DataFrame
    settlements: pd.DataFrame
    water: dict | None = None
    timeline: pd.DataFrame | None = None
    downlinks: pd.DataFrame | None = None
    window: tuple | None = None  # (start, stop) of the timeline, naive UTC datetime64
    request_area: bool = False  # the zones are imaging requests' areas, not flood extents
    notes: list[str] = field(default_factory=list)
    written: dict[str, Path] = field(default_factory=dict)

    @property
    def geometry(self):
        """The union of the zones (shapely, lon/lat)."""
        from shapely.ops import unary_union

        return unary_union([z["geometry"].shape for z in self.zones])

    def extent(self) -> dict:
        """The zones as a GeoJSON FeatureCollection, each labelled (exercise or given)."""
        from shapely.geometry import mapping

        label = TEXT["en"]["exercise" if self.exercise else "given"]
        label_fr = TEXT["fr"]["exercise" if self.exercise else "given"]
        return {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {
                        "name": z["name"],
                        "label": z["label"] or label,
                        "label_fr": label_fr,
                        "exercise": self.exercise,
                        "source": self.source,
                    },  # fmt: skip
                    "geometry": mapping(z["geometry"].shape),
                }
                for z in self.zones
            ],
        }


def zone_names(chain: FloodChain, lang: str) -> dict[str, str]:
    """Each zone's name (as in the timeline's ``zone`` column) -> its name in ``lang``."""
    key = "name_fr" if lang == "fr" else "name"
    return {z["name"]: z.get(key) or z["name"] for z in chain.zones}


def data_file(*parts: str):
    """A shipped data file of ``sahelsat/data``."""
    return resources.files("sahelsat").joinpath("data", *parts)


def exercise_zones() -> dict:
    """The shipped exercise flood extents (GeoJSON FeatureCollection; see the water README)."""
    return json.loads(data_file("water", "flood_exercise.geojson").read_text())


def water_features() -> tuple[dict, dict]:
    """The shipped rivers and lakes (Natural Earth 1:10m, public domain) as GeoJSON."""
    rivers = json.loads(data_file("water", "rivers.geojson").read_text())
    lakes = json.loads(data_file("water", "lakes.geojson").read_text())
    return rivers, lakes


def read_zone(zone, folder: str | Path = ".") -> tuple[list[dict], str]:
    """The extents of ``zone`` (``"exercise"``, a GeoJSON file path, or a GeoJSON object)
    as rows of :func:`inputs.zone_features`, and a short description of the source.
    Raises :class:`InputError` naming the problem."""
    if isinstance(zone, dict):
        return inputs.zone_features(zone), "GeoJSON given inline"
    if zone == EXERCISE_ZONE:
        return inputs.zone_features(exercise_zones()), "sahelsat exercise extents"
    path = Path(folder) / str(zone)
    if not path.is_file():
        raise InputError.at("zone", f"file {str(zone)!r} not found")
    if path.stat().st_size > inputs.MAX_ZONE_BYTES:
        raise InputError.at("zone", f"{path.name}: over {inputs.MAX_ZONE_BYTES} bytes")
    try:
        data = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError.at("zone", f"{path.name}: not a readable GeoJSON file: {exc}") from None
    return inputs.zone_features(data), path.name


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "zone"


def zone_requests(zones: list[dict], start, stop, request=None) -> list:
    """One imaging request per zone over ``start``-``stop`` (timezone-aware UTC
    datetimes), in the planner's form: any sensor at priority 10, or the needs (sensor,
    priority, off-nadir, Sun) of ``request`` (the imaging request the flood answers,
    :class:`inputs.RequestNeeds`), whose id then prefixes theirs."""
    from sahelsat.tasking.requests import from_input

    window = inputs.Window(start=start, stop=stop)
    needs = {"priority": 10.0}
    if request is not None:
        needs = request.model_dump(include=set(inputs.RequestNeeds.model_fields) - {"repeat_days"})
    out, seen = [], set()
    for z in zones:
        rid = _slug(z["name"]) if request is None else f"{request.id}-{_slug(z['name'])}"
        while rid in seen:
            rid += "-1"
        seen.add(rid)
        out.append(from_input(inputs.ImagingRequest(id=rid, area=z["geometry"], window=window,
                                                    **needs)))  # fmt: skip
    return out


def timeline(
    zones, start, stop, fleet=None, sensors=None, ours=None, stations=None,
    time_limit: float = 10.0, request=None,
) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """The next images of each zone between ``start`` and ``stop`` (aware UTC datetimes).

    ``fleet``: our satellites (a Fleet, with ``sensors`` for designed ones and ``ours``
    their names); the public Earth-observation fleet (Sentinel-1, Sentinel-2, Landsat
    8/9 of the shipped catalogue) is added as forecast. Returns (timeline, downlinks):
    ``timeline`` has :data:`TIMELINE_COLUMNS` (``status`` planned or forecast,
    ``coverage`` the fraction of the zone in the strip, ``data_available`` when the data
    can be in hand: end of our downlink, or the archive latency for the others);
    ``downlinks`` our planned downlinks of those images (:data:`DOWNLINK_COLUMNS`).
    ``request``: the imaging request the flood answers (see :func:`zone_requests`)."""
    from sahelsat.fleet import Fleet, earth_observation_fleet
    from sahelsat.tasking.outputs import image_schedule
    from sahelsat.tasking.pipeline import plan_requests

    eo = earth_observation_fleet()
    ours = set(ours or ())
    mine = fleet if fleet is not None else Fleet([])
    eo = eo[[n for n in eo.names if str(n) not in {str(m) for m in mine.names}]]
    requests = zone_requests(zones, start, stop, request)
    names = {r.id: z["name"] for r, z in zip(requests, zones, strict=True)}
    t0 = np.datetime64(start.replace(tzinfo=None), "ns")
    t1 = np.datetime64(stop.replace(tzinfo=None), "ns")
    plan, opp = plan_requests(requests, mine + eo, t0, t1, stations=stations,
                              sensors=sensors or {}, ours=ours, time_limit=time_limit)  # fmt: skip
    sched = image_schedule(plan, opp)
    base = sched["request"].astype(str).str.replace(r"#\d+$", "", regex=True)
    sched = sched.assign(zone=base.map(names).fillna(base), request=sched["request"])
    tl = sched[TIMELINE_COLUMNS].reset_index(drop=True)
    acq = plan.acquisitions
    if len(acq) and "station" in acq.columns:
        base = acq["request"].astype(str).str.replace(r"#\d+$", "", regex=True)
        dl = pd.DataFrame({"zone": base.map(names).fillna(base), "satellite": acq["satellite"],
                           "acquired": acq["start"], "station": acq["station"],
                           "downlink_end": acq["downlink_end"]})  # fmt: skip
    else:
        dl = pd.DataFrame({c: [] for c in DOWNLINK_COLUMNS})
    return tl, dl.sort_values("acquired", kind="stable").reset_index(drop=True)


def zone_chain(section: FloodSection, folder: str | Path = ".") -> FloodChain:
    """People affected by the zone of ``section`` per region (no image)."""
    from sahelsat.monitor import impact

    zones, source = read_zone(section.zone, folder)
    exercise = section.is_exercise or all("exercise" in (z["label"] or "").lower() for z in zones)
    buffer = impact.DEFAULT_BUFFER_M if section.buffer_m is None else section.buffer_m
    from shapely.ops import unary_union

    geom = unary_union([z["geometry"].shape for z in zones])
    regions, settlements = impact.zone_impact(geom, impact.DEFAULT_ALERTS, buffer)
    return FloodChain(zones, exercise, source, regions, settlements)


def scene_chain(section: FloodSection, out: Path, folder: str | Path = ".",
                progress=lambda step: None) -> FloodChain:  # fmt: skip
    """Water mapped from the scene of ``section`` (``out/scene``: the products of
    :func:`sahelsat.monitor.pipeline.run_flood`) and the people affected per region."""
    from shapely.geometry import box

    from sahelsat.monitor import impact, io
    from sahelsat.monitor.pipeline import run_flood

    def path(p):
        return Path(folder) / p

    images = [path(p) for p in section.image]
    baseline = [path(p) for p in section.baseline] if section.baseline else None
    optical = path(section.optical) if section.optical else None
    buffer = impact.DEFAULT_BUFFER_M if section.buffer_m is None else section.buffer_m
    written = run_flood(images, out / "scene", optical, baseline, buffer_m=buffer,
                        progress=progress)  # fmt: skip
    regions = pd.read_csv(written["impact_regions"]) if "impact_regions" in written else None
    settlements = pd.read_csv(written["impact_settlements"])
    water = json.loads(Path(written["geojson"]).read_text())
    bounds = impact._bounds_lonlat(io.open_raster(images[0]))
    footprint = inputs.area_of(box(*bounds))
    name = section.title or images[0].name
    zones = [{"name": name, "label": TEXT["en"]["mapped"], "geometry": footprint}]
    return FloodChain(zones, False, images[0].name, regions, settlements, water,
                      written=dict(written))  # fmt: skip


def write_chain(chain: FloodChain, out: Path) -> dict[str, Path]:
    """Write ``zone.geojson`` (labelled), ``impact_regions.csv``/``.json``,
    ``impact_settlements.csv``/``.geojson``, ``timeline.csv`` and ``downlinks.csv``."""
    from sahelsat.monitor import products

    out.mkdir(parents=True, exist_ok=True)
    w = {"zone": products.write_geojson(out / "zone.geojson", chain.extent())}
    w.update(products.write_impact(out, chain.regions, chain.settlements))
    if chain.timeline is not None:
        chain.timeline.to_csv(out / "timeline.csv", index=False)
        chain.downlinks.to_csv(out / "downlinks.csv", index=False)
        w["timeline"], w["downlinks"] = out / "timeline.csv", out / "downlinks.csv"
    chain.written.update(w)
    return w


def flood_map(chain: FloodChain, path: Path, lang: str = "en") -> Path:
    """A map of the flood: regions, rivers and lakes, the zone (or mapped water) and the
    affected settlements (dots sized by people), labelled exercise/given/mapped."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from shapely.geometry import shape

    from sahelsat import places

    t = TEXT[lang]
    fig = Figure(figsize=(9, 6.5))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    x0, y0, x1, y1 = chain.geometry.bounds
    pad = max(0.15, 0.15 * max(x1 - x0, y1 - y0))
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad

    def draw(geom, **kw):
        for g in getattr(geom, "geoms", [geom]):
            if g.geom_type == "Polygon":
                xs, ys = g.exterior.xy
                ax.fill(xs, ys, **kw)
            elif g.geom_type == "LineString":
                xs, ys = g.xy
                ax.plot(xs, ys, **kw)
            elif hasattr(g, "geoms"):
                draw(g, **kw)

    for k, g in enumerate(places.regions(1)["geometry"]):
        for p in getattr(g, "geoms", [g]):
            xs, ys = p.exterior.xy
            ax.plot(xs, ys, color="0.45", lw=0.7, label=t["regions"] if k == 0 else None)
    rivers, lakes = water_features()
    for k, f in enumerate(rivers["features"] + lakes["features"]):
        geom = shape(f["geometry"])
        if geom.geom_type.endswith("Polygon"):
            draw(geom, color="#7fb2e5", lw=0)
        else:
            draw(geom, color="#3b7dd8", lw=1.0, label=t["rivers"] if k == 0 else None)
    if chain.exercise:
        what = t["exercise"]
    else:
        what = t["mapped" if chain.water else "request" if chain.request_area else "given"]
    if chain.water:
        for k, f in enumerate(chain.water["features"]):
            draw(shape(f["geometry"]), color="#0b3d91", alpha=0.8, lw=0,
                 label=t["mapped"] if k == 0 else None)  # fmt: skip
    else:
        for k, z in enumerate(chain.zones):
            draw(z["geometry"].shape, color="#d95f02", alpha=0.45, lw=0,
                 label=f"{t['zone']} ({what})" if k == 0 else None)  # fmt: skip
    s = chain.settlements
    if len(s):
        size = 3 + 60 * np.sqrt(s["people"].to_numpy(float) / max(s["people"].max(), 1.0))
        ax.scatter(s["lon"], s["lat"], s=size, color="#b2182b", edgecolor="k", lw=0.2,
                   alpha=0.75, zorder=5, label=t["settlements"])  # fmt: skip
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1.0 / np.cos(np.radians((y0 + y1) / 2)))
    ax.set_xlabel(t["lon"])
    ax.set_ylabel(t["lat"])
    ax.set_title(t["map_title"].format(what=what), fontsize=10)
    ax.legend(loc="lower left", fontsize=7, framealpha=0.85)
    import textwrap

    note = "\n".join(textwrap.wrap(places.population_note(lang), 170)[:3])
    ax.annotate(note, xy=(0.0, -0.17), xycoords="axes fraction", fontsize=6, va="top")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    return path


def step_flood(res) -> None:
    """The scenario's flood step (after the imaging plan): the chain on its ``[flood]``
    zone or scene, with the timeline over the scenario's window, written to
    ``out/flood/`` (tables, ``zone.geojson``, ``flood_map[.fr].png``)."""
    from sahelsat.i18n import LANGUAGES, lang_path

    section = res.scenario.flood
    if section is None:
        return
    out = res.out / "flood"
    sc = res.scenario
    if section.zone is not None:
        chain = zone_chain(section, sc.folder)
    else:
        chain = scene_chain(section, out, sc.folder)
    linked = next((r for r in sc.requests if r.id == section.request), None)
    chain.timeline, chain.downlinks = timeline(
        chain.zones, sc.scenario.start, sc.scenario.stop, res.imaging, res.sensors, res.ours,
        res.stations, sc.imaging.time_limit_s, linked,
    )  # fmt: skip
    chain.window = (res.start, res.stop)
    write_chain(chain, out)
    res.flood = chain
    res.figures["flood_map"] = {
        lang: flood_map(chain, lang_path(out / "flood_map.png", lang), lang) for lang in LANGUAGES
    }
