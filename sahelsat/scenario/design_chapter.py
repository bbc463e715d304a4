"""The scenario's connectivity system design (its ``[design]`` table): the step that runs
it with its alternative designs, its products, its figures and its report chapter.

Products, in ``<out>/design/`` (:func:`sahelsat.comms.design.write_products`): the beam
map ``beams.geojson`` (each beam's cell with its colour and capacity), ``beams.csv``
(capacity per beam), ``regions.csv`` (served and unserved demand and people per region of
the population base), ``gateways.csv`` and ``gateway_pairs.csv`` (gateway choice),
``dth_reach.csv``, ``grid.nc`` (C/I, C/N, Es/N0 and spectral efficiency per grid cell),
``trade.csv`` (when ``[[design.trade]]`` entries are given), ``summary.json`` and
``summary.<lang>.txt``; figures ``design_beams.png`` and ``design_regions.png`` per
language.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from sahelsat.i18n import LANGUAGES, lang_path

TEXT = {
    "en": {
        "section": "Connectivity system design",
        "intro": "A high-throughput geostationary satellite designed for the region from the "
        "scenario's [design] table: busy-hour demand of every settlement of the population "
        "base, spot beams, C/(N+I) and adaptive coding and modulation at every settlement, "
        "capacity against demand per beam and region, gateways and direct-to-home reach.",
        "rests_on": "Rests on: population base {src} ({n:,} settlements, {pop:,.0f} people); "
        "parameters: {params}; beam pattern ITU-R S.672-4 Annex 1; propagation {itu}; "
        "DVB-S2X MODCODs (ETSI EN 302 307-2); demand defaults and sources in "
        "sahelsat/comms/defaults.py.",
        "params": "{beams} beams of {width:.2f}° from a {antenna:g} m reflector at "
        "{slot:g}° E, {colours} colours of {bw:g} MHz, {eirp:g} dBW per beam, {dish:g} m "
        "terminals, {av:g} % availability, {speed:g} Mbit/s per subscriber at "
        "{contention:g}:1, take-up {take_up:.0%}",
        "headline": "Headline figures",
        "figure": "figure",
        "value": "value",
        "beams": "spot beams",
        "capacity": "capacity (Gbit/s)",
        "offered": "busy-hour demand (Gbit/s)",
        "served": "demand served (Gbit/s)",
        "people_served": "people served at the target speed",
        "population": "population",
        "gateways": "gateways",
        "gateway_sites": "gateway sites (main+diversity)",
        "gateway_av": "gateway availability (%)",
        "dth": "people able to receive TV at {dish}",
        "regions": "Demand and people served per region",
        "country": "country",
        "region": "region",
        "offered_mbps": "demand (Mbit/s)",
        "served_mbps": "served (Mbit/s)",
        "unserved_mbps": "unserved (Mbit/s)",
        "people_unserved": "people unserved",
        "per_beam": "Capacity per beam (the 20 carrying most demand)",
        "beam": "beam",
        "colour": "colour",
        "capacity_mbps": "capacity (Mbit/s)",
        "efficiency": "mean efficiency (bit/symbol)",
        "gateway_choice": "Gateway choice",
        "site": "site",
        "diversity_site": "diversity site",
        "distance_km": "distance (km)",
        "availability": "availability (%)",
        "dth_reach": "Direct-to-home reach",
        "dish_m": "dish (m)",
        "area_share": "area share",
        "trade": "Designs side by side",
        "design": "design",
        "colours": "colours",
        "eirp": "EIRP (dBW)",
        "antenna": "reflector (m)",
        "parameters": "Parameters used, with their defaults and sources "
        "(sources in English, from sahelsat/comms/defaults.py)",
        "key": "key",
        "default": "default",
        "unit": "unit",
        "source": "source",
        "leo": "Against the LEO constellations already flying (median over the settlements)",
        "geo_av": "GEO design: availability (%)",
        "leo_visible": "{c}: time with a satellite in view (%)",
        "leo_gap": "{c}: longest gap (min)",
        "map_beams": "Spot beams by reuse colour, capacity per beam (Gbit/s)",
        "map_eff": "Spectral efficiency with ACM at {pc:g} % of the year (bit/symbol)",
        "bar_title": "People served at {speed:g} Mbit/s per region",
        "bar_pop": "population",
        "bar_served": "people served",
        "bar_axis": "people (millions)",
        "products": "Products in design/: beams.geojson (beam map), beams.csv, regions.csv, "
        "gateways.csv, gateway_pairs.csv, dth_reach.csv, grid.nc (C/I, C/N, Es/N0, "
        "efficiency per cell), parameters.csv, summary.json{trade}.",
    },
    "fr": {
        "section": "Conception du système de connectivité",
        "intro": "Un satellite géostationnaire à haut débit conçu pour la région à partir de "
        "la table [design] du scénario : demande à l'heure chargée de chaque localité de la "
        "base de population, faisceaux étroits, C/(N+I) et codage et modulation adaptatifs "
        "en chaque localité, capacité face à la demande par faisceau et par région, "
        "passerelles et portée de la télévision directe par satellite.",
        "rests_on": "Repose sur : base de population {src} ({n:,} localités, {pop:,.0f} "
        "personnes) ; paramètres : {params} ; diagramme de faisceau UIT-R S.672-4 annexe 1 ; "
        "propagation {itu} ; MODCOD DVB-S2X (ETSI EN 302 307-2) ; valeurs par défaut de la "
        "demande et leurs sources dans sahelsat/comms/defaults.py.",
        "params": "{beams} faisceaux de {width:.2f}° issus d'un réflecteur de {antenna:g} m "
        "à {slot:g}° E, {colours} couleurs de {bw:g} MHz, {eirp:g} dBW par faisceau, "
        "terminaux de {dish:g} m, disponibilité {av:g} %, {speed:g} Mbit/s par abonné "
        "partagés {contention:g}:1, taux d'adoption {take_up:.0%}",
        "headline": "Chiffres clés",
        "figure": "grandeur",
        "value": "valeur",
        "beams": "faisceaux",
        "capacity": "capacité (Gbit/s)",
        "offered": "demande à l'heure chargée (Gbit/s)",
        "served": "demande servie (Gbit/s)",
        "people_served": "personnes servies au débit visé",
        "population": "population",
        "gateways": "passerelles",
        "gateway_sites": "sites des passerelles (principal+diversité)",
        "gateway_av": "disponibilité des passerelles (%)",
        "dth": "personnes pouvant recevoir la télévision avec {dish}",
        "regions": "Demande et personnes servies par région",
        "country": "pays",
        "region": "région",
        "offered_mbps": "demande (Mbit/s)",
        "served_mbps": "servie (Mbit/s)",
        "unserved_mbps": "non servie (Mbit/s)",
        "people_unserved": "personnes non servies",
        "per_beam": "Capacité par faisceau (les 20 portant le plus de demande)",
        "beam": "faisceau",
        "colour": "couleur",
        "capacity_mbps": "capacité (Mbit/s)",
        "efficiency": "efficacité moyenne (bit/symbole)",
        "gateway_choice": "Choix des passerelles",
        "site": "site",
        "diversity_site": "site de diversité",
        "distance_km": "distance (km)",
        "availability": "disponibilité (%)",
        "dth_reach": "Portée de la télévision directe par satellite",
        "dish_m": "antenne (m)",
        "area_share": "part de la zone",
        "trade": "Conceptions comparées",
        "design": "conception",
        "colours": "couleurs",
        "eirp": "PIRE (dBW)",
        "antenna": "réflecteur (m)",
        "parameters": "Paramètres utilisés, avec leurs valeurs par défaut et leurs sources "
        "(sources en anglais, tirées de sahelsat/comms/defaults.py)",
        "key": "clé",
        "default": "par défaut",
        "unit": "unité",
        "source": "source",
        "leo": "Face aux constellations en orbite basse déjà en service (médiane sur les "
        "localités)",
        "geo_av": "conception GEO : disponibilité (%)",
        "leo_visible": "{c} : temps avec un satellite en vue (%)",
        "leo_gap": "{c} : plus longue interruption (min)",
        "map_beams": "Faisceaux par couleur de réutilisation, capacité par faisceau (Gbit/s)",
        "map_eff": "Efficacité spectrale avec ACM à {pc:g} % de l'année (bit/symbole)",
        "bar_title": "Personnes servies à {speed:g} Mbit/s par région",
        "bar_pop": "population",
        "bar_served": "personnes servies",
        "bar_axis": "personnes (millions)",
        "products": "Produits dans design/ : beams.geojson (carte des faisceaux), beams.csv, "
        "regions.csv, gateways.csv, gateway_pairs.csv, dth_reach.csv, grid.nc (C/I, C/N, "
        "Es/N0, efficacité par maille), parameters.csv, summary.json{trade}.",
    },
}


def run_step(res) -> None:
    """The scenario step "design": the ``[design]`` table's design and its alternatives,
    products and figures into ``res.out / "design"`` (nothing without a ``[design]``)."""
    sc = res.scenario
    if sc.design is None:
        return
    from sahelsat.comms import design

    params = sc.design_parameters()
    others = [sc.design_parameters(k) for k in range(len(sc.design.trade))]
    table, designs = design.trade_designs(params, others)
    res.design = designs[0]
    res.design_trade = table if others else None
    folder = res.out / "design"
    design.write_products(res.design, folder, res.design_trade, LANGUAGES)
    res.figures["design_beams"] = {g: beam_map(res.design, folder, g) for g in LANGUAGES}
    res.figures["design_regions"] = {g: region_bars(res.design, folder, g) for g in LANGUAGES}


def numbers(text: str, lang: str) -> str:
    """``text`` with its numbers written the ``lang`` way (French: 1 234,5)."""
    if lang != "fr":
        return text
    import re

    text = re.sub(r"(?<=\d),(?=\d{3})", "\u202f", text)
    return re.sub(r"(?<=\d)\.(?=\d)", ",", text)


def rests_on(d, lang: str) -> str:
    """What a design's figures rest on: population base, parameters, recommendations."""
    from sahelsat.comms.itu import REVISIONS

    t, p, s = TEXT[lang], d.parameters, d.summary
    params = t["params"].format(
        beams=s["beams"], width=s["beamwidth_deg"], antenna=p.hts.antenna_diameter_m,
        slot=p.hts.slot_lon_deg, colours=p.hts.colours, bw=p.hts.beam_bandwidth_mhz,
        eirp=p.hts.beam_eirp_dbw, dish=p.hts.terminal_diameter_m,
        av=p.hts.availability_percent, speed=p.demand.subscriber_rate_mbps,
        contention=p.demand.contention, take_up=p.demand.take_up,
    )  # fmt: skip
    itu = ", ".join(f"{'UIT-R' if lang == 'fr' else 'ITU-R'} {r}" for r in REVISIONS.values())
    text = t["rests_on"].format(src=s["population_source"], n=s["locations"],
                                pop=s["population"], params=params, itu=itu)  # fmt: skip
    return numbers(text, lang)


