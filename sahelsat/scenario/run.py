"""Running a scenario: each capability in turn, results written to an output folder.

Steps: ground-station passes of the imaging fleet, coverage and revisit over the area,
connectivity service per settlement, imaging opportunities and the acquisition and
downlink plan, then the flood chain (a ``[flood]`` zone or scene: people affected per
region and the next images of the area). A step that fails is reported (with its error)
and the others still run; a request that fails validation is reported and the others are planned.
"""

from __future__ import annotations

import re
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sahelsat import designs, places
from sahelsat.core.constants import GEO_ALTITUDE_KM
from sahelsat.figures import colour, new_figure
from sahelsat.i18n import LANGUAGES, figure_text, lang_path
from sahelsat.inputs import InputError
from sahelsat.scenario.config import Satellites, Scenario

DESIGN_NUMBER_STRIDE = 1000  # designed groups get catalogue numbers this far apart


@dataclass
class Results:
    """What a run produced: tables, datasets, figure paths, errors and step timings (s)."""

    scenario: Scenario
    out: Path
    stations: pd.DataFrame
    imaging: object = None  # Fleet
    sensors: dict = field(default_factory=dict)  # designed satellites' Sensor by name
    ours: set = field(default_factory=set)  # names of the imaging satellites we operate
    broadband: list = field(default_factory=list)  # comms Satellite
    link: object = None  # comms link Scenario (band) of the broadband satellites
    settlements: pd.DataFrame | None = None  # where connectivity is planned
    requests: list = field(default_factory=list)  # the planner's ImagingRequest
    notes: list[str] = field(default_factory=list)
    passes: pd.DataFrame | None = None
    coverage: object = None  # xarray Dataset
    service: object = None  # comms ServicePlan
    plan: object = None  # tasking Plan
    opportunities: pd.DataFrame | None = None
    request_errors: list[str] = field(default_factory=list)
    design: object = None  # comms.design.Design of the [design] table
    design_trade: pd.DataFrame | None = None  # it beside its [[design.trade]] alternatives
    flood: object = None  # scenario.flood.FloodChain
    figures: dict[str, dict[str, Path]] = field(default_factory=dict)  # name -> lang -> PNG
    errors: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def start(self) -> np.datetime64:
        return utc64(self.scenario.scenario.start)

    @property
    def stop(self) -> np.datetime64:
        return utc64(self.scenario.scenario.stop)


def utc64(t) -> np.datetime64:
    """A timezone-aware UTC datetime as naive datetime64[ns] (sahelsat's UTC convention)."""
    return np.datetime64(t.replace(tzinfo=None), "ns")


def _sensor(group: Satellites):
    """The sensor of a designed imaging group (:func:`sahelsat.designs.imaging_sensor`)."""
    altitude = GEO_ALTITUDE_KM if group.design == "geostationary" else group.altitude_km
    return designs.imaging_sensor(group.sensor, altitude, group.swath_km, group.max_off_nadir_deg)


def _source_key(group: Satellites) -> str:
    """The key that names a group's satellites (catalogue, file or design)."""
    return next(k for k in ("catalogue", "file", "design") if getattr(group, k) is not None)


def _none_left(group: Satellites, k: int) -> InputError:
    key = "select" if group.select else _source_key(group)
    what = f"matches no satellite of its {_source_key(group)}" if group.select else "no satellite"
    return InputError.at(("satellites", k, key), what)


def imaging_group(scenario: Scenario, k: int, notes: list[str] | None = None):
    """Group ``k``'s satellites (a Fleet) and the sensors of designed ones by name, resolved
    through :func:`sahelsat.fleets.resolve_part` as the command line's and the service's
    fleets are. Raises :class:`~sahelsat.inputs.InputError` at the group's key (e.g.
    ``satellites[1].select``) when it yields no satellite or no sensor."""
    from sahelsat.fleets import resolve_part

    g = scenario.satellites[k]
    first = designs.FIRST_DESIGN_NUMBER + DESIGN_NUMBER_STRIDE * k
    try:
        part = resolve_part(g.part(), folder=scenario.folder, epoch=utc64(scenario.scenario.start),
                            name=g.name, first_number=first)  # fmt: skip
    except InputError as exc:
        raise InputError.at(("satellites", k, _source_key(g)), exc.reason) from None
    if g.file and notes is not None:
        notes += [f"{g.file}: skipped {s}" for s in part.skipped]
    if g.select:
        part = part.select(g.select)
    if not len(part):
        raise _none_left(g, k)
    sensors = {}
    if g.design:
        try:
            sensor = _sensor(g)
        except designs.DesignError as exc:
            raise InputError.at(("satellites", k, "sensor"), str(exc)) from None
        sensors = {str(n): sensor for n in part.names}
    return part, sensors


