"""Imaging requests in the store: create, list with filters, approve, cancel, and the next
opportunities to image a request's area (the tasking capability, cached)."""

from __future__ import annotations

import json
import warnings
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import func, select, update

from sahelsat.inputs import naive_utc
from sahelsat.service.cache import LRUCache
from sahelsat.service.db import ImagingRequest, utcnow
from sahelsat.service.models import RequestIn, RequestOut
from sahelsat.service.usecases import Conflict, Forbidden, NotFound
from sahelsat.service.usecases import fleets as fleet_cases

MAX_OPPORTUNITY_DAYS = 3
MAX_OPPORTUNITY_WORK = 2_000  # satellite-days searched in one request
_OPPORTUNITIES = LRUCache(256)


def create(db, body: RequestIn, created_by: int | None) -> RequestOut:
    """Store a new request (acknowledged only once committed)."""
    typed = body.request
    shape = typed.area.shape
    min_lon, min_lat, max_lon, max_lat = shape.bounds
    geometry = body.geometry.model_dump()
    if body.geometry.type == "Point":  # stored as the circle it stands for
        geometry = {"type": "Polygon", "coordinates": [[list(p[:2]) for p in
                                                        shape.exterior.coords]]}  # fmt: skip
    now = utcnow()
    row = ImagingRequest(
        name=typed.id,
        geometry=json.dumps(geometry),
        min_lon=min_lon,
        min_lat=min_lat,
        max_lon=max_lon,
        max_lat=max_lat,
        area_km2=typed.area.area_km2,
        start=naive_utc(typed.window.start),
        stop=naive_utc(typed.window.stop),
        priority=typed.priority,
        sensor=typed.sensor,
        max_off_nadir_deg=typed.max_off_nadir_deg,
        min_sun_elevation_deg=typed.min_sun_elevation_deg,
        status="submitted",
        note=body.note,
        created_by=created_by,
        created_at=now,
        updated_at=now,
    )
    db.add(row)
    db.commit()
    return RequestOut.of(row)


def listing(db, status, start, stop, bbox, limit: int, offset: int) -> dict:
    """Requests newest first: ``status``; windows ending after ``start`` and starting
    before ``stop``; boxes overlapping ``bbox`` (min_lon, min_lat, max_lon, max_lat)."""
    query = select(ImagingRequest)
    if status is not None:
        query = query.where(ImagingRequest.status == status)
    if start is not None:
        query = query.where(ImagingRequest.stop > naive_utc(start))
    if stop is not None:
        query = query.where(ImagingRequest.start < naive_utc(stop))
    if bbox is not None:
        query = query.where(
            ImagingRequest.max_lon >= bbox[0],
            ImagingRequest.min_lon <= bbox[2],
            ImagingRequest.max_lat >= bbox[1],
            ImagingRequest.min_lat <= bbox[3],
        )
    total = db.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.scalars(query.order_by(ImagingRequest.id.desc()).limit(limit).offset(offset))
    return {"items": [RequestOut.of(r) for r in rows], "total": total, "limit": limit,
            "offset": offset}  # fmt: skip


def get(db, request_id: int) -> ImagingRequest:
    row = db.get(ImagingRequest, request_id)
    if row is None:
        raise NotFound("request_id", f"no imaging request {request_id}")
    return row


def _transition(db, request_id: int, allowed: tuple[str, ...], new: str, verb: str):
    done = db.execute(
        update(ImagingRequest)
        .where(ImagingRequest.id == request_id, ImagingRequest.status.in_(allowed))
        .values(status=new, updated_at=utcnow())
    ).rowcount
    if not done:
        row = get(db, request_id)
        raise Conflict(
            "status", f"request {request_id} is {row.status}; only {allowed} can be {verb}"
        )
    db.commit()
    return RequestOut.of(get(db, request_id))


def approve(db, request_id: int) -> RequestOut:
    return _transition(db, request_id, ("submitted",), "approved", "approved")


