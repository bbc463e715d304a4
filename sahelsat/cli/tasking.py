"""Earth-observation planning commands: ``spot5``, ``opportunities``, ``plan``."""

from __future__ import annotations

import json
import re
import sys
from enum import StrEnum
from pathlib import Path

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from sahelsat.cli import common


def _out() -> Console:
    """Standard output; wide enough for tables when it is a file or a pipe."""
    return Console(width=None if sys.stdout.isatty() else 132)


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


class RecorderRule(StrEnum):
    units = "units"
    literal = "literal"


class TableFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    geojson = "geojson"


def spot5(
    file: Path = typer.Argument(..., help="A SPOT5 instance file (.spot), e.g. 1504.spot."),
    time_limit: float = typer.Option(
        60.0, "--time-limit", min=0.1, help="Solver time limit in seconds."
    ),
    workers: int = typer.Option(2, "--workers", min=1, help="CP-SAT worker threads."),
    fmt: OutputFormat = typer.Option(
        OutputFormat.table,
        "--format",
        help="'json' prints one object {instance, value, proven_optimal, seconds, selected}"
        " (and recorder_rule for the multi-orbit instances).",
    ),
    recorder: RecorderRule = typer.Option(
        RecorderRule.units,
        "--recorder",
        help="Multi-orbit recorder limit: 'units' (200 units of 451.15, which the published"
        " values follow) or 'literal' (the file's 90000).",
    ),
) -> None:
    """Solve one instance of the SPOT5 photograph-scheduling benchmark (Bensana et al. 1999).

    Picks the photographs (and instrument: 1 front, 2 middle, 3 rear, 13 stereo) that
    maximise total weight under the instance's forbidden tuples and recorder capacity,
    with the same CP-SAT selection core as `sahelsat plan`. Reports which reading of the
    recorder limit it applied.
    """
    from sahelsat.tasking.spot5 import Spot5FormatError, read_spot5, solve_spot5

    err = Console(stderr=True)
    try:
        instance = read_spot5(file, recorder=recorder.value)
    except Spot5FormatError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if fmt is OutputFormat.table:
        with err.status(f"solving {instance.name} ({instance.n_photographs} photographs)"):
            solution = solve_spot5(instance, time_limit=time_limit, workers=workers)
    else:
        solution = solve_spot5(instance, time_limit=time_limit, workers=workers)
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(solution.to_json()))
        return
    table = Table(title=f"SPOT5 instance {instance.name}")
    for col in ("photographs", "value", "upper bound", "proven optimal", "seconds", "taken",
                "recorder rule"):  # fmt: skip
        table.add_column(col, justify="right")
    rule = {
        None: "none (single orbit)",
        "units": "200 units of 451.15",
        "literal": f"{instance.capacity_literal:g} as written",
    }[instance.recorder]
    table.add_row(
        str(instance.n_photographs),
        str(solution.value),
        str(solution.bound),
        "yes" if solution.proven_optimal else "no",
        f"{solution.seconds:.2f}",
        str(len(solution.selected)),
        rule,
    )
    _out().print(table)


def _window(start: str | None, days: float, fleet):
    span = common.window(start, days * 86400.0, "--days", fleet=fleet)
    return span.start64, span.stop64


def _requests(aoi: Path, t0, t1):
    from sahelsat.tasking.requests import RequestError, read_requests

    try:
        return read_requests(aoi, start=t0, end=t1)
    except RequestError as exc:
        common.fail(exc)


AOI_HELP = (
    "GeoJSON file of areas: Polygon/MultiPolygon, or Point with a radius_km property;"
    " optional properties id, priority, start, end, sensor (optical/sar/any),"
    " max_off_nadir_deg, min_sun_elevation_deg, mode (mono/stereo), repeat_days."
)
FLEET_HELP = (
    "eo (Sentinel-1/2, Landsat 8/9), resource (the whole shipped Earth-resources catalogue), "
    "another catalogue, TLE/OMM files of your own satellites (agile optical imagers) or a "
    "design (walker:T/P/F,ALT_KM,INC_DEG, sso:ALT_KM,LTAN_H[,N]), joined with commas: the "
    "same names as `sahelsat passes`, the service and scenario files."
)
OURS_HELP = (
    "Regular expression of the satellites you operate (planned); the others are forecast"
    " when their mission acquires systematically (Sentinel-1/2, Landsat). Default: the"
    " satellites without a systematic mission (your own files)."
)


