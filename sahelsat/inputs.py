"""Typed inputs: the one place where outside input becomes trusted values.

Scenario files, command-line options, API bodies and query parameters, and job parameters
are all parsed into the pydantic models below; the library takes them as they are and does
not check them again. Every problem is an :class:`InputError` holding, per problem, the
field path (``("requests", 2, "priority")``) and the reason; the interfaces render it in one
place each (HTTP 422 in ``service.errors``, a message naming file, line and key in the
command line). Nothing heavy is imported here: shapely and pyproj load when an area is
checked, the Sun's position when a request asks for daylight.

Conventions: times are UTC (an offset is converted; a naive time is taken as UTC) between
:data:`EARLIEST` and :data:`LATEST`; angles are degrees, lengths km unless the name says m.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)

from sahelsat.sensors import INSTRUMENTS

#: Earliest and latest instants any input may name (UTC): the span of the shipped Earth
#: orientation table and element sets with decades of margin on both sides.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
#: Names of the shipped element-set catalogues (files in ``sahelsat/data/tle``, see
#: ``sahelsat.fleet.CATALOGUES``) and the Earth-observation subset's names.
CATALOGUE_NAMES = ("resource", "starlink", "oneweb", "geo", "weather")
EO_NAMES = ("eo", "earth-observation")
#: Country codes (ISO 3166-1 alpha-3) of the region, and ``AES`` for the three together.
COUNTRY_CODES = ("MLI", "NER", "BFA")
AREA_CODES = ("AES", *COUNTRY_CODES)
#: Bounds of an area of interest: vertices (all rings), and a circle's radius (km).
MAX_VERTICES = 2000
MAX_RINGS = 50
MAX_RADIUS_KM = 1000.0
#: Largest off-nadir angle any sensor here can use (degrees); beyond it the line of sight
#: grazes the Earth and no image is usable.
MAX_OFF_NADIR_DEG = 60.0
#: Most periods a monitoring request (``repeat_days``) may split its window into.
MAX_REPEATS = 1000
#: Longest text of a name (site, request, element set, token).
MAX_NAME = 200


# ---------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (``loc``, a path of keys and indices), why,
    and the line of the file it came from when known."""

    loc: tuple[str | int, ...]
    reason: str
    line: int | None = None

    @property
    def path(self) -> str:
        """``requests[2].priority``: keys joined by dots, indices in brackets."""
        out = ""
        for part in self.loc:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        return out


class InputError(ValueError):
    """Input from outside that cannot be used: one or more :class:`Problem` s.

    ``source`` names the file (or the request) it came from. ``str()`` gives one line per
    problem, ``source, line N: path: reason``; :attr:`field` and :attr:`reason` are the
    first problem's.
    """

    def __init__(self, problems, source: str | None = None):
        if isinstance(problems, str):
            problems = [Problem((), problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems) or [Problem((), "invalid input")]
        self.source = source
        super().__init__(self.describe())

    @classmethod
    def at(cls, loc, reason: str, source: str | None = None) -> InputError:
        """One problem at ``loc`` (a key, or a tuple of keys and indices)."""
        loc = (loc,) if isinstance(loc, (str, int)) else tuple(loc)
        error = cls.__new__(cls)
        InputError.__init__(error, [Problem(loc, reason)], source)
        return error

    @property
    def field(self) -> str:
        return self.problems[0].path

    @property
    def reason(self) -> str:
        return self.problems[0].reason

    def within(self, *prefix: str | int) -> InputError:
        """The same problems with ``prefix`` put before each path (``body``, ``params``)."""
        moved = [Problem((*prefix, *p.loc), p.reason, p.line) for p in self.problems]
        return InputError(moved, self.source)

    def describe(self) -> str:
        lines = []
        for p in self.problems:
            at = self.source or ""
            if p.line is not None:
                at = f"{at}, line {p.line}" if at else f"line {p.line}"
            head = ": ".join(x for x in (at, p.path) if x)
            lines.append(f"{head}: {p.reason}" if head else p.reason)
        return "\n".join(lines)


class FieldProblem(ValueError):
    """Raised inside a validator to name the field at fault below the model being checked
    (``loc``, relative to it); :func:`parse` places it in the full path."""

    def __init__(self, loc, reason: str):
        super().__init__(reason)
        self.loc = (loc,) if isinstance(loc, (str, int)) else tuple(loc)
        self.reason = reason


def nested(exc: InputError, *prefix: str | int) -> FieldProblem:
    """An InputError of a part, as a :class:`FieldProblem` of the whole (in validators)."""
    first = exc.problems[0]
    return FieldProblem((*prefix, *first.loc), first.reason)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def problem_of(err: dict, model: type[BaseModel] | None = None) -> tuple[tuple, str]:
    """The location and a reader's reason for one pydantic error."""
    loc = tuple(p for p in err.get("loc", ()) if not str(p).startswith("function-"))
    kind, ctx, value = err.get("type", ""), err.get("ctx") or {}, err.get("input")
    cause = ctx.get("error")
    if isinstance(cause, FieldProblem):
        return (*loc, *cause.loc), cause.reason
    if kind == "extra_forbidden":
        return loc, "unknown key" + _suggestion(model, loc)
    if kind == "missing":
        return loc, "is required"
    if kind == "json_invalid":  # the body itself: loc is ("body", character position)
        where = f" at character {loc[-1]}" if len(loc) > 1 and loc[-1] else ""
        return loc[:1], f"not valid JSON{where}: {cause or err.get('msg')}"
    bounds = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<",
              "less_than_equal": "<="}  # fmt: skip
    if kind in bounds:
        limit = next(iter(ctx.values()))
        limit = f"{limit:g}" if isinstance(limit, (int, float)) else limit
        return loc, f"must be {bounds[kind]} {limit}, not {_short(value)}"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        number = "a whole number" if kind.startswith("int") else "a number"
        return loc, f"must be {number}, not {_short(value)}"
    if kind == "finite_number":
        return loc, "must be a finite number (not NaN or infinity)"
    if kind in ("string_type", "bool_type", "bool_parsing"):
        return (
            loc,
            f"{err['msg'].lower().replace('input should be', 'must be')}, not {_short(value)}",
        )
    if kind == "literal_error":
        return loc, f"must be one of {ctx.get('expected')}, not {_short(value)}"
    if kind == "string_too_short":
        return loc, "must not be empty"
    if kind == "string_too_long":
        return loc, f"must have at most {ctx.get('max_length')} characters"
    if kind == "too_short":
        return loc, f"needs at least {ctx.get('min_length')} items"
    if kind == "too_long":
        return loc, f"must have at most {ctx.get('max_length')} items"
    message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    return loc, message


