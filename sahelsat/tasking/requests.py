"""Imaging requests: an area of interest, a priority, a window and the sensor's needs.

Requests come from outside (GeoJSON files, the CLI, the API), so each is validated here
into an :class:`ImagingRequest` with a message naming the request and the field:
invalid polygons, areas crossing the antimeridian, empty windows and sensor needs that
can never be met are refused. Areas are measured on the WGS-84 ellipsoid (pyproj).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import Polygon, mapping, shape
from shapely.geometry.polygon import orient
from shapely.validation import explain_validity

from sahelsat.tasking.problem import to_datetime64

GEOD = Geod(ellps="WGS84")
SENSORS = ("optical", "sar", "any")
MODES = ("mono", "stereo")
#: Largest off-nadir angle any sensor here can use (degrees); beyond it the line of sight
#: grazes the Earth and no image is usable.
MAX_OFF_NADIR_DEG = 60.0
#: Most periods a monitoring request (``repeat_days``) may split its window into.
MAX_REPEATS = 1000


class RequestError(ValueError):
    """A request that cannot be used: names the request (and file) and the field."""


@dataclass(frozen=True)
class ImagingRequest:
    """A validated imaging request.

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


def geodesic_area_km2(geometry) -> float:
    """Area of a lon/lat (Multi)Polygon on the WGS-84 ellipsoid, km²."""
    polys = getattr(geometry, "geoms", [geometry])
    return sum(abs(GEOD.geometry_area_perimeter(orient(p, 1.0))[0]) for p in polys) / 1e6


def circle(lon_deg: float, lat_deg: float, radius_km: float, n: int = 72) -> Polygon:
    """Geodesic circle of ``radius_km`` around a point, as a lon/lat polygon of ``n`` sides."""
    az = np.linspace(0.0, 360.0, n, endpoint=False)
    lons, lats, _ = GEOD.fwd(
        np.full(n, lon_deg), np.full(n, lat_deg), az, np.full(n, radius_km * 1000.0)
    )
    return Polygon(zip(lons, lats, strict=True))


def _fail(where: str, message: str):
    raise RequestError(f"{where}: {message}")


def _check_aoi(geometry, where: str):
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        _fail(
            where,
            "area must be a Polygon, MultiPolygon or Point with radius_km,"
            f" not {geometry.geom_type}",
        )
    if geometry.is_empty:
        _fail(where, "area is empty")
    rings = []
    for poly in getattr(geometry, "geoms", [geometry]):
        rings.append(np.asarray(poly.exterior.coords))
        rings.extend(np.asarray(r.coords) for r in poly.interiors)
    for ring in rings:
        lon, lat = ring[:, 0], ring[:, 1]
        if not (np.all(np.abs(lat) <= 90) and np.all(np.abs(lon) <= 180)):
            _fail(
                where,
                "coordinates must be [longitude, latitude] degrees within [-180, 180] x [-90, 90]",
            )
        if np.any(np.abs(np.diff(lon)) > 180):
            _fail(
                where,
                "area crosses the antimeridian (an edge spans more than 180 degrees of"
                " longitude); split it into two polygons at +/-180 degrees",
            )
    if not geometry.is_valid:
        _fail(
            where,
            f"invalid polygon ({explain_validity(geometry)}); fix it, e.g. with"
            " shapely.make_valid or by removing the self-intersection",
        )
    if geodesic_area_km2(geometry) <= 0:
        _fail(where, "area has zero size")


