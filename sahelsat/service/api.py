"""The operations service: a FastAPI application over the store, the jobs and the capabilities.

:func:`create_app` builds it; ``sahelsat serve`` runs it with uvicorn. Reads need a
viewer token (unless the app is built with ``public_read=True``), writes the role named in
each route's description; the base map data and the web front end are public. Errors
always have the body ``{field, reason, errors}`` (see :mod:`sahelsat.service.errors`).
CORS is closed unless origins are given. Request bodies are limited in size before any
work (:class:`BodyLimit`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Security
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from sahelsat import __version__
from sahelsat.service import capabilities
from sahelsat.service.auth import Principal, authenticate, create_token, revoke_token
from sahelsat.service.db import ApiToken, ElementSet, ImagingRequest, Job, Product, open_store
from sahelsat.service.db import utcnow as _utcnow
from sahelsat.service.errors import ApiError, error_body, install_error_handlers
from sahelsat.service.jobs import JOB_KINDS, JobParamError, JobRunner
from sahelsat.service.models import (
    ElementSetOut,
    JobIn,
    JobOut,
    Page,
    ProductOut,
    RequestIn,
    RequestOut,
    TokenIn,
    TokenOut,
    as_naive_utc,
    iso_utc,
)
from sahelsat.service.security import (
    SecurityHeaders,
    content_security_policy,
    trusted_hosts_from_env,
)

WEB = Path(__file__).parent / "web"

#: Largest request body in bytes, by path prefix (the first match wins).
BODY_LIMITS = (
    ("/api/element-sets", 4 * 1024 * 1024),
    ("/api/products", 32 * 1024 * 1024),
    ("/", 256 * 1024),
)

MAX_PAGE = 500


class BodyLimit:
    """ASGI middleware: answer 413 to a body larger than its path's limit, before any work.

    The declared ``Content-Length`` is checked first; a body without one (chunked) is read
    up to the limit and refused as soon as it goes past it.
    """

    def __init__(self, app, limits=BODY_LIMITS):
        self.app = app
        self.limits = limits

    def _limit(self, path: str) -> int:
        return next(limit for prefix, limit in self.limits if path.startswith(prefix))

    async def _refuse(self, send, limit: int) -> None:
        body = json.dumps(error_body([("body", f"request body exceeds {limit} bytes")])).encode()
        headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        limit = self._limit(scope["path"])
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = limit + 1
            if declared > limit:
                return await self._refuse(send, limit)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                return await self._refuse(send, limit)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)


bearer = HTTPBearer(auto_error=False, description="an API token: `sahelsat token create`")


def session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as s:
        yield s


DB = Annotated[Session, Depends(session)]


def require(role: str):
    """A dependency: the caller's :class:`Principal`, with at least ``role`` (401/403)."""

    def dependency(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Security(bearer),
    ) -> Principal | None:
        if credentials is None:
            if role == "viewer" and request.app.state.public_read:
                return None
            raise ApiError(
                401,
                "Authorization",
                "a bearer token is required; create one with `sahelsat token create`",
                {"WWW-Authenticate": "Bearer"},
            )
        with request.app.state.sessions() as s:
            principal = authenticate(s, credentials.credentials)
        if principal is None:
            raise ApiError(
                401, "Authorization", "unknown or revoked token", {"WWW-Authenticate": "Bearer"}
            )
        if not principal.has(role):
            raise ApiError(
                403, "Authorization", f"role {principal.role!r} may not do this; needs {role!r}"
            )
        return principal

    return dependency


Viewer = Annotated[Principal | None, Depends(require("viewer"))]
Requester = Annotated[Principal, Depends(require("requester"))]
Operator = Annotated[Principal, Depends(require("operator"))]
Admin = Annotated[Principal, Depends(require("admin"))]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="page size")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="items to skip")]
MAX_ID = 2**31 - 1
Id = Annotated[int, PathParam(ge=1, le=MAX_ID)]


