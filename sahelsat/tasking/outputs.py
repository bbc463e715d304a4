"""Plans and opportunities out: JSON, CSV and GeoJSON tables, a Gantt chart, a map of the
planned strips, a summary. An empty table is an answer: every format writes it."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from shapely.geometry import mapping

from sahelsat.i18n import figure_text, lang_path

if TYPE_CHECKING:
    from sahelsat.tasking.scheduler import Plan

#: The opportunity columns written out (the strip travels as GeoJSON geometry).
OPPORTUNITY_FIELDS = [
    "opportunity", "request", "satellite", "sensor", "status", "beam", "look_side", "start",
    "end", "closest_approach", "off_nadir_deg", "look_angle_deg", "incidence_deg",
    "incidence_min_deg", "incidence_max_deg", "sun_elevation_deg", "coverage", "value",
    "volume_gbit", "energy_wh", "max_off_nadir_deg", "limited_by", "data_available",
]  # fmt: skip
_TIMES = ("start", "end", "closest_approach", "data_available")


def _iso(t) -> str | None:
    return None if pd.isna(t) else pd.Timestamp(t).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"


def opportunity_records(table: pd.DataFrame) -> list[dict]:
    """Opportunities as JSON-ready records (``OPPORTUNITY_FIELDS``; UTC ISO-8601 times,
    null for what does not apply); [] for an empty table."""
    out = []
    for row in table.to_dict(orient="records"):
        rec = {}
        for c in OPPORTUNITY_FIELDS:
            v = row.get(c)
            if c in _TIMES:
                v = _iso(v)
            elif isinstance(v, (float, np.floating)):
                v = None if not math.isfinite(v) else float(v)
            elif isinstance(v, np.integer):
                v = int(v)
            rec[c] = v
        out.append(rec)
    return out


def opportunities_csv(table: pd.DataFrame) -> str:
    """Opportunities as CSV text (``OPPORTUNITY_FIELDS``; a header alone when empty)."""
    cols = [c for c in OPPORTUNITY_FIELDS if c in table.columns]
    buf = io.StringIO()
    table.reindex(columns=cols).to_csv(buf, index=False, date_format="%Y-%m-%dT%H:%M:%S.%fZ")
    return buf.getvalue()


def opportunities_geojson(table: pd.DataFrame) -> dict:
    """Opportunities as a GeoJSON FeatureCollection: one feature per opportunity, its
    strip as geometry and the record as properties (no feature when empty)."""
    strips = table["strip"].tolist() if "strip" in table.columns else [None] * len(table)
    features = [
        {
            "type": "Feature",
            "geometry": None if strip is None or strip.is_empty else mapping(strip),
            "properties": rec,
        }
        for rec, strip in zip(opportunity_records(table), strips, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


def plan_to_dict(plan: Plan) -> dict:
    """The plan as plain JSON-ready data (UTC ISO-8601 times)."""
    acq = []
    for row in plan.acquisitions.itertuples(index=False):
        acq.append(
            {
                "opportunity": row.opportunity,
                "request": row.request,
                "satellite": row.satellite,
                "status": "planned",
                "start": _iso(row.start),
                "end": _iso(row.end),
                "look_angle_deg": float(row.look_angle_deg),
                "value": int(row.value),
                "volume_gbit": round(float(row.volume_gbit), 6),
                "energy_wh": round(float(row.energy_wh), 6),
                "contact": row.contact,
                "station": row.station,
                "downlink_end": _iso(row.downlink_end),
                "latency_s": None if pd.isna(row.latency_s) else round(float(row.latency_s), 1),
            }
        )
    return {
        "value": plan.value,
        "bound": plan.bound,
        "gap": round(plan.gap, 6),
        "proven_optimal": plan.proven_optimal,
        "method": plan.method,
        "seconds": round(plan.seconds, 3),
        "requests": len(plan.problem.requests),
        "satisfied": int(plan.acquisitions["request"].nunique()),
        "acquisitions": acq,
        "unsatisfied": plan.unsatisfied.to_dict(orient="records"),
        "coverage": {r.request: float(r.fraction) for r in plan.coverage.itertuples()},
    }


def summary_text(plan: Plan) -> str:
    """A readable summary: value and gap, requests served, and why the others are not."""
    n = len(plan.problem.requests)
    served = int(plan.acquisitions["request"].nunique())
    lines = [
        f"Plan: {served} of {n} requests served, {len(plan.acquisitions)} acquisitions,"
        f" value {plan.value} (bound {plan.bound}, gap {100 * plan.gap:.2f} %,"
        f" {'proven optimal' if plan.proven_optimal else 'not proven optimal'};"
        f" {plan.method}, {plan.seconds:.1f} s)",
    ]
    lat = plan.acquisitions["latency_s"].dropna()
    if len(lat):
        lines.append(
            f"Downlink latency: median {lat.median() / 60:.0f} min, max {lat.max() / 60:.0f} min"
        )
    if len(plan.unsatisfied):
        counts = plan.unsatisfied["reason"].value_counts()
        lines.append("Unsatisfied: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        for row in plan.unsatisfied.itertuples(index=False):
            lines.append(f"  - {row.request}: {row.reason} ({row.detail})")
    return "\n".join(lines)


def gantt_png(plan: Plan, path: str | Path, lang: str = "en") -> Path:
    """Gantt chart: a row per satellite (acquisitions) and per station (contacts used),
    labelled in ``lang``."""
    from sahelsat.figures import colour, new_figure

    words = figure_text(lang)
    acq = plan.acquisitions
    sats = list(plan.problem.satellites["satellite"])
    used = acq.dropna(subset=["contact"])
    con = plan.problem.contacts.set_index("contact")
    stations = sorted(set(used["station"])) if len(used) else []
    rows = sats + [words["station"].format(name=s) for s in stations]
    fig, ax = new_figure((12, 0.5 * len(rows) + 1.5))
    colours = {s: colour("tab10", i) for i, s in enumerate(sats)}
    epoch = pd.Timestamp(plan.problem.epoch)

    def hours(t):
        return (pd.Timestamp(t) - epoch).total_seconds() / 3600.0

    ends = [hours(t) for t in list(acq["end"]) + list(con.loc[sorted(set(used["contact"])), "end"])]
    visible = max(max(ends, default=1.0), 1.0) / 250.0  # acquisitions last seconds: widen them
    labelled: dict[str, int] = {}  # labels on a row alternate above and below its bars
    for r in acq.sort_values("start").itertuples(index=False):
        y = rows.index(r.satellite)
        ax.barh(y, max(hours(r.end) - hours(r.start), visible), left=hours(r.start),
                color=colours[r.satellite], height=0.6)  # fmt: skip
        n = labelled[r.satellite] = labelled.get(r.satellite, -1) + 1
        ax.annotate(str(r.request), (hours(r.start), y + (0.5 if n % 2 else -0.35)), fontsize=7,
                    ha="center")  # fmt: skip
    for c in sorted(set(used["contact"])):
        k = con.loc[c]
        y = rows.index(words["station"].format(name=k["station"]))
        ax.barh(y, hours(k["end"]) - hours(k["start"]), left=hours(k["start"]),
                color=colours[k["satellite"]], height=0.6, alpha=0.7)  # fmt: skip
    ax.set_yticks(range(len(rows)), rows)
    ax.invert_yaxis()
    ax.set_xlabel(words["hours_from"].format(t0=epoch))
    ax.set_title(words["gantt"].format(value=plan.value, n=len(acq)))
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    return path


def strip_map_png(
    plan: Plan, strips: dict, areas: dict, path: str | Path, lang: str = "en"
) -> Path:
    """Map of the planned strips over the areas of interest and the three countries,
    labelled in ``lang``.

    ``strips``: opportunity id -> shapely polygon (lon/lat); ``areas``: request id ->
    shapely polygon. Served areas are drawn in blue, unserved in red.
    """
    from sahelsat.figures import new_figure
    from sahelsat.places import country_outlines

    words = figure_text(lang)
    fig, ax = new_figure((10, 7))
    for geom in country_outlines().values():
        for poly in getattr(geom, "geoms", [geom]):
            ax.plot(*poly.exterior.xy, color="0.4", lw=0.8)
    served = set(plan.acquisitions["request"])
    for rid, geom in areas.items():
        for poly in getattr(geom, "geoms", [geom]):
            ax.fill(*poly.exterior.xy, color="tab:blue" if rid in served else "tab:red",
                    alpha=0.5, lw=0)  # fmt: skip
    for oid in plan.acquisitions["opportunity"]:
        geom = strips.get(oid)
        if geom is None or geom.is_empty:
            continue
        for poly in getattr(geom, "geoms", [geom]):
            ax.plot(*poly.exterior.xy, color="tab:orange", lw=0.8)
    ax.set_xlabel("longitude (°E)")
    ax.set_ylabel("latitude (°N)")
    ax.set_aspect(1.0 / np.cos(np.radians(15.0)))
    ax.set_title(words["strips"])
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    return path


def forecast_text(opportunities: pd.DataFrame) -> str:
    """The forecast acquisitions (satellites we do not operate), one line each ("" when
    there is none)."""
    fc = opportunities[opportunities["status"] == "forecast"] if len(opportunities) else []
    if not len(fc):
        return ""
    lines = [f"Forecast (satellites we do not operate, not planned): {len(fc)} acquisitions"]
    for r in fc.itertuples(index=False):
        lines.append(
            f"  - {r.request}: {r.satellite} {r.beam} {_iso(r.start)}, {100 * r.coverage:.0f} %"
            f" of the area, data in the archive about {_iso(r.data_available)}"
        )
    return "\n".join(lines)


def write_plan(
    plan: Plan,
    folder: str | Path,
    strips=None,
    areas=None,
    languages=("en",),
    opportunities: pd.DataFrame | None = None,
) -> list[Path]:
    """Write ``plan.json``, ``acquisitions.csv``, ``unsatisfied.csv``, ``summary.txt``,
    ``gantt.png`` and (with ``strips`` and ``areas``) ``strips.png`` into ``folder``; the
    charts once per language of ``languages`` (``gantt.fr.png``: see
    :func:`sahelsat.i18n.lang_path`). With ``opportunities``: also ``opportunities.csv``
    and ``opportunities.geojson`` (candidates and forecasts), and the forecasts in the
    summary."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = [folder / "plan.json", folder / "acquisitions.csv", folder / "unsatisfied.csv",
           folder / "summary.txt"]  # fmt: skip
    out[0].write_text(json.dumps(plan_to_dict(plan), indent=1))
    plan.acquisitions.to_csv(out[1], index=False, date_format="%Y-%m-%dT%H:%M:%S.%fZ")
    plan.unsatisfied.to_csv(out[2], index=False)
    summary = summary_text(plan)
    if opportunities is not None:
        forecasts = forecast_text(opportunities)
        summary += "\n" + forecasts if forecasts else ""
        out += [folder / "opportunities.csv", folder / "opportunities.geojson"]
        out[-2].write_text(opportunities_csv(opportunities))
        out[-1].write_text(json.dumps(opportunities_geojson(opportunities)))
    out[3].write_text(summary + "\n")
    for lang in languages:
        out.append(gantt_png(plan, lang_path(folder / "gantt.png", lang), lang))
        if strips is not None and areas is not None:
            out.append(
                strip_map_png(plan, strips, areas, lang_path(folder / "strips.png", lang), lang)
            )
    return out


