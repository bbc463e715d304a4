"""Map layers: ``/api/coverage/map`` and ``/api/settlements/service``."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from sahelsat.inputs import Availability
from sahelsat.service.deps import DB, MAX_ID, Config, JsonRoute, Viewer
from sahelsat.service.models import GeoJSONResponse, geojson_response
from sahelsat.service.usecases import layers as cases

router = APIRouter(prefix="/api", tags=["map layers"], route_class=JsonRoute)

GRID = {200: {"description": "a compact grid, or GeoJSON squares", "content": {
    "application/json": {"schema": {"type": "object", "properties": {
        "kind": {"type": "string"}, "figures": {"type": "array", "items": {"type": "string"}},
        "cells": {"type": "array", "items": {"type": "array"}}}}},
    **geojson_response("")[200]["content"]}}}  # fmt: skip


@router.get(
    "/coverage/map",
    response_class=Response,
    responses=GRID,
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
    body = cases.coverage_map(db, job_id, format)
    media = "application/geo+json" if format == "geojson" else "application/json"
    return Response(json.dumps(body), media_type=media)


@router.get(
    "/settlements/service",
    response_class=GeoJSONResponse,
    responses=geojson_response("towns with their service"),
    summary="Settlement service status: each town's satellite, smallest dish, availability "
    "and throughput (GeoJSON points, cached; viewer)",
)
async def settlement_service(
    _: Viewer,
    config: Config,
    band: Annotated[Literal["ku", "ka"], Query(description="link design")] = "ku",
    availability: Annotated[Availability, Query(description="target, %")] = 99.5,
    throughput_mbps: Annotated[float, Query(gt=0, le=1000, description="per terminal")] = 20.0,
    satellites: Annotated[
        Literal["scenario", "geo"],
        Query(description="scenario: the default scenario's GEO; geo: real GEO 30W-30E"),
    ] = "scenario",
    min_population: Annotated[int, Query(ge=0, le=10**8)] = 0,
) -> Response:
    body = await run_in_threadpool(
        cases.settlement_service, band, availability, throughput_mbps, satellites,
        min_population, config.max_heavy_at_once,
    )  # fmt: skip
    return Response(json.dumps(body), media_type="application/geo+json")
