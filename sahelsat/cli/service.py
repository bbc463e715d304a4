"""Service commands: ``serve`` (API + web map) and ``token create|list|revoke``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

ROLE_HELP = (
    "viewer (read), requester (submit imaging requests), operator (approve, plan, upload "
    "element sets, run jobs) or admin (tokens)."
)


def _store(database_url: str | None, data_dir: Path | None):
    from sahelsat.service.db import open_store

    return open_store(database_url, data_dir)


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on (0.0.0.0: every one)."),
    port: int = typer.Option(8000, min=1, max=65535, help="TCP port."),
    data_dir: Path = typer.Option(
        None,
        "--data-dir",
        help="Folder of the SQLite store (default $SAHELSAT_DATA_DIR or ~/.local/share/sahelsat).",
    ),
    database_url: str = typer.Option(
        None,
        "--database-url",
        envvar="SAHELSAT_DATABASE_URL",
        help="postgresql://user:pass@host/db to use PostgreSQL instead of SQLite.",
    ),
    cors_origin: list[str] = typer.Option(
        None, "--cors-origin", help="Browser origin allowed to call the API (repeatable; none)."
    ),
    public_read: bool = typer.Option(
        None, "--public-read", help="Let callers without a token read (closed networks only)."
    ),
    workers: int = typer.Option(None, min=1, max=16, help="Threads that run jobs (2)."),
    default_scenario: bool = typer.Option(
        None,
        "--default-scenario/--no-default-scenario",
        help="On the first start of an empty store, load the built-in Sahel scenario's "
        "imaging fleet and requests (default: yes).",
    ),
) -> None:
    """Start the operations service: REST API under /api, web map at /, OpenAPI description
    at /openapi.json, the documentation site at /docs (once `make docs` has built it).

    Works offline. Create a token first (`sahelsat token create NAME --role admin`) and
    paste it in the map's token box. The store is migrated to the current schema on start.
    Options not given come from the environment (SAHELSAT_*, see
    sahelsat.service.settings.Settings).
    """
    import uvicorn

    from sahelsat.service.api import create_app

    app = create_app(
        database_url, data_dir, tuple(cors_origin) if cors_origin else None, public_read,
        workers, default_scenario,
    )  # fmt: skip
    Console(stderr=True).print(
        f"sahelsat service on http://{host}:{port}/ (store: {app.state.engine.url!r})"
    )
    uvicorn.run(app, host=host, port=port, log_level=app.state.settings.log)


token_app = typer.Typer(help="API tokens: create, list and revoke (stored hashed).")


@token_app.command("create")
def token_create(
    name: str = typer.Argument(..., help="Who or what the token is for, e.g. 'bamako-ops'."),
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    data_dir: Path = typer.Option(None, "--data-dir", help="Folder of the SQLite store."),
    database_url: str = typer.Option(None, "--database-url", envvar="SAHELSAT_DATABASE_URL"),
) -> None:
    """Create a token and print its secret once (only its hash is kept)."""
    from sahelsat.service.auth import RoleError, create_token

    _, sessions = _store(database_url, data_dir)
    with sessions() as session:
        try:
            row, secret = create_token(session, name, role)
        except (RoleError, ValueError) as exc:
            Console(stderr=True).print(f"[red]error:[/red] --role/name: {exc}")
            raise typer.Exit(2) from None
        session.commit()
        Console(stderr=True).print(f"token {row.id} for {row.name!r}, role {row.role}:")
    print(secret)


@token_app.command("list")
def token_list(
    data_dir: Path = typer.Option(None, "--data-dir", help="Folder of the SQLite store."),
    database_url: str = typer.Option(None, "--database-url", envvar="SAHELSAT_DATABASE_URL"),
) -> None:
    """List tokens (id, name, role, prefix, revoked), never their secrets."""
    from sqlalchemy import select

    from sahelsat.service.db import ApiToken

    _, sessions = _store(database_url, data_dir)
    table = Table("id", "name", "role", "prefix", "created", "revoked")
    with sessions() as session:
        for r in session.scalars(select(ApiToken).order_by(ApiToken.id)):
            table.add_row(
                str(r.id),
                r.name,
                r.role,
                r.prefix + "…",
                f"{r.created_at:%Y-%m-%d}",
                "" if r.revoked_at is None else f"{r.revoked_at:%Y-%m-%d}",
            )
    Console().print(table)


@token_app.command("revoke")
def token_revoke(
    token_id: int = typer.Argument(..., help="The token's id (see `sahelsat token list`)."),
    data_dir: Path = typer.Option(None, "--data-dir", help="Folder of the SQLite store."),
    database_url: str = typer.Option(None, "--database-url", envvar="SAHELSAT_DATABASE_URL"),
) -> None:
    """Revoke a token: requests bearing it are refused from now on."""
    from sahelsat.service.auth import revoke_token

    _, sessions = _store(database_url, data_dir)
    with sessions() as session:
        if not revoke_token(session, token_id):
            Console(stderr=True).print(f"[red]error:[/red] token_id: no token {token_id}")
            raise typer.Exit(1)
        session.commit()
    Console(stderr=True).print(f"token {token_id} revoked")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.add_typer(token_app, name="token")
