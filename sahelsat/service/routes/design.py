"""Connectivity design layers: ``/api/design/layers``."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from sahelsat.service.deps import Config, JsonRoute, Viewer
from sahelsat.service.usecases import design as cases

router = APIRouter(prefix="/api", tags=["map layers"], route_class=JsonRoute)

LAYERS = {200: {"description": "the design's GeoJSON layers and what they rest on",
                "content": {"application/json": {"schema": {"type": "object", "properties": {
                    "design": {"type": "string"}, "summary": {"type": "object"},
                    "rests_on": {"type": "object"}, "layers": {"type": "object"}}}}}}}  # fmt: skip


@router.get(
    "/design/layers",
    response_class=Response,
    responses=LAYERS,
    summary="Map layers of the default scenario's connectivity design: spot beams (colour, "
    "capacity, demand) and people served per region (GeoJSON, cached; viewer)",
)
async def design_layers(
    _: Viewer,
    config: Config,
    layer: Annotated[
        Literal["all", "beams", "regions"], Query(description="which layer (default all)")
    ] = "all",
) -> Response:
    body = await run_in_threadpool(cases.design_layers, layer, config.max_heavy_at_once)
    return Response(json.dumps(body), media_type="application/json")
