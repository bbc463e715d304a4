"""Alembic environment of the sahelsat service store.

Migrations run on the connection handed in by :func:`sahelsat.service.db.upgrade`
(``config.attributes["connection"]``), or on ``SAHELSAT_DATABASE_URL`` when run by the
``alembic`` command itself.
"""

from alembic import context

from sahelsat.service.db import Base, database_url, make_engine

target_metadata = Base.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        with make_engine(database_url()).begin() as connection:
            _migrate(connection)
    else:
        _migrate(connection)


def _migrate(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


run()