def cancel(db, request_id: int, who) -> RequestOut:
    """Cancel a request: a requester their own, an operator any."""
    row = get(db, request_id)
    if not who.has("operator") and row.created_by != who.token_id:
        raise Forbidden("Authorization", "a requester may cancel only their own requests")
    return _transition(db, request_id, ("submitted", "approved"), "cancelled", "cancelled")


def opportunities(db, request_id: int, key: str, min_el: float, limit: int) -> dict:
    """The next imaging opportunities of a stored request, soonest first, searched from
    now (to the minute) for at most ``MAX_OPPORTUNITY_DAYS`` days of its window."""
    row = get(db, request_id)
    start = max(row.start, utcnow().replace(second=0, microsecond=0))
    stop = min(row.stop, start + timedelta(days=MAX_OPPORTUNITY_DAYS))
    if stop <= start:
        return {"request_id": request_id, "items": [], "total": 0, "method": None}
    found = _search(db, key, row, start, stop, min_el)
    return {
        "request_id": request_id,
        "method": found["method"],
        "items": found["items"][:limit],
        "total": len(found["items"]),
    }


def _search(db, key: str, row, start: datetime, stop: datetime, min_el: float) -> dict:
    """With the tasking capability: every strip of each satellite's sensor over the area
    (``sahelsat.tasking.find_opportunities``). Without it: passes over the area's centre."""
    try:
        from sahelsat.tasking.opportunities import find_opportunities
        from sahelsat.tasking.requests import make_request
    except ImportError:
        return _centre_passes(db, key, json.loads(row.geometry), start, stop, min_el)
    spec = fleet_cases.fleet_spec(key, ("query", "fleet"))
    sats = fleet_cases.fleet(db, spec, ("query", "fleet"))
    days = (stop - start).total_seconds() / 86400
    if len(sats) * days > MAX_OPPORTUNITY_WORK:
        from sahelsat.inputs import InputError

        raise InputError.at(
            ("query", "fleet"),
            f"{len(sats)} satellites x {days:.1f} days is too large a search for one request "
            f"(at most {MAX_OPPORTUNITY_WORK} satellite-days)",
        )

    def compute() -> dict:
        from sahelsat.service.seed import fleet_sensors
        from sahelsat.tasking.outputs import opportunities_geojson

        request = make_request(
            str(row.id),
            json.loads(row.geometry),
            start=np.datetime64(row.start, "ns"),
            end=np.datetime64(row.stop, "ns"),
            priority=float(row.priority),
            sensor=row.sensor,
            max_off_nadir_deg=row.max_off_nadir_deg,
            min_sun_elevation_deg=row.min_sun_elevation_deg,
        )
        shipped_only = all(p.kind == "catalogue" for p in spec.parts)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = find_opportunities(
                sats,
                [request],
                np.datetime64(start, "ns"),
                np.datetime64(stop, "ns"),
                sensors=fleet_sensors(db, key),
                ours=set() if shipped_only else None,  # shipped catalogues: none is ours
            )
        items = [
            {**f["properties"], "strip": f["geometry"]}
            for f in opportunities_geojson(table)["features"]
        ]
        return {
            "method": (
                f"imaging opportunities of fleet {key!r}: each satellite's swaths over the "
                "area, fixed to its track (beams, incidence, roll, Sun and sensor limits); "
                "status 'forecast' for the systematic acquisitions of satellites we do not "
                "operate, 'candidate' for ours, which a plan may take (sahelsat.tasking)"
            ),
            "items": items,
        }

    return _OPPORTUNITIES.get_or_compute((spec.key, row.id, start, stop), compute)


def _centre_passes(db, key, geometry: dict, start, stop, min_el: float) -> dict:
    from shapely.geometry import shape

    from sahelsat.inputs import Site

    centre = shape(geometry).centroid
    site = Site(name="area centre", latitude_deg=centre.y, longitude_deg=centre.x)
    items = fleet_cases.passes(db, key, site, start, stop, min_el)
    return {
        "method": f"passes of fleet {key!r} over the area's centre at elevation >= {min_el:g} deg",
        "items": items,
    }
