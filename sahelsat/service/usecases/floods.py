"""The flood chain in the service: the ``flood`` job (an uploaded scene -> water and the
people affected per region), the ``brief`` job (a zone or a stored request -> the
bilingual situation brief), and the map layers and brief they leave.

A flood job's products: ``water.tif`` (1 water, 0 dry, 255 nodata), ``flood.geojson``,
``impact_regions.csv``, ``impact_settlements.geojson`` and ``flood_layers.json`` (what
the web map shows: regions touched, water, affected settlements and the table per
region, with what the extent is). Exercise layers (``exercise=True``) are computed on
the shipped exercise extents and labelled as such; nothing is shown as observed that
was not mapped from a scene.
"""

from __future__ import annotations

import json
import tempfile
from functools import lru_cache
from pathlib import Path

import pandas as pd
from sqlalchemy import select

from sahelsat.inputs import FloodSection, InputError
from sahelsat.service.db import ImagingRequest, Job, Product
from sahelsat.service.jobs import JobOutput, Work
from sahelsat.service.usecases import NotFound
from sahelsat.service.usecases import scenes as scene_cases

LAYERS_NAME = "flood_layers.json"
REGION_SIMPLIFY_DEG = 0.01


def _records(df: pd.DataFrame, cols) -> list[dict]:
    cols = [c for c in cols if c in df.columns]
    out = []
    for r in df[cols].to_dict("records"):
        out.append({k: (None if pd.isna(v) else v.item() if hasattr(v, "item") else v)
                    for k, v in r.items()})  # fmt: skip
    return out


def layers_of(chain, extra: dict | None = None) -> dict:
    """The map layers of a flood chain (lon/lat GeoJSON): ``regions`` touched (with
    people, settlements, alert), ``water`` (mapped water, or the given/exercise extent),
    ``settlements`` reached, ``table`` (one row per region) and what the extent is
    (``kind``: mapped, given or exercise; ``label``/``label_fr``)."""
    from shapely.geometry import mapping

    from sahelsat import places
    from sahelsat.scenario.flood import TEXT

    kind = "exercise" if chain.exercise else "mapped" if chain.water is not None else "given"
    regions = places.regions(1).set_index("code")
    table = chain.regions
    feats = []
    for row in _records(table, ["country", "region", "code", "settlements", "people", "alert",
                                "flooded_km2"]):  # fmt: skip
        geom = regions.loc[row["code"], "geometry"].simplify(REGION_SIMPLIFY_DEG)
        row["people"] = round(float(row["people"]))
        feats.append({"type": "Feature", "properties": row, "geometry": mapping(geom)})
    water = chain.water if chain.water is not None else chain.extent()
    s = chain.settlements
    points = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
         "properties": {k: r.get(k) for k in ("name", "country", "region", "population",
                                              "people", "flooded_fraction")}}
        for r in _records(s, ["name", "country", "region", "lat", "lon", "population", "people",
                              "flooded_fraction"])
    ]  # fmt: skip
    return {
        "kind": kind,
        "label": TEXT["en"][kind],
        "label_fr": TEXT["fr"][kind],
        "source": chain.source,
        "regions": {"type": "FeatureCollection", "features": feats},
        "water": water,
        "settlements": {"type": "FeatureCollection", "features": points},
        "table": _records(
            table, ["country", "region", "settlements", "people", "alert", "flooded_km2"]
        ),  # fmt: skip
        "population_note": places.population_note("en"),
        "population_note_fr": places.population_note("fr"),
        **(extra or {}),
    }


@lru_cache(maxsize=1)
def _exercise_layers_text() -> str:
    from sahelsat.scenario.flood import zone_chain

    return json.dumps(layers_of(zone_chain(FloodSection(zone="exercise"))))


def exercise_layers() -> dict:
    """The layers of the shipped exercise extents (labelled exercise; computed once)."""
    return json.loads(_exercise_layers_text())


def _latest_product(db, kind: str, name: str, job_id: int | None) -> Product:
    query = select(Job.id).where(Job.kind == kind, Job.status == "succeeded")
    if job_id is not None:
        query = query.where(Job.id == job_id)
    jid = db.scalar(query.order_by(Job.id.desc()).limit(1))
    if jid is None:
        what = f"no succeeded {kind} job {job_id}" if job_id else f"no {kind} job has succeeded"
        raise NotFound("job_id", what)
    row = db.scalar(select(Product).where(Product.job_id == jid, Product.name == name))
    if row is None:
        raise NotFound("job_id", f"{kind} job {jid} has no {name}")
    return row