def _bbox(text: str | None) -> tuple[float, float, float, float] | None:
    if text is None:
        return None
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if (
        len(values) != 4
        or not (-180 <= values[0] <= values[2] <= 180)
        or not (-90 <= values[1] <= values[3] <= 90)
    ):
        raise ApiError(422, "query.bbox", "expected min_lon,min_lat,max_lon,max_lat in degrees")
    return tuple(values)


def _time(value: datetime | None, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        return as_naive_utc(value)
    except ValueError as exc:
        raise ApiError(422, field, str(exc)) from None


# ---------------------------------------------------------------- routers

system = APIRouter(prefix="/api", tags=["system"])


@system.get("/health", summary="Liveness, version and database kind (public)")
def health(request: Request) -> dict:
    return {
        "status": "ok",
        "version": __version__,
        "database": request.app.state.engine.dialect.name,
        "capabilities": capabilities.available(),
    }


@system.get("/whoami", summary="The caller's token name and role (viewer)")
def whoami(who: Viewer) -> dict:
    if who is None:
        return {"name": None, "role": None}
    return {"id": who.token_id, "name": who.name, "role": who.role}


tokens = APIRouter(prefix="/api/tokens", tags=["tokens"])


def _token_out(row: ApiToken, secret: str | None = None) -> TokenOut:
    return TokenOut(
        id=row.id,
        name=row.name,
        role=row.role,
        prefix=row.prefix,
        created_at=iso_utc(row.created_at),
        revoked_at=iso_utc(row.revoked_at),
        token=secret,
    )


@tokens.post("", status_code=201, summary="Create a token (admin); the secret is shown once")
def create_api_token(body: TokenIn, db: DB, _: Admin) -> TokenOut:
    row, secret = create_token(db, body.name, body.role)
    db.commit()
    return _token_out(row, secret)


@tokens.get("", summary="List tokens, without their secrets (admin)")
def list_tokens(db: DB, _: Admin, limit: Limit = 100, offset: Offset = 0) -> dict:
    total = db.scalar(select(func.count()).select_from(ApiToken))
    rows = db.scalars(select(ApiToken).order_by(ApiToken.id).limit(limit).offset(offset))
    return {
        "items": [_token_out(r) for r in rows],
        "total": total,
        "limit": limit,
        "offset": offset,
    }


@tokens.delete("/{token_id}", summary="Revoke a token (admin)")
def revoke(token_id: Id, db: DB, _: Admin) -> dict:
    if not revoke_token(db, token_id):
        raise ApiError(404, "token_id", f"no token {token_id}")
    db.commit()
    return {"id": token_id, "revoked": True}


places = APIRouter(prefix="/api/places", tags=["places"])


@cache
def _countries_geojson() -> bytes:
    from shapely.geometry import mapping

    from sahelsat.places import COUNTRIES, country_outlines

    features = [
        {
            "type": "Feature",
            "id": code,
            "properties": {"iso3": code, "name": COUNTRIES[code]},
            "geometry": mapping(geom),
        }
        for code, geom in country_outlines().items()
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


@places.get("/countries", summary="Outlines of Mali, Niger and Burkina Faso (GeoJSON, public)")
def countries() -> Response:
    return Response(_countries_geojson(), media_type="application/geo+json")


@places.get("/towns", summary="Towns of the three countries (GeoJSON points, public)")
def town_points(min_population: Annotated[int, Query(ge=0, le=10**9)] = 0) -> Response:
    from sahelsat.places import towns

    table = towns(min_population=min_population)
    features = [
        {
            "type": "Feature",
            "properties": {"name": r.name, "country": r.country, "population": int(r.population)},
            "geometry": {"type": "Point", "coordinates": [r.longitude_deg, r.latitude_deg]},
        }
        for r in table.itertuples()
    ]
    body = {"type": "FeatureCollection", "features": features}
    return Response(json.dumps(body), media_type="application/geo+json")


@places.get("/stations", summary="The national ground stations (public)")
def stations() -> list[dict]:
    from sahelsat.places import ground_stations

    return ground_stations().to_dict(orient="records")


requests_ = APIRouter(prefix="/api/requests", tags=["imaging requests"])


@requests_.post("", status_code=201, summary="Submit an imaging request (requester)")
def create_request(body: RequestIn, db: DB, who: Requester) -> RequestOut:
    try:
        poly, area_km2 = body.geometry.shape()
    except ValueError as exc:
        raise ApiError(422, "body.geometry", str(exc)) from None
    min_lon, min_lat, max_lon, max_lat = poly.bounds
    now = _utcnow()
    row = ImagingRequest(
        name=body.name,
        geometry=json.dumps(body.geometry.model_dump()),
        min_lon=min_lon,
        min_lat=min_lat,
        max_lon=max_lon,
        max_lat=max_lat,
        area_km2=area_km2,
        start=body.start,
        stop=body.stop,
        priority=body.priority,
        sensor=body.sensor,
        max_off_nadir_deg=body.max_off_nadir_deg,
        min_sun_elevation_deg=body.min_sun_elevation_deg,
        status="submitted",
        note=body.note,
        created_by=who.token_id,
        created_at=now,
        updated_at=now,
    )
    db.add(row)
    db.commit()  # acknowledged only once durable
    return RequestOut.of(row)


@requests_.get("", summary="List imaging requests, newest first, filtered (viewer)")
def list_requests(
    db: DB,
    _: Viewer,
    status: Annotated[Literal["submitted", "approved", "cancelled"] | None, Query()] = None,
    start: Annotated[datetime | None, Query(description="windows ending after this")] = None,
    stop: Annotated[datetime | None, Query(description="windows starting before this")] = None,
    bbox: Annotated[
        str | None, Query(description="min_lon,min_lat,max_lon,max_lat: boxes overlapping it")
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict:
    query = select(ImagingRequest)
    if status is not None:
        query = query.where(ImagingRequest.status == status)
    if (t := _time(start, "query.start")) is not None:
        query = query.where(ImagingRequest.stop > t)
    if (t := _time(stop, "query.stop")) is not None:
        query = query.where(ImagingRequest.start < t)
    if (box := _bbox(bbox)) is not None:
        query = query.where(
            ImagingRequest.max_lon >= box[0],
            ImagingRequest.min_lon <= box[2],
            ImagingRequest.max_lat >= box[1],
            ImagingRequest.min_lat <= box[3],
        )
    total = db.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.scalars(query.order_by(ImagingRequest.id.desc()).limit(limit).offset(offset))
    items = [RequestOut.of(r).model_dump(mode="json") for r in rows]
    return {"items": items, **Page(total=total, limit=limit, offset=offset).model_dump()}


def _get_request(db: Session, request_id: int) -> ImagingRequest:
    row = db.get(ImagingRequest, request_id)
    if row is None:
        raise ApiError(404, "request_id", f"no imaging request {request_id}")
    return row


@requests_.get("/{request_id}", summary="One imaging request (viewer)")
def get_request(request_id: Id, db: DB, _: Viewer) -> RequestOut:
    return RequestOut.of(_get_request(db, request_id))


def _transition(db: Session, request_id: int, allowed: tuple[str, ...], new: str, verb: str):
    done = db.execute(
        update(ImagingRequest)
        .where(ImagingRequest.id == request_id, ImagingRequest.status.in_(allowed))
        .values(status=new, updated_at=_utcnow())
    ).rowcount
    if not done:
        row = _get_request(db, request_id)
        raise ApiError(
            409, "status", f"request {request_id} is {row.status}; only {allowed} can be {verb}"
        )
    db.commit()
    return RequestOut.of(_get_request(db, request_id))


@requests_.post("/{request_id}/approve", summary="Approve a submitted request (operator)")
def approve_request(request_id: Id, db: DB, _: Operator) -> RequestOut:
    return _transition(db, request_id, ("submitted",), "approved", "approved")


@requests_.post(
    "/{request_id}/cancel",
    summary="Cancel a request (requester: their own; operator: any)",
)
def cancel_request(request_id: Id, db: DB, who: Requester) -> RequestOut:
    row = _get_request(db, request_id)
    if not who.has("operator") and row.created_by != who.token_id:
        raise ApiError(403, "Authorization", "a requester may cancel only their own requests")
    return _transition(db, request_id, ("submitted", "approved"), "cancelled", "cancelled")


@requests_.get(
    "/{request_id}/opportunities",
    summary="Next imaging opportunities of the request's area in its window, soonest first "
    "(viewer)",
)
def request_opportunities(
    request_id: Id,
    db: DB,
    _: Viewer,
    fleet: Annotated[str, Query(max_length=40)] = "resource",
    min_elevation: Annotated[
        float, Query(ge=0, lt=90, description="only without the tasking capability")
    ] = 30.0,
    limit: Limit = 20,
) -> dict:
    row = _get_request(db, request_id)
    start = max(row.start, _utcnow().replace(second=0, microsecond=0))
    stop = min(row.stop, start + timedelta(days=capabilities.MAX_OPPORTUNITY_DAYS))
    if stop <= start:
        return {"request_id": request_id, "items": [], "total": 0, "method": None}
    found = capabilities.request_opportunities(db, fleet, row, start, stop, min_elevation)
    return {
        "request_id": request_id,
        "method": found["method"],
        "items": found["items"][:limit],
        "total": len(found["items"]),
    }


fleets = APIRouter(prefix="/api", tags=["fleets and passes"])


@fleets.get("/fleets", summary="Built-in catalogues and uploaded element sets (viewer)")
def list_fleets(db: DB, _: Viewer) -> dict:
    from sahelsat.service.seed import seeded

    uploads = db.scalars(select(ElementSet).order_by(ElementSet.id.desc()).limit(MAX_PAGE))
    return {
        "catalogues": list(capabilities.CATALOGUES),
        "uploads": [
            {
                "fleet": f"upload-{r.id}",
                "name": r.name,
                "n_satellites": r.n_satellites,
                "created_at": iso_utc(r.created_at),
            }
            for r in uploads
        ],
        "default_scenario": seeded(db),
    }


@fleets.post(
    "/element-sets",
    status_code=201,
    summary="Upload an element-set file, TLE or OMM text, at most 4 MiB (operator)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/plain": {"schema": {"type": "string", "maxLength": 4194304}}},
        }
    },
)
async def upload_element_set(
    request: Request,
    who: Operator,
    name: Annotated[str, Query(min_length=1, max_length=100)],
) -> ElementSetOut:
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(422, "body", f"not UTF-8 text (byte {exc.start})") from None
    n, problems = await run_in_threadpool(capabilities.check_elements, text)
    if n == 0:
        raise ApiError(422, "body", "no usable element set: " + "; ".join(problems[:5]))

    def store() -> ElementSetOut:
        with request.app.state.sessions() as db:
            row = ElementSet(name=name, text=text, n_satellites=n, created_by=who.token_id)
            db.add(row)
            db.commit()
            return ElementSetOut(
                id=row.id,
                name=row.name,
                fleet=f"upload-{row.id}",
                n_satellites=n,
                created_at=iso_utc(row.created_at),
                problems=problems[:100],
            )

    return await run_in_threadpool(store)


@fleets.get("/fleets/{fleet}/positions", summary="Positions and ground tracks (viewer, GeoJSON)")
def fleet_positions(
    fleet: str,
    db: DB,
    _: Viewer,
    time: Annotated[datetime | None, Query(description="UTC; default now")] = None,
    track_minutes: Annotated[int, Query(ge=0, le=200, description="track length ahead")] = 0,
    max_satellites: Annotated[int, Query(ge=1, le=capabilities.MAX_TRACKED)] = 200,
) -> Response:
    when = _time(time, "query.time") or _utcnow()
    body = capabilities.positions(db, fleet, when, track_minutes, max_satellites)
    return Response(json.dumps(body), media_type="application/geo+json")


@fleets.get("/passes", summary="Passes of a fleet over a station or a point (viewer)")
def passes(
    db: DB,
    _: Viewer,
    fleet: Annotated[str, Query(max_length=40)] = "resource",
    station: Annotated[str | None, Query(max_length=40, description="Bamako, ...")] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    start: Annotated[datetime | None, Query(description="UTC; default now")] = None,
    hours: Annotated[float, Query(gt=0, le=capabilities.MAX_PASS_HOURS)] = 24.0,
    min_elevation: Annotated[float, Query(ge=0, lt=90)] = 10.0,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict:
    site = capabilities.site(station, lat, lon)
    t0 = _time(start, "query.start") or _utcnow().replace(microsecond=0)
    items = capabilities.passes(db, fleet, site, t0, t0 + timedelta(hours=hours), min_elevation)
    return {
        "items": items[offset : offset + limit],
        "total": len(items),
        "limit": limit,
        "offset": offset,
        "site": site,
    }


jobs = APIRouter(prefix="/api/jobs", tags=["jobs"])


def _job_out(db: Session, row: Job) -> JobOut:
    ids = db.scalars(select(Product.id).where(Product.job_id == row.id)).all()
    return JobOut.of(row, ids)


@jobs.get("/kinds", summary="The job kinds this server runs (viewer)")
def job_kinds(_: Viewer) -> list[dict]:
    return [{"kind": k.name, "description": k.description} for k in JOB_KINDS.values()]


@jobs.post("", status_code=202, summary="Start a job, e.g. a pass schedule (operator)")
def start_job(body: JobIn, request: Request, db: DB, who: Operator) -> JobOut:
    try:
        job_id = request.app.state.runner.submit(body.kind, body.params, who.token_id)
    except JobParamError as exc:
        field = "body.kind" if exc.field == "kind" else f"body.params.{exc.field}"
        raise ApiError(422, field, exc.reason) from None
    return _job_out(db, db.get(Job, job_id))


@jobs.get("", summary="List jobs, newest first (viewer)")
def list_jobs(
    db: DB,
    _: Viewer,
    status: Annotated[
        Literal["queued", "running", "succeeded", "failed", "cancelled"] | None, Query()
    ] = None,
    kind: Annotated[str | None, Query(max_length=40)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict:
    query = select(Job)
    if status is not None:
        query = query.where(Job.status == status)
    if kind is not None:
        query = query.where(Job.kind == kind)
    total = db.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.scalars(query.order_by(Job.id.desc()).limit(limit).offset(offset)).all()
    return {
        "items": [_job_out(db, r).model_dump() for r in rows],
        "total": total,
        "limit": limit,
        "offset": offset,
    }


@jobs.get("/{job_id}", summary="A job's state and progress (viewer)")
def get_job(job_id: Id, db: DB, _: Viewer) -> JobOut:
    row = db.get(Job, job_id)
    if row is None:
        raise ApiError(404, "job_id", f"no job {job_id}")
    return _job_out(db, row)


@jobs.post("/{job_id}/cancel", summary="Cancel a queued or running job (operator)")
def cancel_job(job_id: Id, request: Request, db: DB, _: Operator) -> JobOut:
    if request.app.state.runner.cancel(job_id) is None:
        raise ApiError(404, "job_id", f"no job {job_id}")
    db.expire_all()
    return _job_out(db, db.get(Job, job_id))


layers = APIRouter(prefix="/api", tags=["map layers"])


def _coverage_job(db: Session, job_id: int | None) -> Job:
    if job_id is None:
        row = db.scalars(
            select(Job)
            .where(Job.kind == "coverage", Job.status == "succeeded")
            .order_by(Job.id.desc())
            .limit(1)
        ).first()
        if row is None:
            raise ApiError(
                404,
                "query.job_id",
                "no finished coverage job yet; start one with POST /api/jobs "
                '{"kind": "coverage", "params": {...}} (operator)',
            )
        return row
    row = db.get(Job, job_id)
    if row is None:
        raise ApiError(404, "query.job_id", f"no job {job_id}")
    if row.kind != "coverage":
        raise ApiError(422, "query.job_id", f"job {job_id} is a {row.kind!r} job, not coverage")
    if row.status != "succeeded":
        raise ApiError(
            409,
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


@layers.get(
    "/coverage/map",
    summary="Coverage and revisit cells of a finished coverage job, the latest by default: "
    "a compact grid or GeoJSON squares (viewer)",
)
def coverage_map(
    db: DB,
    _: Viewer,
    job_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="default: latest")] = None,
    format: Annotated[
        Literal["grid", "geojson"],
        Query(description="grid: [lat, lon, *figures] per cell centre; geojson: squares"),
    ] = "grid",
) -> Response:
    job = _coverage_job(db, job_id)
    rows = db.execute(select(Product.id, Product.name).where(Product.job_id == job.id)).all()
    grid_id = next((i for i, n in rows if n.endswith(capabilities.MAP_SUFFIX)), None)
    netcdf_id = next((i for i, n in rows if n.endswith(".nc")), None)
    if grid_id is not None:
        grid = json.loads(db.get(Product, grid_id).content)
    elif netcdf_id is not None:
        grid = capabilities.grid_from_netcdf(
            netcdf_id, db.get(Product, netcdf_id).content, json.loads(job.params)
        )
    else:
        raise ApiError(404, "query.job_id", f"coverage job {job.id} has no product")
    grid = {**grid, "job_id": job.id, "finished_at": iso_utc(job.finished_at)}
    if format == "geojson":
        return Response(json.dumps(_grid_geojson(grid)), media_type="application/geo+json")
    return Response(json.dumps(grid), media_type="application/json")


@layers.get(
    "/settlements/service",
    summary="Settlement service status: each town's satellite, smallest dish, availability "
    "and throughput (GeoJSON points, cached; viewer)",
)
def settlement_service(
    _: Viewer,
    band: Annotated[Literal["ku", "ka"], Query(description="link design")] = "ku",
    availability: Annotated[float, Query(ge=95, le=99.999, description="target, %")] = 99.5,
    throughput_mbps: Annotated[float, Query(gt=0, le=1000, description="per terminal")] = 20.0,
    satellites: Annotated[
        Literal["scenario", "geo"],
        Query(description="scenario: the default scenario's GEO; geo: real GEO 30W-30E"),
    ] = "scenario",
    min_population: Annotated[int, Query(ge=0, le=10**8)] = 0,
) -> Response:
    body = capabilities.settlement_service(
        band, availability, throughput_mbps, satellites, min_population
    )
    return Response(json.dumps(body), media_type="application/geo+json")


products = APIRouter(prefix="/api/products", tags=["products"])


def _product_out(row: Product) -> ProductOut:
    return ProductOut(
        id=row.id,
        name=row.name,
        media_type=row.media_type,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        job_id=row.job_id,
        created_at=iso_utc(row.created_at),
        download=f"/api/products/{row.id}/download",
    )


_PRODUCT_COLUMNS = (
    Product.id,
    Product.name,
    Product.media_type,
    Product.size_bytes,
    Product.sha256,
    Product.job_id,
    Product.created_at,
)


@products.get("", summary="List products, newest first (viewer)")
def list_products(
    db: DB,
    _: Viewer,
    job_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict:
    query = select(*_PRODUCT_COLUMNS)
    if job_id is not None:
        query = query.where(Product.job_id == job_id)
    total = db.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.execute(query.order_by(Product.id.desc()).limit(limit).offset(offset)).all()
    return {
        "items": [_product_out(r).model_dump() for r in rows],
        "total": total,
        "limit": limit,
        "offset": offset,
    }


@products.post(
    "",
    status_code=201,
    summary="Upload a product file, at most 32 MiB: GeoJSON, GeoTIFF, PNG, CSV, NetCDF (operator)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def upload_product(
    request: Request,
    _: Operator,
    name: Annotated[
        str,
        Query(min_length=1, max_length=200, description="file name; its extension gives the type"),
    ],
) -> ProductOut:
    from sahelsat.service.products import ProductError, check_product

    content = await request.body()
    try:
        media_type = check_product(name, content)
    except ProductError as exc:
        raise ApiError(422, exc.field, exc.reason) from None

    def store() -> ProductOut:
        with request.app.state.sessions() as db:
            row = Product(
                name=name,
                media_type=media_type,
                size_bytes=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                content=content,
            )
            db.add(row)
            db.commit()
            return _product_out(row)

    return await run_in_threadpool(store)


@products.get("/{product_id}/download", summary="Download a product's file (viewer)")
def download_product(product_id: Id, db: DB, _: Viewer) -> Response:
    row = db.get(Product, product_id)
    if row is None:
        raise ApiError(404, "product_id", f"no product {product_id}")
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in row.name)
    return Response(
        row.content,
        media_type=row.media_type,
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )


# ---------------------------------------------------------------- application


def create_app(
    database_url: str | None = None,
    data_dir=None,
    cors_origins: tuple[str, ...] = (),
    public_read: bool = False,
    workers: int = 2,
    default_scenario: bool | None = None,
    trusted_hosts: tuple[str, ...] | None = None,
) -> FastAPI:
    """The service application on the store at ``database_url`` (default: see ``db``).

    ``cors_origins``: browser origins allowed to call the API from elsewhere (none by
    default). ``public_read``: let anonymous callers read (a kiosk on a closed network).
    ``workers``: threads running jobs. ``default_scenario``: load the built-in scenario
    into an empty store (its imaging fleet and requests; see :mod:`.seed`); default on,
    unless ``SAHELSAT_DEFAULT_SCENARIO`` is ``0``/``false``/``no``/``off``.
    ``trusted_hosts``: the host names it answers (default ``SAHELSAT_TRUSTED_HOSTS``, else
    any); every answer carries the security headers of :mod:`.security`.
    """
    engine, sessions = open_store(database_url, data_dir)
    if default_scenario is None:
        flag = os.environ.get("SAHELSAT_DEFAULT_SCENARIO", "1").strip().lower()
        default_scenario = flag not in ("0", "false", "no", "off")
    if default_scenario:
        from sahelsat.service.seed import seed_default_scenario

        try:
            seed_default_scenario(sessions)
        except Exception:  # the service still starts; the operator sees why in the log
            logging.getLogger(__name__).exception("could not load the default scenario")
    runner = JobRunner(sessions, workers=workers)
    capabilities.register_jobs()

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        runner.recover()
        yield
        runner.shutdown()

    app = FastAPI(
        title="sahelsat operations service",
        version=__version__,
        description=(
            "Fleets, passes, imaging requests, jobs and products of the Sahel regional "
            "satellite system. Send `Authorization: Bearer <token>`; roles are viewer < "
            "requester < operator < admin. Times are ISO-8601 UTC, angles degrees."
        ),
        lifespan=lifespan,
        docs_url=None,  # FastAPI's docs pages load their scripts from a CDN: not offline
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.runner = runner
    app.state.public_read = public_read
    install_error_handlers(app)
    for router in (system, tokens, places, requests_, fleets, jobs, layers, products):
        app.include_router(router)
    if cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(BodyLimit)
    csp = content_security_policy(os.environ.get("SAHELSAT_CSP_EXTRA"))
    hosts = trusted_hosts or trusted_hosts_from_env()
    app.add_middleware(SecurityHeaders, trusted_hosts=hosts, csp=csp)  # the outermost
    app.mount("/static", StaticFiles(directory=WEB), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(WEB / "index.html")

    return app