def _figure(size):
    from matplotlib.figure import Figure

    return Figure(figsize=size)


def _footer(fig, d, lang: str) -> None:
    import textwrap

    fig.text(0.01, 0.0, "\n".join(textwrap.wrap(rests_on(d, lang), 190)), fontsize=6.5,
             va="top", ha="left", color="dimgray")  # fmt: skip


def beam_map(d, folder: Path, lang: str) -> Path:
    """The beam map: beams filled by reuse colour with their capacity (Gbit/s), beside
    the spectral efficiency per grid cell; written as ``design_beams[.<lang>].png``."""
    from matplotlib import colormaps

    from sahelsat.places import draw_outlines

    t = TEXT[lang]
    fig = _figure((14, 5))
    ax1, ax2 = fig.subplots(1, 2)
    cmap = colormaps["tab10"]
    bt = d.beam_table
    for cell, colour, cap, lat, lon in zip(d.beams.cells(), bt["colour"], bt["capacity_mbps"],
                                           bt["lat"], bt["lon"], strict=True):  # fmt: skip
        if cell is None or cell.is_empty:
            continue
        x, y = cell.exterior.xy
        ax1.fill(x, y, color=cmap(int(colour) % 10), alpha=0.45, linewidth=0.4,
                 edgecolor="dimgray")  # fmt: skip
        ax1.annotate(f"{cap / 1e3:.2f}", (lon, lat), fontsize=5.5, ha="center", va="center")
    draw_outlines(ax1)
    ax1.set_title(t["map_beams"], fontsize=10)
    g = d.grid
    mesh = ax2.pcolormesh(g["lon"], g["lat"], g["efficiency"], shading="nearest",
                          cmap="viridis")  # fmt: skip
    fig.colorbar(mesh, ax=ax2, shrink=0.8, label="bit/symbol")
    draw_outlines(ax2)
    ax2.set_title(t["map_eff"].format(pc=d.parameters.hts.capacity_percent), fontsize=10)
    fig.suptitle(d.summary["design"])
    _footer(fig, d, lang)
    path = lang_path(Path(folder) / "design_beams.png", lang)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    return path