def _ours(fleet, pattern: str | None):
    if pattern is None:
        return None
    try:
        return {str(n) for n in fleet.select(pattern).names}
    except re.error as exc:
        raise typer.BadParameter(f"not a regular expression: {exc}", param_hint="--ours") from None


def opportunities(
    aoi: Path = typer.Option(..., "--aoi", exists=True, dir_okay=False, help=AOI_HELP),
    fleet: str = typer.Option("eo", "--fleet", help=FLEET_HELP),
    start: str = typer.Option(None, "--start", help=common.START_HELP),
    days: float = typer.Option(5.0, "--days", help="Length of the search, days."),
    limit: int = typer.Option(20, "--limit", min=1, help="Show at most this many chances."),
    fmt: TableFormat = typer.Option(
        TableFormat.table, "--format", help="table, json, csv or geojson (strips as geometry)."
    ),
    ours: str = typer.Option(None, "--ours", help=OURS_HELP),
) -> None:
    """When is the next image of these areas? Every imaging opportunity, soonest first.

    For each area, satellite and beam: the time, the sensor (SAR or optical), forecast
    (a systematic acquisition of a satellite you do not operate) or candidate (yours, to
    plan), the off-nadir angle, the incidence angle at the area's centre, the Sun's
    elevation and the fraction of the area the swath covers.
    """
    from sahelsat.tasking import outputs
    from sahelsat.tasking.opportunities import find_opportunities

    ships = common.fleet(fleet, option="--fleet")
    t0, t1 = _window(start, days, ships)
    reqs = _requests(aoi, t0, t1)
    err = Console(stderr=True)
    with err.status(f"searching {len(ships)} satellites x {len(reqs)} areas over {days:g} days"):
        found = find_opportunities(ships, reqs, t0, t1, ours=_ours(ships, ours))
    shown = found.head(limit)
    if fmt is TableFormat.json:
        typer.echo(json.dumps(outputs.opportunity_records(shown)))
        return
    if fmt is TableFormat.csv:
        typer.echo(outputs.opportunities_csv(shown), nl=False)
        return
    if fmt is TableFormat.geojson:
        typer.echo(json.dumps(outputs.opportunities_geojson(shown)))
        return
    table = Table(title=f"Next imaging chances ({len(found)} found, soonest first)")
    for col in ("area", "satellite", "sensor", "status", "beam", "start (UTC)", "s",
                "off-nadir", "incidence", "sun", "cover"):  # fmt: skip
        table.add_column(col, justify="left" if col in ("area", "satellite") else "right")
    for r in shown.itertuples(index=False):
        table.add_row(
            r.request, r.satellite, r.sensor, r.status, r.beam, f"{r.start:%Y-%m-%d %H:%M:%S}",
            f"{(r.end - r.start) / np.timedelta64(1, 's'):.0f}", f"{r.off_nadir_deg:.1f}",
            f"{r.incidence_deg:.1f}", f"{r.sun_elevation_deg:.0f}", f"{100 * r.coverage:.0f} %",
        )  # fmt: skip
    _out().print(table)
    missing = sorted({r.id for r in reqs} - set(found["request"]))
    if missing:
        err.print(f"[yellow]no opportunity[/yellow] in the window for: {', '.join(missing)}")


