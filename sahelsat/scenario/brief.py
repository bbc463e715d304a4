"""The situation brief: from a flood area (a zone, or an imaging request's area) to one
bilingual HTML page (and a PDF when Chromium is installed) that says where, who, what
the next images are and when their data can be in hand, and what is not known.

Sections: the area and the regions concerned; the next acquisitions across Sentinel-1,
Sentinel-2, Landsat (forecast) and our own satellites (planned) with their coverage
fraction and data-in-hand time; our re-planned acquisitions and downlinks; the latest
flood extent and the people affected per region; what is not known. Every figure comes
from :mod:`sahelsat.scenario.flood` (population base, planner); nothing is observed
unless a scene was mapped, and an exercise or a request's area says so.
"""

from __future__ import annotations

import base64
import html
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from sahelsat.inputs import FloodSection
from sahelsat.scenario.flood import (
    FloodChain,
    flood_map,
    read_zone,
    timeline,
    zone_chain,
    zone_names,
)

DEFAULT_DAYS = 3.0
#: The brief's stylesheet, inlined so that the page stands alone (a file, a mail, a PDF);
#: the service allows exactly this text by its hash in its Content-Security-Policy.
STYLE = """
body { font-family: sans-serif; max-width: 1000px; margin: 2em auto; color: #222; }
h2 { border-bottom: 2px solid #2a6; padding-bottom: 0.2em; }
table.data { border-collapse: collapse; font-size: 0.85em; }
table.data td, table.data th { padding: 2px 8px; border-bottom: 1px solid #ddd; }
table.data th { text-align: left; }
p.exercise { background: #fff3cd; border-left: 4px solid #d95f02; padding: 0.5em; }
img { max-width: 100%; } section { break-inside: avoid-page; }
"""