def imaging_fleet(scenario: Scenario, notes: list[str], ours: set | None = None):
    """The imaging satellites as one Fleet, and the sensors of designed ones by name; the
    names of the satellites we operate are added to ``ours`` when given (see
    :func:`imaging_group`)."""
    from sahelsat.fleet import Fleet

    fleet, sensors = Fleet([]), {}
    for k, g in enumerate(scenario.satellites):
        if g.role != "imaging":
            continue
        part, more = imaging_group(scenario, k, notes)
        sensors.update(more)
        if ours is not None and g.operated:
            ours.update(str(n) for n in part.names)
        fleet = fleet + part
    return fleet, sensors


def broadband_satellites(scenario: Scenario, link) -> list:
    """The broadband GEO satellites (comms ``Satellite``) with the link's beams. Raises
    :class:`~sahelsat.inputs.InputError` at a group that yields no satellite."""
    from sahelsat.comms import service

    sats = []
    start = scenario.scenario.start.replace(tzinfo=None).isoformat(timespec="minutes")
    for k, g in enumerate(scenario.satellites):
        if g.role != "broadband":
            continue
        try:
            if g.design == "geostationary":
                part = service.designed_satellites(g.longitudes_deg, link, scenario.area.code)
                part = [service.Satellite(f"{g.name} {s.lon_deg:+.1f}", s.lon_deg, s.beams)
                        for s in part]  # fmt: skip
            else:
                part = service.geo_satellites(-30.0, 30.0, start, link, area=scenario.area.code)
        except InputError as exc:
            raise InputError.at(("satellites", k, _source_key(g)), exc.reason) from None
        if g.select:
            part = [s for s in part if re.search(g.select, s.name, re.I)]
        if not part:
            raise _none_left(g, k)
        sats += part
    return sats


def _settlements(scenario: Scenario, notes: list[str]) -> pd.DataFrame:
    """The settlements to plan: the shipped towns of the area's countries, the
    settlements of the population base (``population``), or a CSV (bad rows skipped and
    noted), at or above the minimum population. Raises
    :class:`~sahelsat.inputs.InputError` when none is left."""
    from sahelsat.comms.service import read_settlements

    s = scenario.settlements
    if s.source == "towns":
        table = places.towns(scenario.area.countries, s.min_population)
    elif s.source == "population":
        table = places.settlements(scenario.area.countries)
        table = table[table["population"] >= s.min_population].reset_index(drop=True)
    else:
        try:
            table, skipped = read_settlements(scenario.path(s.source))
        except InputError as exc:
            raise InputError.at(("settlements", "source"), exc.reason) from None
        notes += [f"{s.source}: {line}" for line in skipped]
        table = table[table["population"] >= s.min_population]
    if not len(table):
        key = "min_population" if s.min_population else "source"
        where = ", ".join(scenario.area.countries)
        reason = f"no settlement of {s.source} with {s.min_population}+ people in {where}"
        raise InputError.at(("settlements", key), reason)
    return table


def imaging_requests(scenario: Scenario, errors: list[str] | None = None) -> list:
    """The scenario's requests in the planner's form over its window. They were checked
    when the file was read (:class:`sahelsat.scenario.config.Request`), so none fails
    here; ``errors`` is kept for callers that collect problems."""
    from sahelsat.tasking.requests import from_input

    return [from_input(r) for r in scenario.imaging_requests()]


_TARGET_KEYS = {"availability": "availability_percent", "throughput": "throughput_mbps"}


def prepare(scenario: Scenario, out: str | Path = ".") -> Results:
    """Everything a run resolves before its heavy work, into a :class:`Results`: stations,
    imaging fleet and sensors, broadband satellites, link and its targets, settlements and
    requests. The one check of a scenario beyond its file
    (:func:`sahelsat.scenario.config.check_runnable` calls it): raises
    :class:`~sahelsat.inputs.InputError` whose ``loc`` is the scenario key at fault."""
    stations = (
        places.sites_table([s.row() for s in scenario.stations])
        if scenario.stations
        else places.ground_stations()
    )
    res = Results(scenario, Path(out), stations)
    roles = {g.role for g in scenario.satellites}
    if scenario.requests and "imaging" not in roles:
        raise InputError.at(("requests",), "requests need an imaging group of satellites")
    res.imaging, res.sensors = imaging_fleet(scenario, res.notes, res.ours)
    if "broadband" in roles:
        from sahelsat.comms import defaults, service

        c = scenario.connectivity
        res.link = defaults.SCENARIOS[c.band.lower()]
        try:
            service._check_targets(c.availability_percent, c.throughput_mbps, res.link)
        except InputError as exc:
            key = _TARGET_KEYS.get(str(exc.problems[0].loc[:1][0]) if exc.problems[0].loc else "")
            raise InputError.at(("connectivity", key or "band"), exc.reason) from None
        res.broadband = broadband_satellites(scenario, res.link)
        res.settlements = _settlements(scenario, res.notes)
    res.requests = imaging_requests(scenario, res.request_errors)
    return res


