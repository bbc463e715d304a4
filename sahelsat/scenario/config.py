"""Scenario files: TOML validated into typed models, with errors that name key and line.

A scenario says which satellites (shipped catalogues, element files or designs), which
ground stations, area and settlements, which imaging requests, over which window, and
the link and planning parameters. Every value is parsed into the typed inputs of
:mod:`sahelsat.inputs` (the same rules as the command line and the service), so a file
this module accepts runs. Nothing heavy is imported here: a bad file fails fast.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sahelsat import inputs
from sahelsat.inputs import (
    CATALOGUE_NAMES,
    COUNTRY_CODES,
    EO_NAMES,
    Availability,
    FieldProblem,
    InputError,
    MinElevation,
    Name,
    Problem,
    RequestNeeds,
    SensorKind,
    Site,
    Throughput,
    UtcTime,
)

BUILTIN = {"sahel": "sahel.toml", "real": "real_fleets.toml"}


class ScenarioError(InputError):
    """An invalid scenario; the message names the file, line and key of each problem."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Window(_Model):
    """The scenario's name (English, French) and its time window."""

    name: Name
    name_fr: Name | None = None
    start: UtcTime
    duration_hours: float = Field(gt=0, le=24 * 7)

    @property
    def stop(self) -> datetime:
        return self.start + timedelta(hours=self.duration_hours)

    @property
    def window(self) -> inputs.Window:
        return inputs.Window(start=self.start, stop=self.stop)


_DESIGN_FIELDS = ("count", "planes", "phasing", "altitude_km", "inclination_deg", "ltan_hours",
                  "longitudes_deg")  # fmt: skip


class Satellites(_Model):
    """One group of satellites: a catalogue (optionally a name pattern), an element file,
    or a design (the fields of :class:`sahelsat.inputs.DesignPart`). ``role``: broadband
    (connectivity) or imaging (coverage, tasking). ``ours``: whether the region operates
    them (their acquisitions and downlinks are planned; the others' systematic
    acquisitions are forecast): designs by default, catalogue and file groups only when
    set."""

    role: Literal["broadband", "imaging"]
    catalogue: Literal[CATALOGUE_NAMES + EO_NAMES] | None = None  # type: ignore[valid-type]
    select: inputs.Pattern | None = None
    file: str | None = None
    design: Literal[inputs.DESIGN_PATTERNS] | None = None  # type: ignore[valid-type]
    name: str = Field("SAHELSAT", min_length=1, max_length=40)
    longitudes_deg: list[float] | None = None
    altitude_km: float | None = Field(None, ge=200, le=2000)
    ltan_hours: float | None = None
    inclination_deg: float | None = None
    count: int = 1
    planes: int = 1
    phasing: int = 0
    sensor: SensorKind | None = None
    swath_km: float = Field(20.0, gt=0, le=1000)
    max_off_nadir_deg: float = Field(30.0, ge=0, le=inputs.MAX_OFF_NADIR_DEG)
    ours: bool | None = None

    @property
    def operated(self) -> bool:
        """True when the region operates this group (``ours``, default: a design)."""
        return self.design is not None if self.ours is None else self.ours

    @model_validator(mode="after")
    def _one_source(self):
        sources = [k for k in ("catalogue", "file", "design") if getattr(self, k) is not None]
        if len(sources) != 1:
            raise ValueError(f"give exactly one of catalogue, file or design (got {sources})")
        if self.design:
            self.part()  # the design's own rules, with this group's keys
        if self.role == "broadband" and not (
            self.design == "geostationary" or self.catalogue == "geo"
        ):
            raise ValueError("broadband satellites: design 'geostationary' or catalogue 'geo'")
        if self.design and self.role == "imaging" and self.sensor is None:
            raise ValueError("a designed imaging group needs sensor = 'optical' or 'sar'")
        return self

    def part(self):
        """This group's satellites as one part of a fleet spec (a typed input)."""
        if self.catalogue:
            return inputs.CataloguePart(name=self.catalogue)
        if self.file:
            return inputs.FilePart(path=self.file)
        data = {k: getattr(self, k) for k in _DESIGN_FIELDS}
        data = {k: v for k, v in data.items() if v is not None}
        try:
            return inputs.parse(inputs.DesignPart, {"design": self.design, **data})
        except InputError as exc:
            raise FieldProblem(exc.problems[0].loc, exc.reason) from None


class CoverageArea(_Model):
    """The ``[area]`` table: which countries, and how coverage is sampled there."""

    countries: list[Literal[COUNTRY_CODES]] = Field(  # type: ignore[valid-type]
        default_factory=lambda: list(COUNTRY_CODES), min_length=1
    )
    coverage_resolution_deg: float = Field(0.25, ge=0.02, le=2.0)
    coverage_step_s: float = Field(60.0, ge=5, le=900)
    coverage_min_elevation_deg: MinElevation = 25.0
    coverage_max_off_nadir_deg: float | None = Field(None, gt=0, lt=90)  # imaging field of regard

    @property
    def code(self) -> str:
        return "AES" if set(self.countries) == set(COUNTRY_CODES) else self.countries[0]