def _suggestion(model: type[BaseModel] | None, loc: tuple) -> str:
    """' (did you mean ...?)' for an unknown key close to a known one of ``model``."""
    for part in loc[:-1]:
        if model is None or isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        annotation = field.annotation if field else None
        args = getattr(annotation, "__args__", ()) or (annotation,)
        model = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), None)
    if model is None or not loc:
        return ""
    close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def input_error(exc: ValidationError, model=None, source: str | None = None) -> InputError:
    """The :class:`InputError` of a pydantic ``ValidationError`` raised by ``model``."""
    problems = [Problem(*problem_of(err, model)) for err in exc.errors()]
    return InputError(problems, source)


def parse(model: type[BaseModel], data: Any, source: str | None = None):
    """``model`` validated from ``data``; raises :class:`InputError` (never pydantic's)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise input_error(exc, model, source) from None
    except RecursionError:
        raise InputError.at((), "nested too deeply", source) from None


class Input(BaseModel):
    """Base of every input model: unknown keys refused, no NaN or infinity, immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# ---------------------------------------------------------------------------- scalars


#: Unicode's explicit directional embeddings, overrides and isolates: in a name they
#: make it show in another order than it is written ("file\u202egnp.exe").
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _name(value: str) -> str:
    text = unicodedata.normalize("NFC", value).strip()
    if all(c.isspace() or unicodedata.category(c) == "Cf" for c in text):
        raise ValueError("must not be empty or only spaces")  # zero-width ones included
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise ValueError("must not contain control characters (line breaks, tabs, ...)")
    if any(c in BIDI_CONTROLS for c in text):
        raise ValueError("must not contain bidirectional control characters (U+202A-U+202E, "
                         "U+2066-U+2069): they change the order in which it shows")  # fmt: skip
    return text


#: A name a person gave (site, request, element set, product): Unicode NFC (one spelling
#: of each letter), trimmed, not blank or invisible, one line, shown in the order written.
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME), AfterValidator(_name)]


def _pattern(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a regular expression: {exc}") from None
    return value


#: A pattern that picks satellites by name (a regular expression, case-insensitive).
Pattern = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_pattern)]


def _to_datetime(value: Any) -> Any:
    """A datetime from ISO-8601 text, a datetime/date, numpy datetime64 or a pandas
    timestamp. Numbers are refused: a count of seconds has no unit or epoch to trust."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if type(value).__name__ in ("datetime64", "Timestamp"):
        import pandas as pd

        stamp = pd.Timestamp(value)
        if stamp is pd.NaT:
            raise ValueError("not a UTC time: NaT")
        return stamp.to_pydatetime(warn=False)
    if isinstance(value, str):
        text = value.strip()
        try:
            return datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("z") else text)
        except ValueError:
            pass
    raise ValueError(f"not a UTC time: {_short(value)}; use ISO-8601 such as 2026-05-30T12:00:00Z")


def _utc(value: datetime) -> datetime:
    try:
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (OverflowError, ValueError):  # e.g. year 1 at +14:00 falls before year 1 in UTC
        value = None
    if value is None or not EARLIEST <= value < LATEST:
        raise ValueError(f"time must lie between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d} (UTC)")
    return value


#: A UTC instant (timezone-aware) within [EARLIEST, LATEST).
UtcTime = Annotated[datetime, BeforeValidator(_to_datetime), AfterValidator(_utc)]

Latitude = Annotated[float, Field(ge=-90.0, le=90.0, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180.0, le=180.0, allow_inf_nan=False)]
#: Elevation above the local horizon (degrees) below which nothing counts.
MinElevation = Annotated[float, Field(ge=0.0, lt=90.0, allow_inf_nan=False)]
#: The most a request lets a sensor look away from nadir (degrees).
OffNadirLimit = Annotated[float, Field(gt=0.0, le=MAX_OFF_NADIR_DEG, allow_inf_nan=False)]
#: A request's priority: its relative weight in a plan (the value of an image is
#: priority x coverage). The service's customary scale is 1 (routine) to 5 (emergency).
Priority = Annotated[float, Field(gt=0.0, le=1000.0, allow_inf_nan=False)]
SensorKind = Literal["optical", "sar"]
#: The sensor a request asks for.
RequestSensor = Literal["any", "optical", "sar"]
ImagingMode = Literal["mono", "stereo"]
#: Share of an average year a link must work (%): the ITU-R rain model covers outages of
#: 0.001 to 5 % of the time.
Availability = Annotated[float, Field(ge=95.0, le=99.999, allow_inf_nan=False)]
#: Throughput a terminal needs (Mbit/s).
Throughput = Annotated[float, Field(gt=0.0, le=2000.0, allow_inf_nan=False)]


def to_datetime64(value: datetime):
    """A UTC datetime as numpy ``datetime64[ns]`` without zone (sahelsat's convention)."""
    import numpy as np

    return np.datetime64(naive_utc(value), "ns")


def naive_utc(value: datetime) -> datetime:
    """A UTC datetime without its zone (the service's store keeps naive UTC); a naive
    value is taken as UTC already."""
    return value if value.tzinfo is None else value.astimezone(UTC).replace(tzinfo=None)


_DURATION_UNITS = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0}


def parse_duration(text: str, field: str = "duration") -> float:
    """Seconds from ``24h``, ``90m``, ``3600s``, ``1d``, ``1d12h`` or a plain number of
    seconds. Raises :class:`InputError` naming ``field``."""
    t = str(text).strip().lower()
    if re.fullmatch(r"\d{1,12}(\.\d{1,9})?", t):
        seconds = float(t)
    else:
        parts = re.findall(r"(\d{1,12}(?:\.\d{1,9})?)\s*([dhms])", t)
        if not parts or "".join(f"{n}{u}" for n, u in parts) != t.replace(" ", ""):
            raise InputError.at(
                field, f"{text!r}: use a number with d, h, m or s, e.g. 24h or 1d12h"
            )
        seconds = sum(float(n) * _DURATION_UNITS[u] for n, u in parts)
    if not seconds > 0:
        raise InputError.at(field, f"{text!r}: must be longer than zero")
    return seconds


# ---------------------------------------------------------------------------- window


