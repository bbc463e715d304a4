"""The operations service's application: :func:`create_app` puts the routes
(:mod:`sahelsat.service.routes`, one module per resource) over the store, the jobs and the
settings; ``sahelsat serve`` runs it with uvicorn.

Reads need a viewer token (unless ``public_read``), writes the role named in each route's
description; the base map data and the web front end are public. Errors always have the
body ``{field, reason, errors}`` (see :mod:`sahelsat.service.errors`). CORS is closed
unless origins are given. Request bodies are limited in size before any work
(:class:`BodyLimit`).
"""

from __future__ import annotations

import json
import logging
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from sahelsat import __version__
from sahelsat.scenario import brief
from sahelsat.service.db import open_store
from sahelsat.service.docs_site import mount_docs
from sahelsat.service.errors import error_body, install_error_handlers
from sahelsat.service.jobs import JobRunner
from sahelsat.service.routes import ROUTERS
from sahelsat.service.security import SecurityHeaders, content_security_policy, host_list
from sahelsat.service.settings import Settings
from sahelsat.service.usecases.jobs import register_jobs

WEB = Path(__file__).parent / "web"

#: Largest request body in bytes, by path prefix (the first match wins).
BODY_LIMITS = (
    ("/api/element-sets", 4 * 1024 * 1024),
    ("/api/products", 32 * 1024 * 1024),
    ("/", 256 * 1024),
)


class BodyLimit:
    """ASGI middleware: answer 413 to a body larger than its path's limit, before any work.

    The declared ``Content-Length`` is checked first; a body without one (chunked) is read
    up to the limit and refused as soon as it goes past it.
    """

    def __init__(self, app, limits=BODY_LIMITS):
        self.app = app
        self.limits = limits

    def _limit(self, path: str) -> int:
        return next(limit for prefix, limit in self.limits if path.startswith(prefix))

    async def _refuse(self, send, limit: int) -> None:
        body = json.dumps(error_body([("body", f"request body exceeds {limit} bytes")])).encode()
        headers = [(b"content-type", b"application/json"), (b"connection", b"close")]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        limit = self._limit(scope["path"])
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = limit + 1
            if declared > limit:
                return await self._refuse(send, limit)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit:
                return await self._refuse(send, limit)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)


# ---------------------------------------------------------------- application


def create_app(
    database_url: str | None = None,
    data_dir=None,
    cors_origins: tuple[str, ...] | None = None,
    public_read: bool | None = None,
    workers: int | None = None,
    default_scenario: bool | None = None,
    trusted_hosts: tuple[str, ...] | None = None,
    settings: Settings | None = None,
) -> FastAPI:
    """The service application on the store at ``database_url``.

    Configuration comes from ``settings`` (default: :class:`Settings` read from the
    ``SAHELSAT_*`` environment); each argument given here takes precedence.
    ``cors_origins``: browser origins allowed to call the API from elsewhere (none by
    default). ``public_read``: let anonymous callers read (a kiosk on a closed network).
    ``workers``: threads running jobs. ``default_scenario``: load the built-in scenario
    into an empty store (its imaging fleet and requests; see :mod:`.seed`).
    ``trusted_hosts``: the host names it answers (default: ``settings.trusted_hosts``);
    every answer carries the security headers of :mod:`.security`.
    """
    given = {"database_url": database_url, "data_dir": data_dir, "cors_origins": cors_origins,
             "public_read": public_read, "workers": workers,
             "default_scenario": default_scenario}  # fmt: skip
    settings = (settings or Settings()).model_copy(
        update={k: v for k, v in given.items() if v is not None}
    )
    engine, sessions = open_store(settings.store_url())
    if settings.default_scenario:
        from sahelsat.service.seed import seed_default_scenario

        try:
            seed_default_scenario(sessions)
        except Exception:  # the service still starts; the operator sees why in the log
            logging.getLogger(__name__).exception("could not load the default scenario")
    runner = JobRunner(sessions, workers=settings.workers, settings=settings)
    register_jobs()

    schedule = None
    if settings.refresh_interval_h:
        from sahelsat.service.usecases.refresh import RefreshSchedule

        schedule = RefreshSchedule(runner, settings.refresh_interval_h)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        runner.recover()
        if schedule is not None:
            schedule.start()
        yield
        if schedule is not None:
            schedule.stop()
        runner.shutdown()
        if settings.dask_scheduler:
            from sahelsat import cluster

            cluster.close_all()  # the kept clients of the cluster's jobs

    app = FastAPI(
        title="sahelsat operations service",
        version=__version__,
        description=(
            "Fleets, passes, imaging requests, jobs and products of the Sahel regional "
            "satellite system. Send `Authorization: Bearer <token>`; roles are viewer < "
            "requester < operator < admin. Times are ISO-8601 UTC, angles degrees."
        ),
        lifespan=lifespan,
        docs_url=None,  # FastAPI's docs pages load their scripts from a CDN: not offline
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.runner = runner
    app.state.refresh_schedule = schedule
    app.state.settings = settings
    app.state.public_read = settings.public_read
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    scenes = ("/api/scenes", settings.max_scene_bytes)  # the one size-limited upload setting
    app.add_middleware(BodyLimit, limits=(scenes, *BODY_LIMITS))
    csp = content_security_policy(settings.csp_extra, styles=(brief.STYLE,))
    hosts = trusted_hosts or host_list(settings.trusted_hosts)
    app.add_middleware(SecurityHeaders, trusted_hosts=hosts, csp=csp)  # the outermost
    app.mount("/static", StaticFiles(directory=WEB), name="static")
    mount_docs(app, settings)  # the site of `make docs` at /docs

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(WEB / "index.html")

    return app
