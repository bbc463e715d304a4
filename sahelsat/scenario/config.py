"""Scenario files: TOML validated into typed models, with errors that name key and line.

A scenario says which satellites (shipped catalogues, element files or designs), which
ground stations, area and settlements, which imaging requests, over which window, and
the link and planning parameters. Nothing heavy is imported here: a bad file fails fast.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

BUILTIN = {"sahel": "sahel.toml", "real": "real_fleets.toml"}
CATALOGUE_NAMES = ("resource", "starlink", "oneweb", "geo", "weather")
COUNTRY_CODES = ("MLI", "NER", "BFA")


class ScenarioError(ValueError):
    """An invalid scenario; the message names the file, line and key."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Window(_Model):
    name: str = Field(min_length=1)
    name_fr: str | None = None
    start: datetime
    duration_hours: float = Field(gt=0, le=24 * 7)

    @property
    def stop(self) -> datetime:
        return self.start + timedelta(hours=self.duration_hours)


class Satellites(_Model):
    """One group of satellites: a catalogue (optionally a name pattern), an element file,
    or a design. ``role``: broadband (connectivity) or imaging (coverage, tasking)."""

    role: Literal["broadband", "imaging"]
    catalogue: Literal[CATALOGUE_NAMES] | None = None  # type: ignore[valid-type]
    select: str | None = None
    file: str | None = None
    design: Literal["geostationary", "sun-synchronous", "walker-delta", "walker-star"] | None = None
    name: str = "SAHELSAT"
    longitudes_deg: list[Annotated[float, Field(ge=-180, le=360)]] | None = None
    altitude_km: float | None = Field(None, ge=200, le=2000)
    ltan_hours: float | None = Field(None, ge=0, le=24)
    inclination_deg: float | None = Field(None, ge=0, le=180)
    count: int = Field(1, ge=1, le=2000)
    planes: int = Field(1, ge=1, le=100)
    phasing: int = Field(0, ge=0)
    sensor: Literal["optical", "sar"] | None = None
    swath_km: float = Field(20.0, gt=0, le=1000)
    max_off_nadir_deg: float = Field(30.0, ge=0, le=60)

    @model_validator(mode="after")
    def _one_source(self):
        sources = [k for k in ("catalogue", "file", "design") if getattr(self, k) is not None]
        if len(sources) != 1:
            raise ValueError(f"give exactly one of catalogue, file or design (got {sources})")
        needs = {
            "geostationary": ["longitudes_deg"],
            "sun-synchronous": ["altitude_km", "ltan_hours"],
            "walker-delta": ["altitude_km", "inclination_deg"],
            "walker-star": ["altitude_km", "inclination_deg"],
        }.get(self.design or "", [])
        missing = [k for k in needs if getattr(self, k) is None]
        if missing:
            raise ValueError(f"design {self.design!r} needs {', '.join(missing)}")
        if self.design and self.design != "geostationary" and self.count % self.planes:
            raise ValueError(f"count={self.count} must be a multiple of planes={self.planes}")
        if self.role == "broadband" and not (
            self.design == "geostationary" or self.catalogue == "geo"
        ):
            raise ValueError("broadband satellites: design 'geostationary' or catalogue 'geo'")
        if self.design and self.role == "imaging" and self.sensor is None:
            raise ValueError("a designed imaging group needs sensor = 'optical' or 'sar'")
        return self


class Station(_Model):
    name: str = Field(min_length=1)
    latitude_deg: float = Field(ge=-90, le=90)
    longitude_deg: float = Field(ge=-180, le=180)
    altitude_m: float = Field(0.0, ge=-500, le=9000)


class Area(_Model):
    countries: list[Literal[COUNTRY_CODES]] = Field(  # type: ignore[valid-type]
        default_factory=lambda: list(COUNTRY_CODES), min_length=1
    )
    coverage_resolution_deg: float = Field(0.25, ge=0.02, le=2.0)
    coverage_step_s: float = Field(60.0, ge=5, le=900)
    coverage_min_elevation_deg: float = Field(25.0, ge=0, lt=90)
    coverage_max_off_nadir_deg: float | None = Field(None, gt=0, lt=90)  # imaging field of regard

    @property
    def code(self) -> str:
        return "AES" if set(self.countries) == set(COUNTRY_CODES) else self.countries[0]


class Settlements(_Model):
    source: str = "towns"
    min_population: int = Field(0, ge=0)


class Connectivity(_Model):
    band: Literal["Ku", "Ka"] = "Ku"
    availability_percent: float = Field(99.5, ge=90, lt=100)
    throughput_mbps: float = Field(20.0, gt=0, le=2000)


class Imaging(_Model):
    station_min_elevation_deg: float = Field(5.0, ge=0, lt=90)
    pass_min_elevation_deg: float = Field(10.0, ge=0, lt=90)
    time_limit_s: float = Field(20.0, gt=0, le=600)
    memory_gbit: float = Field(256.0, gt=0)
    downlink_rate_mbps: float = Field(300.0, gt=0)