def image_schedule(plan: Plan, opportunities: pd.DataFrame) -> pd.DataFrame:
    """Every image expected of each request, soonest first: the plan's acquisitions
    (``status`` planned, data available at the end of their downlink) and the forecasts
    (``status`` forecast, data available after the archive latency). Columns: request,
    satellite, sensor, status, beam, look_side, start, coverage, incidence_deg,
    data_available."""
    cols = ["request", "satellite", "sensor", "status", "beam", "look_side", "start",
            "coverage", "incidence_deg", "data_available"]  # fmt: skip
    opp = opportunities.set_index("opportunity") if len(opportunities) else None
    parts = []
    acq = plan.acquisitions
    if len(acq) and opp is not None:
        known = opp.loc[acq["opportunity"]]
        parts.append(
            pd.DataFrame(
                {
                    "request": acq["request"].to_numpy(),
                    "satellite": acq["satellite"].to_numpy(),
                    "sensor": known["sensor"].to_numpy(),
                    "status": "planned",
                    "beam": known["beam"].to_numpy(),
                    "look_side": known["look_side"].to_numpy(),
                    "start": acq["start"].to_numpy(),
                    "coverage": known["coverage"].to_numpy(),
                    "incidence_deg": known["incidence_deg"].to_numpy(),
                    "data_available": pd.to_datetime(acq["downlink_end"]).to_numpy(),
                }
            )
        )
    if opp is not None:
        fc = opportunities[opportunities["status"] == "forecast"]
        parts.append(fc[cols])
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c: [] for c in cols})
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["start", "request"]).reset_index(drop=True)