TEXT = {
    "en": {
        "title": "Flood situation brief",
        "generated": "Generated {when} by sahelsat in {seconds:.1f} s",
        "window": "Acquisitions searched from {start} to {stop} UTC",
        "sec_area": "1. Area and regions concerned",
        "sec_next": "2. Next images of the area, all fleets",
        "sec_ours": "3. Our satellites: re-planned acquisitions and downlinks",
        "sec_flood": "4. Latest flood extent and people affected per region",
        "sec_unknown": "5. What is not known",
        "area": "{n} area(s), {km2:,.0f} km² in all: {names}",
        "regions_list": "Regions concerned",
        "next_note": "Planned: our satellites' acquisitions, downlinked to our ground "
        "stations. Forecast: systematic acquisitions of Sentinel-1C/1D, Sentinel-2 and "
        "Landsat 8/9 (not ours), assumed on every pass over land; data in their public "
        "archives after each mission's typical latency. Coverage: the share of the area "
        "inside the strip.",
        "none_next": "No image of the area is expected in the window.",
        "first": "First data in hand: {when} UTC ({sat}, {status}, {cov:.0%} of the area).",
        "none_ours": "None of our satellites can image the area in the window.",
        "exercise": "EXERCISE: the flood extent is an exercise extent drawn along the rivers "
        "(Natural Earth), not an observation. People counted are those who would be "
        "affected by such a flood.",
        "given": "Flood extent given by the user ({source}); sahelsat did not map it.",
        "mapped": "Water mapped by sahelsat from the radar scene {source}.",
        "request": "No flood extent is known yet: the table counts the people living in "
        "the imaging request's area ({source}), as an upper bound of those exposed.",
        "people_note": "People: the population base (official census figures or projections "
        "spread over OpenStreetMap settlements; a settlement's people live on a disc around "
        "it, those in its flooded part count).",
        "unknown_extent_exercise": "The real extent of any flood: no image of this area has "
        "been mapped; the extent above is an exercise.",
        "unknown_extent_given": "Whether the given extent is current: sahelsat has mapped no "
        "image of it; the next images are listed in section 2.",
        "unknown_extent_request": "The flood extent: no image of the area has been mapped.",
        "unknown_extent_mapped": "Water under vegetation, in radar shadow or in dry sand "
        "look-alike areas may be missed or false (see the exclusion layer of the scene).",
        "unknown_forecast": "Whether the forecast acquisitions happen: the missions publish "
        "their real observation plans separately; sahelsat assumes an acquisition on every "
        "pass over land (Sentinel-2 and Landsat by day).",
        "unknown_clouds": "Cloud cover over optical images (Sentinel-2, Landsat, our optical "
        "satellites): not forecast here; radar images see through clouds.",
        "unknown_people": "Who has already moved, and the depth, duration and damage of the "
        "flood: not in the population base nor in the images.",
        "unknown_partial": "Images covering only part of the area ({n}): the rest stays "
        "unseen until a later pass.",
        "unknown_none": "No image in the window: the flood will not be seen before {stop} "
        "UTC by these satellites.",
        "unknown_elements": "Orbits: {note}",
        "sources": "Sources: population base (see the data README of sahelsat), Natural Earth "
        "rivers and lakes, CelesTrak element sets, the sahelsat planner.",
        "zone": "area",
        "satellite": "satellite",
        "sensor": "sensor",
        "status": "planned / forecast",
        "start": "acquisition (UTC)",
        "coverage": "area covered",
        "available": "data in hand (UTC)",
        "station": "station",
        "downlink_end": "downlink end (UTC)",
        "country": "country",
        "region": "region",
        "settlements": "settlements",
        "people": "people affected",
        "alert": "alert level",
        "flooded_km2": "flooded area (km²)",
        "people_in_area": "people in the area",
    },
    "fr": {
        "title": "Note de situation : inondation",
        "generated": "Produite le {when} par sahelsat en {seconds:.1f} s",
        "window": "Acquisitions recherchées du {start} au {stop} UTC",
        "sec_area": "1. Zone et régions concernées",
        "sec_next": "2. Prochaines images de la zone, toutes flottes",
        "sec_ours": "3. Nos satellites : acquisitions et vidages replanifiés",
        "sec_flood": "4. Dernière emprise de crue et personnes touchées par région",
        "sec_unknown": "5. Ce qui n'est pas connu",
        "area": "{n} zone(s), {km2:,.0f} km² au total : {names}",
        "regions_list": "Régions concernées",
        "next_note": "Planifiée : acquisition de nos satellites, vidée vers nos stations sol. "
        "Prévision : acquisition systématique de Sentinel-1C/1D, Sentinel-2 et Landsat 8/9 "
        "(pas à nous), supposée à chaque passage sur les terres ; données dans leurs "
        "archives publiques après le délai habituel de chaque mission. Couverture : part de "
        "la zone dans la bande.",
        "none_next": "Aucune image de la zone n'est attendue sur la période.",
        "first": "Premières données en main : {when} UTC ({sat}, {status}, {cov:.0%} de la zone).",
        "none_ours": "Aucun de nos satellites ne peut imager la zone sur la période.",
        "exercise": "EXERCICE : l'emprise de crue est une emprise d'exercice tracée le long "
        "des fleuves (Natural Earth), pas une observation. Les personnes comptées sont celles "
        "qu'une telle crue toucherait.",
        "given": "Emprise de crue fournie par l'utilisateur ({source}) ; sahelsat ne l'a pas "
        "cartographiée.",
        "mapped": "Eau cartographiée par sahelsat sur la scène radar {source}.",
        "request": "Aucune emprise de crue n'est encore connue : le tableau compte les "
        "habitants de la zone de la demande d'imagerie ({source}), borne haute des personnes "
        "exposées.",
        "people_note": "Personnes : la base de population (chiffres officiels des "
        "recensements ou projections répartis sur les localités OpenStreetMap ; les habitants "
        "d'une localité vivent sur un disque autour d'elle, ceux de sa partie inondée "
        "comptent).",
        "unknown_extent_exercise": "L'emprise réelle d'une crue : aucune image de la zone "
        "n'a été cartographiée ; l'emprise ci-dessus est un exercice.",
        "unknown_extent_given": "Si l'emprise fournie est à jour : sahelsat n'en a "
        "cartographié aucune image ; les prochaines images sont en section 2.",
        "unknown_extent_request": "L'emprise de la crue : aucune image de la zone n'a été "
        "cartographiée.",
        "unknown_extent_mapped": "L'eau sous la végétation, dans l'ombre radar ou dans les "
        "sables secs qui lui ressemblent peut être manquée ou fausse (voir la couche "
        "d'exclusion de la scène).",
        "unknown_forecast": "Si les acquisitions prévues auront lieu : les missions publient "
        "leur plan d'observation réel à part ; sahelsat suppose une acquisition à chaque "
        "passage sur les terres (de jour pour Sentinel-2 et Landsat).",
        "unknown_clouds": "La couverture nuageuse des images optiques (Sentinel-2, Landsat, "
        "nos satellites optiques) : non prévue ici ; le radar voit à travers les nuages.",
        "unknown_people": "Qui s'est déjà déplacé, ainsi que la hauteur d'eau, la durée et "
        "les dégâts : ni dans la base de population ni dans les images.",
        "unknown_partial": "Images qui ne couvrent qu'une partie de la zone ({n}) : le reste "
        "n'est pas vu avant un passage suivant.",
        "unknown_none": "Aucune image sur la période : la crue ne sera pas vue par ces "
        "satellites avant le {stop} UTC.",
        "unknown_elements": "Orbites : {note}",
        "sources": "Sources : base de population (voir le README des données de sahelsat), "
        "fleuves et lacs Natural Earth, éléments orbitaux CelesTrak, le planificateur "
        "sahelsat.",
        "zone": "zone",
        "satellite": "satellite",
        "sensor": "capteur",
        "status": "planifiée / prévision",
        "start": "acquisition (UTC)",
        "coverage": "zone couverte",
        "available": "données en main (UTC)",
        "station": "station",
        "downlink_end": "fin du vidage (UTC)",
        "country": "pays",
        "region": "région",
        "settlements": "localités",
        "people": "personnes touchées",
        "alert": "niveau d'alerte",
        "flooded_km2": "surface inondée (km²)",
        "people_in_area": "habitants de la zone",
    },
}
LANGUAGES = tuple(TEXT)
VALUES = {
    "en": {},
    "fr": {"planned": "planifiée", "forecast": "prévision", "sar": "radar (SAR)",
           "optical": "optique", "none": "aucun", "watch": "veille", "warning": "alerte",
           "emergency": "urgence"},
}  # fmt: skip


