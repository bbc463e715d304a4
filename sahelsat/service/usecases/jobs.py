"""The service's job kinds: a pass schedule and a coverage run (and ``refresh``, in
:mod:`~sahelsat.service.usecases.refresh`, and the flood chain's ``flood`` and ``brief``,
:mod:`sahelsat.service.usecases.floods`), each with typed parameters
(checked at submission: coordinates, times and fleets), an estimate of its work (checked
against the limits of :class:`~sahelsat.service.settings.Settings`) and a run that reports
progress often enough for a cancellation to take effect within seconds. With
``Settings.dask_scheduler`` set, ``coverage``, ``passes`` and ``flood`` run on that Dask
cluster's workers (:mod:`sahelsat.cluster`) and give the same results as in the service."""

from __future__ import annotations

import json
import warnings
from datetime import timedelta
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, PrivateAttr, field_validator, model_validator

from sahelsat.inputs import (
    AREA_CODES,
    Input,
    InputError,
    Latitude,
    Longitude,
    MinElevation,
    UtcTime,
    nested,
)
from sahelsat.service.jobs import JobOutput, Work, register_job_kind
from sahelsat.service.usecases import fleets as fleet_cases
from sahelsat.service.usecases.layers import MAP_SUFFIX, coverage_grid

MAX_JOB_DAYS = 14
MAX_COVERAGE_HOURS = 48
#: Satellites propagated together between two progress reports of a passes job.
PASS_CHUNK = 200

FleetText = Annotated[str, Field(min_length=1, max_length=200)]


def _fleet(value: str) -> str:
    try:
        fleet_cases.fleet_spec(value)
    except InputError as exc:
        raise ValueError(exc.reason) from None
    return value.strip()


class PassesJob(Input):
    """Parameters of a ``passes`` job: a fleet, a station or a point, a start and days."""

    fleet: FleetText = "resource"
    station: Annotated[str, Field(min_length=1, max_length=40)] | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    start: UtcTime
    days: Annotated[float, Field(gt=0, le=MAX_JOB_DAYS)] = 1.0
    min_elevation: MinElevation = 10.0
    _site: object = PrivateAttr(None)

    @field_validator("fleet")
    @classmethod
    def _check_fleet(cls, value: str) -> str:
        return _fleet(value)

    @model_validator(mode="after")
    def _where(self):
        try:
            self._site = fleet_cases.station_or_point(self.station, self.lat, self.lon)
        except InputError as exc:
            raise nested(exc) from None
        return self

    def stored(self) -> dict:
        """The parameters as the job keeps them: its own, and the site they name."""
        out = self.model_dump(mode="json")
        out["site"] = self._site.model_dump()
        return out


class CoverageJob(Input):
    """Parameters of a ``coverage`` job: a fleet over one of the region's areas."""

    fleet: FleetText = "resource"
    area: Literal[AREA_CODES] = "AES"  # type: ignore[valid-type]
    resolution_deg: Annotated[float, Field(ge=0.05, le=1.0)] = 0.1
    start: UtcTime
    hours: Annotated[float, Field(ge=0.1, le=MAX_COVERAGE_HOURS)] = 24.0
    step_s: Annotated[float, Field(ge=5.0, le=600.0)] = 30.0
    min_elevation: Annotated[float, Field(ge=0.0, le=89.9)] = 25.0

    @field_validator("fleet")
    @classmethod
    def _check_fleet(cls, value: str) -> str:
        return _fleet(value)

    @field_validator("area", mode="before")
    @classmethod
    def _upper(cls, value):
        return value.upper() if isinstance(value, str) else value


def _start(params: dict):
    from datetime import datetime

    return datetime.fromisoformat(params["start"].replace("Z", "+00:00"))


def _size(runner, fleet: str) -> int:
    with runner.sessions() as db:
        return fleet_cases.fleet_size(db, fleet_cases.fleet_spec(fleet, "fleet"))


def estimate_passes(params: dict, runner) -> Work:
    """Satellites x sites x days."""
    amount = _size(runner, params["fleet"]) * 1 * params["days"]
    return Work(amount, runner.settings.max_pass_work, "satellite-site-days")


def estimate_coverage(params: dict, runner) -> Work:
    """Satellites x cells (the area in square degrees over the cell's) x time steps."""
    from sahelsat.places import area_geometry

    cells = area_geometry(params["area"]).area / params["resolution_deg"] ** 2
    steps = params["hours"] * 3600.0 / params["step_s"]
    amount = _size(runner, params["fleet"]) * cells * steps
    return Work(amount, runner.settings.max_coverage_work, "satellite-cell-steps")