def layers(db, job_id: int | None = None, exercise: bool = False) -> dict:
    """The layers of flood job ``job_id`` (default: the latest that succeeded), or of the
    exercise extents."""
    if exercise:
        return exercise_layers()
    return json.loads(_latest_product(db, "flood", LAYERS_NAME, job_id).content)


def brief_html(db, job_id: int | None = None, lang: str = "en") -> str:
    """The HTML brief in ``lang`` of brief job ``job_id`` (default: the latest)."""
    return _latest_product(db, "brief", f"brief.{lang}.html", job_id).content.decode("utf-8")


# ------------------------------------------------------------------------------ jobs


def estimate_flood(params: dict, runner) -> Work:
    """Pixels of the scene (width x height)."""
    with runner.sessions() as db:
        row = db.get(scene_cases.Scene, params["scene_id"])
        if row is None:
            raise InputError.at(("params", "scene_id"), f"no scene {params['scene_id']}")
        amount = float(row.width * row.height)
        for key in ("baseline_scene_id",):
            if params.get(key) is not None and db.get(scene_cases.Scene, params[key]) is None:
                raise InputError.at(("params", key), f"no scene {params[key]}")
        rid = params.get("request_id")
        if rid is not None and db.get(ImagingRequest, rid) is None:
            raise InputError.at(("params", "request_id"), f"no imaging request {rid}")
    return Work(amount, runner.settings.max_flood_pixels, "pixels")


def run_flood(params: dict, ctx) -> JobOutput:
    """Water from the scene (and new water against the baseline scene), the people
    affected per region on the population base, and the map layers (on the Dask cluster
    with ``Settings.dask_scheduler`` set)."""
    with ctx._runner.sessions() as db:
        scene = scene_cases.get(db, params["scene_id"])
        content, name = scene.content, scene.name
        request_id = params.get("request_id") or scene.request_id
        base = params.get("baseline_scene_id")
        baseline = scene_cases.get(db, base).content if base else None
    ctx.progress(0.05, f"scene {params['scene_id']}: {name}")
    meta = {"job_id": ctx.job_id, "scene_id": params["scene_id"], "request_id": request_id}
    args = (content, baseline, name, params.get("buffer_m"), meta)
    address = ctx._runner.settings.dask_scheduler
    if address:  # the whole scene on one of the cluster's workers
        from sahelsat import cluster

        progress = lambda f, m: ctx.progress(0.05 + 0.85 * f, m)  # noqa: E731
        timeout = ctx._runner.settings.dask_timeout_s
        [(summary, products)] = cluster.run(address, flood_products, [args], progress,
                                            timeout, report=True)  # fmt: skip
    else:
        steps = [0]

        def step(message: str) -> None:
            steps[0] += 1
            ctx.progress(min(0.1 + 0.08 * steps[0], 0.9), message)

        summary, products = flood_products(*args, progress=step)
    return JobOutput({"scene_id": params["scene_id"], "request_id": request_id, **summary},
                     products)  # fmt: skip


def flood_products(content: bytes, baseline: bytes | None, name: str, buffer_m, meta: dict,
                   progress=lambda step: None) -> tuple[dict, list]:  # fmt: skip
    """The flood chain of one scene (GeoTIFF bytes, and a baseline scene's or None):
    its summary and products ``(name, media_type, bytes)``; ``meta`` goes into the map
    layers. Needs no store: it runs in the service or on a Dask worker."""
    from sahelsat.scenario.flood import scene_chain

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "scene.tif").write_bytes(content)
        extra = {}
        if baseline is not None:
            (folder / "baseline.tif").write_bytes(baseline)
            extra["baseline"] = ["baseline.tif"]
        section = FloodSection(image=["scene.tif"], buffer_m=buffer_m, title=name, **extra)
        chain = scene_chain(section, folder / "out", folder, progress=progress)
        chain.source = name
        progress("map layers")
        layer = layers_of(chain, meta)
        written = chain.written
        products = [
            ("water.tif", "image/tiff", Path(written["water"]).read_bytes()),
            ("flood.geojson", "application/geo+json", Path(written["geojson"]).read_bytes()),
            ("impact_regions.csv", "text/csv", Path(written["impact_regions"]).read_bytes()),
            ("impact_settlements.geojson", "application/geo+json",
             Path(written["impact_settlements_geojson"]).read_bytes()),
            (LAYERS_NAME, "application/json", json.dumps(layer).encode()),
        ]  # fmt: skip
    summary = {
        "regions": len(chain.regions),
        "people": round(float(chain.regions["people"].sum())) if len(chain.regions) else 0,
        "settlements": len(chain.settlements),
        "water_polygons": len(chain.water["features"]),
    }
    return summary, products


