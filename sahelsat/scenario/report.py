"""The mission report: one self-contained HTML file per language (figures embedded), and a
PDF when a headless Chromium is installed.

Summary figures come first (:func:`key_figures`, each also written to
``key_figures.json``), then one section per capability with its maps, plots and tables.
"""

from __future__ import annotations

import base64
import html
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from sahelsat.i18n import figure_text
from sahelsat.monitor.impact import DEFAULT_ALERTS
from sahelsat.scenario.run import Results

TEXT = {
    "en": {
        "title": "Mission report",
        "window": "Window",
        "generated": "Generated",
        "summary": "Summary",
        "imaging_sats": "Imaging satellites",
        "broadband_sats": "Broadband satellites",
        "passes": "Passes over the ground stations",
        "contact_min": "Contact time, all stations (min)",
        "coverage_mean": "Time covered, area mean (%)",
        "gap_mean_h": "Mean revisit gap, area mean of cells seen twice or more (h)",
        "gap_max_h": "Longest revisit gap, worst such cell (h)",
        "never_covered_pct": "Area never covered in the window (%)",
        "settlements": "Settlements planned",
        "served_pct": "Population served at the target (%)",
        "requests_served": "Imaging requests served by the plan",
        "requests_forecast": "Imaging requests with a forecast image (satellites not ours)",
        "plan_value": "Plan value (optimality gap %)",
        "latency_min": "Median downlink latency (min)",
        "design_beams": "Designed HTS: spot beams",
        "design_capacity_gbps": "Designed HTS: capacity (Gbit/s)",
        "design_people_served": "Designed HTS: people served at the target speed",
        "flood_extent": "Flood extent (see the flood chapter)",
        "flood_people_affected": "People in the flood extent (population base)",
        "flood_regions_affected": "Regions the flood extent touches",
        "flood_regions_emergency": "Regions at the emergency alert level",
        "design_gateways": "Designed HTS: gateways",
        "sec_passes": "Ground-station passes",
        "sec_coverage": "Coverage and revisit",
        "sec_connectivity": "Connectivity",
        "sec_tasking": "Earth-observation plan",
        "sec_errors": "Steps that failed",
        "sec_notes": "Notes",
        "per_station": "Passes per station",
        "station": "station",
        "count": "passes",
        "contact": "contact (min)",
        "next_image": "Next image of each request",
        "forecast_note": "Planned: acquisitions of our satellites, downlinked to our ground "
        "stations. Forecast: systematic acquisitions of satellites we do not operate, assumed "
        "on every pass over the area (Sentinel-1 in IW mode over land, Sentinel-2 and Landsat "
        "over land by day; the missions publish their real observation plans separately), "
        "their data in the mission's public archive after its typical latency. Area covered: "
        "the fraction of the area inside the swath, on the WGS-84 ellipsoid.",
        "status": "planned / forecast",
        "nothing_planned": "None of the scenario's imaging satellites is ours (a group "
        "with ours = true): nothing is planned or downlinked; the images above are "
        "forecasts.",
        "beam": "beam",
        "incidence": "incidence at the centre (°)",
        "available": "data available (UTC)",
        "unsatisfied": "Requests not served, and why",
        "request_errors": "Requests rejected at validation",
        "none": "none",
        "not_run": "not available (the step failed: see below)",
        "pass_note": "Elevation ≥ {el:g}° at the station; times UTC.",
        "cov_note": "Cells of {res:g}°, steps of {step:g} s, satellite elevation ≥ {el:g}°"
        "{regard}.",
        "conn_note": "Target: {av:g} % of an average year at {tp:g} Mbit/s ({band} band, "
        "ITU-R P.618).",
        "population": "population",
        "dish": "smallest dish",
        "served": "served",
        "request": "request",
        "satellite": "satellite",
        "start": "start (UTC)",
        "sensor": "sensor",
        "coverage_frac": "area covered",
        "reason": "reason",
        "detail": "detail",
        "timings": "Step run times (s)",
        "off_nadir": "off-nadir angle",
        "name": "name",
        "gantt": "Acquisitions and downlinks",
        "strips": "Planned strips",
        "yes": "yes",
        "no": "no",
        "sec_flood": "Flood: people affected and the next images",
        "flood_exercise": "EXERCISE: the flood extent below is an exercise extent drawn "
        "along the rivers of the Natural Earth map (a fixed width around the centre-lines), "
        "not an observation. No water was observed; the people counted are those who would "
        "be affected if such a flood happened.",
        "flood_given": "The flood extent was given by the user ({source}); sahelsat did not "
        "map it.",
        "flood_scene": "Water mapped by sahelsat from the radar scene {source}.",
        "flood_people": "People: the population base (official census figures or "
        "projections spread over OpenStreetMap settlements); a settlement's people live on a "
        "disc around it and those in its flooded part count as affected.",
        "flood_regions": "People affected per region",
        "flood_settlements": "Most affected settlements",
        "flood_timeline": "The chain's timeline: next images of the flood area",
        "flood_timeline_note": "Request: one per flood area, any sensor, over the scenario's "
        "window. Planned: our satellites' acquisitions, re-planned for the flood; forecast: "
        "systematic acquisitions of Sentinel-1, Sentinel-2 and Landsat (not ours). Data in "
        "hand: end of our downlink, or the mission's archive latency.",
        "flood_downlinks": "Our downlinks of those images",
        "country": "country",
        "region": "region",
        "people": "people affected",
        "alert": "alert level",
        "zone": "flood area",
        "flooded_km2": "flooded area (km²)",
        "flooded_fraction": "flooded part of its footprint",
        "station_col": "station",
        "downlink_end": "downlink end (UTC)",
    },
    "fr": {
        "title": "Rapport de mission",
        "window": "Période",
        "generated": "Produit le",
        "summary": "Synthèse",
        "imaging_sats": "Satellites d'imagerie",
        "broadband_sats": "Satellites haut débit",
        "passes": "Passages au-dessus des stations sol",
        "contact_min": "Temps de contact, toutes stations (min)",
        "coverage_mean": "Temps couvert, moyenne sur la zone (%)",
        "gap_mean_h": "Intervalle moyen de revisite, cellules vues au moins deux fois (h)",
        "gap_max_h": "Plus long intervalle de revisite, pire de ces cellules (h)",
        "never_covered_pct": "Zone jamais couverte sur la période (%)",
        "settlements": "Localités étudiées",
        "served_pct": "Population desservie à l'objectif (%)",
        "requests_served": "Demandes d'imagerie satisfaites par le plan",
        "requests_forecast": "Demandes d'imagerie avec une image prévue (satellites tiers)",
        "plan_value": "Valeur du plan (écart à l'optimum %)",
        "latency_min": "Latence médiane de vidage (min)",
        "design_beams": "Satellite à haut débit conçu : faisceaux",
        "design_capacity_gbps": "Satellite à haut débit conçu : capacité (Gbit/s)",
        "design_people_served": "Satellite à haut débit conçu : personnes servies au débit visé",
        "flood_extent": "Emprise de la crue (voir le chapitre crue)",
        "flood_people_affected": "Personnes dans l'emprise de la crue (base de population)",
        "flood_regions_affected": "Régions touchées par l'emprise de la crue",
        "flood_regions_emergency": "Régions au niveau d'alerte urgence",
        "design_gateways": "Satellite à haut débit conçu : passerelles",
        "sec_passes": "Passages au-dessus des stations sol",
        "sec_coverage": "Couverture et revisite",
        "sec_connectivity": "Connectivité",
        "sec_tasking": "Plan d'observation de la Terre",
        "sec_errors": "Étapes en échec",
        "sec_notes": "Remarques",
        "per_station": "Passages par station",
        "station": "station",
        "count": "passages",
        "contact": "contact (min)",
        "next_image": "Prochaine image de chaque demande",
        "forecast_note": "Planifiée : acquisition de nos satellites, vidée vers nos stations "
        "sol. Prévision : acquisition systématique d'un satellite que nous n'opérons pas, "
        "supposée à chaque passage au-dessus de la zone (Sentinel-1 en mode IW sur les terres, "
        "Sentinel-2 et Landsat sur les terres de jour ; les missions publient leur plan "
        "d'observation réel à part), données dans l'archive publique de la mission après son "
        "délai habituel. Zone couverte : fraction de la zone dans la fauchée, sur "
        "l'ellipsoïde WGS-84.",
        "status": "planifiée / prévision",
        "nothing_planned": "Aucun satellite d'imagerie du scénario n'est à nous (groupe "
        "avec ours = true) : rien n'est planifié ni vidé ; les images ci-dessus sont des "
        "prévisions.",
        "beam": "faisceau",
        "incidence": "incidence au centre (°)",
        "available": "données disponibles (UTC)",
        "unsatisfied": "Demandes non satisfaites, et pourquoi",
        "request_errors": "Demandes rejetées à la validation",
        "none": "aucune",
        "not_run": "non disponible (l'étape a échoué : voir plus bas)",
        "pass_note": "Élévation ≥ {el:g}° à la station ; heures en UTC.",
        "cov_note": "Cellules de {res:g}°, pas de {step:g} s, élévation du satellite ≥ {el:g}°"
        "{regard}.",
        "conn_note": "Objectif : {av:g} % d'une année moyenne à {tp:g} Mbit/s (bande {band}, "
        "UIT-R P.618).",
        "population": "population",
        "dish": "plus petite antenne",
        "served": "desservie",
        "request": "demande",
        "satellite": "satellite",
        "start": "début (UTC)",
        "sensor": "capteur",
        "coverage_frac": "zone couverte",
        "reason": "raison",
        "detail": "détail",
        "timings": "Durées des étapes (s)",
        "off_nadir": "dépointage",
        "name": "nom",
        "gantt": "Acquisitions et vidages",
        "strips": "Bandes planifiées",
        "yes": "oui",
        "no": "non",
        "sec_flood": "Crue : personnes touchées et prochaines images",
        "flood_exercise": "EXERCICE : l'emprise de crue ci-dessous est une emprise "
        "d'exercice tracée le long des fleuves de la carte Natural Earth (une largeur fixe "
        "autour des lignes centrales), pas une observation. Aucune eau n'a été observée ; "
        "les personnes comptées sont celles qui seraient touchées par une telle crue.",
        "flood_given": "L'emprise de la crue a été fournie par l'utilisateur ({source}) ; "
        "sahelsat ne l'a pas cartographiée.",
        "flood_scene": "Eau cartographiée par sahelsat sur la scène radar {source}.",
        "flood_people": "Personnes : la base de population (chiffres officiels des "
        "recensements ou projections répartis sur les localités OpenStreetMap) ; les "
        "habitants d'une localité vivent sur un disque autour d'elle et ceux de sa partie "
        "inondée sont comptés comme touchés.",
        "flood_regions": "Personnes touchées par région",
        "flood_settlements": "Localités les plus touchées",
        "flood_timeline": "Chronologie de la chaîne : prochaines images de la zone inondée",
        "flood_timeline_note": "Demande : une par zone inondée, tout capteur, sur la période "
        "du scénario. Planifiée : acquisitions de nos satellites, replanifiées pour la crue ; "
        "prévision : acquisitions systématiques de Sentinel-1, Sentinel-2 et Landsat (pas à "
        "nous). Données en main : fin de notre vidage, ou délai d'archive de la mission.",
        "flood_downlinks": "Nos vidages de ces images",
        "country": "pays",
        "region": "région",
        "people": "personnes touchées",
        "alert": "niveau d'alerte",
        "zone": "zone inondée",
        "flooded_km2": "surface inondée (km²)",
        "flooded_fraction": "part inondée de son emprise",
        "station_col": "station",
        "downlink_end": "fin du vidage (UTC)",
    },
}
LANGUAGES = tuple(TEXT)

