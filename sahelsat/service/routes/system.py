"""``/api/health`` and ``/api/whoami``."""

from __future__ import annotations

from fastapi import APIRouter, Request

from sahelsat import __version__
from sahelsat.service.deps import JsonRoute, Viewer
from sahelsat.service.models import Health, WhoAmI
from sahelsat.service.usecases.fleets import available

router = APIRouter(prefix="/api", tags=["system"], route_class=JsonRoute)


@router.get("/health", summary="Liveness, version and database kind (public)")
def health(request: Request) -> Health:
    return Health(
        status="ok",
        version=__version__,
        database=request.app.state.engine.dialect.name,
        capabilities=available(),
    )


@router.get("/whoami", summary="The caller's token name and role (viewer)")
def whoami(who: Viewer) -> WhoAmI:
    if who is None:
        return WhoAmI(name=None, role=None)
    return WhoAmI(id=who.token_id, name=who.name, role=who.role)
