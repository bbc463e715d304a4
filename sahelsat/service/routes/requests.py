"""``/api/requests``: imaging requests (submit, list, approve, cancel, opportunities)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from sahelsat import inputs
from sahelsat.inputs import UtcTime
from sahelsat.service.deps import DB, Id, JsonRoute, Limit, Offset, Operator, Requester, Viewer
from sahelsat.service.models import STATUSES, OpportunitiesOut, Page, RequestIn, RequestOut
from sahelsat.service.usecases import requests as cases

router = APIRouter(prefix="/api/requests", tags=["imaging requests"], route_class=JsonRoute)


def _links(*names: str) -> dict:
    ops = {
        "GetRequest": "get_request",
        "ApproveRequest": "approve_request",
        "CancelRequest": "cancel_request",
        "RequestOpportunities": "request_opportunities",
    }
    return {name: {"operationId": ops[name], "parameters": {"request_id": "$response.body#/id"}}
            for name in names}  # fmt: skip


@router.post(
    "",
    status_code=201,
    operation_id="create_request",
    summary="Submit an imaging request (requester)",
    openapi_extra={"responses": {"201": {"links": _links(
        "GetRequest", "ApproveRequest", "CancelRequest", "RequestOpportunities")}}},
)  # fmt: skip
def create(body: RequestIn, db: DB, who: Requester) -> RequestOut:
    return cases.create(db, body, who.token_id)


@router.get("", summary="List imaging requests, newest first, filtered (viewer)")
def listing(
    db: DB,
    _: Viewer,
    status: Annotated[Literal[STATUSES] | None, Query()] = None,  # type: ignore[valid-type]
    start: Annotated[UtcTime | None, Query(description="windows ending after this")] = None,
    stop: Annotated[UtcTime | None, Query(description="windows starting before this")] = None,
    bbox: Annotated[
        str | None,
        Query(max_length=200, description="min_lon,min_lat,max_lon,max_lat: boxes overlapping it"),
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[RequestOut]:
    box = None if bbox is None else inputs.bbox(bbox, ("query", "bbox"))
    return Page(**cases.listing(db, status, start, stop, box, limit, offset))


@router.get("/{request_id}", operation_id="get_request", summary="One imaging request (viewer)")
def get(request_id: Id, db: DB, _: Viewer) -> RequestOut:
    return RequestOut.of(cases.get(db, request_id))


@router.post("/{request_id}/approve", operation_id="approve_request",
             summary="Approve a submitted request (operator)")  # fmt: skip
def approve(request_id: Id, db: DB, _: Operator) -> RequestOut:
    return cases.approve(db, request_id)


@router.post("/{request_id}/cancel", operation_id="cancel_request",
             summary="Cancel a request (requester: their own; operator: any)")  # fmt: skip
def cancel(request_id: Id, db: DB, who: Requester) -> RequestOut:
    return cases.cancel(db, request_id, who)


@router.get(
    "/{request_id}/opportunities",
    operation_id="request_opportunities",
    summary="Next imaging opportunities of the request's area in its window, soonest first "
    "(viewer)",
)
def opportunities(
    request_id: Id,
    db: DB,
    _: Viewer,
    fleet: Annotated[str, Query(min_length=1, max_length=200)] = "resource",
    min_elevation: Annotated[
        float, Query(ge=0, lt=90, description="only without the tasking capability")
    ] = 30.0,
    limit: Limit = 20,
) -> OpportunitiesOut:
    return OpportunitiesOut(**cases.opportunities(db, request_id, fleet, min_elevation, limit))