def _request_zone(db, request_id: int) -> tuple[dict, str]:
    row = db.get(ImagingRequest, request_id)
    if row is None:
        raise InputError.at(("params", "request_id"), f"no imaging request {request_id}")
    return json.loads(row.geometry), row.name


def estimate_brief(params: dict, runner) -> Work:
    """Area of the zone (km²) x days ahead."""
    from sahelsat.scenario.flood import read_zone

    if params.get("request_id") is not None:
        with runner.sessions() as db:
            zone, _ = _request_zone(db, params["request_id"])
        zones, _ = read_zone({"type": "Feature", "properties": {}, "geometry": zone})
    else:
        zones, _ = read_zone(params["zone"])
    km2 = sum(z["geometry"].area_km2 for z in zones)
    return Work(km2 * params["days"], runner.settings.max_brief_work, "km2-days")


def _chain_of_layers(layer: dict):
    """A flood chain rebuilt from a flood job's stored layers (its latest extent)."""
    from shapely.geometry import box

    from sahelsat import inputs
    from sahelsat.scenario.flood import FloodChain

    water = layer["water"]
    bounds = [f["geometry"] for f in water["features"]] or [
        f["geometry"] for f in layer["regions"]["features"]
    ]
    from shapely.geometry import shape
    from shapely.ops import unary_union

    geom = unary_union([shape(g) for g in bounds]) if bounds else box(0, 0, 0.01, 0.01)
    zones = [{"name": layer["source"], "label": layer["label"],
              "geometry": inputs.area_of(box(*geom.bounds))}]  # fmt: skip
    regions = pd.DataFrame(
        layer["table"],
        columns=["country", "region", "settlements", "people", "alert", "flooded_km2"],
    )
    pts = layer["settlements"]["features"]
    settlements = pd.DataFrame(
        [{**p["properties"], "lon": p["geometry"]["coordinates"][0],
          "lat": p["geometry"]["coordinates"][1]} for p in pts],
        columns=["name", "country", "region", "population", "people", "flooded_fraction",
                 "lon", "lat"],
    )  # fmt: skip
    exercise = layer["kind"] == "exercise"
    mapped = water if layer["kind"] == "mapped" else None
    return FloodChain(zones, exercise, layer["source"], regions, settlements, mapped)


def run_brief(params: dict, ctx) -> JobOutput:
    """The bilingual brief of a zone or a stored request's area (HTML per language and
    the table per region)."""
    from sahelsat.inputs import utc_time
    from sahelsat.scenario.brief import build_brief, render_brief
    from sahelsat.scenario.flood import zone_chain

    ctx.progress(0.05, "reading the area")
    chain = None
    with ctx._runner.sessions() as db:
        if params.get("flood_job_id") is not None:
            stored = _latest_product(db, "flood", LAYERS_NAME, params["flood_job_id"])
            chain = _chain_of_layers(json.loads(stored.content))
        elif params.get("request_id") is not None:
            zone, name = _request_zone(db, params["request_id"])
            chain = zone_chain(FloodSection(zone={"type": "Feature",
                                                  "properties": {"name": name},
                                                  "geometry": zone}))  # fmt: skip
            chain.request_area, chain.source = True, f"request {params['request_id']}: {name}"
    ctx.progress(0.2, "next images and people affected")
    start = utc_time(params["start"]) if params.get("start") else None
    brief = build_brief(zone=params.get("zone"), chain=chain, start=start, days=params["days"])
    ctx.progress(0.85, "writing the brief")
    products = [(f"brief.{g}.html", "text/html", render_brief(brief, g).encode("utf-8"))
                for g in ("en", "fr")]  # fmt: skip
    products.append(("brief_regions.csv", "text/csv", brief.chain.regions.to_csv(index=False)
                     .encode()))  # fmt: skip
    summary = {
        "kind": brief.kind,
        "seconds": round(brief.seconds, 2),
        "regions": len(brief.chain.regions),
        "next_images": 0 if brief.chain.timeline is None else len(brief.chain.timeline),
    }
    return JobOutput(summary, products)