class Window(Input):
    """A time window ``[start, stop)`` in UTC, at most :attr:`max_days` long."""

    max_days: ClassVar[float] = 366.0
    start: UtcTime
    stop: UtcTime

    @model_validator(mode="after")
    def _order(self):
        if not self.stop > self.start:
            raise FieldProblem(
                "stop",
                f"empty window: stop {self.stop:%Y-%m-%dT%H:%M:%SZ} is not after "
                f"start {self.start:%Y-%m-%dT%H:%M:%SZ}",
            )
        if self.stop - self.start > timedelta(days=self.max_days):
            raise FieldProblem("stop", f"the window is longer than {self.max_days:g} days")
        return self

    @classmethod
    def lasting(cls, start, seconds: float) -> Window:
        """The window of ``seconds`` from ``start`` (InputError naming start or stop)."""
        begin = parse(_Instant, {"time": start}).time
        try:
            stop = begin + timedelta(seconds=float(seconds))
        except OverflowError:
            raise InputError.at("stop", "the window is too long") from None
        return parse(cls, {"start": begin, "stop": stop})

    @property
    def seconds(self) -> float:
        return (self.stop - self.start).total_seconds()

    @property
    def days(self) -> float:
        return self.seconds / 86400.0

    @property
    def start64(self):
        return to_datetime64(self.start)

    @property
    def stop64(self):
        return to_datetime64(self.stop)


class _Instant(Input):
    time: UtcTime


def utc_time(value, field: str = "time") -> datetime:
    """One UTC instant parsed from ``value`` (InputError naming ``field``)."""
    try:
        return parse(_Instant, {"time": value}).time
    except InputError as exc:
        raise InputError.at(field, exc.reason) from None


# ---------------------------------------------------------------------------- sites


class Site(Input):
    """A place on the ground: a unique name, geodetic latitude and longitude (degrees,
    WGS-84; longitudes in [180, 360) are taken as east and brought into [-180, 180)), and
    altitude above the ellipsoid (m)."""

    name: Name
    latitude_deg: Latitude
    longitude_deg: Annotated[float, Field(ge=-180.0, lt=360.0, allow_inf_nan=False)]
    altitude_m: Annotated[float, Field(ge=-500.0, le=9000.0, allow_inf_nan=False)] = 0.0

    @model_validator(mode="after")
    def _wrap(self):
        if self.longitude_deg >= 180.0:
            object.__setattr__(self, "longitude_deg", self.longitude_deg - 360.0)
        return self

    @classmethod
    def parse(cls, text: str) -> Site:
        """A site from ``NAME=LAT,LON[,ALT_M]`` (degrees, metres), as the CLI takes it."""
        name, sep, rest = str(text).partition("=")
        parts = rest.split(",")
        if not sep or not name.strip() or len(parts) not in (2, 3):
            raise InputError.at(
                "site", f"{text!r}: expected NAME=LAT,LON[,ALT_M], e.g. Bamako=12.64,-8.0,381"
            )
        keys = ("latitude_deg", "longitude_deg", "altitude_m")
        return parse(cls, {"name": name, **dict(zip(keys, parts, strict=False))})

    def row(self) -> tuple[str, float, float, float]:
        return (self.name, self.latitude_deg, self.longitude_deg, self.altitude_m)


def sites(rows) -> list[Site]:
    """Sites from rows (``Site``, mappings, or ``(name, lat, lon[, alt_m])``) with unique
    names; InputError naming the row (``[3].latitude_deg``) otherwise."""
    out: list[tuple[int, Site]] = []
    problems = []
    keys = ("name", "latitude_deg", "longitude_deg", "altitude_m")
    for i, row in enumerate(rows):
        if isinstance(row, Site):
            out.append((i, row))
            continue
        if isinstance(row, dict):
            data = row
        elif isinstance(row, (tuple, list)) and len(row) in (3, 4):
            data = dict(zip(keys, row, strict=False))
        else:
            reason = (
                f"expected (name, latitude_deg, longitude_deg[, altitude_m]), got {_short(row)}"
            )
            problems.append(Problem((i,), reason))
            continue
        try:
            out.append((i, parse(Site, data)))
        except InputError as exc:
            problems += [Problem((i, *p.loc), p.reason) for p in exc.problems]
    seen: dict[str, int] = {}
    for i, site in out:
        if site.name in seen:
            reason = (
                f"site names must be unique; repeated: {site.name!r} (also site {seen[site.name]})"
            )
            problems.append(Problem((i, "name"), reason))
        seen.setdefault(site.name, i)
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.loc[0]))
    return [site for _, site in out]


def unique_names(names, *qualifiers) -> list[str]:
    """Names made unique by qualifying only the repeated ones: ``Gao`` twice becomes
    ``Gao (MLI)`` and ``Gao (BFA)`` with the country as first qualifier; where that still
    repeats, the next qualifiers are added (``Tibiri (NER 04)``), then a running number."""
    names = [str(n) for n in names]
    columns = [[str(q) for q in qual] for qual in qualifiers]
    out = list(names)
    for depth in range(len(columns) + 1):
        counts: dict[str, int] = {}
        for n in out:
            counts[n] = counts.get(n, 0) + 1
        repeated = [i for i, n in enumerate(out) if counts[n] > 1]
        if not repeated:
            return out
        for i in repeated:
            if depth < len(columns):
                out[i] = f"{names[i]} ({' '.join(c[i] for c in columns[: depth + 1])})"
            else:
                out[i] = f"{out[i]} #{i + 1}"
    return out


# ---------------------------------------------------------------------------- areas

Position = Annotated[list[Annotated[float, Field(allow_inf_nan=False)]],
                     Field(min_length=2, max_length=3)]  # fmt: skip
Ring = Annotated[list[Position], Field(min_length=4)]  # vertices: counted over all rings


class PolygonGeometry(Input):
    """A GeoJSON Polygon in lon/lat degrees: closed rings, the first one the outline."""

    type: Literal["Polygon"]
    coordinates: Annotated[list[Ring], Field(min_length=1, max_length=MAX_RINGS)]


class MultiPolygonGeometry(Input):
    """A GeoJSON MultiPolygon in lon/lat degrees."""

    type: Literal["MultiPolygon"]
    coordinates: Annotated[
        list[Annotated[list[Ring], Field(min_length=1, max_length=MAX_RINGS)]],
        Field(min_length=1, max_length=MAX_RINGS),
    ]


class PointGeometry(Input):
    """A GeoJSON Point [lon, lat] degrees (an area needs a radius with it)."""

    type: Literal["Point"]
    coordinates: Position


Geometry = Annotated[
    PolygonGeometry | MultiPolygonGeometry | PointGeometry, Field(discriminator="type")
]


def _rings(geometry) -> list[tuple[tuple, list]]:
    if geometry.type == "Polygon":
        return [(("coordinates", i), r) for i, r in enumerate(geometry.coordinates)]
    return [
        (("coordinates", k, i), r)
        for k, poly in enumerate(geometry.coordinates)
        for i, r in enumerate(poly)
    ]


def _check_positions(rings) -> None:
    total = sum(len(r) for _, r in rings)
    if total > MAX_VERTICES:
        raise FieldProblem("coordinates", f"{total} vertices; at most {MAX_VERTICES}: simplify it")
    for loc, ring in rings:
        for j, pos in enumerate(ring):
            lon, lat = pos[0], pos[1]
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise FieldProblem(
                    (*loc, j),
                    f"{pos[:2]} is outside lon/lat range: coordinates must be "
                    "[longitude, latitude] degrees within [-180, 180] x [-90, 90]",
                )
        if ring[0][:2] != ring[-1][:2]:
            raise FieldProblem(loc, "ring is not closed (first and last positions differ)")