#: Words that appear as values in the tables (sensor kinds, reasons a request is not
#: served), per language; values not listed are shown as they are.
VALUES = {
    "en": {},
    "fr": {
        "sar": "radar (SAR)",
        "optical": "optique",
        "no opportunity": "aucune opportunité",
        "conflict": "conflit",
        "energy": "énergie",
        "downlink": "vidage",
        "memory": "mémoire",
        "not selected": "non retenue",
        "planned": "planifiée",
        "forecast": "prévision",
        "right": "droite",
        "left": "gauche",
        "none": "aucun",
        "watch": "veille",
        "warning": "alerte",
        "emergency": "urgence",
        "exercise (not an observation)": "exercice (pas une observation)",
        "given by the user": "fournie par l'utilisateur",
        "mapped from a radar scene": "cartographiée sur une scène radar",
    },
}


def _area_mean(values, weights=None) -> float:
    """Mean of a coverage variable (a DataArray on the area's cells) over its finite values,
    weighted by cell area (``weights``, else the cosine of latitude)."""
    w = weights if weights is not None else np.cos(np.radians(values["lat"]))
    values, w = (np.asarray(x.values, dtype=float) for x in xr.broadcast(values, w))
    ok = np.isfinite(values) & np.isfinite(w)
    return float(np.sum(values[ok] * w[ok]) / np.sum(w[ok])) if ok.any() else float("nan")


