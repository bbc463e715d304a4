"""The service's durable store: SQLAlchemy models, the engine and schema migrations.

SQLite in a data directory is the embedded default (write-ahead log, ``synchronous=FULL``:
a transaction that committed survives a killed process and a power cut); PostgreSQL is
used when ``SAHELSAT_DATABASE_URL`` (or the ``url`` argument) names one. The schema is
created and upgraded by Alembic (``sahelsat/service/migrations``), never by
``create_all``, so a database made by an older version is upgraded in place.

:func:`store_fault` tells a fault of the store itself (server down or restarting,
connection lost, disk full, SQLite busy) from a fault of the request or the code; the
service answers the first kind with a 503 (507 for a full disk) and its job runner waits
for the store to come back. PostgreSQL connections are checked before use (pre-ping), so
the service reconnects by itself once the server is back.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    Boolean,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    create_engine,
    event,
)
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
#: Seconds to wait for a PostgreSQL connection (then the request is answered 503).
CONNECT_TIMEOUT_S = 5
#: Seconds a request waits for a free pooled connection before a 503.
POOL_TIMEOUT_S = 10
from sahelsat.service.settings import DEFAULT_DATA_DIR  # noqa: E402,F401  (its old home)


def utcnow() -> datetime:
    """The current UTC time, timezone-naive (the store keeps naive UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class ApiToken(Base):
    """An API token: only its SHA-256 is stored; ``prefix`` lets a person recognise it."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class ImagingRequest(Base):
    """An imaging request: an area (GeoJSON polygon, lon/lat) and a time window (UTC)."""

    __tablename__ = "imaging_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    geometry: Mapped[str] = mapped_column(Text)
    min_lon: Mapped[float] = mapped_column(Float, index=True)
    min_lat: Mapped[float] = mapped_column(Float, index=True)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    area_km2: Mapped[float] = mapped_column(Float)
    start: Mapped[datetime] = mapped_column(DateTime, index=True)
    stop: Mapped[datetime] = mapped_column(DateTime, index=True)
    priority: Mapped[float] = mapped_column(Float)
    sensor: Mapped[str] = mapped_column(String(8), server_default="any")
    max_off_nadir_deg: Mapped[float] = mapped_column(Float, server_default="30")
    min_sun_elevation_deg: Mapped[float | None] = mapped_column(Float, nullable=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Job(Base):
    """An asynchronous job (coverage run, pass schedule, ...): its state and progress."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    params: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str | None] = mapped_column(Text, nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Product(Base):
    """A downloadable product (GeoJSON, CSV, GeoTIFF, PNG...), usually made by a job."""

    __tablename__ = "products"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Scene(Base):
    """An uploaded image (GeoTIFF/COG) checked on arrival: its CRS, size, bands and
    lon/lat bounds; optionally the imaging request it answers."""

    __tablename__ = "scenes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    crs: Mapped[str] = mapped_column(String(200))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    bands: Mapped[int] = mapped_column(Integer)
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("imaging_requests.id"), nullable=True, index=True
    )
    created_by: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ElementSet(Base):
    """An uploaded element-set file (TLE or OMM text) and how many satellites it holds;
    ``fleet`` and ``version``: the fleet it was added to and the version it became there
    (in the element store, :class:`sahelsat.userdata.ElementStore`), when it was."""

    __tablename__ = "element_sets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    n_satellites: Mapped[int] = mapped_column(Integer)
    fleet: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class StoreMeta(Base):
    """A fact about the store itself, by key (e.g. that the default scenario was loaded)."""

    __tablename__ = "store_meta"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


def database_url(data_dir: str | os.PathLike | None = None) -> str:
    """The database URL: ``SAHELSAT_DATABASE_URL`` if set, else a SQLite file in ``data_dir``.

    ``data_dir`` defaults to ``SAHELSAT_DATA_DIR`` or ``~/.local/share/sahelsat``; it is
    created if missing. The environment is read by the service's one settings object.
    """
    from sahelsat.service.settings import Settings

    settings = Settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": Path(data_dir)})
    return settings.store_url()


def _set_sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (``sqlite:///...`` or ``postgresql://...``).

    SQLite connections get WAL journaling, full synchronisation, foreign keys and a 30 s
    busy timeout; ``postgresql://`` URLs without a driver use psycopg 3.
    """
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=20
        )
        event.listen(engine, "connect", _set_sqlite_pragmas)
        return engine
    return create_engine(
        url,
        pool_size=20,
        max_overflow=20,
        pool_timeout=POOL_TIMEOUT_S,
        pool_pre_ping=True,  # a connection the server dropped is replaced, not used
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT_S,
            "keepalives": 1,  # a server that vanished is noticed in about 30 s
            "keepalives_idle": 15,
            "keepalives_interval": 5,
            "keepalives_count": 3,
        },
    )


#: SQLite primary result codes that are faults of the store, and which kind.
_SQLITE_FAULTS = {
    sqlite3.SQLITE_BUSY: "unavailable",
    sqlite3.SQLITE_LOCKED: "unavailable",
    sqlite3.SQLITE_PROTOCOL: "unavailable",
    sqlite3.SQLITE_NOMEM: "failed",
    sqlite3.SQLITE_READONLY: "failed",
    sqlite3.SQLITE_IOERR: "failed",
    sqlite3.SQLITE_CANTOPEN: "failed",
    sqlite3.SQLITE_FULL: "full",
}
#: PostgreSQL SQLSTATE classes that are faults of the server: connection exception,
#: operator intervention (shutting down, cannot connect now), insufficient resources.
_PG_FAULTS = {"08": "unavailable", "57": "unavailable", "53": "failed", "58": "failed"}


def store_fault(exc: BaseException) -> str | None:
    """What ``exc`` says of the store itself, or None when it is a fault of the request or
    of the code: ``"unavailable"`` (cannot be reached or used now: server down or
    restarting, connection lost, all connections busy, SQLite locked), ``"full"`` (no
    disk space) or ``"failed"`` (it could not write or read: I/O error, out of memory)."""
    if isinstance(exc, PoolTimeout):
        return "unavailable"
    if not isinstance(exc, DBAPIError):
        return None
    orig = exc.orig
    if isinstance(orig, sqlite3.Error):
        return _SQLITE_FAULTS.get(getattr(orig, "sqlite_errorcode", 0) & 0xFF)
    state = getattr(orig, "sqlstate", None)
    if state == "53100":
        return "full"
    if state == "53300":  # too many connections
        return "unavailable"
    if state and state[:2] in _PG_FAULTS:
        return _PG_FAULTS[state[:2]]
    if exc.connection_invalidated:
        return "unavailable"
    # the driver's own errors (no SQLSTATE): connection refused, lost or closed
    client_side = isinstance(exc, OperationalError | InterfaceError) and state is None
    return "unavailable" if client_side else None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema of ``engine``'s database to ``revision`` with Alembic."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def open_store(url: str | None = None, data_dir=None) -> tuple[Engine, sessionmaker]:
    """Open (and migrate) the store: returns the engine and a session factory."""
    engine = make_engine(url or database_url(data_dir))
    upgrade(engine)
    return engine, sessionmaker(engine, expire_on_commit=False)
