"""Map layers: the coverage grid of a finished coverage job, and the settlement service
status (each town's satellite, dish, availability and throughput), cached with a bound.

A settlement-service plan costs seconds and any viewer can ask for a new one: answers are
kept in a bounded LRU cache, a plan asked for twice at once is computed once, and at most
``Settings.max_heavy_at_once`` different plans are computed at the same time (beyond it
the caller is told to ask again: :class:`~sahelsat.service.cache.Busy`)."""

from __future__ import annotations

import io
import json
import warnings
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import select

from sahelsat.inputs import InputError
from sahelsat.service.cache import LRUCache
from sahelsat.service.db import Job, Product
from sahelsat.service.usecases import CapabilityMissing, Conflict, NotFound

#: The figures of a coverage map grid, in the order of each cell's values.
MAP_FIGURES = ("percent_covered", "mean_gap_s", "max_gap_s", "n_visible_mean", "n_gaps")
MAP_SUFFIX = "_map.json"
MAX_MAP_CELLS = 25_000  # a 0.1 deg grid over the three countries is about 23,000 cells
SERVICE_SATELLITES = ("scenario", "geo")
SERVICE_CACHE_SIZE = 16

_GRIDS = LRUCache(8)
_SERVICE: dict[int, LRUCache] = {}  # one cache per bound on plans at once (per settings)


def coverage_grid(ds, meta: dict) -> dict:
    """The cells of a coverage Dataset as a compact JSON grid for the web map.

    Each cell is ``[lat, lon, *MAP_FIGURES]`` at its centre (degrees); cells outside the
    area are left out; a gap that never ends (a cell never covered) is ``null``. Grids of
    more than ``MAX_MAP_CELLS`` cells are averaged over k x k blocks (gap maxima kept as
    maxima), so the payload stays bounded whatever the job's resolution.
    """
    present = [f for f in MAP_FIGURES if f in ds]
    ds = ds[present]
    inside = np.isfinite(ds[present[0]].values)
    k = max(1, int(np.ceil(np.sqrt(inside.sum() / MAX_MAP_CELLS))))
    if k > 1:
        blocks = ds.coarsen(lat=k, lon=k, boundary="pad")
        coarse = blocks.mean(skipna=True)
        for name in ("max_gap_s", "n_gaps"):
            if name in ds:
                coarse[name] = blocks.max(skipna=True)[name]
        ds = coarse
    lat = np.asarray(ds["lat"].values, dtype=float)
    lon = np.asarray(ds["lon"].values, dtype=float)
    values = np.stack([np.asarray(ds[f].values, dtype=float) for f in present], axis=-1)
    inside = ~np.isnan(values[..., 0])
    ii, jj = np.nonzero(inside)
    res = float(np.median(np.diff(lat))) if lat.size > 1 else float(meta["resolution_deg"]) * k
    cells = []
    for i, j in zip(ii, jj, strict=True):
        row = [round(float(lat[i]), 4), round(float(lon[j]), 4)]
        for v in values[i, j]:
            row.append(round(float(v), 3) if np.isfinite(v) else None)
        cells.append(row)
    ranges = {}
    for n, name in enumerate(present):
        finite = values[..., n][np.isfinite(values[..., n])]
        ranges[name] = (
            [round(float(finite.min()), 3), round(float(finite.max()), 3)] if finite.size else None
        )
    return {
        "kind": "coverage-grid",
        "fleet": meta.get("fleet"),
        "area": meta.get("area"),
        "start": meta.get("start"),
        "stop": meta.get("stop"),
        "min_elevation": meta.get("min_elevation"),
        "resolution_deg": round(res, 6),
        "block": k,
        "figures": list(present),
        "ranges": ranges,
        "cells": cells,
    }


def grid_from_netcdf(product_id: int, content: bytes, params: dict) -> dict:
    """The map grid of a coverage job's NetCDF product (jobs made before map products)."""

    def compute() -> dict:
        import xarray as xr

        from sahelsat.service.models import iso_utc

        with xr.open_dataset(io.BytesIO(content), engine="scipy") as ds:
            hours = params.get("hours", 0.0)
            start = datetime.fromisoformat(params["start"].replace("Z", "+00:00"))
            stop = start.replace(tzinfo=None) + timedelta(hours=hours)
            return coverage_grid(ds.load(), {**params, "stop": iso_utc(stop)})

    return _GRIDS.get_or_compute(product_id, compute)


def coverage_job(db, job_id: int | None) -> Job:
    """The coverage job ``job_id``, or the latest finished one."""
    if job_id is None:
        row = db.scalars(
            select(Job)
            .where(Job.kind == "coverage", Job.status == "succeeded")
            .order_by(Job.id.desc())
            .limit(1)
        ).first()
        if row is None:
            raise NotFound(
                "query.job_id",
                "no finished coverage job yet; start one with POST /api/jobs "
                '{"kind": "coverage", "params": {...}} (operator)',
            )
        return row
    row = db.get(Job, job_id)
    if row is None:
        raise NotFound("query.job_id", f"no job {job_id}")
    if row.kind != "coverage":
        raise InputError.at(
            ("query", "job_id"), f"job {job_id} is a {row.kind!r} job, not coverage"
        )
    if row.status != "succeeded":
        raise Conflict(
            "query.job_id",
            f"job {job_id} is {row.status} ({100 * row.progress:.0f} %); "
            "ask again once it has succeeded",
        )
    return row