def plan(
    aoi: Path = typer.Option(..., "--aoi", exists=True, dir_okay=False, help=AOI_HELP),
    fleet: str = typer.Option("eo", "--fleet", help=FLEET_HELP),
    start: str = typer.Option(None, "--start", help=common.START_HELP),
    days: float = typer.Option(1.0, "--days", help="Length of the plan, days."),
    time_limit: float = typer.Option(30.0, "--time-limit", min=0.5, help="Solver seconds."),
    method: str = typer.Option("cp-sat", "--method", help="cp-sat (optimal) or greedy (fast)."),
    min_elevation: float = typer.Option(5.0, help="Ground-station antenna mask, degrees."),
    out: Path = typer.Option(
        None, "--out", help="Folder for plan.json, CSV tables, gantt.png and strips.png."
    ),
    ours: str = typer.Option(None, "--ours", help=OURS_HELP),
) -> None:
    """Plan acquisitions and downlinks: the best set of images for the areas' priorities.

    Finds the opportunities, the contacts with Bamako, Niamey and Ouagadougou, then
    chooses acquisitions under slew time, recorder memory, energy per orbit and downlink
    (memory is freed only by a contact). Prints a summary with the optimality gap and,
    for each request not served, why (no opportunity, conflict, energy, memory, downlink).
    """
    from sahelsat.tasking.outputs import forecast_text, summary_text, write_plan
    from sahelsat.tasking.pipeline import plan_requests

    if method not in ("cp-sat", "greedy"):
        raise typer.BadParameter("use cp-sat or greedy", param_hint="--method")
    ships = common.fleet(fleet, option="--fleet")
    t0, t1 = _window(start, days, ships)
    reqs = _requests(aoi, t0, t1)
    err = Console(stderr=True)
    with err.status(f"planning {len(reqs)} requests with {len(ships)} satellites"):
        result, opps = plan_requests(
            reqs, ships, t0, t1, min_elevation=min_elevation, time_limit=time_limit,
            method=method, ours=_ours(ships, ours),
        )  # fmt: skip
    _out().print(summary_text(result))
    if forecasts := forecast_text(opps):
        _out().print(forecasts)
    if out is not None:
        files = write_plan(
            result, out, strips=dict(zip(opps["opportunity"], opps["strip"], strict=True)),
            areas={r.id: r.aoi for r in reqs}, opportunities=opps,
        )  # fmt: skip
        err.print("wrote " + ", ".join(str(f) for f in files))


def bench_spot5(
    folder: Path = typer.Option(
        None,
        "--data",
        help="Folder with the .spot files and known_values.csv (default ../shared/data/spot5).",
    ),
    time_limit: float = typer.Option(60.0, "--time-limit", min=0.1, help="Seconds per instance."),
    only: str = typer.Option(None, "--only", help="Comma-separated instance files, e.g. 8,54."),
) -> None:
    """Solve every SPOT5 instance and print ours beside the published best value.

    Each answer is verified (forbidden tuples, recorder capacity) before it is reported.
    Multi-orbit instances are solved under both readings of the recorder limit: 200 units
    (which the published values follow) and the file's 90000 as written.
    """
    import csv

    from sahelsat.tasking.spot5 import check_spot5, read_spot5, solve_spot5

    if folder is None:
        folder = Path(__file__).resolve().parents[3] / "shared" / "data" / "spot5"
    index = folder / "known_values.csv"
    if not index.is_file():
        raise typer.BadParameter(f"{index} not found", param_hint="--data")
    with open(index) as f:
        known = list(csv.DictReader(f))
    if only:
        wanted = {w.strip().removesuffix(".spot") for w in only.split(",")}
        known = [k for k in known if k["file"].removesuffix(".spot") in wanted]
    table = Table(title=f"SPOT5 benchmark, {time_limit:g} s per instance")
    for col in ("instance", "photographs", "published", "ours", "gap", "proven", "seconds",
                "ours, literal 90000", "proven"):  # fmt: skip
        table.add_column(col, justify="right")
    err = Console(stderr=True)
    for k in known:
        cells = []
        for rule in ("units", "literal"):
            instance = read_spot5(folder / k["file"], recorder=rule)
            if rule == "literal" and instance.recorder is None:
                cells += ["–", "–"]  # single orbit: no recorder limit to read
                continue
            with err.status(f"solving {k['file']} ({rule})"):
                sol = solve_spot5(instance, time_limit=time_limit)
            value, problems = check_spot5(instance, sol.selected)
            if problems or value != sol.value:
                err.print(f"[red]invalid answer[/red] on {k['file']}: {problems[:3]}")
                raise typer.Exit(1)
            best = int(k["best_known_value"])
            proven = "yes" if sol.proven_optimal else "no"
            if rule == "units":
                cells += [str(instance.n_photographs), str(best), str(sol.value),
                          str(best - sol.value) if sol.value < best else "0", proven,
                          f"{sol.seconds:.1f}"]  # fmt: skip
            else:
                cells += [str(sol.value), proven]
        table.add_row(k["instance"], *cells)
    _out().print(table)


def register(app: typer.Typer) -> None:
    """Add the Earth-observation planning commands to ``app`` (and ``bench spot5``)."""
    app.command("spot5")(spot5)
    app.command("opportunities")(opportunities)
    app.command("plan")(plan)
    bench = typer.Typer(help="Benchmarks against published values.", no_args_is_help=True)
    bench.command("spot5")(bench_spot5)
    app.add_typer(bench, name="bench")