def key_figures(res: Results) -> dict[str, float | int | str | None]:
    """The report's summary figures, from the run's results (None where a step failed)."""
    k: dict[str, float | int | str | None] = {
        "imaging_sats": len(res.imaging) if res.imaging is not None else 0,
        "broadband_sats": len(res.broadband),
    }
    if res.passes is not None:
        k["passes"] = len(res.passes)
        k["contact_min"] = round(float(res.passes["duration_s"].sum()) / 60.0, 1)
    if res.coverage is not None:
        ds = res.coverage
        area = ds["cell_area_km2"] if "cell_area_km2" in ds else None
        pct = ds["percent_covered"]
        k["coverage_mean"] = round(_area_mean(pct, area), 2)
        revisited = ds["mean_gap_s"].where(ds["n_gaps"] > 0)  # cells seen at least twice
        gap = _area_mean(revisited, area)
        k["gap_mean_h"] = round(gap / 3600.0, 2) if np.isfinite(gap) else None
        k["gap_max_h"] = (
            round(float(revisited.max()) / 3600.0, 2) if revisited.notnull().any() else None
        )
        k["never_covered_pct"] = round(100.0 * _area_mean((pct == 0).where(pct.notnull()), area), 2)
    if res.service is not None:
        s = res.service.sites
        k["settlements"] = len(s)
        pop = float(s["population"].sum())
        k["served_pct"] = round(100.0 * float(s.loc[s["served"], "population"].sum()) / pop, 2)
    if res.plan is not None:
        p = res.plan
        k["requests_served"] = f"{p.acquisitions['request'].nunique()} / {len(p.problem.requests)}"
        opp = res.opportunities
        forecast = opp.loc[opp["status"] == "forecast", "request"].nunique() if len(opp) else 0
        k["requests_forecast"] = f"{forecast} / {len(p.problem.requests)}"
        k["plan_value"] = f"{p.value} ({100 * p.gap:.2f})"
        lat = p.acquisitions["latency_s"].dropna()
        k["latency_min"] = round(float(lat.median()) / 60.0, 1) if len(lat) else None
    if res.design is not None:
        from sahelsat.scenario import design_chapter

        k.update(design_chapter.key_figures(res.design))
    if res.flood is not None:
        chain, regions = res.flood, res.flood.regions
        k["flood_extent"] = (
            "exercise (not an observation)"
            if chain.exercise
            else "given by the user"
            if chain.water is None
            else "mapped from a radar scene"
        )
        k["flood_people_affected"] = int(round(float(regions["people"].sum())))
        k["flood_regions_affected"] = len(regions)
        top = DEFAULT_ALERTS[-1][0]  # the scenario's chain uses the default levels
        k["flood_regions_emergency"] = int((regions["alert"] == top).sum())
    return k