def _grid_geojson(grid: dict) -> dict:
    half = grid["resolution_deg"] / 2
    features = []
    for lat, lon, *values in grid["cells"]:
        w, e, s, n = (round(v, 5) for v in (lon - half, lon + half, lat - half, lat + half))
        features.append(
            {
                "type": "Feature",
                "properties": dict(zip(grid["figures"], values, strict=True)),
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]],
                },
            }
        )
    meta = {k: v for k, v in grid.items() if k != "cells"}
    return {"type": "FeatureCollection", "features": features, **meta}


def coverage_map(db, job_id: int | None, fmt: str) -> dict:
    """A coverage job's grid (``fmt`` grid) or its cells as GeoJSON squares (geojson)."""
    from sahelsat.service.models import iso_utc

    job = coverage_job(db, job_id)
    rows = db.execute(select(Product.id, Product.name).where(Product.job_id == job.id)).all()
    grid_id = next((i for i, n in rows if n.endswith(MAP_SUFFIX)), None)
    netcdf_id = next((i for i, n in rows if n.endswith(".nc")), None)
    if grid_id is not None:
        grid = json.loads(db.get(Product, grid_id).content)
    elif netcdf_id is not None:
        grid = grid_from_netcdf(netcdf_id, db.get(Product, netcdf_id).content,
                                json.loads(job.params))  # fmt: skip
    else:
        raise NotFound("query.job_id", f"coverage job {job.id} has no product")
    grid = {**grid, "job_id": job.id, "finished_at": iso_utc(job.finished_at)}
    return _grid_geojson(grid) if fmt == "geojson" else grid


def _service_satellites(which: str, link) -> list:
    from sahelsat.comms import service
    from sahelsat.scenario import load_scenario
    from sahelsat.scenario.run import broadband_satellites

    scenario = load_scenario("sahel")
    if which == "scenario":
        return broadband_satellites(scenario, link)
    start = scenario.scenario.start.replace(tzinfo=None).isoformat(timespec="minutes")
    return service.geo_satellites(-30.0, 30.0, start, link, area="AES")


def settlement_service(
    band: str,
    availability: float,
    throughput_mbps: float,
    satellites: str,
    min_population: int,
    at_once: int = 2,
) -> dict:
    """GeoJSON points: each town's best satellite, smallest dish, availability, throughput.

    Calls ``sahelsat.comms.service.plan_service`` for the towns of the three countries and
    the default scenario's broadband satellites (``scenario``) or the real geostationary
    ones over 30 W - 30 E (``geo``). Cached (see the module's description); ``at_once``:
    most different plans computed at the same time.
    """
    try:
        from sahelsat.comms import defaults, service
    except ImportError:
        raise CapabilityMissing("settlement service (sahelsat.comms.service)") from None
    cache = _SERVICE.setdefault(at_once, LRUCache(SERVICE_CACHE_SIZE, limit=at_once))
    key = (band, round(float(availability), 3), round(float(throughput_mbps), 1), satellites,
           int(min_population))  # fmt: skip

    def compute() -> dict:
        from sahelsat.places import towns

        link = defaults.SCENARIOS[band]
        table = towns(min_population=min_population)
        if table.empty:
            raise InputError.at(("query", "min_population"), "no town has that many inhabitants")
        try:
            sats = _service_satellites(satellites, link)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                plan = service.plan_service(table, sats, link, key[1], key[2])
        except service.ServiceError as exc:  # the parameter at fault is named by its loc
            loc = exc.problems[0].loc
            field = {"availability": "availability", "throughput": "throughput_mbps"}.get(
                str(loc[0]) if loc else "", "satellites"
            )
            raise InputError.at(("query", field), exc.reason) from None
        return _service_geojson(plan, band, satellites)

    return cache.get_or_compute(key, compute)


def _service_geojson(plan, band: str, satellites: str) -> dict:
    def number(v, digits=3):
        return round(float(v), digits) if v is not None and np.isfinite(v) else None

    features = []
    for r in plan.sites.itertuples():
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "name": r.name,
                    "country": getattr(r, "country", None),
                    "population": int(r.population) if np.isfinite(r.population) else None,
                    "satellite": r.satellite if isinstance(r.satellite, str) else None,
                    "dish_m": number(r.dish_m, 2),
                    "served": bool(r.served),
                    "availability_percent": number(r.availability_percent, 4),
                    "throughput_mbps": number(r.throughput_mbps, 1),
                    "elevation_deg": number(r.elevation_deg, 1),
                    "modcod": r.modcod if isinstance(r.modcod, str) else None,
                },
                "geometry": {
                    "type": "Point",
                    "coordinates": [
                        round(float(r.longitude_deg), 5),
                        round(float(r.latitude_deg), 5),
                    ],
                },
            }
        )
    sites = plan.sites
    served = sites["served"].astype(bool)
    return {
        "type": "FeatureCollection",
        "features": features,
        "band": band,
        "satellites": satellites,
        "availability_percent": plan.availability,
        "throughput_mbps": plan.throughput_mbps,
        "dishes_m": sorted({f["properties"]["dish_m"] for f in features} - {None}),
        "summary": {
            "settlements": int(len(sites)),
            "served": int(served.sum()),
            "population": int(sites["population"].fillna(0).sum()),
            "population_served": int(sites.loc[served, "population"].fillna(0).sum()),
        },
        "skipped": plan.skipped[:50],
        "method": (
            "sahelsat.comms.service.plan_service: best satellite and smallest standard dish "
            f"meeting {plan.availability:g} % availability at {plan.throughput_mbps:g} Mbit/s "
            f"({band.upper()} band, ITU-R rain and gas attenuation)"
        ),
    }
