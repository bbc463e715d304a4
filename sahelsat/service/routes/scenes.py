"""``/api/scenes``: upload a scene (GeoTIFF/COG) for the flood chain, checked before any
work; list them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool

from sahelsat.inputs import Name
from sahelsat.service.deps import DB, MAX_ID, Id, JsonRoute, Limit, Offset, Operator, Viewer
from sahelsat.service.usecases import scenes as cases

router = APIRouter(prefix="/api/scenes", tags=["scenes"], route_class=JsonRoute)


@router.post(
    "",
    status_code=201,
    operation_id="upload_scene",
    summary="Upload a scene: a GeoTIFF/COG with a CRS, 1-4 bands (SAR: VV, VH), within the "
    "service's size limits; optionally the imaging request it answers (operator)",
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}},
)  # fmt: skip
async def upload(
    request: Request,
    who: Operator,
    name: Annotated[Name, Query(max_length=200, description="the scene's file name")],
    request_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="the imaging request it answers")
    ] = None,
) -> dict:
    content = await request.body()
    settings = request.app.state.settings
    facts = await run_in_threadpool(cases.check, content, settings.max_flood_pixels)
    return await run_in_threadpool(
        cases.store, request.app.state.sessions, name, content, facts, request_id, who.token_id
    )


@router.get("", summary="List scenes, newest first (viewer)")
def listing(db: DB, _: Viewer, limit: Limit = 100, offset: Offset = 0) -> dict:
    return cases.listing(db, limit, offset)


@router.get("/{scene_id}", summary="One scene's facts (viewer)")
def get(scene_id: Id, db: DB, _: Viewer) -> dict:
    return cases.out(cases.get(db, scene_id))
