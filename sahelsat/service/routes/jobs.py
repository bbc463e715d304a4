"""``/api/jobs``: long work (pass schedules, coverage runs) started, followed and cancelled."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlalchemy import func, select

from sahelsat.inputs import InputError
from sahelsat.service.db import Job, Product
from sahelsat.service.deps import DB, Id, JsonRoute, Limit, Offset, Operator, Runner, Viewer
from sahelsat.service.jobs import JOB_KINDS
from sahelsat.service.models import JOB_STATUSES, JobIn, JobKindOut, JobOut, Page
from sahelsat.service.usecases import NotFound

router = APIRouter(prefix="/api/jobs", tags=["jobs"], route_class=JsonRoute)

LINKS = {"202": {"links": {
    "GetJob": {"operationId": "get_job", "parameters": {"job_id": "$response.body#/id"}},
    "CancelJob": {"operationId": "cancel_job", "parameters": {"job_id": "$response.body#/id"}},
}}}  # fmt: skip


def _out(db, row: Job) -> JobOut:
    ids = db.scalars(select(Product.id).where(Product.job_id == row.id)).all()
    return JobOut.of(row, ids)


def _get(db, job_id: int) -> Job:
    row = db.get(Job, job_id)
    if row is None:
        raise NotFound("job_id", f"no job {job_id}")
    return row


@router.get("/kinds", summary="The job kinds this server runs and their parameters (viewer)")
def kinds(_: Viewer) -> list[JobKindOut]:
    return [
        JobKindOut(kind=k.name, description=k.description,
                   params_schema=None if k.params is None else k.params.model_json_schema())
        for k in JOB_KINDS.values()
    ]  # fmt: skip


@router.post("", status_code=202, operation_id="start_job", openapi_extra={"responses": LINKS},
             summary="Start a job, e.g. a pass schedule (operator); parameters, estimated work "
             "and the number of queued jobs are checked first (422, 429)")  # fmt: skip
def start(body: JobIn, db: DB, runner: Runner, who: Operator) -> JobOut:
    try:
        job_id = runner.submit(body.kind, body.params, who.token_id)
    except InputError as exc:
        raise exc.within("body") from None
    return _out(db, db.get(Job, job_id))


@router.get("", summary="List jobs, newest first (viewer)")
def listing(
    db: DB,
    _: Viewer,
    status: Annotated[Literal[JOB_STATUSES] | None, Query()] = None,  # type: ignore[valid-type]
    kind: Annotated[str | None, Query(max_length=40)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[JobOut]:
    query = select(Job)
    if status is not None:
        query = query.where(Job.status == status)
    if kind is not None:
        if kind not in JOB_KINDS:  # as an unknown status: refused, not an empty page
            raise InputError.at(("query", "kind"), f"unknown job kind; known: {sorted(JOB_KINDS)}")
        query = query.where(Job.kind == kind)
    total = db.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.scalars(query.order_by(Job.id.desc()).limit(limit).offset(offset)).all()
    return Page(items=[_out(db, r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/{job_id}", operation_id="get_job", summary="A job's state and progress (viewer)")
def get(job_id: Id, db: DB, _: Viewer) -> JobOut:
    return _out(db, _get(db, job_id))


@router.post("/{job_id}/cancel", operation_id="cancel_job",
             summary="Cancel a queued or running job (operator)")  # fmt: skip
def cancel(job_id: Id, db: DB, runner: Runner, _: Operator) -> JobOut:
    if runner.cancel(job_id) is None:
        raise NotFound("job_id", f"no job {job_id}")
    db.expire_all()
    return _out(db, _get(db, job_id))
