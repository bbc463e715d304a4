"""``/api/tokens``: create, list and revoke API tokens (admin)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import func, select

from sahelsat.service.auth import create_token, revoke_token
from sahelsat.service.db import ApiToken
from sahelsat.service.deps import DB, Admin, Id, JsonRoute, Limit, Offset
from sahelsat.service.models import Page, Revoked, TokenIn, TokenOut, iso_utc
from sahelsat.service.usecases import NotFound

router = APIRouter(prefix="/api/tokens", tags=["tokens"], route_class=JsonRoute)

REVOKE = {"operationId": "revoke_token", "parameters": {"token_id": "$response.body#/id"}}
LINKS = {"201": {"links": {"RevokeToken": REVOKE}}}


def _out(row: ApiToken, secret: str | None = None) -> TokenOut:
    return TokenOut(
        id=row.id,
        name=row.name,
        role=row.role,
        prefix=row.prefix,
        created_at=iso_utc(row.created_at),
        revoked_at=iso_utc(row.revoked_at),
        token=secret,
    )


@router.post("", status_code=201, operation_id="create_token", openapi_extra={"responses": LINKS},
             summary="Create a token (admin); the secret is shown once")  # fmt: skip
def create(body: TokenIn, db: DB, _: Admin) -> TokenOut:
    row, secret = create_token(db, body.name, body.role)
    db.commit()
    return _out(row, secret)


@router.get("", summary="List tokens, without their secrets (admin)")
def listing(db: DB, _: Admin, limit: Limit = 100, offset: Offset = 0) -> Page[TokenOut]:
    total = db.scalar(select(func.count()).select_from(ApiToken))
    rows = db.scalars(select(ApiToken).order_by(ApiToken.id).limit(limit).offset(offset))
    return Page(items=[_out(r) for r in rows], total=total, limit=limit, offset=offset)


@router.delete("/{token_id}", operation_id="revoke_token", summary="Revoke a token (admin)")
def revoke(token_id: Id, db: DB, _: Admin) -> Revoked:
    if not revoke_token(db, token_id):
        raise NotFound("token_id", f"no token {token_id}")
    db.commit()
    return Revoked(id=token_id, revoked=True)