def _check_extent(lons: list[float], lats: list[float], loc) -> None:
    """The rules for where an area may lie, the same for polygons and circles."""
    if max(abs(v) for v in lats) >= 90.0:
        raise FieldProblem(loc, "the area reaches a pole; areas must lie between the poles")
    if max(lons) - min(lons) > 180.0:
        raise FieldProblem(
            loc,
            "the area spans more than 180 degrees of longitude: it crosses the "
            "antimeridian (+/-180 degrees), which is not supported; give the part on one side",
        )


class Area(Input):
    """An area of interest: a GeoJSON Polygon or MultiPolygon (lon/lat degrees), or a
    Point with ``radius_km`` (a geodesic circle). Valid (no self-intersection), not empty,
    between the poles and not across the antimeridian (both refused, with the same words,
    for every shape). :attr:`shape` is the shapely geometry, :attr:`area_km2` its area on
    the WGS-84 ellipsoid."""

    geometry: Geometry
    radius_km: Annotated[float, Field(gt=0.0, le=MAX_RADIUS_KM, allow_inf_nan=False)] | None = None
    _shape: Any = PrivateAttr(None)
    _area_km2: float = PrivateAttr(0.0)

    @model_validator(mode="after")
    def _check(self):
        import shapely
        from shapely.geometry import shape

        g = self.geometry
        if g.type == "Point":
            if self.radius_km is None:
                raise FieldProblem("radius_km", "a Point area needs radius_km in (0, 1000]")
            lon, lat = g.coordinates[0], g.coordinates[1]
            if not (-180 <= lon <= 180 and -90 < lat < 90):
                raise FieldProblem(("geometry", "coordinates"),
                                   "point must be [longitude, latitude] degrees")  # fmt: skip
            poly = circle(lon, lat, self.radius_km)
            xs, ys = poly.exterior.xy
            _check_extent(list(xs), list(ys), "radius_km")
        else:
            if self.radius_km is not None:
                raise FieldProblem("radius_km", "only a Point area takes a radius")
            rings = _rings(g)
            try:
                _check_positions(rings)
            except FieldProblem as exc:
                raise FieldProblem(("geometry", *exc.loc), exc.reason) from None
            lons = [p[0] for _, r in rings for p in r]
            lats = [p[1] for _, r in rings for p in r]
            _check_extent(lons, lats, "geometry")
            poly = shape({"type": g.type, "coordinates": g.coordinates})
            poly = shapely.force_2d(poly)
            if not poly.is_valid:
                raise FieldProblem(
                    "geometry",
                    f"invalid polygon ({shapely.is_valid_reason(poly)}); fix it, "
                    "e.g. with shapely.make_valid or by removing the self-intersection",
                )
        area = geodesic_area_km2(poly)
        if not area > 0:
            raise FieldProblem("geometry", "the area is empty (zero size)")
        self._shape, self._area_km2 = poly, area
        return self

    @property
    def shape(self):
        return self._shape

    @property
    def area_km2(self) -> float:
        return self._area_km2


def geodesic_area_km2(geometry) -> float:
    """Area of a lon/lat (Multi)Polygon on the WGS-84 ellipsoid, km²."""
    from pyproj import Geod
    from shapely.geometry.polygon import orient

    geod = Geod(ellps="WGS84")
    polys = getattr(geometry, "geoms", [geometry])
    return sum(abs(geod.geometry_area_perimeter(orient(p, 1.0))[0]) for p in polys) / 1e6


def circle(lon_deg: float, lat_deg: float, radius_km: float, n: int = 72):
    """Geodesic circle of ``radius_km`` around a point, as a lon/lat polygon of ``n`` sides."""
    import numpy as np
    from pyproj import Geod
    from shapely.geometry import Polygon

    az = np.linspace(0.0, 360.0, n, endpoint=False)
    lons, lats, _ = Geod(ellps="WGS84").fwd(
        np.full(n, lon_deg), np.full(n, lat_deg), az, np.full(n, radius_km * 1000.0)
    )
    return Polygon(zip(lons, lats, strict=True))


def bbox(text: str, field="bbox") -> tuple[float, float, float, float]:
    """``min_lon,min_lat,max_lon,max_lat`` degrees (west to east, south to north)."""
    try:
        values = [float(v) for v in str(text).split(",")]
    except ValueError:
        values = []
    if (
        len(values) != 4
        or not all(math.isfinite(v) for v in values)
        or not (-180 <= values[0] <= values[2] <= 180)
        or not (-90 <= values[1] <= values[3] <= 90)
    ):
        raise InputError.at(field, "expected min_lon,min_lat,max_lon,max_lat in degrees")
    return tuple(values)


def area_of(geometry, radius_km: float | None = None) -> Area:
    """An :class:`Area` from a GeoJSON mapping or a shapely geometry (InputError)."""
    if hasattr(geometry, "__geo_interface__") and not isinstance(geometry, dict):
        geometry = dict(geometry.__geo_interface__)
        geometry["coordinates"] = _lists(geometry.get("coordinates"))
    if isinstance(geometry, dict) and geometry.get("type") not in ("Polygon", "MultiPolygon",
                                                                   "Point"):  # fmt: skip
        raise InputError.at(
            ("geometry", "type"),
            "area must be a Polygon, MultiPolygon or Point with "
            f"radius_km, not {_short(geometry.get('type'))}",
        )
    return parse(Area, {"geometry": geometry, "radius_km": radius_km})


def _lists(value):
    if isinstance(value, (tuple, list)):
        return [_lists(v) for v in value]
    return value


# ---------------------------------------------------------------------------- fleets


def catalogue_names() -> tuple[str, ...]:
    """Every catalogue a fleet spec can name: the shipped ones, ``eo``, and the fleets
    brought up to date with ``sahelsat update elements`` (:mod:`sahelsat.userdata`)."""
    from sahelsat.userdata import ElementStore

    stored = [n for n in ElementStore().names() if n not in CATALOGUE_NAMES + EO_NAMES]
    return CATALOGUE_NAMES + EO_NAMES + tuple(stored)


#: A kept version of a stored fleet's element sets (``sahelsat.userdata.ElementStore``):
#: the UTC time it was fetched or uploaded, and the start of its content's SHA-256.
ELEMENT_VERSION = r"[0-9TZ]{16}-[0-9a-f]{12}"