def step_passes(res: Results) -> None:
    from sahelsat.access import passes

    sc = res.scenario
    res.passes = passes(
        res.imaging,
        res.stations,
        res.start,
        res.stop,
        min_elevation=sc.imaging.pass_min_elevation_deg,
    )
    res.passes.to_csv(res.out / "passes.csv", index=False)
    res.figures["pass_timeline"] = {lang: _pass_timeline(res, lang) for lang in LANGUAGES}


def step_coverage(res: Results) -> None:
    from sahelsat.coverage_analysis import Sensor, coverage

    a = res.scenario.area
    sensor = None
    if a.coverage_max_off_nadir_deg is not None:  # cells the satellites can image
        sensor = Sensor(half_angle_deg=a.coverage_max_off_nadir_deg)
    res.coverage = coverage(
        res.imaging,
        area=a.code,
        resolution_deg=a.coverage_resolution_deg,
        start=res.start,
        stop=res.stop,
        step_s=a.coverage_step_s,
        min_elevation=a.coverage_min_elevation_deg,
        sensor=sensor,
    )
    res.coverage.to_netcdf(res.out / "coverage.nc")
    res.figures["coverage_map"] = {lang: _coverage_maps(res, lang) for lang in LANGUAGES}
    res.figures["revisit_histogram"] = {lang: _revisit_histogram(res, lang) for lang in LANGUAGES}


def step_connectivity(res: Results) -> None:
    from sahelsat.comms import service

    c = res.scenario.connectivity
    res.service = service.plan_service(
        res.settlements, res.broadband, res.link, c.availability_percent, c.throughput_mbps
    )
    folder = res.out / "connectivity"
    service.write_outputs(res.service, folder, LANGUAGES)
    for name in ("availability", "dish"):
        res.figures[f"{name}_map"] = {g: lang_path(folder / f"{name}.png", g) for g in LANGUAGES}


def step_tasking(res: Results) -> None:
    from sahelsat.tasking import outputs
    from sahelsat.tasking.downlink import satellite_table
    from sahelsat.tasking.pipeline import plan_requests

    im = res.scenario.imaging
    requests = res.requests
    sats = satellite_table(
        res.imaging,
        memory_gbit=im.memory_gbit,
        downlink_rate_mbps=im.downlink_rate_mbps,
        sensors=res.sensors,
    )
    res.plan, res.opportunities = plan_requests(
        requests,
        res.imaging,
        res.start,
        res.stop,
        stations=res.stations,
        satellites=sats,
        sensors=res.sensors,
        ours=res.ours,
        min_elevation=im.station_min_elevation_deg,
        time_limit=im.time_limit_s,
    )
    folder = res.out / "tasking"
    strips = dict(zip(res.opportunities["opportunity"], res.opportunities["strip"], strict=True))
    areas = {r.id: r.aoi for r in requests}
    outputs.write_plan(res.plan, folder, strips, areas, LANGUAGES, res.opportunities)
    for name in ("gantt", "strips"):
        res.figures[name] = {g: lang_path(folder / f"{name}.png", g) for g in LANGUAGES}


def step_design(res: Results) -> None:
    """The connectivity system design of the ``[design]`` table, if any
    (:mod:`sahelsat.scenario.design_chapter`)."""
    from sahelsat.scenario import design_chapter

    design_chapter.run_step(res)


def _step_flood(res: Results) -> None:
    """The flood chain after the imaging plan (:func:`sahelsat.scenario.flood.step_flood`);
    nothing without a ``[flood]`` table."""
    from sahelsat.scenario.flood import step_flood

    step_flood(res)


STEPS: list[tuple[str, Callable[[Results], None]]] = [
    ("passes", step_passes),
    ("coverage", step_coverage),
    ("connectivity", step_connectivity),
    ("tasking", step_tasking),
    ("design", step_design),
    ("flood", _step_flood),
]
#: The satellites a step needs (the design and flood steps need none of the scenario's).
STEP_ROLE = {"passes": "imaging", "coverage": "imaging", "connectivity": "broadband",
             "tasking": "imaging"}  # fmt: skip


