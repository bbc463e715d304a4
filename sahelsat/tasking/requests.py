"""Imaging requests: an area of interest, a priority, a window and the sensor's needs.

Requests come from outside (GeoJSON files, the CLI, the API, scenario files); each is
parsed into the typed input :class:`sahelsat.inputs.ImagingRequest` (the rules live
there, once) and handed to the planner as an :class:`ImagingRequest` with a message
naming the request and the field: invalid polygons, areas crossing the antimeridian,
empty windows and sensor needs that can never be met are refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import mapping

from sahelsat import inputs
from sahelsat.inputs import (  # noqa: F401  (public names of this module)
    MAX_OFF_NADIR_DEG,
    MAX_REPEATS,
    InputError,
    circle,
    geodesic_area_km2,
    max_sun_elevation_deg,
)

GEOD = Geod(ellps="WGS84")
SENSORS = ("optical", "sar", "any")
MODES = ("mono", "stereo")


class RequestError(InputError):
    """A request that cannot be used: names the request (and file) and the field."""


@dataclass(frozen=True)
class ImagingRequest:
    """A validated imaging request, as the planner takes it (built from the typed input
    :class:`sahelsat.inputs.ImagingRequest` by :func:`from_input`).

    ``aoi``: shapely (Multi)Polygon in lon/lat degrees. ``priority``: weight (> 0).
    ``start``/``end``: datetime64[ns] UTC window. ``sensor``: optical, sar or any.
    ``max_off_nadir_deg``: in (0, 60], or None for what each instrument can do (its own
    beams and roll range). ``min_sun_elevation_deg``: optical only (None for
    no limit). ``mode``: mono or stereo. ``repeat_s``: None, or the revisit period of a
    monitoring request (each period is served separately, see :func:`expand_repeats`).
    """

    id: str
    aoi: shapely.Geometry
    priority: float
    start: np.datetime64
    end: np.datetime64
    sensor: str = "any"
    max_off_nadir_deg: float | None = None
    min_sun_elevation_deg: float | None = None
    mode: str = "mono"
    repeat_s: float | None = None

    @property
    def area_km2(self) -> float:
        """Geodesic area of the area of interest on WGS-84 (km²)."""
        return geodesic_area_km2(self.aoi)

    @property
    def centroid(self) -> tuple[float, float]:
        """(longitude, latitude) degrees of the area's centroid."""
        c = self.aoi.centroid
        return float(c.x), float(c.y)


def from_input(r: inputs.ImagingRequest) -> ImagingRequest:
    """The planner's request from a validated typed input (nothing is checked again)."""
    return ImagingRequest(
        r.id,
        r.area.shape,
        float(r.priority),
        r.window.start64,
        r.window.stop64,
        r.sensor,
        r.max_off_nadir_deg,
        r.min_sun_elevation_deg,
        r.mode,
        None if r.repeat_days is None else float(r.repeat_days) * 86400.0,
    )


def _lower(value):
    return value.lower() if isinstance(value, str) else value


def make_request(
    id: str,
    aoi,
    *,
    start,
    end,
    priority: float = 1.0,
    sensor: str = "any",
    max_off_nadir_deg: float | None = None,
    min_sun_elevation_deg: float | None = None,
    mode: str = "mono",
    repeat_days: float | None = None,
    radius_km: float | None = None,
    where: str | None = None,
) -> ImagingRequest:
    """Validate one request into the planner's form. ``aoi``: a shapely geometry or GeoJSON
    geometry mapping (Polygon/MultiPolygon, or Point with ``radius_km``). The rules are
    those of :class:`sahelsat.inputs.ImagingRequest`. Raises :class:`RequestError`
    naming ``where`` (default ``request '<id>'``) and the field."""
    where = where or f"request {id!r}"
    try:
        area = inputs.area_of(aoi, radius_km)
    except inputs.InputError as exc:
        raise RequestError(exc.problems, where) from None
    data = {
        "id": str(id),
        "area": area,
        "window": {"start": start, "stop": end},
        "priority": priority,
        "sensor": "any" if sensor is None else _lower(sensor),
        "max_off_nadir_deg": max_off_nadir_deg,
        "min_sun_elevation_deg": min_sun_elevation_deg,
        "mode": _lower(mode),
        "repeat_days": repeat_days,
    }
    try:
        return from_input(inputs.parse(inputs.ImagingRequest, data))
    except inputs.InputError as exc:
        raise RequestError(exc.problems, where) from None


