"""Error answers of the API, all made here: the body is always ``{field, reason, errors}``.

``field`` names what was wrong (``body.geometry``, ``query.limit``, ``Authorization``,
``request_id``) or is null when nothing in the request is at fault; ``errors`` lists every
problem found, each as ``{field, reason}``, the first one repeated at the top. Bad input
(:class:`~sahelsat.inputs.InputError`, FastAPI's own validation) is 422 with the same
reasons the command line gives; the use cases' refusals map to 404, 409, 403, 429, 503.
A fault of the store (see :func:`sahelsat.service.db.store_fault`) is answered 503
(``Retry-After`` when it is only unavailable for now), or 507 when its disk is full.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from sahelsat.inputs import InputError, problem_of
from sahelsat.service.cache import Busy
from sahelsat.service.db import store_fault
from sahelsat.service.usecases import (
    CapabilityMissing,
    Conflict,
    Forbidden,
    NotFound,
    Overloaded,
    UseCaseError,
)

__all__ = ["ApiError", "CapabilityMissing", "error_body", "error_response",
           "install_error_handlers"]  # fmt: skip

STATUS = {NotFound: 404, Conflict: 409, Forbidden: 403, Overloaded: 429, CapabilityMissing: 503}

log = logging.getLogger(__name__)

#: Seconds a client is asked to wait before trying again after a 503 of the store.
RETRY_AFTER_S = 5


class ApiError(Exception):
    """An error answered as ``status`` with a ``{field, reason}`` body (authentication)."""

    def __init__(self, status: int, field: str | None, reason: str, headers=None):
        super().__init__(reason)
        self.status = status
        self.field = field
        self.reason = reason
        self.headers = headers


def error_body(errors: list[tuple[str | None, str]]) -> dict:
    field, reason = errors[0]
    return {
        "field": field,
        "reason": reason,
        "errors": [{"field": f, "reason": r} for f, r in errors],
    }


def error_response(status: int, errors: list[tuple[str | None, str]], headers=None):
    return JSONResponse(error_body(errors), status_code=status, headers=headers)


def dotted(loc) -> str:
    """An HTTP field path: ``body.geometry.coordinates.0``."""
    return ".".join(str(part) for part in loc)


def input_errors(exc: InputError) -> list[tuple[str, str]]:
    return [(dotted(p.loc) or "body", p.reason) for p in exc.problems]


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error, ours and the framework's, with the same body shape."""

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError):
        return error_response(exc.status, [(exc.field, exc.reason)], exc.headers)

    @app.exception_handler(InputError)
    async def _input(_request: Request, exc: InputError):
        return error_response(422, input_errors(exc))

    @app.exception_handler(UseCaseError)
    async def _use_case(_request: Request, exc: UseCaseError):
        status = next((s for t, s in STATUS.items() if isinstance(exc, t)), 400)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Overloaded) else None
        return error_response(status, [(exc.field, exc.reason)], headers)

    @app.exception_handler(Busy)
    async def _busy(_request: Request, exc: Busy):
        reason = f"the server is computing other results ({exc}); ask again in a few seconds"
        return error_response(429, [(None, reason)], {"Retry-After": "5"})

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError):
        errors = []
        for err in exc.errors():
            loc, reason = problem_of(err)
            errors.append((dotted(loc), reason))
        return error_response(422, errors or [("body", "invalid request")])

    @app.exception_handler(RecursionError)
    async def _deep(_request: Request, _exc: RecursionError):
        return error_response(422, [("body", "nested too deeply")])

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException):
        return error_response(exc.status_code, [(None, str(exc.detail))], exc.headers)

    @app.exception_handler(DBAPIError)
    @app.exception_handler(PoolTimeout)
    async def _store(_request: Request, exc: Exception):
        fault = store_fault(exc)
        if fault is None:
            raise exc  # a fault of the code: a 500, logged with its traceback
        log.warning("store %s: %s", fault, str(exc).splitlines()[0])
        if fault == "full":
            reason = "the store is out of disk space; the request was not completed"
            return error_response(507, [(None, reason)])
        if fault == "failed":
            reason = "the store failed to read or write; the request was not completed"
            return error_response(503, [(None, reason)])
        reason = "the database is unavailable; the request was not completed, try again shortly"
        return error_response(503, [(None, reason)], {"Retry-After": str(RETRY_AFTER_S)})