@dataclass
class Brief:
    """A brief's content: the flood chain with its timeline, the window, what it rests on
    (``kind``: exercise, given, mapped or request), notes and the seconds it took."""

    chain: FloodChain
    kind: str
    start: datetime
    stop: datetime
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    figures: dict[str, bytes] = field(default_factory=dict)  # lang -> PNG


def _kind(chain: FloodChain) -> str:
    if chain.request_area:
        return "request"
    if chain.exercise:
        return "exercise"
    return "mapped" if chain.water is not None else "given"


def build_brief(
    zone=None,
    request: str | None = None,
    scenario="sahel",
    start: datetime | None = None,
    days: float = DEFAULT_DAYS,
    chain: FloodChain | None = None,
    folder: str | Path = ".",
    time_limit: float = 5.0,
) -> Brief:
    """The brief of a flood area: ``zone`` (``"exercise"``, a GeoJSON path or object), or
    the area of imaging ``request`` (an id of ``scenario``'s requests), or an already
    computed ``chain`` (e.g. a mapped scene). ``scenario``: a loaded scenario or a name
    (its imaging satellites we operate are planned; its stations receive). ``start``:
    aware UTC (default: the element sets' default start); ``days``: how far ahead."""
    import warnings

    from sahelsat.refresh.status import default_start
    from sahelsat.scenario.config import load_scenario
    from sahelsat.scenario.run import imaging_fleet

    t0 = time.perf_counter()
    sc = load_scenario(scenario) if isinstance(scenario, str) else scenario
    notes: list[str] = []
    ours: set = set()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fleet, sensors = imaging_fleet(sc, notes, ours)
        fleet = fleet[[n for n in fleet.names if str(n) in ours]]
        if chain is not None:
            kind = _kind(chain)
        elif request is not None:
            found = [r for r in sc.requests if r.id == request]
            if not found:
                from sahelsat.inputs import InputError

                raise InputError.at("request", f"no imaging request {request!r} in the scenario")
            r = found[0]
            area = r.area()
            zones = [{"name": r.title or r.id, "label": "", "geometry": area}]
            chain = zone_chain(FloodSection(zone=_geojson(area)))
            chain.zones, chain.source, kind = zones, f"request {r.id}", "request"
            chain.request_area = True
        else:
            chain = zone_chain(FloodSection(zone=zone), folder)
            kind = _kind(chain)
        if start is None:
            from sahelsat.fleet import earth_observation_fleet

            chosen = default_start(earth_observation_fleet())
            start = pd.Timestamp(chosen.start).to_pydatetime().replace(tzinfo=UTC)
            if chosen.note:
                notes.append(chosen.note)
        stop = start + timedelta(days=days)
        from sahelsat import places

        stations = (
            places.sites_table([s.row() for s in sc.stations])
            if sc.stations
            else places.ground_stations()
        )
        chain.timeline, chain.downlinks = timeline(
            chain.zones, start, stop, fleet, sensors, ours, stations, time_limit
        )
    notes += list({w.category.__name__: str(w.message) for w in caught}.values())
    brief = Brief(chain, kind, start, stop, notes)
    brief.seconds = time.perf_counter() - t0
    return brief


