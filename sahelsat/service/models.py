"""Bodies of the API: what comes in (parsed into the typed inputs of :mod:`sahelsat.inputs`)
and what goes out (every JSON answer has a schema; lists are :class:`Page` s).

Limits that protect the service from work it cannot afford: a request's area at most
``MAX_AREA_KM2`` square kilometres (measured on the WGS-84 ellipsoid), its window at most
``MAX_REQUEST_DAYS`` days.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi.responses import Response
from pydantic import BaseModel, Field, PrivateAttr, field_serializer, model_validator

from sahelsat import inputs
from sahelsat.inputs import (
    EARLIEST,
    LATEST,
    MAX_RADIUS_KM,
    MAX_VERTICES,
    FieldProblem,
    Geometry,
    Input,
    InputError,
    Name,
    OffNadirLimit,
    Priority,
    RequestSensor,
    UtcTime,
    naive_utc,
)

__all__ = ["EARLIEST", "LATEST", "MAX_VERTICES", "MAX_AREA_KM2", "MAX_REQUEST_DAYS"]

MAX_AREA_KM2 = 250_000.0
MAX_REQUEST_DAYS = 30
STATUSES = ("submitted", "approved", "cancelled")
JOB_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")

T = TypeVar("T")


def iso_utc(value: datetime | None) -> str | None:
    """A stored (naive UTC) time as ISO-8601 with ``Z``."""
    return None if value is None else value.replace(tzinfo=None).isoformat() + "Z"


class Page(BaseModel, Generic[T]):
    """One page of a list: ``items``, the ``total`` matching, and the page asked for."""

    items: list[T]
    total: int
    limit: int
    offset: int


# ------------------------------------------------------------------ imaging requests


class RequestWindow(inputs.Window):
    """A request's window: at most ``MAX_REQUEST_DAYS`` days."""

    max_days = MAX_REQUEST_DAYS


class RequestIn(Input):
    """A new imaging request: an area (GeoJSON Polygon or MultiPolygon, or a Point with
    ``radius_km``), a window, a priority and the image's needs; the rules are those of
    :class:`sahelsat.inputs.ImagingRequest`, so the planner takes what the API accepts."""

    name: Name
    geometry: Geometry
    radius_km: float | None = Field(None, gt=0, le=MAX_RADIUS_KM, description="with a Point")
    start: UtcTime = Field(description="start of the window, ISO-8601 UTC")
    stop: UtcTime = Field(description=f"end of the window, at most {MAX_REQUEST_DAYS} days on")
    priority: Priority = Field(3.0, description="weight in a plan: 1 (routine) to 5 (emergency)"
                               " is customary; any number in (0, 1000]")  # fmt: skip
    sensor: RequestSensor = "any"
    max_off_nadir_deg: OffNadirLimit = Field(
        60.0,
        description="largest off-nadir angle, deg; the default (60) leaves each instrument's "
        "own beams and roll range as the limit",
    )
    min_sun_elevation_deg: float | None = Field(
        None, ge=-90, le=90, description="optical only: lowest Sun elevation at the area"
    )
    note: str = Field("", max_length=2000)
    _typed: inputs.ImagingRequest | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _as_request(self):
        try:
            area = inputs.parse(inputs.Area, {"geometry": self.geometry,
                                              "radius_km": self.radius_km})  # fmt: skip
            window = inputs.parse(RequestWindow, {"start": self.start, "stop": self.stop})
        except InputError as exc:
            raise inputs.nested(exc) from None
        if area.area_km2 > MAX_AREA_KM2:
            raise FieldProblem(
                "geometry",
                f"area of {area.area_km2:,.0f} km² exceeds the limit of {MAX_AREA_KM2:,.0f}",
            )
        fields = ("priority", "sensor", "max_off_nadir_deg", "min_sun_elevation_deg")
        try:
            self._typed = inputs.parse(inputs.ImagingRequest, {
                "id": self.name, "area": area, "window": window,
                **{k: getattr(self, k) for k in fields}})  # fmt: skip
        except InputError as exc:
            raise inputs.nested(exc) from None
        return self

    @property
    def request(self) -> inputs.ImagingRequest:
        """The typed request this body describes."""
        return self._typed


