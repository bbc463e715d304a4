"""The service's settings: every environment variable it reads, in one object.

Each field is read from ``SAHELSAT_<NAME>`` (e.g. ``SAHELSAT_DATABASE_URL``); arguments
given to :func:`sahelsat.service.api.create_app` or to ``sahelsat serve`` take precedence.
The limits bound the work one caller can queue (see :mod:`sahelsat.service.jobs`).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from sahelsat.refresh.catalogues import SHIPPED_QUERIES

DEFAULT_DATA_DIR = Path("~/.local/share/sahelsat").expanduser()


class Settings(BaseSettings):
    """Configuration of one service process (environment variables ``SAHELSAT_*``)."""

    model_config = SettingsConfigDict(env_prefix="SAHELSAT_", extra="ignore", frozen=True)

    database_url: str | None = Field(
        None,
        description="postgresql://user:pass@host/db, or sqlite:///path; default: SQLite "
        "in data_dir",
    )
    data_dir: Path | None = Field(
        None, description=f"folder of the SQLite store ({DEFAULT_DATA_DIR})"
    )
    default_scenario: bool = Field(
        True, description="load the built-in scenario into an empty store on start"
    )
    log: str = Field("info", description="log level of `sahelsat serve`")
    docs_dir: Path | None = Field(
        None,
        description="built documentation site served at /docs (default: docs/_build/html "
        "of the source checkout, when `make docs` has built it)",
    )
    public_read: bool = Field(False, description="let callers without a token read")
    cors_origins: tuple[str, ...] = Field((), description="browser origins allowed to call")
    workers: int = Field(2, ge=1, le=64, description="threads that run jobs")
    # security (see sahelsat.service.security)
    trusted_hosts: str = Field(
        "*", description="host names served, comma-separated (*.example.org: its sub-domains)"
    )
    csp_extra: str | None = Field(
        None,
        description="sources added to the Content-Security-Policy, e.g. "
        "'img-src https://tiles.example.org'",
    )
    # job admission
    max_jobs: int = Field(
        20, ge=1, le=10_000, description="queued and running jobs at once, all callers"
    )
    max_jobs_per_token: int = Field(
        4, ge=1, le=10_000, description="queued and running jobs at once, per token"
    )
    max_pass_work: float = Field(
        500_000, gt=0, description="satellites x sites x days one passes job may ask for"
    )
    max_coverage_work: float = Field(
        2e12, gt=0, description="satellites x cells x time steps one coverage job may ask for"
    )
    # scenes and the flood chain (see sahelsat.service.usecases.floods)
    max_scene_bytes: int = Field(
        64 * 1024 * 1024, ge=1024, le=4 * 1024**3,
        description="largest scene (GeoTIFF/COG) one upload may send, bytes",
    )  # fmt: skip
    max_flood_pixels: float = Field(
        64e6, gt=0, description="pixels (width x height) of the scene one flood job may map"
    )
    max_brief_work: float = Field(
        5e6, gt=0, description="area (km2) x days ahead one brief job may search"
    )
    # bounded in-memory work any viewer can start
    max_heavy_at_once: int = Field(
        2, ge=1, le=64, description="uncached settlement-service plans computed at once"
    )
    # keeping element sets current (see sahelsat.service.usecases.refresh)
    refresh_interval_h: float | None = Field(
        None,
        ge=0,
        le=24 * 366,
        description="hours between scheduled `refresh` jobs; None or 0: never (the default: "
        "a closed network has no source to ask). CelesTrak's GP data changes at most every "
        "2 h and a group asked again sooner is skipped, so 2 h or more is sensible",
    )
    refresh_fleets: tuple[str, ...] = Field(
        tuple(SHIPPED_QUERIES),
        description="fleets a scheduled refresh updates (default: the shipped catalogues the "
        "service names, each asked as its CelesTrak groups: sahelsat.refresh.catalogues."
        "SHIPPED_QUERIES)",
    )
    celestrak_url: str | None = Field(
        None,
        description="base URL of CelesTrak's GP service or of a mirror (default "
        "https://celestrak.org, sahelsat.refresh.defaults); the same variable the "
        "`sahelsat update elements` command reads",
    )

    # heavy jobs on a Dask cluster (see sahelsat.cluster)
    dask_scheduler: str | None = Field(
        None,
        description="address of a Dask scheduler (tcp://host:port or tls://host:port) whose "
        "workers run the coverage, passes and flood jobs; None: they run in the service",
    )
    dask_timeout_s: float = Field(
        10.0, gt=0, le=600, description="seconds to reach the Dask scheduler and a worker "
        "before a job fails with that reason",
    )  # fmt: skip

    @field_validator("dask_scheduler")
    @classmethod
    def _scheduler(cls, value: str | None) -> str | None:
        from sahelsat.cluster import check_address

        return check_address(value) if value and value.strip() else None

    @field_validator("refresh_fleets")
    @classmethod
    def _fleet_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from sahelsat.inputs import fleet_name

        return tuple(fleet_name(v) for v in value)

    def store_url(self) -> str:
        """The database URL: ``database_url``, else a SQLite file in ``data_dir`` (created)."""
        if self.database_url:
            return self.database_url
        from sahelsat.userdata import data_dir

        folder = data_dir(self.data_dir)
        folder.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{folder / 'sahelsat.db'}"
