"""``/api/floods``: the flood chain's map layers and the latest situation brief."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from sahelsat.service.deps import DB, MAX_ID, JsonRoute, Viewer
from sahelsat.service.usecases import floods as cases

router = APIRouter(prefix="/api/floods", tags=["floods"], route_class=JsonRoute)
JobId = Annotated[int | None, Query(ge=1, le=MAX_ID, description="default: the latest")]


@router.get(
    "/layers",
    summary="Regions touched, water (or the given/exercise extent), affected settlements as "
    "GeoJSON and the table per region, of a flood job or of the exercise extents (viewer)",
)
def layers(
    db: DB,
    _: Viewer,
    job_id: JobId = None,
    exercise: Annotated[bool, Query(description="the shipped exercise extents")] = False,
) -> dict:
    return cases.layers(db, job_id, exercise)


@router.get(
    "/brief",
    response_class=HTMLResponse,
    summary="The HTML situation brief of a brief job, in English or French (viewer)",
)
def brief(
    db: DB, _: Viewer, job_id: JobId = None, lang: Literal["en", "fr"] = "en"
) -> HTMLResponse:
    return HTMLResponse(cases.brief_html(db, job_id, lang))