class RequestOut(BaseModel):
    id: int
    name: str
    geometry: dict
    bbox: list[float]
    area_km2: float
    start: datetime
    stop: datetime
    priority: float
    sensor: str
    max_off_nadir_deg: float
    min_sun_elevation_deg: float | None
    status: Literal[STATUSES]  # type: ignore[valid-type]
    note: str
    created_by: int | None
    created_at: datetime
    updated_at: datetime

    @field_serializer("start", "stop", "created_at", "updated_at")
    def _times(self, value: datetime) -> str:
        return iso_utc(value)

    @classmethod
    def of(cls, row) -> RequestOut:
        return cls(
            id=row.id,
            name=row.name,
            geometry=json.loads(row.geometry),
            bbox=[row.min_lon, row.min_lat, row.max_lon, row.max_lat],
            area_km2=row.area_km2,
            start=row.start,
            stop=row.stop,
            priority=row.priority,
            sensor=row.sensor,
            max_off_nadir_deg=row.max_off_nadir_deg,
            min_sun_elevation_deg=row.min_sun_elevation_deg,
            status=row.status,
            note=row.note,
            created_by=row.created_by,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


class OpportunityOut(BaseModel):
    satellite: str
    sensor: str | None = None
    start: str
    end: str | None = None
    look_angle_deg: float | None = None
    off_nadir_deg: float | None = None
    sun_elevation_deg: float | None = None
    coverage: float | None = None
    strip: dict | None = None
    model_config = {"extra": "allow"}


class OpportunitiesOut(BaseModel):
    request_id: int
    method: str | None
    items: list[dict[str, Any]]
    total: int


# ------------------------------------------------------------------ tokens


class TokenIn(Input):
    name: Annotated[Name, Field(max_length=100)]
    role: Literal["viewer", "requester", "operator", "admin"]


class TokenOut(BaseModel):
    id: int
    name: str
    role: str
    prefix: str
    created_at: str
    revoked_at: str | None
    token: str | None = Field(None, description="the secret, shown only when created")


class Revoked(BaseModel):
    id: int
    revoked: bool


# ------------------------------------------------------------------ system


class Health(BaseModel):
    status: str
    version: str
    database: str
    capabilities: dict[str, bool]


class WhoAmI(BaseModel):
    id: int | None = None
    name: str | None
    role: str | None


# ------------------------------------------------------------------ fleets and passes


class SiteOut(BaseModel):
    name: str
    latitude_deg: float
    longitude_deg: float
    altitude_m: float = 0.0


class UploadOut(BaseModel):
    fleet: str
    name: str
    n_satellites: int
    created_at: str | None


class FleetAgeOut(BaseModel):
    """A fleet as it is in use: where its element sets come from, when they were fetched
    (None: the shipped snapshot), their epochs (UTC) and age (days since the median)."""

    fleet: str
    source: str
    fetched_at: str | None
    version: str | None = Field(description="the stored version in use; None: shipped")
    satellites: int
    epoch_min: str | None
    epoch_median: str | None
    epoch_max: str | None
    age_days: float | None


class FleetsOut(BaseModel):
    catalogues: list[str]
    uploads: list[UploadOut]
    default_scenario: dict | None
    ages: list[FleetAgeOut] = Field(default_factory=list)


class ElementSetOut(BaseModel):
    id: int
    name: str
    fleet: str
    n_satellites: int
    created_at: str
    problems: list[str] = Field(default_factory=list)
    into: str | None = Field(None, description="the fleet it was added to as a version")
    version: str | None = Field(None, description="the version it became in that fleet")
    spec: str | None = Field(None, description="FLEET@VERSION, a fleet spec for it")


class ElementSetTextOut(ElementSetOut):
    created_by: int | None
    text: str


class RefreshIn(Input):
    """What ``POST /api/fleets/refresh`` brings up to date (see
    :class:`sahelsat.inputs.RefreshJob`; no fleets: the ``refresh_fleets`` setting)."""

    fleets: list[inputs.FleetName] | None = Field(None, min_length=1, max_length=50)
    force: bool = False


class RefreshOut(BaseModel):
    job: int = Field(description="the refresh job: GET /api/jobs/{job}")
    new: bool = Field(description="False: a refresh was already queued or running")


class FleetVersionOut(BaseModel):
    name: str
    version: str
    spec: str = Field(description="NAME@VERSION: a fleet spec naming this version")
    source: str
    fetched_at: str
    count: int
    epoch_min: str
    epoch_median: str
    epoch_max: str
    queries: list[str]
    notes: list[str]
    in_use: bool
    pinned: str | None = Field(description="why it is kept for good (e.g. a job used it)")
    element_set_id: int | None = Field(description="the upload it came from, if any")


class FleetVersionsOut(BaseModel):
    fleet: str
    in_use: str | None
    shipped_fallback: bool
    versions: list[FleetVersionOut]


class FleetVersionDataOut(FleetVersionOut):
    element_sets: list[dict[str, Any]] = Field(description="OMM records (CelesTrak's keys)")


class PassOut(BaseModel):
    """One pass (see :data:`sahelsat.access.PASS_COLUMNS`); times ISO-8601 UTC."""

    satellite: str
    site: str
    rise: str | None
    culmination: str | None
    set: str | None
    max_elevation: float | None
    rise_azimuth: float | None
    culmination_azimuth: float | None = None
    set_azimuth: float | None
    duration_s: float | None
    in_progress_at_start: bool | None = None
    in_progress_at_stop: bool | None = None


class PassesPage(Page[PassOut]):
    site: SiteOut


# ------------------------------------------------------------------ jobs and products


class JobIn(Input):
    kind: str = Field(min_length=1, max_length=40)
    params: dict[str, Any] = Field(default_factory=dict)


class JobKindOut(BaseModel):
    kind: str
    description: str
    params_schema: dict | None = Field(None, description="JSON schema of the parameters")


class JobOut(BaseModel):
    id: int
    kind: str
    params: dict
    status: Literal[JOB_STATUSES]  # type: ignore[valid-type]
    progress: float
    message: str
    result: dict | None
    created_by: int | None
    created_at: str
    started_at: str | None
    finished_at: str | None
    products: list[int] = Field(default_factory=list)

    @classmethod
    def of(cls, row, products=()) -> JobOut:
        return cls(
            id=row.id,
            kind=row.kind,
            params=json.loads(row.params),
            status=row.status,
            progress=row.progress,
            message=row.message,
            result=None if row.result is None else json.loads(row.result),
            created_by=row.created_by,
            created_at=iso_utc(row.created_at),
            started_at=iso_utc(row.started_at),
            finished_at=iso_utc(row.finished_at),
            products=list(products),
        )


class ProductOut(BaseModel):
    id: int
    name: str
    media_type: str
    size_bytes: int
    sha256: str
    job_id: int | None
    created_at: str
    download: str

    @classmethod
    def of(cls, row) -> ProductOut:
        return cls(
            id=row.id,
            name=row.name,
            media_type=row.media_type,
            size_bytes=row.size_bytes,
            sha256=row.sha256,
            job_id=row.job_id,
            created_at=iso_utc(row.created_at),
            download=f"/api/products/{row.id}/download",
        )


# ------------------------------------------------------------------ GeoJSON answers


class Feature(BaseModel):
    type: Literal["Feature"]
    properties: dict[str, Any]
    geometry: dict[str, Any] | None


class FeatureCollection(BaseModel):
    """A GeoJSON FeatureCollection; answers may add members (``time``, ``summary``...)."""

    model_config = {"extra": "allow"}
    type: Literal["FeatureCollection"]
    features: list[Feature]


class GeoJSONResponse(Response):
    """An answer in GeoJSON (``application/geo+json``)."""

    media_type = "application/geo+json"


def geojson_response(description: str) -> dict:
    """The ``responses`` entry of a route answering GeoJSON (``application/geo+json``)."""
    schema = FeatureCollection.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    schema["properties"]["features"] = {"type": "array", "items": {"type": "object"}}
    return {200: {"description": description,
                  "content": {"application/geo+json": {"schema": schema}}}}  # fmt: skip


def as_naive_utc(value: datetime) -> datetime:
    """A time parsed by the typed inputs' rules, as naive UTC (ValueError otherwise)."""
    return naive_utc(inputs.utc_time(value))
