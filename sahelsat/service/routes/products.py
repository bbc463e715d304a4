"""``/api/products``: list, upload and download product files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from sahelsat.inputs import Name
from sahelsat.service.deps import DB, MAX_ID, Id, JsonRoute, Limit, Offset, Operator, Viewer
from sahelsat.service.models import Page, ProductOut
from sahelsat.service.usecases import products as cases

router = APIRouter(prefix="/api/products", tags=["products"], route_class=JsonRoute)


@router.get("", summary="List products, newest first (viewer)")
def listing(
    db: DB,
    _: Viewer,
    job_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[ProductOut]:
    return Page(**cases.listing(db, job_id, limit, offset))


@router.post(
    "",
    status_code=201,
    operation_id="upload_product",
    summary="Upload a product file, at most 32 MiB: GeoJSON, GeoTIFF, PNG, CSV, NetCDF (operator)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        },
        "responses": {"201": {"links": {"DownloadProduct": {
            "operationId": "download_product",
            "parameters": {"product_id": "$response.body#/id"}}}}},
    },
)  # fmt: skip
async def upload(
    request: Request,
    _: Operator,
    name: Annotated[
        Name, Query(max_length=200, description="file name; its extension gives the type")
    ],
) -> ProductOut:
    content = await request.body()
    media_type = await run_in_threadpool(cases.check, name, content)
    return await run_in_threadpool(
        cases.store, request.app.state.sessions, name, media_type, content
    )


@router.get(
    "/{product_id}/download",
    operation_id="download_product",
    response_class=Response,
    responses={200: {"description": "the file", "content": {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}},
    summary="Download a product's file (viewer)",
)  # fmt: skip
def download(product_id: Id, db: DB, _: Viewer) -> Response:
    row = cases.get(db, product_id)
    return Response(
        row.content,
        media_type=row.media_type,
        headers={"Content-Disposition": cases.content_disposition(row.name)},
    )