class CataloguePart(Input):
    """A catalogue by name (shipped or stored), or the Earth-observation subset (``eo``);
    ``version`` picks a kept version of a stored fleet (written ``NAME@VERSION``), so that
    a plan made with it can be checked again after the fleet was brought up to date."""

    kind: Literal["catalogue"] = "catalogue"
    name: Annotated[str, Field(min_length=1, max_length=64)]
    version: Annotated[str, Field(pattern=f"^{ELEMENT_VERSION}$")] | None = None

    @field_validator("name")
    @classmethod
    def _known(cls, value: str) -> str:
        key = value.strip().lower()
        if key not in catalogue_names():
            raise ValueError(f"unknown catalogue {value!r}: use {', '.join(catalogue_names())}")
        return key


class FilePart(Input):
    """A TLE/OMM file (bad records skipped and reported)."""

    kind: Literal["file"] = "file"
    path: Annotated[str, Field(min_length=1, max_length=4096)]


class UploadPart(Input):
    """An element set uploaded to the service, ``upload-<id>``."""

    kind: Literal["upload"] = "upload"
    id: Annotated[int, Field(ge=1, le=2**31 - 1)]


DESIGN_PATTERNS = ("walker-delta", "walker-star", "sun-synchronous", "geostationary")
_DESIGN_NEEDS = {
    "geostationary": ("longitudes_deg",),
    "sun-synchronous": ("altitude_km", "ltan_hours"),
    "walker-delta": ("altitude_km", "inclination_deg"),
    "walker-star": ("altitude_km", "inclination_deg"),
}


class DesignPart(Input):
    """A designed constellation: Walker delta or star T/P/F at an altitude and inclination,
    sun-synchronous orbits at an altitude and local time of the ascending node, or
    geostationary satellites at longitudes."""

    kind: Literal["design"] = "design"
    design: Literal[DESIGN_PATTERNS]  # type: ignore[valid-type]
    count: Annotated[int, Field(ge=1, le=20_000)] = 1
    planes: Annotated[int, Field(ge=1, le=1000)] = 1
    phasing: Annotated[int, Field(ge=0, le=1000)] = 0
    altitude_km: Annotated[float, Field(ge=150.0, le=40_000.0)] | None = None
    inclination_deg: Annotated[float, Field(ge=0.0, le=180.0)] | None = None
    ltan_hours: Annotated[float, Field(ge=0.0, le=24.0)] | None = None
    longitudes_deg: (
        Annotated[
            list[Annotated[float, Field(ge=-180.0, le=360.0)]], Field(min_length=1, max_length=100)
        ]
        | None
    ) = None
    name: Annotated[str, Field(min_length=1, max_length=40)] | None = None

    @model_validator(mode="after")
    def _complete(self):
        missing = [k for k in _DESIGN_NEEDS[self.design] if getattr(self, k) is None]
        if missing:
            raise FieldProblem(missing[0], f"design {self.design!r} needs {', '.join(missing)}")
        if self.design != "geostationary" and self.count % self.planes:
            raise FieldProblem(
                "planes", f"count={self.count} must be a multiple of planes={self.planes}"
            )
        if self.design.startswith("walker") and self.phasing >= self.planes:
            raise FieldProblem("phasing", f"must be in [0, planes-1={self.planes - 1}]")
        if self.design == "sun-synchronous" and self.altitude_km > 6000:
            raise FieldProblem("altitude_km", "no sun-synchronous orbit above 6000 km")
        return self

    @property
    def size(self) -> int:
        return len(self.longitudes_deg) if self.design == "geostationary" else self.count


FleetPart = Annotated[
    CataloguePart | FilePart | UploadPart | DesignPart, Field(discriminator="kind")
]

_WALKER = re.compile(r"walker(?:-(delta|star))?:(\d{1,5})/(\d{1,4})/(\d{1,4})", re.I)
_NUMBER = re.compile(r"[-+]?\d{1,6}(\.\d{1,9})?")
FLEET_HELP = (
    "a shipped catalogue (resource, starlink, oneweb, geo, weather), eo (Sentinel-1/2, "
    "Landsat 8/9), a TLE/OMM file, a design (walker:T/P/F,ALT_KM,INC_DEG, "
    "walker-star:T/P/F,ALT_KM,INC_DEG, sso:ALT_KM,LTAN_H[,N], geo:LON[,LON...]), or "
    "several joined with commas"
)


class FleetSpec(Input):
    """Which satellites: one or more parts (catalogues, files, designs, uploads), and
    optionally only those whose name matches ``select`` (a regular expression). Written
    as text, parts are joined with commas: ``resource,my.tle,walker:24/3/1,550,53``.
    One function resolves it into a Fleet: :func:`sahelsat.fleets.resolve_fleet`."""

    parts: Annotated[list[FleetPart], Field(min_length=1, max_length=20)]
    select: Pattern | None = None

    @classmethod
    def parse(
        cls, text: str, *, files: bool = True, uploads: bool = False, select: str | None = None
    ) -> FleetSpec:
        """Read ``text``; ``files``/``uploads``: whether file paths / ``upload-<id>``
        parts are allowed here (the service takes no server file path)."""
        text = str(text).strip()
        if not text or len(text) > 2000:
            raise InputError.at("fleet", "give a fleet: " + FLEET_HELP)
        tokens = [t.strip() for t in text.split(",")]
        parts: list[dict] = []
        k = 0
        while k < len(tokens):
            token, k = tokens[k], k + 1
            low = token.lower()
            design = _WALKER.fullmatch(low) or low.startswith(("sso:", "geo:"))
            if design:
                numbers = [] if _WALKER.fullmatch(low) else [low.split(":", 1)[1]]
                while k < len(tokens) and _NUMBER.fullmatch(tokens[k]):
                    numbers.append(tokens[k])
                    k += 1
                parts.append(_design(low, numbers, text))
            elif low in catalogue_names():
                parts.append({"kind": "catalogue", "name": low})
            elif "@" in low and (not files or low.split("@")[0] in catalogue_names()):
                parts.append(_versioned(token))
            elif m := re.fullmatch(r"upload-(\d{1,10})", low):
                if not uploads:
                    raise InputError.at("fleet", f"{token!r}: uploaded element sets are "
                                                 "named only in the service")  # fmt: skip
                parts.append({"kind": "upload", "id": int(m.group(1))})
            elif files and token and not low.startswith(("walker", "sso", "geo")):
                parts.append({"kind": "file", "path": token})
            else:
                allowed = (f"use {', '.join(CATALOGUE_NAMES + EO_NAMES)}"
                           + (" or upload-<id>" if uploads else ""))  # fmt: skip
                if files:
                    allowed = FLEET_HELP
                raise InputError.at("fleet", f"unknown fleet {token!r}: {allowed}")
        try:
            return parse(cls, {"parts": parts, "select": select})
        except InputError as exc:
            raise InputError.at("fleet", f"{text!r}: {exc.field}: {exc.reason}") from None

    def __str__(self) -> str:
        out = []
        for p in self.parts:
            if p.kind == "catalogue":
                out.append(p.name if p.version is None else f"{p.name}@{p.version}")
            elif p.kind == "file":
                out.append(p.path)
            elif p.kind == "upload":
                out.append(f"upload-{p.id}")
            else:
                out.append(f"design:{p.design}")
        return ",".join(out)

    @property
    def key(self) -> str:
        """A canonical text of the spec (for caches and product names)."""
        return self.model_dump_json()


