"""Error bodies of the API: always ``{"field": ..., "reason": ..., "errors": [...]}``.

``field`` names what was wrong (``body.geometry``, ``query.limit``, ``Authorization``,
``request_id``) or is null when nothing in the request is at fault; ``errors`` lists every
problem found, each as ``{field, reason}``, the first one repeated at the top.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


class ApiError(Exception):
    """An error answered as ``status`` with a ``{field, reason}`` body."""

    def __init__(self, status: int, field: str | None, reason: str, headers=None):
        super().__init__(reason)
        self.status = status
        self.field = field
        self.reason = reason
        self.headers = headers


class CapabilityMissing(ApiError):
    """A capability (passes, coverage...) that this installation does not provide yet."""

    def __init__(self, what: str):
        super().__init__(503, None, f"{what} is not available in this installation")


def error_body(errors: list[tuple[str | None, str]]) -> dict:
    field, reason = errors[0]
    return {
        "field": field,
        "reason": reason,
        "errors": [{"field": f, "reason": r} for f, r in errors],
    }


def error_response(status: int, errors: list[tuple[str | None, str]], headers=None):
    return JSONResponse(error_body(errors), status_code=status, headers=headers)


def _loc(loc) -> str:
    return ".".join(str(part) for part in loc)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error, ours and the framework's, with the same body shape."""

    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError):
        return error_response(exc.status, [(exc.field, exc.reason)], exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError):
        errors = []
        for err in exc.errors():
            message = str(err.get("msg", "invalid value"))
            errors.append((_loc(err.get("loc", ())), message.removeprefix("Value error, ")))
        return error_response(422, errors or [("body", "invalid request")])

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException):
        return error_response(exc.status_code, [(None, str(exc.detail))], exc.headers)