class Request(_Model):
    id: str = Field(min_length=1)
    title: str | None = None
    point: tuple[float, float] | None = None  # lon, lat (degrees)
    radius_km: float | None = Field(None, gt=0, le=500)
    polygon: list[tuple[float, float]] | None = None  # (lon, lat) vertices
    priority: float = Field(1.0, gt=0, le=1000)
    sensor: Literal["any", "optical", "sar"] = "any"
    max_off_nadir_deg: float = Field(30.0, ge=0, le=60)
    min_sun_elevation_deg: float | None = Field(None, ge=-90, le=90)
    mode: Literal["mono", "stereo"] = "mono"
    repeat_days: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _shape(self):
        if (self.point is None) == (self.polygon is None):
            raise ValueError("give exactly one of point (with radius_km) or polygon")
        if self.point is not None and self.radius_km is None:
            raise ValueError("a point request needs radius_km")
        if self.polygon is not None and len(self.polygon) < 3:
            raise ValueError("a polygon needs at least 3 vertices")
        return self


class Scenario(_Model):
    """A validated scenario; ``folder`` is where relative file names are resolved."""

    scenario: Window
    satellites: list[Satellites] = Field(min_length=1)
    stations: list[Station] | None = None
    area: Area = Area()
    settlements: Settlements = Settlements()
    connectivity: Connectivity = Connectivity()
    imaging: Imaging = Imaging()
    requests: list[Request] = Field(default_factory=list)
    folder: str = "."

    @model_validator(mode="after")
    def _files_exist(self):
        for k, group in enumerate(self.satellites):
            if group.file and not (Path(self.folder) / group.file).is_file():
                raise _FileMissing(("satellites", k, "file"), group.file)
        source = self.settlements.source
        if source not in ("towns", "population") and not (Path(self.folder) / source).is_file():
            raise _FileMissing(("settlements", "source"), source)
        ids = [r.id for r in self.requests]
        if len(set(ids)) != len(ids):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            raise ValueError(f"request ids must be unique; repeated: {', '.join(dup)}")
        return self

    def path(self, name: str) -> Path:
        return Path(self.folder) / name


class _FileMissing(ValueError):
    def __init__(self, loc, name):
        super().__init__(f"file {name!r} not found")
        self.loc = loc


def _key_line(text: str, loc: tuple) -> int | None:
    """Line number (1-based) of the key at ``loc`` (e.g. ("satellites", 1, "altitude_km")),
    else of its table's header (``[area]``, the second ``[[satellites]]``)."""
    table = str(loc[0])
    index = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else 0
    key = next((str(p) for p in loc[1:] if not isinstance(p, int)), None)
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


def _describe(text: str, source: str, loc: tuple, message: str) -> str:
    where = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in loc)
    where = where.replace(".[", "[")
    line = _key_line(text, loc) if loc else None
    at = f"{source}, line {line}" if line else source
    return f"{at}: {where or 'scenario'}: {message}"


def _suggestion(loc: tuple) -> str:
    """' (did you mean ...?)' for an unknown key close to a known one."""
    model: type[BaseModel] | None = Scenario
    for part in loc[:-1]:
        if model is None or isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        annotation = field.annotation if field else None
        args = getattr(annotation, "__args__", ()) or (annotation,)
        model = next((a for a in args if isinstance(a, type) and issubclass(a, BaseModel)), None)
    if model is None:
        return ""
    close = difflib.get_close_matches(str(loc[-1]), list(model.model_fields), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def parse_scenario(text: str, source: str = "<scenario>", folder: str | Path = ".") -> Scenario:
    """Validate TOML ``text``; raises :class:`ScenarioError` naming ``source``, line and key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML: {exc}") from None
    data["folder"] = str(folder)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        messages = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if p not in ("function-after",))
            cause = err.get("ctx", {}).get("error")
            if isinstance(cause, _FileMissing):
                loc, text_msg = cause.loc, str(cause)
            elif err["type"] == "extra_forbidden":
                text_msg = "unknown key" + _suggestion(loc)
            else:
                text_msg = err["msg"].removeprefix("Value error, ")
            messages.append(_describe(text, source, loc, text_msg))
        raise ScenarioError("\n".join(messages)) from None


def load_scenario(source: str | Path = "sahel") -> Scenario:
    """A scenario from a TOML file, or a built-in one by name (``sahel``, ``real``)."""
    if str(source) in BUILTIN:
        path = resources.files("sahelsat").joinpath("data", "scenarios", BUILTIN[str(source)])
        return parse_scenario(path.read_text(), f"built-in scenario {source!r}", ".")
    path = Path(source)
    if not path.is_file():
        raise ScenarioError(
            f"{source}: no such scenario file (built-in scenarios: {', '.join(BUILTIN)})"
        )
    return parse_scenario(path.read_text(), str(path), path.parent)