def _versioned(token: str) -> dict:
    """``NAME@VERSION``: a kept version of a stored fleet (the service lists them at
    ``GET /api/fleets/{fleet}/versions``)."""
    name, _, version = token.strip().partition("@")
    name, version = name.strip().lower(), version.strip()
    if name not in catalogue_names():  # eo@VERSION: the subset of a version of resource
        raise InputError.at("fleet", f"{token!r}: {name!r} is not a stored fleet; a version "
                            "is named as NAME@VERSION of a fleet brought up to date or "
                            "uploaded")  # fmt: skip
    if not re.fullmatch(ELEMENT_VERSION, version):
        raise InputError.at("fleet", f"{token!r}: {version!r} is not a version (like "
                            "20261203T060000Z-0123456789ab, as the fleet's versions "
                            "list them)")  # fmt: skip
    return {"kind": "catalogue", "name": name, "version": version}


def _design(low: str, numbers: list[str], text: str) -> dict:
    try:
        values = [float(n) for n in numbers]
    except ValueError:
        values = []
    if m := _WALKER.fullmatch(low):
        if len(values) != 2:
            raise InputError.at("fleet", f"{text!r}: use walker:T/P/F,ALT_KM,INC_DEG "
                                         "(e.g. walker:24/3/1,550,53)")  # fmt: skip
        pattern, t, p, f = m.groups()
        return {"kind": "design", "design": f"walker-{pattern or 'delta'}", "count": int(t),
                "planes": int(p), "phasing": int(f), "altitude_km": values[0],
                "inclination_deg": values[1]}  # fmt: skip
    if low.startswith("sso:"):
        if len(values) not in (2, 3) or (len(values) == 3 and not values[2].is_integer()):
            raise InputError.at("fleet", f"{text!r}: use sso:ALT_KM,LTAN_H[,N]")
        count = int(values[2]) if len(values) > 2 else 1
        return {"kind": "design", "design": "sun-synchronous", "altitude_km": values[0],
                "ltan_hours": values[1], "count": count}  # fmt: skip
    if not values:
        raise InputError.at("fleet", f"{text!r}: use geo:LON[,LON...] (degrees east)")
    return {"kind": "design", "design": "geostationary", "longitudes_deg": values}


# ---------------------------------------------------------------------------- requests


class RequestNeeds(Input):
    """What an imaging request asks of the image, apart from where and when."""

    priority: Priority = 1.0
    sensor: RequestSensor = "any"
    max_off_nadir_deg: OffNadirLimit | None = None  # None: each instrument's own limit
    min_sun_elevation_deg: Annotated[float, Field(ge=-90.0, le=90.0)] | None = None
    mode: ImagingMode = "mono"
    repeat_days: Annotated[float, Field(gt=0.0, le=366.0)] | None = None

    @model_validator(mode="after")
    def _coherent(self):
        if self.mode == "stereo" and self.sensor == "sar":
            raise FieldProblem(
                "mode", "stereo needs an optical sensor (sensor 'optical' or 'any'), not SAR"
            )
        if self.min_sun_elevation_deg is not None and self.sensor == "sar":
            raise FieldProblem(
                "min_sun_elevation_deg", "applies to optical images only; SAR sees at night"
            )
        return self


def check_needs_in_window(needs: RequestNeeds, area: Area, window: Window) -> None:
    """The checks that need both the request and its window: the Sun must be able to
    reach ``min_sun_elevation_deg`` at the area, and repeats must be bounded in number.
    Raises :class:`FieldProblem` naming the field."""
    if needs.repeat_days is not None:
        periods = window.days / needs.repeat_days
        if periods > MAX_REPEATS:
            raise FieldProblem(
                "repeat_days",
                f"{needs.repeat_days:g} splits the window into {periods:.0f} periods; at most "
                f"{MAX_REPEATS} are allowed (lengthen repeat_days or shorten the window)",
            )
    if needs.min_sun_elevation_deg is not None:
        lat = float(area.shape.centroid.y)
        best = max_sun_elevation_deg(lat, window)
        if needs.min_sun_elevation_deg > best:
            raise FieldProblem(
                "min_sun_elevation_deg",
                f"{needs.min_sun_elevation_deg:g} is never reached: the Sun rises at most "
                f"{best:.1f} degrees at latitude {lat:.2f} in the window",
            )


def max_sun_elevation_deg(lat_deg: float, window: Window) -> float:
    """Highest noon Sun elevation at latitude ``lat_deg`` over the window (degrees)."""
    import numpy as np

    from sahelsat.sun import sun_position_itrf

    days = max(int(window.days) + 1, 1)
    times = window.start64 + np.arange(min(days, 366)) * np.timedelta64(1, "D")
    sun = sun_position_itrf(times)
    decl = np.degrees(np.arcsin(sun[:, 2] / np.linalg.norm(sun, axis=1)))
    return float(np.max(90.0 - np.abs(lat_deg - decl)))


class ImagingRequest(RequestNeeds):
    """An imaging request: an id, an area, a window and what the image needs. The
    planner's form is :class:`sahelsat.tasking.requests.ImagingRequest`
    (``tasking.requests.from_input``)."""

    id: Name
    area: Area
    window: Window

    @model_validator(mode="after")
    def _in_window(self):
        check_needs_in_window(self, self.area, self.window)
        return self


# ---------------------------------------------------------------------------- sensors

#: Sensors known by name -> their one definition (:data:`sahelsat.sensors.INSTRUMENTS`,
#: where the published figures and their sources are).
SENSOR_NAMES = INSTRUMENTS


class Sensor(Input):
    """An imaging sensor by name: its beams, pointing and side come from its one
    definition (:meth:`definition`), never from a second table."""

    name: Literal[tuple(INSTRUMENTS)]  # type: ignore[valid-type]

    @property
    def kind(self) -> SensorKind:
        return self.definition().kind

    def definition(self):
        """The instrument (:class:`sahelsat.sensors.Sensor`)."""
        return INSTRUMENTS[self.name]


# ---------------------------------------------------------------------------- links

Band = Literal["ku", "ka"]