Area = CoverageArea  # the name this table had before


class Settlements(_Model):
    source: str = Field("towns", min_length=1)
    min_population: int = Field(0, ge=0, le=10**9)


class Connectivity(_Model):
    band: Literal["Ku", "Ka"] = "Ku"
    availability_percent: Availability = 99.5
    throughput_mbps: Throughput = 20.0


class Imaging(_Model):
    station_min_elevation_deg: MinElevation = 5.0
    pass_min_elevation_deg: MinElevation = 10.0
    time_limit_s: float = Field(20.0, gt=0, le=600)
    memory_gbit: float = Field(256.0, gt=0, le=1e6)
    downlink_rate_mbps: float = Field(300.0, gt=0, le=1e5)


class Request(RequestNeeds):
    """An imaging request of the scenario: an id, a point with ``radius_km`` or a polygon
    (lon, lat vertices; closed for you), and the needs of
    :class:`sahelsat.inputs.RequestNeeds`; its window is the scenario's."""

    id: Name
    title: str | None = None
    point: tuple[float, float] | None = None  # lon, lat (degrees)
    radius_km: float | None = None
    polygon: list[tuple[float, float]] | None = None  # (lon, lat) vertices

    @model_validator(mode="after")
    def _shape(self):
        if (self.point is None) == (self.polygon is None):
            raise ValueError("give exactly one of point (with radius_km) or polygon")
        if self.polygon is not None and len(self.polygon) < 3:
            raise FieldProblem("polygon", "a polygon needs at least 3 vertices")
        self.area()
        return self

    def area(self) -> inputs.Area:
        """The request's area as a typed input (the rules of :class:`sahelsat.inputs.Area`)."""
        if self.point is not None:
            geometry, key = {"type": "Point", "coordinates": list(self.point)}, "point"
        else:
            ring = [list(v) for v in self.polygon]
            ring = ring if ring[0] == ring[-1] else [*ring, ring[0]]
            geometry, key = {"type": "Polygon", "coordinates": [ring]}, "polygon"
        try:
            return inputs.area_of(geometry, self.radius_km)
        except InputError as exc:
            loc = exc.problems[0].loc
            field = "radius_km" if loc[:1] == ("radius_km",) else key
            raise FieldProblem(field, exc.reason) from None

    def typed(self, window: inputs.Window) -> inputs.ImagingRequest:
        """The full typed request over ``window``."""
        needs = self.model_dump(exclude={"id", "title", "point", "radius_km", "polygon"})
        return inputs.ImagingRequest(id=self.id, area=self.area(), window=window, **needs)


class Scenario(_Model):
    """A validated scenario; ``folder`` is where relative file names are resolved."""

    scenario: Window
    satellites: list[Satellites] = Field(min_length=1, max_length=100)
    stations: list[Site] | None = Field(None, min_length=1, max_length=1000)
    area: CoverageArea = CoverageArea()
    settlements: Settlements = Settlements()
    connectivity: Connectivity = Connectivity()
    imaging: Imaging = Imaging()
    requests: list[Request] = Field(default_factory=list, max_length=10_000)
    design: inputs.DesignInput | None = None  # connectivity system design (step "design")
    flood: inputs.FloodSection | None = None
    folder: str = "."

    @model_validator(mode="after")
    def _files_exist(self):
        for k, group in enumerate(self.satellites):
            if group.file and not (Path(self.folder) / group.file).is_file():
                raise FieldProblem(("satellites", k, "file"), f"file {group.file!r} not found")
        source = self.settlements.source
        if source not in ("towns", "population") and not (Path(self.folder) / source).is_file():
            raise FieldProblem(("settlements", "source"), f"file {source!r} not found")
        if self.stations:
            try:
                inputs.sites(self.stations)
            except InputError as exc:
                raise FieldProblem(("stations", *exc.problems[0].loc), exc.reason) from None
        ids = [r.id for r in self.requests]
        if len(set(ids)) != len(ids):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            raise ValueError(f"request ids must be unique; repeated: {', '.join(dup)}")
        window = self.scenario.window
        for k, r in enumerate(self.requests):
            try:
                inputs.check_needs_in_window(r, r.area(), window)
            except FieldProblem as exc:
                raise FieldProblem(("requests", k, *exc.loc), exc.reason) from None
        return self

    @model_validator(mode="after")
    def _flood_files(self):
        """The ``[flood]`` table's files exist, its zone reads, its request is known."""
        f = self.flood
        if f is None:
            return self
        for key in ("image", "baseline", "optical"):
            value = getattr(f, key)
            for k, name in enumerate([value] if isinstance(value, str) else value or []):
                if not (Path(self.folder) / name).is_file():
                    loc = ("flood", key) if isinstance(value, str) else ("flood", key, k)
                    raise FieldProblem(loc, f"file {name!r} not found")
        if isinstance(f.zone, str):
            from sahelsat.scenario.flood import read_zone

            try:
                read_zone(f.zone, self.folder)
            except InputError as exc:
                raise FieldProblem(("flood", *exc.problems[0].loc), exc.reason) from None
        if f.request is not None and f.request not in {r.id for r in self.requests}:
            raise FieldProblem(("flood", "request"), f"no request with id {f.request!r}")
        return self

    def imaging_requests(self) -> list[inputs.ImagingRequest]:
        """The requests as typed inputs over the scenario's window."""
        window = self.scenario.window
        return [r.typed(window) for r in self.requests]

    def path(self, name: str) -> Path:
        return Path(self.folder) / name

    def design_parameters(self, trade: int | None = None):
        """The ``[design]`` table's design (or its alternative ``trade``) over the area's
        countries unless it names its own, its beams over the area (one country or all
        three) unless ``hts.area`` is set; None without a ``[design]`` table."""
        if self.design is None:
            return None
        p = self.design.parameters(trade, countries=self.area.countries)
        countries = set(self.design.countries or self.area.countries)
        if "area" not in self.design.hts and len(countries) in (1, len(inputs.COUNTRY_CODES)):
            code = next(iter(countries)) if len(countries) == 1 else "AES"
            p = dataclasses.replace(p, hts=dataclasses.replace(p.hts, area=code))
        return p


