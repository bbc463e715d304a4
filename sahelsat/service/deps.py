"""Dependencies shared by the routes: the database session, the caller and their role,
page parameters, path ids, the settings and the job runner."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Query, Request, Security
from fastapi import Path as PathParam
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from sahelsat.service.auth import Principal, authenticate
from sahelsat.service.errors import ApiError
from sahelsat.service.jobs import JobRunner
from sahelsat.service.settings import Settings

MAX_PAGE = 500
MAX_ID = 2**31 - 1

bearer = HTTPBearer(auto_error=False, description="an API token: `sahelsat token create`")


def session(request: Request) -> Iterator[Session]:
    with request.app.state.sessions() as s:
        yield s


def settings(request: Request) -> Settings:
    return request.app.state.settings


def runner(request: Request) -> JobRunner:
    return request.app.state.runner


def require(role: str):
    """A dependency: the caller's :class:`Principal`, with at least ``role`` (401/403)."""

    def dependency(
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Security(bearer),
    ) -> Principal | None:
        if credentials is None:
            if role == "viewer" and request.app.state.settings.public_read:
                return None
            raise ApiError(
                401,
                "Authorization",
                "a bearer token is required; create one with `sahelsat token create`",
                {"WWW-Authenticate": "Bearer"},
            )
        with request.app.state.sessions() as s:
            principal = authenticate(s, credentials.credentials)
        if principal is None:
            raise ApiError(
                401, "Authorization", "unknown or revoked token", {"WWW-Authenticate": "Bearer"}
            )
        if not principal.has(role):
            raise ApiError(
                403, "Authorization", f"role {principal.role!r} may not do this; needs {role!r}"
            )
        return principal

    return dependency


DB = Annotated[Session, Depends(session)]
Config = Annotated[Settings, Depends(settings)]
Runner = Annotated[JobRunner, Depends(runner)]
Viewer = Annotated[Principal | None, Depends(require("viewer"))]
Requester = Annotated[Principal, Depends(require("requester"))]
Operator = Annotated[Principal, Depends(require("operator"))]
Admin = Annotated[Principal, Depends(require("admin"))]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="page size")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="items to skip")]
Id = Annotated[int, PathParam(ge=1, le=MAX_ID)]
