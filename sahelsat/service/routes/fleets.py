"""``/api/fleets``, ``/api/element-sets`` and ``/api/passes``: fleets, their age, kept
versions and refresh, their positions, and pass schedules over a station or a point."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from sahelsat.inputs import (
    FleetName,
    InputError,
    Latitude,
    Longitude,
    MinElevation,
    Name,
    UtcTime,
)
from sahelsat.service.db import utcnow
from sahelsat.service.deps import (
    DB,
    MAX_PAGE,
    Id,
    JsonRoute,
    Limit,
    Offset,
    Operator,
    Runner,
    Viewer,
)
from sahelsat.service.models import (
    ElementSetOut,
    ElementSetTextOut,
    FleetsOut,
    FleetVersionDataOut,
    FleetVersionsOut,
    GeoJSONResponse,
    PassesPage,
    RefreshIn,
    RefreshOut,
    geojson_response,
)
from sahelsat.service.usecases import fleets as cases
from sahelsat.service.usecases import refresh

router = APIRouter(prefix="/api", tags=["fleets and passes"], route_class=JsonRoute)
FleetQuery = Annotated[str, Query(min_length=1, max_length=200,
                                  description="resource, eo, starlink, ..., upload-<id>, "
                                  "or a design such as walker:24/3/1,550,53")]  # fmt: skip


@router.get("/fleets", summary="Built-in catalogues, uploaded element sets and each fleet's "
            "age: source, fetch time, epochs (viewer)")  # fmt: skip
def list_fleets(db: DB, _: Viewer) -> FleetsOut:
    return FleetsOut(**cases.list_fleets(db, MAX_PAGE))


@router.post("/fleets/refresh", status_code=202, summary="Bring fleets' element sets up to "
             "date from their source, as a `refresh` job (operator); while one is queued or "
             "running, that one is answered")  # fmt: skip
def refresh_fleets(runner: Runner, who: Operator, body: RefreshIn | None = None) -> RefreshOut:
    body = body or RefreshIn()
    try:
        job, new = refresh.submit(runner, body.fleets, body.force, who.token_id)
    except InputError as exc:
        raise exc.within("body") from None
    return RefreshOut(job=job, new=new)


@router.get("/fleets/{fleet}/versions", summary="Kept versions of a stored fleet, newest first: "
            "refreshed or uploaded; each named NAME@VERSION in a fleet spec (viewer)")  # fmt: skip
def fleet_versions(
    fleet: Annotated[str, PathParam(max_length=64)], db: DB, _: Viewer
) -> FleetVersionsOut:
    return FleetVersionsOut(**refresh.versions(db, fleet))


@router.get("/fleets/{fleet}/versions/{version}",
            summary="A kept version of a fleet with its element sets as OMM (viewer)")  # fmt: skip
def fleet_version(
    fleet: Annotated[str, PathParam(max_length=64)],
    version: Annotated[str, PathParam(max_length=40)],
    db: DB,
    _: Viewer,
) -> FleetVersionDataOut:
    return FleetVersionDataOut(**refresh.version(db, fleet, version))


@router.get("/element-sets/{upload_id}", summary="An uploaded element set with its text "
            "(viewer)")  # fmt: skip
def element_set(upload_id: Id, db: DB, _: Viewer) -> ElementSetTextOut:
    return ElementSetTextOut(**cases.element_set(db, upload_id))


@router.post(
    "/element-sets",
    status_code=201,
    operation_id="upload_element_set",
    summary="Upload an element-set file, TLE or OMM text, at most 4 MiB (operator)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/plain": {"schema": {"type": "string", "maxLength": 4194304}}},
        },
        "responses": {"201": {"links": {"FleetPositions": {
            "operationId": "fleet_positions",
            "parameters": {"fleet": "$response.body#/fleet"}}}}},
    },
)  # fmt: skip
async def upload_element_set(
    request: Request,
    who: Operator,
    name: Annotated[Name, Query(max_length=100)],
    into: Annotated[
        FleetName | None,
        Query(description="add it as a new version of this fleet (kept with its history)"),
    ] = None,
    replace: Annotated[
        bool, Query(description="add it although far smaller or older than the copy in use")
    ] = False,
) -> ElementSetOut:
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError.at("body", f"not UTF-8 text (byte {exc.start})") from None
    n, problems = await run_in_threadpool(cases.check_elements, text)
    if n == 0:
        raise InputError.at("body", "no usable element set: " + "; ".join(problems[:5]))
    sessions = request.app.state.sessions
    stored = await run_in_threadpool(
        cases.store_element_set, sessions, name, text, n, problems, who.token_id, into, replace
    )
    return ElementSetOut(**stored)


@router.get(
    "/fleets/{fleet}/positions",
    response_class=GeoJSONResponse,
    operation_id="fleet_positions",
    responses=geojson_response("sub-satellite points and tracks"),
    summary="Positions and ground tracks (viewer, GeoJSON)",
)
def fleet_positions(
    fleet: Annotated[str, PathParam(max_length=200)],
    db: DB,
    _: Viewer,
    time: Annotated[UtcTime | None, Query(description="UTC; default now")] = None,
    track_minutes: Annotated[int, Query(ge=0, le=200, description="track length ahead")] = 0,
    max_satellites: Annotated[int, Query(ge=1, le=cases.MAX_TRACKED)] = 200,
) -> Response:
    import json

    when = time or utcnow()
    body = cases.positions(db, fleet, when, track_minutes, max_satellites)
    return Response(json.dumps(body), media_type="application/geo+json")


@router.get("/passes", summary="Passes of a fleet over a station or a point (viewer)")
def passes(
    db: DB,
    _: Viewer,
    fleet: FleetQuery = "resource",
    station: Annotated[str | None, Query(max_length=40, description="Bamako, ...")] = None,
    lat: Annotated[Latitude | None, Query()] = None,
    lon: Annotated[Longitude | None, Query()] = None,
    start: Annotated[UtcTime | None, Query(description="UTC; default now")] = None,
    hours: Annotated[float, Query(gt=0, le=cases.MAX_PASS_HOURS)] = 24.0,
    min_elevation: Annotated[MinElevation, Query()] = 10.0,
    limit: Limit = 100,
    offset: Offset = 0,
) -> PassesPage:
    try:
        site = cases.station_or_point(station, lat, lon)
    except InputError as exc:
        raise exc.within("query") from None
    t0 = start or utcnow().replace(microsecond=0)
    items = cases.passes(db, fleet, site, t0, t0 + timedelta(hours=hours), min_elevation)
    return PassesPage(
        items=items[offset : offset + limit],
        total=len(items),
        limit=limit,
        offset=offset,
        site=site.model_dump(),
    )