def _img(res: Results, name: str, lang: str, alt: str) -> str:
    """The run's figure ``name`` in ``lang``, embedded ("" when it was not drawn)."""
    path = res.figures.get(name, {}).get(lang)
    if path is None or not Path(path).is_file():
        return ""
    data = base64.b64encode(Path(path).read_bytes()).decode()
    return f'<figure><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}"></figure>'


def _table(df: pd.DataFrame, max_rows: int = 40) -> str:
    if df is None or df.empty:
        return ""
    return df.head(max_rows).to_html(
        index=False, border=0, classes="data", na_rep="–", float_format=lambda x: f"{x:.2f}"
    )


def _section(title: str, body: str) -> str:
    return f"<section><h2>{html.escape(title)}</h2>{body}</section>"


def _utc(t) -> str:
    return pd.Timestamp(t).strftime("%Y-%m-%d %H:%M:%S")


def render_html(res: Results, lang: str = "en") -> str:
    """The report in ``lang`` (en or fr) as one self-contained HTML document."""
    t, words, fig_words = TEXT[lang], VALUES[lang], figure_text(lang)
    sc = res.scenario
    name = sc.scenario.name_fr if lang == "fr" and sc.scenario.name_fr else sc.scenario.name
    figures = key_figures(res)
    rows = "".join(
        f'<tr><th>{html.escape(t[key])}</th><td data-key="{key}">'
        f"{html.escape('–' if value is None else str(words.get(value, value)))}</td></tr>"
        for key, value in figures.items()
    )
    parts = [_section(t["summary"], f'<table class="key">{rows}</table>')]
    missing = f"<p>{t['not_run']}</p>"

    if res.passes is not None:
        p = res.passes
        per = p.groupby("site").agg(n=("satellite", "size"), c=("duration_s", "sum"))
        per = pd.DataFrame(
            {
                t["station"]: per.index,
                t["count"]: per["n"].to_numpy(),
                t["contact"]: (per["c"] / 60).round(1).to_numpy(),
            }
        )
        body = (
            f"<p>{t['pass_note'].format(el=sc.imaging.pass_min_elevation_deg)}</p>"
            + _img(res, "pass_timeline", lang, t["sec_passes"])
            + f"<h3>{t['per_station']}</h3>"
            + _table(per)
        )
        parts.append(_section(t["sec_passes"], body))
    else:
        parts.append(_section(t["sec_passes"], missing))

    if res.coverage is not None:
        a = sc.area
        regard = a.coverage_max_off_nadir_deg
        note = t["cov_note"].format(
            res=a.coverage_resolution_deg,
            step=a.coverage_step_s,
            el=a.coverage_min_elevation_deg,
            regard=f", {t['off_nadir']} ≤ {regard:g}°" if regard else "",
        )
        body = (
            f"<p>{note}</p>"
            + _img(res, "coverage_map", lang, t["sec_coverage"])
            + _img(res, "revisit_histogram", lang, t["gap_mean_h"])
        )
        parts.append(_section(t["sec_coverage"], body))
    else:
        parts.append(_section(t["sec_coverage"], missing))

    if res.service is not None:
        c = sc.connectivity
        s = res.service.sites.sort_values("population", ascending=False)
        table = pd.DataFrame(
            {
                t["name"]: s["name"],
                t["population"]: s["population"].astype(int),
                t["satellite"]: s["satellite"],
                t["dish"] + " (m)": s["dish_m"],
                fig_words["availability"]: s["availability_percent"].round(3),
                "Mbit/s": s["throughput_mbps"].round(1),
                t["served"]: s["served"].map({True: t["yes"], False: t["no"]}),
            }
        )
        note = t["conn_note"].format(av=c.availability_percent, tp=c.throughput_mbps, band=c.band)
        body = (
            f"<p>{note}</p>"
            + _img(res, "availability_map", lang, fig_words["availability"])
            + _img(res, "dish_map", lang, t["dish"])
            + _table(table, 25)
        )
        parts.append(_section(t["sec_connectivity"], body))
    else:
        parts.append(_section(t["sec_connectivity"], missing))

    if res.plan is not None:
        from sahelsat.tasking.outputs import image_schedule

        nxt = image_schedule(res.plan, res.opportunities).groupby("request").head(1)
        nxt = (
            pd.DataFrame(
                {
                    t["request"]: nxt["request"],
                    t["satellite"]: nxt["satellite"],
                    t["sensor"]: nxt["sensor"].map(lambda v: words.get(v, v)),
                    t["status"]: nxt["status"].map(lambda v: words.get(v, v)),
                    t["beam"]: nxt["beam"],
                    t["start"]: [_utc(x) for x in nxt["start"]],
                    t["coverage_frac"]: nxt["coverage"].astype(float).round(2),
                    t["incidence"]: nxt["incidence_deg"].astype(float).round(1),
                    t["available"]: [
                        _utc(x) if pd.notna(x) else "–" for x in nxt["data_available"]
                    ],
                }
            )
            if len(nxt)
            else pd.DataFrame()
        )
        uns = res.plan.unsatisfied.assign(
            reason=lambda d: d["reason"].map(lambda v: words.get(v, v))
        ).rename(columns={"request": t["request"], "reason": t["reason"], "detail": t["detail"]})
        body = (
            _img(res, "gantt", lang, t["gantt"])
            + _img(res, "strips", lang, t["strips"])
            + f"<h3>{t['next_image']}</h3>"
            + f"<p>{t['forecast_note']}</p>"
            + (_table(nxt) or f"<p>{t['none']}</p>")
            + f"<h3>{t['unsatisfied']}</h3>"
            + (
                f"<p>{t['nothing_planned']}</p>"
                if res.plan.problem.satellites.empty
                else (_table(uns) or f"<p>{t['none']}</p>")
            )
        )
        if res.request_errors:
            body += (
                f"<h3>{t['request_errors']}</h3><ul>"
                + "".join(f"<li>{html.escape(e)}</li>" for e in res.request_errors)
                + "</ul>"
            )
        parts.append(_section(t["sec_tasking"], body))
    else:
        parts.append(_section(t["sec_tasking"], missing))

    if sc.design is not None:
        from sahelsat.scenario import design_chapter

        parts.append(design_chapter.chapter(res, lang))
    if res.flood is not None:
        parts.append(_section(t["sec_flood"], flood_chapter(res, lang)))
    elif "flood" in res.errors:
        parts.append(_section(t["sec_flood"], missing))

    if res.errors:
        items = "".join(
            f"<li><b>{html.escape(k)}</b>: {html.escape(v)}</li>" for k, v in res.errors.items()
        )
        parts.append(_section(t["sec_errors"], f"<ul>{items}</ul>"))
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in res.notes)
    timings = ", ".join(f"{k} {v:.1f}" for k, v in res.seconds.items())
    parts.append(_section(t["sec_notes"], f"<ul>{notes}<li>{t['timings']}: {timings}</li></ul>"))

    window = f"{_utc(res.start)} – {_utc(res.stop)} UTC"
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8">
<title>{html.escape(t["title"])}: {html.escape(name)}</title>
<style>
body {{ font-family: sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }}
h1 {{ margin-bottom: 0.2em; }} h2 {{ border-bottom: 2px solid #2a6; padding-bottom: 0.2em; }}
table.key th {{ text-align: left; font-weight: normal; padding-right: 2em; }}
table.key td {{ font-weight: bold; }}
table.data {{ border-collapse: collapse; font-size: 0.85em; }}
table.data td, table.data th {{ padding: 2px 8px; border-bottom: 1px solid #ddd; }}
figure {{ margin: 1em 0; }} img {{ max-width: 100%; }}
section {{ break-inside: avoid-page; }}
p.exercise {{ background: #fff3cd; border-left: 4px solid #d95f02; padding: 0.5em; }}
</style></head><body>
<h1>{html.escape(t["title"])}: {html.escape(name)}</h1>
<p>{t["window"]}: {window}. {t["generated"]}: {generated}, sahelsat.</p>
{"".join(parts)}
</body></html>
"""


def flood_tables(chain, lang: str) -> dict[str, pd.DataFrame]:
    """The flood chain's tables with headers and values in ``lang``: ``regions`` (country,
    region, settlements, people, alert level, flooded km²), ``settlements`` (the 15 most
    affected), ``timeline`` (next images) and ``downlinks``."""
    from sahelsat.scenario.flood import zone_names

    t, words = TEXT[lang], VALUES[lang]
    names = zone_names(chain, lang)
    r = chain.regions
    regions = pd.DataFrame(
        {
            t["country"]: r["country"],
            t["region"]: r["region"],
            t["settlements"]: r["settlements"].astype(int),
            t["people"]: r["people"].round(0).astype(int),
            t["alert"]: r["alert"].map(lambda v: words.get(v, v)),
            t["flooded_km2"]: r["flooded_km2"].astype(float).round(1),
        }
    )
    s = chain.settlements.head(15)
    settlements = pd.DataFrame(
        {
            t["name"]: s["name"],
            t["region"]: s["region"] if "region" in s else "",
            t["population"]: s["population"].round(0).astype(int),
            t["flooded_fraction"]: s["flooded_fraction"].astype(float).round(2),
            t["people"]: s["people"].round(0).astype(int),
        }
    )
    out = {"regions": regions, "settlements": settlements}
    tl = chain.timeline if chain.timeline is not None else pd.DataFrame()
    if len(tl):
        out["timeline"] = pd.DataFrame(
            {
                t["zone"]: tl["zone"].map(lambda z: names.get(z, z)),
                t["satellite"]: tl["satellite"],
                t["sensor"]: tl["sensor"].map(lambda v: words.get(v, v)),
                t["status"]: tl["status"].map(lambda v: words.get(v, v)),
                t["start"]: [_utc(x) for x in tl["start"]],
                t["coverage_frac"]: tl["coverage"].astype(float).round(2),
                t["available"]: [_utc(x) if pd.notna(x) else "–" for x in tl["data_available"]],
            }
        )
    dl = chain.downlinks if chain.downlinks is not None else pd.DataFrame()
    if len(dl):
        out["downlinks"] = pd.DataFrame(
            {
                t["zone"]: dl["zone"].map(lambda z: names.get(z, z)),
                t["satellite"]: dl["satellite"],
                t["start"]: [_utc(x) for x in dl["acquired"]],
                t["station_col"]: dl["station"],
                t["downlink_end"]: [_utc(x) if pd.notna(x) else "–" for x in dl["downlink_end"]],
            }
        )
    return out


def flood_label(chain, lang: str) -> str:
    """What the flood extent is, in ``lang``: an exercise, given by the user, or mapped."""
    t = TEXT[lang]
    if chain.exercise:
        return t["flood_exercise"]
    key = "flood_scene" if chain.water is not None else "flood_given"
    return t[key].format(source=chain.source)


def flood_chapter(res: Results, lang: str) -> str:
    """The report's flood chapter: what the extent is, the map, the table per region, the
    affected settlements and the chain's timeline (request, next images, plan, downlink)."""
    t = TEXT[lang]
    chain = res.flood
    tables = flood_tables(chain, lang)
    cls = "exercise" if chain.exercise else "given"
    body = (
        f'<p class="{cls}"><b>{html.escape(flood_label(chain, lang))}</b></p>'
        + _img(res, "flood_map", lang, t["sec_flood"])
        + f"<p>{html.escape(t['flood_people'])}</p>"
        + f"<h3>{t['flood_regions']}</h3>"
        + (_table(tables["regions"]) or f"<p>{t['none']}</p>")
        + f"<h3>{t['flood_settlements']}</h3>"
        + (_table(tables["settlements"]) or f"<p>{t['none']}</p>")
        + f"<h3>{t['flood_timeline']}</h3><p>{html.escape(t['flood_timeline_note'])}</p>"
        + (_table(tables.get("timeline"), 60) or f"<p>{t['none']}</p>")
        + f"<h3>{t['flood_downlinks']}</h3>"
        + (_table(tables.get("downlinks")) or f"<p>{t['none']}</p>")
    )
    return body


def write_report(res: Results, languages=LANGUAGES, pdf: bool = True) -> list[Path]:
    """Write ``report.<lang>.html`` per language and ``key_figures.json`` into the run's
    folder, and ``report.<lang>.pdf`` when ``pdf`` and a headless Chromium is available."""
    paths = []
    for lang in languages:
        path = res.out / f"report.{lang}.html"
        path.write_text(render_html(res, lang), encoding="utf-8")
        paths.append(path)
    (res.out / "key_figures.json").write_text(json.dumps(key_figures(res), indent=1))
    if pdf:
        paths += _pdfs(paths)
    return paths


CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def _pdfs(html_paths: list[Path]) -> list[Path]:
    """PDFs of the HTML reports, printed by a headless Chromium through Playwright when both
    are installed (none otherwise: the HTML stands alone)."""
    import shutil

    browser_path = next((p for p in CHROMIUM_PATHS if shutil.which(p)), None)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return []
    out = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
            page = browser.new_page()
            for path in html_paths:
                page.goto(path.resolve().as_uri())
                pdf = path.with_suffix(".pdf")
                page.pdf(path=str(pdf), format="A4", print_background=True)
                out.append(pdf)
            browser.close()
    except Exception:  # no usable browser: the HTML reports stand alone
        return out
    return out
