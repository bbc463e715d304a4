"""API tokens and roles: viewer < requester < operator < admin.

A token is 32 random bytes (URL-safe base64) after the prefix ``sst_``; the store keeps
only its SHA-256 (a fast hash suffices for high-entropy random secrets, unlike
passwords) and its first characters so that a person can tell tokens apart. A role grants
everything the roles below it grant:

- viewer: read everything;
- requester: submit and cancel their own imaging requests;
- operator: approve or cancel any request, upload element sets, start and cancel jobs;
- admin: create, list and revoke tokens.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sahelsat.service.db import ApiToken, utcnow

ROLES = ("viewer", "requester", "operator", "admin")
TOKEN_PREFIX = "sst_"


class RoleError(ValueError):
    """An unknown role name."""


def role_rank(role: str) -> int:
    """0 for viewer up to 3 for admin; raises :class:`RoleError` for an unknown role."""
    try:
        return ROLES.index(role)
    except ValueError:
        raise RoleError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}") from None


def hash_token(token: str) -> str:
    """The hex SHA-256 of a token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who made a request: the token's id, name and role."""

    token_id: int
    name: str
    role: str

    def has(self, role: str) -> bool:
        return role_rank(self.role) >= role_rank(role)


def create_token(session: Session, name: str, role: str) -> tuple[ApiToken, str]:
    """Store a new token for ``name`` with ``role``; returns the row and the secret.

    The secret is shown once: only its hash is kept.
    """
    role_rank(role)
    name = name.strip()
    if not name or len(name) > 100:
        raise ValueError("token name must have 1 to 100 characters")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name, role=role, token_hash=hash_token(secret), prefix=secret[:10])
    session.add(row)
    session.flush()
    return row, secret


def authenticate(session: Session, secret: str) -> Principal | None:
    """The principal of a presented token, or None if it is unknown or revoked."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if row is None or row.revoked_at is not None:
        return None
    return Principal(row.id, row.name, row.role)


def revoke_token(session: Session, token_id: int) -> bool:
    """Revoke a token; False if there is no such token."""
    row = session.get(ApiToken, token_id)
    if row is None:
        return False
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return True