def region_bars(d, folder: Path, lang: str) -> Path:
    """Population and people served at the target speed per region (horizontal bars);
    written as ``design_regions[.<lang>].png``."""
    t = TEXT[lang]
    r = d.regions
    fig = _figure((9, max(3.0, 0.22 * len(r) + 1.5)))
    ax = fig.subplots()
    if len(r):
        labels = [f"{c} {n}" for c, n in zip(r["country"], r["region"], strict=True)]
        y = np.arange(len(r))
        ax.barh(y, r["population"] / 1e6, color="lightgray", label=t["bar_pop"])
        ax.barh(y, r["people_served"] / 1e6, color="tab:green", label=t["bar_served"])
        ax.set_yticks(y, labels, fontsize=7)
        ax.invert_yaxis()
        ax.legend(fontsize=8)
    ax.set_xlabel(t["bar_axis"])
    ax.set_title(t["bar_title"].format(speed=d.parameters.demand.subscriber_rate_mbps))
    _footer(fig, d, lang)
    path = lang_path(Path(folder) / "design_regions.png", lang)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    return path


def headline(d, lang: str) -> pd.DataFrame:
    """The design's headline figures as a two-column table in ``lang``."""
    t, s = TEXT[lang], d.summary
    rows = [
        (t["beams"], s["beams"]),
        (t["capacity"], round(s["capacity_gbps"], 2)),
        (t["offered"], round(s["offered_gbps"], 2)),
        (t["served"], round(s["served_gbps"], 2)),
        (t["people_served"], f"{s['people_served']:,.0f}"),
        (t["population"], f"{s['population']:,.0f}"),
    ]
    if "gateways_needed" in s:
        rows += [
            (t["gateways"], f"{s['gateways_needed']} ({s['gateway_band']})"),
            (t["gateway_sites"], ", ".join(s["gateway_sites"])),
            (t["gateway_av"], f"{s['gateway_availability_percent']:.4f}"),
        ]
    for dish, people in s.get("dth_people", {}).items():
        rows.append((t["dth"].format(dish=dish), f"{people:,.0f}"))
    rows = [(numbers(k, lang), numbers(v, lang) if isinstance(v, str) else v) for k, v in rows]
    return pd.DataFrame(rows, columns=[t["figure"], t["value"]])