def max_sun_elevation_deg(lat_deg: float, start: np.datetime64, end: np.datetime64) -> float:
    """Highest noon Sun elevation at latitude ``lat_deg`` over the window (degrees)."""
    from sahelsat.sun import sun_position_itrf

    days = max(int((end - start) / np.timedelta64(1, "D")) + 1, 1)
    times = start + np.arange(min(days, 366)) * np.timedelta64(1, "D")
    sun = sun_position_itrf(times)
    decl = np.degrees(np.arcsin(sun[:, 2] / np.linalg.norm(sun, axis=1)))
    return float(np.max(90.0 - np.abs(lat_deg - decl)))


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
    """Validate one request. ``aoi``: a shapely geometry or GeoJSON geometry mapping
    (Polygon/MultiPolygon, or Point with ``radius_km``). Raises :class:`RequestError`."""
    where = where or f"request {id!r}"
    try:
        geom = aoi if isinstance(aoi, shapely.Geometry) else shape(aoi)
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        _fail(where, f"area is not a GeoJSON geometry ({exc})")
    if geom.geom_type == "Point":
        try:
            radius_ok = radius_km is not None and 0 < float(radius_km) <= 1000
        except (TypeError, ValueError):
            radius_ok = False
        if not radius_ok:
            _fail(where, "a Point area needs radius_km in (0, 1000]")
        if not (abs(geom.y) <= 90 and abs(geom.x) <= 180):
            _fail(where, "point must be [longitude, latitude] degrees")
        geom = circle(geom.x, geom.y, float(radius_km))
    _check_aoi(geom, where)
    try:
        t0, t1 = to_datetime64([start, end], f"{where}: window (start, end)")
    except ValueError as exc:
        raise RequestError(str(exc)) from None
    if not t1 > t0:
        _fail(where, f"empty window: end {t1} is not after start {t0}")
    try:
        priority = float(priority)
    except (TypeError, ValueError):
        _fail(where, f"priority must be a number, not {priority!r}")
    if not (math.isfinite(priority) and priority > 0):
        _fail(where, f"priority must be > 0, not {priority}")
    sensor = "any" if sensor is None else str(sensor).lower()
    if sensor not in SENSORS:
        _fail(where, f"sensor must be one of {SENSORS}, not {sensor!r}")
    mode = str(mode).lower()
    if mode not in MODES:
        _fail(where, f"mode must be one of {MODES}, not {mode!r}")
    if max_off_nadir_deg is not None:  # None: the instrument's own limit
        try:
            max_off_nadir_deg = float(max_off_nadir_deg)
        except (TypeError, ValueError):
            _fail(where, f"max_off_nadir_deg must be a number, not {max_off_nadir_deg!r}")
        if not (0 < max_off_nadir_deg <= MAX_OFF_NADIR_DEG):
            _fail(
                where,
                f"max_off_nadir_deg must be in (0, {MAX_OFF_NADIR_DEG}], not {max_off_nadir_deg}",
            )
    if mode == "stereo" and sensor == "sar":
        _fail(where, "stereo needs an optical sensor (sensor 'optical' or 'any'), not SAR")
    if min_sun_elevation_deg is not None:
        try:
            min_sun = float(min_sun_elevation_deg)
        except (TypeError, ValueError):
            _fail(where, f"min_sun_elevation_deg must be a number, not {min_sun_elevation_deg!r}")
        if sensor == "sar":
            _fail(where, "min_sun_elevation_deg applies to optical images; SAR sees at night")
        if not -90 <= min_sun <= 90:
            _fail(where, f"min_sun_elevation_deg must be in [-90, 90], not {min_sun}")
        lat = float(geom.centroid.y)
        best = max_sun_elevation_deg(lat, t0, t1)
        if min_sun > best:
            _fail(
                where,
                f"min_sun_elevation_deg {min_sun} is never reached: the Sun rises at"
                f" most {best:.1f} degrees at latitude {lat:.2f} in the window",
            )
        min_sun_elevation_deg = min_sun
    repeat_s = None
    if repeat_days is not None:
        try:
            repeat_s = float(repeat_days) * 86400.0
        except (TypeError, ValueError):
            _fail(where, f"repeat_days must be a number, not {repeat_days!r}")
        if not (math.isfinite(repeat_s) and repeat_s > 0):
            _fail(where, f"repeat_days must be > 0, not {repeat_days}")
        periods = (t1 - t0) / np.timedelta64(1, "s") / repeat_s
        if periods > MAX_REPEATS:
            _fail(
                where,
                f"repeat_days {repeat_days} splits the window into {periods:.0f} periods;"
                f" at most {MAX_REPEATS} are allowed (lengthen repeat_days or shorten the window)",
            )
    return ImagingRequest(
        str(id),
        geom,
        priority,
        t0,
        t1,
        sensor,
        max_off_nadir_deg,
        min_sun_elevation_deg,
        mode,
        repeat_s,
    )


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