class LinkTarget(Input):
    """One terminal's forward link: the site, the band's default scenario, the GEO
    satellite (a designed slot ``sat_lon_deg`` or a real one by ``satellite`` name), the
    dish, and optional overrides of the scenario (availability, EIRP, efficiency,
    frequency)."""

    site: Site
    band: Band = "ku"
    sat_lon_deg: Annotated[float, Field(ge=-180.0, le=360.0)] = 0.0
    satellite: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    dish_m: Annotated[float, Field(ge=0.1, le=20.0)] = 0.9
    availability_percent: Availability | None = None
    eirp_dbw: Annotated[float, Field(ge=0.0, le=100.0)] | None = None
    efficiency: Annotated[float, Field(gt=0.0, le=1.0)] | None = None
    frequency_ghz: Annotated[float, Field(ge=1.0, le=55.0)] | None = None


# ---------------------------------------------------------------------------- system design

#: Sections of a connectivity design whose fields a scenario may set, and the classes of
#: :mod:`sahelsat.comms.defaults` holding each field's default, unit (in its name) and source.
DESIGN_SECTIONS = {"demand": "DemandParameters", "hts": "HtsParameters",
                   "gateways": "GatewayParameters", "broadcast": "BroadcastParameters"}  # fmt: skip
#: LEO constellations a design may be compared with
#: (:data:`sahelsat.comms.defaults.LEO_CONSTELLATIONS`).
LEO_NAMES = ("oneweb", "starlink")

_DesignScalar = (
    StrictBool | StrictInt | StrictFloat | Annotated[StrictStr, Field(max_length=MAX_NAME)]
)


def _finite(value):
    values = value if isinstance(value, list) else [value]
    if any(isinstance(v, float) and not math.isfinite(v) for v in values):
        raise ValueError("must be a finite number (not NaN or infinity)")
    return value


DesignValue = Annotated[
    _DesignScalar | Annotated[list[_DesignScalar], Field(max_length=100)],
    BeforeValidator(_finite),
]
DesignFields = Annotated[
    dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")], DesignValue],
    Field(max_length=100),
]


class _DesignChanges(Input):
    """Fields of the design's sections to change from their defaults, e.g.
    ``hts = {colours = 7, polarisations = 1}``; each key is a field of the section's class
    in :mod:`sahelsat.comms.defaults` (:data:`DESIGN_SECTIONS`), where its default, unit and
    source are written."""

    demand: DesignFields = Field(default_factory=dict)
    hts: DesignFields = Field(default_factory=dict)
    gateways: DesignFields = Field(default_factory=dict)
    broadcast: DesignFields = Field(default_factory=dict)
    grid_resolution_deg: Annotated[float, Field(ge=0.01, le=2.0)] | None = None

    def changes(self) -> dict:
        """The changes as dotted paths (``{"hts.colours": 7}``) for
        :func:`sahelsat.comms.defaults.update`."""
        out = {f"{s}.{k}": v for s in DESIGN_SECTIONS for k, v in getattr(self, s).items()}
        if self.grid_resolution_deg is not None:
            out["grid_resolution_deg"] = self.grid_resolution_deg
        return out


def _design_problem(exc, *prefix) -> FieldProblem:
    """A :class:`~sahelsat.comms.defaults.ParameterError` as a problem at its field."""
    path = exc.field.removeprefix("design.").split(".")
    return FieldProblem((*prefix, *path), str(exc).split(": ", 1)[-1])


class DesignTrade(_DesignChanges):
    """An alternative design of the trade table (``[[design.trade]]``): its name and what
    it changes from the scenario's design (beam count, reuse colours, EIRP, antenna...)."""

    name: Name


class DesignInput(_DesignChanges):
    """The ``[design]`` table of a scenario: a connectivity system design
    (:func:`sahelsat.comms.design.run_design`) from the defaults of
    :class:`sahelsat.comms.defaults.DesignParameters` with the fields given here changed.

    ``countries``: default the scenario area's; ``demand_from``: the population base's
    settlements or its grid; ``grid_resolution_deg``: the cells of the link maps (deg);
    ``leo``: constellations compared (their visibility from the coverage engine, over
    ``leo_hours`` h sampled every ``leo_step_s`` s); ``trade``: alternative designs."""

    name: Name | None = None
    countries: list[Literal[COUNTRY_CODES]] | None = Field(None, min_length=1)  # type: ignore[valid-type]
    demand_from: Literal["settlements", "grid"] = "settlements"
    leo: list[Literal[LEO_NAMES]] = Field(default_factory=list, max_length=2)  # type: ignore[valid-type]
    leo_hours: Annotated[float, Field(ge=0.1, le=24.0 * 31)] | None = None
    leo_step_s: Annotated[float, Field(ge=1.0, le=3600.0)] | None = None
    trade: list[DesignTrade] = Field(default_factory=list, max_length=10)

    @model_validator(mode="after")
    def _parameters(self):
        self.parameters()
        names = [t.name for t in self.trade]
        if len(set(names)) != len(names):
            raise FieldProblem("trade", f"trade names must be unique: {names}")
        for k in range(len(self.trade)):
            self.parameters(k)
        return self

    def parameters(self, trade: int | None = None, countries=None):
        """The :class:`~sahelsat.comms.defaults.DesignParameters` of this table, or of its
        alternative ``trade`` (index); ``countries`` when the table names none."""
        import dataclasses

        from sahelsat.comms import defaults

        p = defaults.DesignParameters()
        top = {"demand_from": self.demand_from, "leo_hours": self.leo_hours,
               "leo_step_s": self.leo_step_s}  # fmt: skip
        top = {k: v for k, v in top.items() if v is not None}
        try:
            p = defaults.update(p, {**top, **self.changes()})
        except defaults.ParameterError as exc:
            raise _design_problem(exc) from None
        leo = tuple(c for c in defaults.LEO_CONSTELLATIONS if c.catalogue in self.leo)
        chosen = self.countries or countries
        p = dataclasses.replace(p, name=self.name or p.name, leo=leo,
                                countries=tuple(chosen) if chosen else None)  # fmt: skip
        if trade is None:
            return p
        t = self.trade[trade]
        try:
            p = defaults.update(p, t.changes())
        except defaults.ParameterError as exc:
            raise _design_problem(exc, "trade", trade) from None
        return dataclasses.replace(p, name=t.name, leo=())


# ---------------------------------------------------------------------------- refresh

#: A fleet's name in the element store (``sahelsat.userdata.fleet_name``), lower case.
FLEET_NAME = r"[a-z0-9][a-z0-9_.-]{0,63}"