def run_scenario(scenario: Scenario, out: str | Path, progress=None) -> Results:
    """Run every step of ``scenario``, writing into folder ``out``; ``progress``: optional
    callable(step_name, done, total). A step whose satellites the scenario does not have
    (no imaging or no broadband group) is skipped with a note. Raises
    :class:`~sahelsat.inputs.InputError` from :func:`prepare` before any heavy work."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    roles = {g.role for g in scenario.satellites}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # e.g. stale element sets: noted in the report
        res = prepare(scenario, out)
        for k, (name, step) in enumerate(STEPS):
            if progress:
                progress(name, k, len(STEPS))
            if STEP_ROLE.get(name) not in roles | {None}:
                res.notes.append(f"{name}: not run (no {STEP_ROLE[name]} satellites)")
                continue
            t0 = time.perf_counter()
            try:
                step(res)
            except Exception as exc:  # a failed step is reported; the others still run
                res.errors[name] = f"{type(exc).__name__}: {exc}"
                (out / f"{name}.error.txt").write_text(traceback.format_exc())
            res.seconds[name] = time.perf_counter() - t0
    res.notes += list({w.category.__name__: str(w.message) for w in caught}.values())
    if progress:
        progress("done", len(STEPS), len(STEPS))
    return res


# Figures -------------------------------------------------------------------------------


def _axes(figsize=(9, 5.5)):
    return new_figure(figsize)


def _pass_timeline(res: Results, lang: str) -> Path:
    words = figure_text(lang)
    fig, ax = _axes((10, 3.5))
    p = res.passes
    names = list(res.stations["name"])
    colours = {s: colour("tab20", i) for i, s in enumerate(sorted(p["satellite"].unique()))}
    t0 = res.start
    for i, station in enumerate(names):
        rows = p[p["site"] == station]
        h0 = (rows["rise"].to_numpy(dtype="datetime64[ns]") - t0) / np.timedelta64(1, "h")
        dh = rows["duration_s"].to_numpy() / 3600.0
        ax.broken_barh(
            list(zip(h0, dh, strict=True)),
            (i - 0.35, 0.7),
            facecolors=[colours[s] for s in rows["satellite"]],
        )
    ax.set_yticks(range(len(names)), names)
    ax.set_xlim(0, (res.stop - t0) / np.timedelta64(1, "h"))
    ax.set_xlabel(words["hours_from"].format(t0=pd.Timestamp(t0)))
    ax.set_title(words["pass_timeline"])
    ax.grid(axis="x", alpha=0.3)
    path = lang_path(res.out / "pass_timeline.png", lang)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path


def _coverage_maps(res: Results, lang: str) -> Path:
    words = figure_text(lang)
    ds = res.coverage
    fig, axes = new_figure((13, 5), 1, 2)
    panels = [
        ("percent_covered", words["time_covered"], "%", "viridis", 1.0),
        ("max_gap_s", words["longest_gap"], "h", "magma_r", 1 / 3600.0),
    ]
    for ax, (name, title, unit, cmap, scale) in zip(axes, panels, strict=True):
        values = np.asarray(ds[name].values, dtype=float) * scale
        if name == "max_gap_s":  # only cells seen twice or more have a revisit gap
            values = np.where(ds["n_gaps"].values > 0, values, np.nan)
        mesh = ax.pcolormesh(ds["lon"], ds["lat"], values, shading="nearest", cmap=cmap)
        fig.colorbar(mesh, ax=ax, label=unit, shrink=0.8)
        places.draw_outlines(ax)
        ax.set_title(title)
    a = res.scenario.area
    regard = a.coverage_max_off_nadir_deg
    title = [words["coverage"].format(el=a.coverage_min_elevation_deg)]
    if regard:
        title.append(words["off_nadir"].format(deg=regard))
    title.append(words["cells"].format(res=a.coverage_resolution_deg))
    fig.suptitle(", ".join(title))
    path = lang_path(res.out / "coverage.png", lang)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    return path


def _revisit_histogram(res: Results, lang: str) -> Path:
    words = figure_text(lang)
    fig, ax = _axes((7, 4))
    ds = res.coverage
    gaps = np.asarray(ds["mean_gap_s"].values, dtype=float)[ds["n_gaps"].values > 0] / 3600.0
    ax.hist(gaps, bins=30, color="tab:blue")
    ax.set_xlabel(words["mean_gap"])
    ax.set_ylabel(words["cells_count"])
    ax.set_title(words["revisit_histogram"])
    path = lang_path(res.out / "revisit_histogram.png", lang)
    fig.savefig(path, dpi=100, bbox_inches="tight")
    return path