def key_figures(d) -> dict:
    """The design's figures for the report's summary (keys of the report's words)."""
    s = d.summary
    out = {
        "design_beams": s["beams"],
        "design_capacity_gbps": round(s["capacity_gbps"], 2),
        "design_people_served": f"{s['people_served']:,.0f} / {s['population']:,.0f}",
    }
    if "gateways_needed" in s:
        out["design_gateways"] = s["gateways_needed"]
    return out


def _tables(res, lang: str) -> list[tuple[str, pd.DataFrame]]:
    t, d = TEXT[lang], res.design
    out = []
    if len(d.regions):
        r = d.regions
        out.append((t["regions"], pd.DataFrame({
            t["country"]: r["country"], t["region"]: r["region"],
            t["population"]: r["population"].round().astype(int),
            t["offered_mbps"]: r["offered_mbps"].round(0),
            t["served_mbps"]: r["served_mbps"].round(0),
            t["unserved_mbps"]: r["unserved_mbps"].round(0),
            t["people_served"]: r["people_served"].round().astype(int),
            t["people_unserved"]: r["people_unserved"].round().astype(int),
        })))  # fmt: skip
    b = d.beam_table.sort_values("offered_mbps", ascending=False).head(20)
    out.append((t["per_beam"], pd.DataFrame({
        t["beam"]: b["beam"], t["colour"]: b["colour"],
        t["capacity_mbps"]: b["capacity_mbps"].round(0),
        t["offered_mbps"]: b["offered_mbps"].round(0),
        t["served_mbps"]: b["served_mbps"].round(0),
        t["people_served"]: b["people_served"].round().astype(int),
        t["efficiency"]: b["efficiency_mean"].round(2),
    })))  # fmt: skip
    if d.gateway_plan is not None:
        g = d.gateway_plan.pairs
        out.append((t["gateway_choice"], pd.DataFrame({
            t["site"]: g["site"], t["diversity_site"]: g["diversity_site"].fillna("–"),
            t["distance_km"]: g["distance_km"].round(0),
            t["availability"]: g["availability_percent"].round(4),
        })))  # fmt: skip
    if d.broadcast is not None:
        r = d.broadcast.reach
        out.append((t["dth_reach"], pd.DataFrame({
            t["dish_m"]: r["dish_m"], t["area_share"]: r["area_share"].round(3),
            t["population"]: r["people"].round().astype(int),
        })))  # fmt: skip
    leo = [c.removesuffix("_percent_visible") for c in d.locations.columns
           if c.endswith("_percent_visible")]  # fmt: skip
    if leo and len(d.regions):
        loc = d.locations
        g = loc.groupby("country")
        table = pd.DataFrame(
            {
                t["country"]: sorted(g.groups),
                t["geo_av"]: g["availability_percent"].median().round(3).to_numpy(),
            }
        )
        for c in leo:
            table[t["leo_visible"].format(c=c)] = (
                g[f"{c}_percent_visible"].median().round(1).to_numpy()
            )
            table[t["leo_gap"].format(c=c)] = g[f"{c}_max_gap_min"].median().round(1).to_numpy()
        out.append((t["leo"], table))
    if res.design_trade is not None:
        tr = res.design_trade
        cols = {"design": t["design"], "beams": t["beams"], "colours": t["colours"],
                "eirp_dbw": t["eirp"], "antenna_diameter_m": t["antenna"],
                "capacity_gbps": t["capacity"], "served_gbps": t["served"],
                "people_served": t["people_served"], "gateways": t["gateways"]}  # fmt: skip
        dth = [c for c in tr.columns if c.startswith("dth_people_")]
        view = tr[list(cols) + dth].rename(columns=cols)
        view = view.rename(columns={c: t["dth"].format(dish=c.removeprefix("dth_people_"))
                                    for c in dth})  # fmt: skip
        out.append((t["trade"], view.round(2)))
    return out


