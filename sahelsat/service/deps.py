"""Dependencies shared by the routes: the database session, the caller and their role,
page parameters, path ids, the settings and the job runner."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Query, Request, Security
from fastapi import Path as PathParam
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from sahelsat.service.auth import Principal, authenticate
from sahelsat.service.errors import ApiError
from sahelsat.service.jobs import JobRunner
from sahelsat.service.settings import Settings

MAX_PAGE = 500
MAX_ID = 2**31 - 1


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    keys = [k for k, _ in pairs]
    if len(set(keys)) < len(keys):
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        raise json.JSONDecodeError(f"key repeated in one object: {', '.join(repeated)}", "", 0)
    return dict(pairs)


class StrictJsonRequest(Request):
    """A request whose JSON body may not repeat a key in an object: parsers differ on
    which of two values they keep, so a repeated key is refused (422), never guessed; a
    body that is not UTF-8 is refused the same way."""

    async def json(self):
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = json.loads(body, object_pairs_hook=_unique_keys)
            except UnicodeDecodeError as exc:
                raise json.JSONDecodeError("not UTF-8 text", "", exc.start) from None
        return self._json


class JsonRoute(APIRoute):
    """The route class of every router: bodies are read by :class:`StrictJsonRequest`."""

    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def strict(request: Request):
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict


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