def fleet_name(value: str) -> str:
    """A fleet's name as the element store keeps it (ValueError otherwise); ``eo`` is a
    subset of ``resource``, not a fleet of its own."""
    key = str(value).strip().lower()
    if not re.fullmatch(FLEET_NAME, key):
        raise ValueError(
            f"fleet name {value!r}: use 1-64 letters, digits, '-', '_' or '.', starting "
            "with a letter or digit"
        )
    if key in EO_NAMES or re.fullmatch(r"upload-\d+", key):
        raise ValueError(f"{value!r} names a selection, not a fleet that can be stored")
    return key


FleetName = Annotated[str, AfterValidator(fleet_name)]


class RefreshJob(Input):
    """Parameters of a ``refresh`` job: the fleets to bring up to date from their source
    (default: the service's ``refresh_fleets`` setting; a name that is neither a shipped
    catalogue nor a fleet defined earlier is asked as a CelesTrak group), and ``force``
    to ask a source again before its update interval has passed."""

    fleets: Annotated[list[FleetName], Field(min_length=1, max_length=50)] | None = None
    force: bool = False


# ---------------------------------------------------------------------------- floods

#: The shipped exercise flood extents (``zone = "exercise"``): drawn from the Natural
#: Earth rivers and lakes, labelled everywhere as exercises, never as observations.
EXERCISE_ZONE = "exercise"
MAX_ZONE_BYTES = 5_000_000
FileName = Annotated[str, Field(min_length=1, max_length=500)]


def zone_features(data: Any, source: str = "zone") -> list[dict]:
    """The polygons of a GeoJSON object (a geometry, a Feature or a FeatureCollection) as
    ``{"name", "label", "geometry": Area}`` rows; each must be a valid lon/lat
    (Multi)Polygon (:class:`Area`). Raises :class:`InputError` naming the feature."""
    if not isinstance(data, dict):
        raise InputError.at(source, "expected a GeoJSON object (geometry, Feature or "
                                    "FeatureCollection)")  # fmt: skip
    kind = data.get("type")
    if kind == "FeatureCollection":
        feats = data.get("features")
        if not isinstance(feats, list) or not feats:
            raise InputError.at((source, "features"), "a FeatureCollection with no features")
    elif kind == "Feature":
        feats = [data]
    else:
        feats = [{"type": "Feature", "properties": {}, "geometry": data}]
    if len(feats) > MAX_RINGS:
        raise InputError.at((source, "features"), f"at most {MAX_RINGS} features")
    out = []
    for k, f in enumerate(feats):
        if not isinstance(f, dict) or not isinstance(f.get("geometry"), dict):
            raise InputError.at((source, "features", k), "a Feature with a geometry")
        geom = f["geometry"]
        if geom.get("type") not in ("Polygon", "MultiPolygon"):
            raise InputError.at((source, "features", k, "geometry", "type"),
                                "a flood extent is a Polygon or MultiPolygon")  # fmt: skip
        try:
            area = area_of(geom)
        except InputError as exc:
            raise InputError.at((source, "features", k, *exc.problems[0].loc), exc.reason) from None
        props = f.get("properties") or {}
        name = props.get("name") if isinstance(props, dict) else None
        label = props.get("label") if isinstance(props, dict) else None
        name_fr = props.get("name_fr") if isinstance(props, dict) else None
        out.append({"name": str(name or f"zone {k + 1}")[:MAX_NAME],
                    "name_fr": str(name_fr or name or f"zone {k + 1}")[:MAX_NAME],
                    "label": str(label or "")[:MAX_NAME], "geometry": area})  # fmt: skip
    return out


def _check_zone(zone) -> None:
    """A GeoJSON ``zone`` given inline is checked as the zone file would be (FieldProblem
    at its path); names (``"exercise"``, a file) are checked where they are read."""
    if isinstance(zone, dict):
        try:
            zone_features(zone)
        except InputError as exc:
            raise FieldProblem(exc.problems[0].loc, exc.reason) from None


class FloodSection(Input):
    """A flood to map and count (the scenario's ``[flood]`` table, the ``flood`` job, the
    brief): a SAR ``image`` (one or more GeoTIFF paths; ``baseline`` and ``optical``
    optional), or a ``zone``: a GeoJSON file path, an inline GeoJSON object, or
    ``"exercise"`` (the shipped exercise extents). ``request``: the imaging request the
    flood answers (its timeline); ``exercise``: the extent is an exercise, not an
    observation (always true for ``"exercise"``); ``buffer_m``: a settlement's smallest
    footprint radius (m)."""

    image: list[FileName] | None = Field(None, min_length=1, max_length=20)
    baseline: list[FileName] | None = Field(None, min_length=1, max_length=20)
    optical: FileName | None = None
    zone: FileName | dict | None = None
    request: Name | None = None
    exercise: bool = False
    buffer_m: Annotated[float, Field(ge=0.0, le=20_000.0)] | None = None
    title: Annotated[str, Field(min_length=1, max_length=MAX_NAME)] | None = None

    @field_validator("image", "baseline", mode="before")
    @classmethod
    def _one_or_many(cls, value):
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _scene_or_zone(self):
        if (self.image is None) == (self.zone is None):
            raise FieldProblem("zone", "give exactly one of image (a SAR scene) or zone")
        if self.zone is not None and (self.baseline or self.optical):
            raise FieldProblem("baseline", "baseline and optical go with an image, not a zone")
        _check_zone(self.zone)
        return self

    @property
    def is_exercise(self) -> bool:
        return self.exercise or self.zone == EXERCISE_ZONE


MAX_ID = 2**31 - 1
StoreId = Annotated[int, Field(ge=1, le=MAX_ID)]
MAX_BRIEF_DAYS = 14.0


class FloodJob(Input):
    """Parameters of the service's ``flood`` job: an uploaded SAR scene (VV, VH bands),
    optionally a dry-season ``baseline_scene_id`` (new water against it) and the imaging
    request it answers (default: the scene's own link); ``buffer_m`` as in
    :class:`FloodSection`."""

    scene_id: StoreId
    baseline_scene_id: StoreId | None = None
    request_id: StoreId | None = None
    buffer_m: Annotated[float, Field(ge=0.0, le=20_000.0)] | None = None


class BriefJob(Input):
    """Parameters of the service's ``brief`` job: a flood ``zone`` (GeoJSON object or
    ``"exercise"``) or the area of stored imaging request ``request_id``; the latest
    flood extent of ``flood_job_id`` when given; next images from ``start`` (default: the
    element sets' default start) for ``days``."""

    zone: Literal["exercise"] | dict | None = None
    request_id: StoreId | None = None
    flood_job_id: StoreId | None = None
    start: UtcTime | None = None
    days: Annotated[float, Field(gt=0.0, le=MAX_BRIEF_DAYS)] = 3.0

    @model_validator(mode="after")
    def _zone_or_request(self):
        if (self.zone is None) == (self.request_id is None):
            raise FieldProblem("zone", "give exactly one of zone or request_id")
        _check_zone(self.zone)
        return self