def chapter(res, lang: str) -> str:
    """The report chapter of the design in ``lang`` (HTML; empty without a design)."""
    from sahelsat.comms.defaults import parameter_table
    from sahelsat.scenario.report import _img, _section, _table

    if res.scenario.design is None:
        return ""
    t = TEXT[lang]
    if res.design is None:
        from sahelsat.scenario.report import TEXT as REPORT

        return _section(t["section"], f"<p>{REPORT[lang]['not_run']}</p>")
    d = res.design
    body = [f"<p>{html.escape(t['intro'])}</p>",
            f"<p class=\"source\">{html.escape(rests_on(d, lang))}</p>",
            _img(res, "design_beams", lang, t["map_beams"]),
            f"<h3>{html.escape(t['headline'])}</h3>", _table(headline(d, lang)),
            _img(res, "design_regions", lang, t["regions"])]  # fmt: skip
    for title, table in _tables(res, lang):
        body += [f"<h3>{html.escape(title)}</h3>", _table(table, 60)]
    params = pd.DataFrame(parameter_table(d.parameters))
    params = params.rename(columns={"key": t["key"], "value": t["value"], "default": t["default"],
                                    "unit": t["unit"], "source": t["source"]})  # fmt: skip
    body += [f"<h3>{html.escape(t['parameters'])}</h3>", _table(params, 100)]
    trade = ", trade.csv" if res.design_trade is not None else ""
    body.append(f"<p>{html.escape(t['products'].format(trade=trade))}</p>")
    return _section(t["section"], "".join(body))