def _geojson(area) -> dict:
    from shapely.geometry import mapping

    g = dict(mapping(area.shape))
    return {"type": "Feature", "properties": {}, "geometry": g}


def _utc(t) -> str:
    return pd.Timestamp(t).strftime("%Y-%m-%d %H:%M") if pd.notna(t) else "–"


def _table(df: pd.DataFrame) -> str:
    if df is None or df.empty:
        return ""
    page = df.to_html(index=False, border=0, classes="data", na_rep="–", escape=True)
    return page.replace(' style="text-align: right;"', "")  # no inline style: see STYLE


def _map_png(brief: Brief, lang: str) -> bytes:
    if lang not in brief.figures:
        with tempfile.TemporaryDirectory() as tmp:
            path = flood_map(brief.chain, Path(tmp) / "map.png", lang)
            brief.figures[lang] = path.read_bytes()
    return brief.figures[lang]


def unknowns(brief: Brief, lang: str) -> list[str]:
    """What the brief does not know, in ``lang``: the extent's status, the forecasts'
    assumptions, clouds, people's movements and damage, partial or missing images, and
    the orbits' age."""
    t = TEXT[lang]
    out = [t[f"unknown_extent_{brief.kind}"], t["unknown_forecast"], t["unknown_clouds"],
           t["unknown_people"]]  # fmt: skip
    tl = brief.chain.timeline
    if tl is None or tl.empty:
        out.append(t["unknown_none"].format(stop=_utc(brief.stop)))
    else:
        partial = int((tl["coverage"].astype(float) < 0.99).sum())
        if partial:
            out.append(t["unknown_partial"].format(n=partial))
    out += [t["unknown_elements"].format(note=n) for n in brief.notes if "element" in n.lower()]
    return out


