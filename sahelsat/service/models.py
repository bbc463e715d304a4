"""Typed bodies of the API (pydantic): validated at the edge, with limits enforced first.

Limits protect the server from work it cannot afford: an area has at most
``MAX_VERTICES`` vertices and ``MAX_AREA_KM2`` square kilometres (measured on the WGS-84
ellipsoid), a request window at most ``MAX_REQUEST_DAYS`` days.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator

MAX_VERTICES = 2000
MAX_AREA_KM2 = 250_000.0
MAX_REQUEST_DAYS = 30
EARLIEST = datetime(2000, 1, 1)
LATEST = datetime(2100, 1, 1)

STATUSES = ("submitted", "approved", "cancelled")


def as_naive_utc(value: datetime) -> datetime:
    """UTC without tzinfo (naive values are taken as UTC already)."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    if not EARLIEST <= value < LATEST:
        raise ValueError("time must lie between 2000-01-01 and 2100-01-01 (UTC)")
    return value


def iso_utc(value: datetime | None) -> str | None:
    return None if value is None else value.replace(tzinfo=None).isoformat() + "Z"


class Polygon(BaseModel):
    """A GeoJSON Polygon in lon/lat degrees: closed rings, the first one the outline."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["Polygon"]
    coordinates: list[list[list[float]]] = Field(min_length=1, max_length=50)

    @field_validator("coordinates")
    @classmethod
    def _rings(cls, rings: list[list[list[float]]]) -> list[list[list[float]]]:
        if sum(len(r) for r in rings) > MAX_VERTICES:
            raise ValueError(f"more than {MAX_VERTICES} vertices; simplify the area")
        for i, ring in enumerate(rings):
            if len(ring) < 4:
                raise ValueError(f"ring {i} has {len(ring)} positions; a closed ring needs 4+")
            for j, pos in enumerate(ring):
                if len(pos) not in (2, 3) or not all(math.isfinite(v) for v in pos):
                    raise ValueError(f"ring {i} position {j} must be [lon, lat] finite numbers")
                if not (-180 <= pos[0] <= 180 and -90 <= pos[1] <= 90):
                    raise ValueError(f"ring {i} position {j} {pos[:2]} is outside lon/lat range")
            if ring[0][:2] != ring[-1][:2]:
                raise ValueError(f"ring {i} is not closed (first and last positions differ)")
        return rings

    def shape(self):
        """The shapely polygon; raises ValueError if it is invalid or too large."""
        import shapely
        from pyproj import Geod
        from shapely.geometry import shape

        poly = shape({"type": "Polygon", "coordinates": self.coordinates})
        if not poly.is_valid:
            raise ValueError(f"invalid polygon: {shapely.is_valid_reason(poly)}")
        area_m2, _ = Geod(ellps="WGS84").geometry_area_perimeter(shapely.force_2d(poly))
        area_km2 = abs(area_m2) / 1e6
        if area_km2 <= 0.0:
            raise ValueError("the area is empty")
        if area_km2 > MAX_AREA_KM2:
            raise ValueError(
                f"area of {area_km2:,.0f} km² exceeds the limit of {MAX_AREA_KM2:,.0f}"
            )
        return poly, area_km2


class RequestIn(BaseModel):
    """A new imaging request."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    geometry: Polygon
    start: datetime = Field(description="start of the window, ISO-8601 UTC")
    stop: datetime = Field(description=f"end of the window, at most {MAX_REQUEST_DAYS} days on")
    priority: int = Field(3, ge=1, le=5, description="1 (routine) to 5 (emergency)")
    sensor: Literal["any", "optical", "sar"] = "any"
    max_off_nadir_deg: float = Field(
        60.0,
        gt=0,
        le=60,
        description="largest off-nadir angle; the default (60) leaves each instrument's own "
        "beams and roll range as the limit",
    )
    min_sun_elevation_deg: float | None = Field(
        None, ge=-90, le=90, description="optical only: lowest Sun elevation at the area"
    )
    note: str = Field("", max_length=2000)

    @field_validator("start")
    @classmethod
    def _start(cls, value: datetime) -> datetime:
        return as_naive_utc(value)

    @field_validator("stop")
    @classmethod
    def _stop(cls, value: datetime, info) -> datetime:
        value = as_naive_utc(value)
        start = info.data.get("start")
        if start is not None:
            if value <= start:
                raise ValueError("stop must come after start")
            if value - start > timedelta(days=MAX_REQUEST_DAYS):
                raise ValueError(f"the window is longer than {MAX_REQUEST_DAYS} days")
        return value

    @field_validator("min_sun_elevation_deg")
    @classmethod
    def _sun(cls, value: float | None, info) -> float | None:
        if value is not None and info.data.get("sensor") == "sar":
            raise ValueError("applies to optical images only; SAR sees at night")
        return value


class RequestOut(BaseModel):
    id: int
    name: str
    geometry: dict
    bbox: list[float]
    area_km2: float
    start: datetime
    stop: datetime
    priority: int
    sensor: str
    max_off_nadir_deg: float
    min_sun_elevation_deg: float | None
    status: Literal["submitted", "approved", "cancelled"]
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


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    role: Literal["viewer", "requester", "operator", "admin"]


class TokenOut(BaseModel):
    id: int
    name: str
    role: str
    prefix: str
    created_at: str
    revoked_at: str | None
    token: str | None = Field(None, description="the secret, shown only when created")


class JobIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(min_length=1, max_length=40)
    params: dict = Field(default_factory=dict)


class JobOut(BaseModel):
    id: int
    kind: str
    params: dict
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
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


class ElementSetOut(BaseModel):
    id: int
    name: str
    fleet: str
    n_satellites: int
    created_at: str
    problems: list[str] = Field(default_factory=list)


class Page(BaseModel):
    total: int
    limit: int
    offset: int