def _key_line(text: str, loc: tuple) -> int | None:
    """Line number (1-based) of the key at ``loc`` (e.g. ("satellites", 1, "altitude_km")),
    else of its table's header (``[area]``, the second ``[[satellites]]``)."""
    table = str(loc[0])
    index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else 0
    key = next((str(p) for p in loc[1:] if not isinstance(p, int)), None)
    first_int = next((k for k, p in enumerate(loc) if isinstance(p, int)), len(loc))
    if first_int >= 2 and first_int < len(loc) or first_int >= 3:  # a sub-table's key:
        head = ".".join(str(p) for p in loc[: min(first_int, len(loc) - 1)])  # [design.hts],
        nested = _key_line(text, (head, *loc[min(first_int, len(loc) - 1) :]))  # [[design.trade]]
        if nested is not None:
            return nested
    section, seen, header = None, {}, None  # section None: the top level
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        m = re.match(r"^\[\[?\s*([\w.-]+)\s*\]", stripped)
        if m:
            section = m.group(1)
            seen[section] = seen.get(section, -1) + 1
            if section == table and seen[section] == index:
                header = number
            continue
        here = section == table and seen.get(section) == index
        wanted = key if here else (table if section is None else None)
        if wanted and re.match(rf"^{re.escape(wanted)}\s*=", stripped):
            return number
    return header


def parse_scenario(
    text: str, source: str = "<scenario>", folder: str | Path = ".", runnable: bool = False
) -> Scenario:
    """Validate TOML ``text``; raises :class:`ScenarioError` naming ``source``, line and key.
    ``runnable``: also resolve what a run needs (:func:`check_runnable`)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"not valid TOML: {exc}", source) from None
    data["folder"] = str(folder)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        error = inputs.input_error(exc, Scenario)
    except RecursionError:
        raise ScenarioError("nested too deeply", source) from None
    else:
        return check_runnable(scenario, text, source) if runnable else scenario
    problems = [Problem(p.loc, p.reason, _key_line(text, p.loc) if p.loc else None)
                for p in error.problems]  # fmt: skip
    raise ScenarioError(problems, source) from None


def check_runnable(scenario: Scenario, text: str | None = None, source: str = "<scenario>"):
    """``scenario`` if a run can start on it, else :class:`ScenarioError` (file, line, key).

    Resolves everything ``run`` resolves before its heavy work, with the run's own
    function (:func:`sahelsat.scenario.run.prepare`): each group's satellites and sensors
    (element files read, ``select`` matching), the link targets against the MODCOD table,
    the broadband satellites, the settlements, the requests. ``check-scenario`` and ``run``
    both call it, so a file that one accepts the other runs."""
    import warnings

    from sahelsat.scenario.run import prepare

    try:
        with warnings.catch_warnings():  # e.g. stale element sets: the run notes them
            warnings.simplefilter("ignore")
            prepare(scenario)
    except InputError as exc:
        problems = [Problem(p.loc, p.reason, _key_line(text, p.loc) if text and p.loc else None)
                    for p in exc.problems]  # fmt: skip
        raise ScenarioError(problems, source) from None
    return scenario


def load_scenario(source: str | Path = "sahel", runnable: bool = False) -> Scenario:
    """A scenario from a TOML file, or a built-in one by name (``sahel``, ``real``);
    ``runnable``: also resolve what a run needs (:func:`check_runnable`)."""
    if str(source) in BUILTIN:
        path = resources.files("sahelsat").joinpath("data", "scenarios", BUILTIN[str(source)])
        return parse_scenario(path.read_text(), f"built-in scenario {source!r}", ".", runnable)
    path = Path(source)
    if not path.is_file():
        raise ScenarioError(
            f"no such scenario file (built-in scenarios: {', '.join(BUILTIN)})", str(source)
        )
    return parse_scenario(path.read_text(), str(path), path.parent, runnable)