def render_brief(brief: Brief, lang: str = "en") -> str:
    """The brief in ``lang`` as one self-contained HTML page (the map embedded)."""
    t, words = TEXT[lang], VALUES[lang]
    chain = brief.chain

    def w(v):
        return words.get(v, v)

    km2 = sum(z["geometry"].area_km2 for z in chain.zones)
    names = ", ".join(zone_names(chain, lang).values())
    regions = chain.regions
    region_names = ", ".join(f"{r.region} ({r.country})" for r in regions.itertuples())
    area = (
        f"<p>{html.escape(t['area'].format(n=len(chain.zones), km2=km2, names=names))}</p>"
        f"<p>{html.escape(t['regions_list'])}: {html.escape(region_names or '–')}</p>"
    )
    tl = chain.timeline if chain.timeline is not None else pd.DataFrame()
    if len(tl):
        table = pd.DataFrame(
            {
                t["zone"]: tl["zone"].map(lambda z: zone_names(chain, lang).get(z, z)),
                t["satellite"]: tl["satellite"],
                t["sensor"]: tl["sensor"].map(w),
                t["status"]: tl["status"].map(w),
                t["start"]: [_utc(x) for x in tl["start"]],
                t["coverage"]: [f"{float(c):.0%}" for c in tl["coverage"]],
                t["available"]: [_utc(x) for x in tl["data_available"]],
            }
        )
        ready = tl.dropna(subset=["data_available"]).sort_values("data_available")
        first = ""
        if len(ready):
            r = ready.iloc[0]
            first = t["first"].format(when=_utc(r["data_available"]), sat=r["satellite"],
                                      status=w(r["status"]), cov=float(r["coverage"]))  # fmt: skip
        nxt = f"<p>{html.escape(t['next_note'])}</p><p><b>{html.escape(first)}</b></p>"
        nxt += _table(table)
        mine = tl[tl["status"] == "planned"]
    else:
        nxt = f"<p>{html.escape(t['next_note'])}</p><p><b>{html.escape(t['none_next'])}</b></p>"
        mine = tl
    dl = chain.downlinks if chain.downlinks is not None else pd.DataFrame()
    if len(dl):
        ours = _table(
            pd.DataFrame(
                {
                    t["zone"]: dl["zone"].map(lambda z: zone_names(chain, lang).get(z, z)),
                    t["satellite"]: dl["satellite"],
                    t["start"]: [_utc(x) for x in dl["acquired"]],
                    t["station"]: dl["station"],
                    t["downlink_end"]: [_utc(x) for x in dl["downlink_end"]],
                }
            )
        )
    else:
        ours = f"<p>{html.escape(t['none_ours'])}</p>" if not len(mine) else ""
    label = t[brief.kind].format(source=chain.source)
    people_col = t["people_in_area"] if brief.kind == "request" else t["people"]
    impact = pd.DataFrame(
        {
            t["country"]: regions["country"],
            t["region"]: regions["region"],
            t["settlements"]: regions["settlements"].astype(int),
            people_col: regions["people"].round(0).astype(int),
            t["alert"]: regions["alert"].map(w),
            t["flooded_km2"]: regions["flooded_km2"].astype(float).round(1),
        }
    )
    if brief.kind == "request":
        impact = impact.drop(columns=[t["alert"], t["flooded_km2"]])
    cls = "exercise" if brief.kind in ("exercise", "request") else "given"
    png = base64.b64encode(_map_png(brief, lang)).decode()
    flood = (
        f'<p class="{cls}"><b>{html.escape(label)}</b></p>'
        f'<figure><img alt="{html.escape(t["sec_flood"])}" src="data:image/png;base64,{png}">'
        f"</figure><p>{html.escape(t['people_note'])}</p>" + _table(impact)
    )
    unknown = "".join(f"<li>{html.escape(u)}</li>" for u in unknowns(brief, lang))
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    head = t["generated"].format(when=when, seconds=brief.seconds)
    window = t["window"].format(start=_utc(brief.start), stop=_utc(brief.stop))
    sections = [
        (t["sec_area"], area),
        (t["sec_next"], nxt),
        (t["sec_ours"], ours),
        (t["sec_flood"], flood),
        (t["sec_unknown"], f"<ul>{unknown}</ul>"),
    ]
    body = "".join(f"<section><h2>{html.escape(h)}</h2>{b}</section>" for h, b in sections)
    banner = f'<p class="exercise"><b>{html.escape(label)}</b></p>' if cls == "exercise" else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{html.escape(t["title"])}</title>
<style>{STYLE}</style></head><body>
<h1>{html.escape(t["title"])}</h1>
<p>{html.escape(head)}. {html.escape(window)}.</p>
{banner}{body}
<p><small>{html.escape(t["sources"])}</small></p>
</body></html>
"""


def write_brief(brief: Brief, out: str | Path, languages=LANGUAGES, pdf: bool = True):
    """Write ``brief.<lang>.html`` per language (and PDFs when ``pdf`` and Chromium is
    available), ``brief_regions.csv`` and ``brief_timeline.csv`` into ``out``."""
    from sahelsat.scenario.report import _pdfs

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for lang in languages:
        path = out / f"brief.{lang}.html"
        path.write_text(render_brief(brief, lang), encoding="utf-8")
        paths.append(path)
    brief.chain.regions.to_csv(out / "brief_regions.csv", index=False)
    if brief.chain.timeline is not None:
        brief.chain.timeline.to_csv(out / "brief_timeline.csv", index=False)
    if pdf:
        paths += _pdfs(paths)
    return paths


__all__ = ["Brief", "build_brief", "read_zone", "render_brief", "unknowns", "write_brief"]