def run_passes(params: dict, ctx) -> JobOutput:
    """The pass schedule, day by day and ``PASS_CHUNK`` satellites at a time, as CSV."""
    import pandas as pd

    from sahelsat.access import PASS_COLUMNS
    from sahelsat.inputs import Site

    start = _start(params)
    stop = start + timedelta(days=params["days"])
    days = max(1, int(np.ceil(params["days"])))
    step = (stop - start) / days
    site = Site(**params["site"])
    with ctx._runner.sessions() as db:
        sats, used = fleet_cases.fleet_used(db, params["fleet"])
    fleet_cases.keep_versions(used, f"service job {ctx.job_id} (passes)")
    ctx.progress(0.0, f"{len(sats)} satellites")
    chunks = [sats[i : i + PASS_CHUNK] for i in range(0, len(sats), PASS_CHUNK)]
    rows: list[dict] = []
    address = ctx._runner.settings.dask_scheduler
    if address:  # one task per day and satellite block, joined as below
        from sahelsat import cluster
        from sahelsat.fleet import Fleet

        # each block goes as element sets: a worker builds the same SGP4 state again
        tasks = [(Fleet(part.element_sets), site, start + d * step, start + (d + 1) * step,
                  params["min_elevation"]) for d in range(days) for part in chunks]  # fmt: skip
        parts = cluster.run(address, fleet_cases.compute_passes, tasks, ctx.progress,
                            ctx._runner.settings.dask_timeout_s)  # fmt: skip
        for d in range(days):
            day_rows = [r for part in parts[d * len(chunks) : (d + 1) * len(chunks)] for r in part]
            rows += sorted(day_rows, key=lambda r: r["rise"])
    for d in range(days) if not address else ():
        t0, t1 = start + d * step, start + (d + 1) * step
        day_rows: list[dict] = []
        for k, part in enumerate(chunks):
            day_rows += fleet_cases.compute_passes(part, site, t0, t1, params["min_elevation"])
            done = (d + (k + 1) / len(chunks)) / days
            ctx.progress(done, f"day {d + 1} of {days}: {len(rows) + len(day_rows)} passes")
        rows += sorted(day_rows, key=lambda r: r["rise"])
    table = pd.DataFrame(rows, columns=PASS_COLUMNS)
    csv = table.to_csv(index=False).encode()  # a CSV writer: names with commas stay whole
    name = f"passes_{params['fleet']}_{site.name}.csv"
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return JobOutput({"passes": len(rows), "element_sets": used}, [(name, "text/csv", csv)])


def run_coverage(params: dict, ctx) -> JobOutput:
    """Coverage of the area; the engine reports after each block of time steps, where a
    cancellation takes effect."""
    from sahelsat import coverage
    from sahelsat.service.models import iso_utc

    start = _start(params).replace(tzinfo=None)
    stop = start + timedelta(hours=params["hours"])
    with ctx._runner.sessions() as db:
        sats, used = fleet_cases.fleet_used(db, params["fleet"])
    fleet_cases.keep_versions(used, f"service job {ctx.job_id} (coverage)")
    address = ctx._runner.settings.dask_scheduler
    client = None
    if address:  # time blocks on the cluster's workers, merged exactly
        from sahelsat import cluster

        client = cluster.connect(address, ctx._runner.settings.dask_timeout_s)
    ctx.progress(0.05, f"coverage of {params['area']} by {len(sats)} satellites")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = coverage(
            sats,
            area=params["area"],
            resolution_deg=params["resolution_deg"],
            start=np.datetime64(start, "ns"),
            stop=np.datetime64(stop, "ns"),
            step_s=params["step_s"],
            min_elevation=params["min_elevation"],
            progress=lambda f, m: ctx.progress(0.05 + 0.85 * f, m),
            client=client,
        )
    ctx.progress(0.9, "writing products")
    grid = coverage_grid(ds, {**params, "stop": iso_utc(stop)})
    summary = {"map_cells": len(grid["cells"]), "map_resolution_deg": grid["resolution_deg"],
               "element_sets": used}  # fmt: skip
    for name in ("percent_covered", "mean_gap_s", "max_gap_s", "n_visible_mean"):
        if name in ds:
            values = np.asarray(ds[name].values, dtype=float)
            summary[f"{name}_mean"] = (
                round(float(np.nanmean(values)), 3) if np.isfinite(values).any() else None
            )
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in
                   f"coverage_{params['fleet']}_{params['area']}")  # fmt: skip
    return JobOutput(
        summary,
        [
            (f"{stem}.nc", "application/x-netcdf", bytes(ds.to_netcdf(engine="scipy"))),
            (f"{stem}{MAP_SUFFIX}", "application/json", json.dumps(grid).encode()),
        ],
    )


def register_jobs() -> None:
    """Register the job kinds whose capabilities are installed."""
    import sahelsat
    from sahelsat.service.usecases import refresh

    refresh.register()

    if hasattr(sahelsat, "coverage"):
        register_job_kind(
            "coverage",
            f"coverage and revisit of an area (AES, MLI, NER, BFA) by a fleet over up to "
            f"{MAX_COVERAGE_HOURS} h (params: fleet, area, resolution_deg, start, hours, step_s,"
            " min_elevation) -> NetCDF product",
            CoverageJob,
            run_coverage,
            estimate_coverage,
        )
    _register_flood_jobs()
    if fleet_cases.available()["passes"]:
        register_job_kind(
            "passes",
            f"pass schedule of a fleet over a station or point for up to {MAX_JOB_DAYS} days "
            "(params: fleet, station | lat+lon, start, days, min_elevation) -> CSV product",
            PassesJob,
            run_passes,
            estimate_passes,
        )


def _register_flood_jobs() -> None:
    """The flood chain's job kinds (:mod:`sahelsat.service.usecases.floods`)."""
    from sahelsat.inputs import MAX_BRIEF_DAYS, BriefJob, FloodJob
    from sahelsat.service.usecases import floods

    register_job_kind(
        "flood",
        "water and people affected per region from an uploaded SAR scene (params: scene_id, "
        "baseline_scene_id, request_id, buffer_m) -> water.tif, flood.geojson, impact tables "
        "and map layers",
        FloodJob,
        floods.run_flood,
        floods.estimate_flood,
    )
    register_job_kind(
        "brief",
        "bilingual flood situation brief of a zone (GeoJSON or 'exercise') or an imaging "
        f"request's area, next images up to {MAX_BRIEF_DAYS:g} days ahead (params: zone | "
        "request_id, flood_job_id, start, days) -> brief.en.html, brief.fr.html",
        BriefJob,
        floods.run_brief,
        floods.estimate_brief,
    )