# Feature properties that map to :func:`make_request` options of the same name.
_FEATURE_OPTIONS = ("priority", "sensor", "max_off_nadir_deg", "min_sun_elevation_deg", "mode",
                    "repeat_days", "radius_km")  # fmt: skip


def read_requests(path: str | Path, *, start=None, end=None) -> list[ImagingRequest]:
    """Requests of a GeoJSON file (FeatureCollection, Feature or bare geometry).

    Feature properties: ``id`` (default ``name`` or the feature number), ``priority``,
    ``start``, ``end`` (default the ``start``/``end`` arguments), ``sensor``,
    ``max_off_nadir_deg``, ``min_sun_elevation_deg``, ``mode``, ``repeat_days``,
    ``radius_km`` (Point areas). Errors name the file and the feature.
    """
    path = Path(path)
    try:
        doc = json.loads(path.read_text())
    except OSError as exc:
        raise RequestError(f"{path}: cannot read: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise RequestError(f"{path}: not JSON: line {exc.lineno}: {exc.msg}") from None
    if not isinstance(doc, dict):
        raise RequestError(f"{path}: expected a GeoJSON object")
    if doc.get("type") == "FeatureCollection":
        features = doc.get("features") or []
    elif doc.get("type") == "Feature":
        features = [doc]
    else:
        features = [{"type": "Feature", "geometry": doc, "properties": {}}]
    if not features:
        raise RequestError(f"{path}: no feature")
    out = []
    known = {"id", "name", "start", "end", *_FEATURE_OPTIONS}
    for i, feat in enumerate(features):
        props = dict((feat or {}).get("properties") or {})
        rid = str(props.get("id", props.get("name", f"aoi-{i}")))
        where = f"{path}: feature {i} ({rid!r})"
        unknown = sorted(set(props) - known)
        if unknown:
            raise RequestError(
                f"{where}: unknown propert{'y' if len(unknown) == 1 else 'ies'}"
                f" {unknown}; known: {sorted(known)}"
            )
        if (feat or {}).get("geometry") is None:
            raise RequestError(f"{where}: no geometry")
        kw = {k: props[k] for k in _FEATURE_OPTIONS if k in props}
        s, e = props.get("start", start), props.get("end", end)
        if s is None or e is None:
            raise RequestError(f"{where}: no time window (give start/end properties or options)")
        out.append(make_request(rid, feat["geometry"], start=s, end=e, where=where, **kw))
    ids = [r.id for r in out]
    dup = sorted({x for x in ids if ids.count(x) > 1})
    if dup:
        raise RequestError(f"{path}: request ids repeated: {dup}")
    return out


def expand_repeats(requests: list[ImagingRequest]) -> list[ImagingRequest]:
    """Split monitoring requests into one request per repeat period (``id#k``)."""
    out = []
    for r in requests:
        if r.repeat_s is None:
            out.append(r)
            continue
        step = np.timedelta64(int(r.repeat_s * 1e9), "ns")
        t, k = r.start, 0
        while t < r.end:
            out.append(
                ImagingRequest(
                    f"{r.id}#{k}",
                    r.aoi,
                    r.priority,
                    t,
                    min(t + step, r.end),
                    r.sensor,
                    r.max_off_nadir_deg,
                    r.min_sun_elevation_deg,
                    r.mode,
                    None,
                )
            )
            t, k = t + step, k + 1
    return out


def request_feature(r: ImagingRequest) -> dict:
    """A request as a GeoJSON Feature (for output files)."""
    return {
        "type": "Feature",
        "geometry": mapping(r.aoi),
        "properties": {
            "id": r.id,
            "priority": r.priority,
            "start": str(r.start),
            "end": str(r.end),
            "sensor": r.sensor,
            "mode": r.mode,
            "area_km2": round(r.area_km2, 3),
        },
    }
