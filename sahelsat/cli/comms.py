"""Connectivity commands: ``link`` (one forward-link budget) and ``service`` (the region)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from sahelsat.cli import common


class Band(StrEnum):
    ku = "ku"
    ka = "ka"


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


def _fail(message: str) -> None:
    common.fail(message)


def link(
    site: str = typer.Option(
        "Bamako=12.64,-8.0,381", "--site", help="Terminal as NAME=LAT,LON[,ALT_M] (deg, m)."
    ),
    band: Band = typer.Option(Band.ku, "--band", help="Default scenario: Ku or Ka GEO broadband."),
    sat_lon: float = typer.Option(
        0.0, "--sat-lon", help="Orbital longitude of the GEO satellite (deg E)."
    ),
    satellite: str = typer.Option(
        None, "--satellite", help="A real GEO satellite of the 'geo' catalogue, by name."
    ),
    dish: float = typer.Option(0.9, "--dish", min=0.1, help="Terminal dish diameter (m)."),
    availability: float = typer.Option(
        None, "--availability", help="Target availability of an average year (%), e.g. 99.5."
    ),
    eirp: float = typer.Option(
        None, "--eirp", help="Satellite EIRP towards the site (dBW); default: beam model."
    ),
    efficiency: float = typer.Option(None, "--efficiency", help="Dish aperture efficiency."),
    frequency: float = typer.Option(
        None, "--frequency", help="Downlink frequency (GHz, 1-55) instead of the band's."
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json."),
    leo: str = typer.Option(
        None,
        "--leo",
        help="Instead of GEO: a LEO catalogue (oneweb, starlink); the link "
        "uses the best satellite in view over --hours from --start.",
    ),  # fmt: skip
    start: str = typer.Option(
        None,
        "--start",
        help="LEO: first time, UTC (default: now when the element sets are fresh, else the "
        "day after their epoch).",
    ),
    hours: float = typer.Option(6.0, "--hours", min=0.01, help="LEO: window length (h)."),
    step_s: float = typer.Option(60.0, "--step", min=1.0, help="LEO: sampling step (s)."),
) -> None:
    """Forward-link budget of one terminal: gateway -> GEO satellite -> dish.

    Prints every line (free-space loss, ITU-R gas/cloud/rain/scintillation attenuation
    exceeded for 100 - availability % of the year, G/T with rain sky noise, C/N0, Es/N0,
    uplink, interference), the best DVB-S2/S2X MODCOD and the throughput, with the ITU-R
    revisions used. Example: sahelsat link --site Gao=16.27,-0.04 --band ka --dish 0.75
    """
    from sahelsat.comms.itu import REVISIONS
    from sahelsat.comms.terminal import link_budget
    from sahelsat.inputs import LinkTarget, Site, parse

    with common.input_errors("--site"):
        where = Site.parse(site)
    if leo:
        _leo(leo, where.row(), dish, availability, start, hours, step_s, fmt)
        return
    with common.input_errors():
        target = parse(LinkTarget, {
            "site": where, "band": band.value, "sat_lon_deg": sat_lon, "satellite": satellite,
            "dish_m": dish, "availability_percent": availability, "eirp_dbw": eirp,
            "efficiency": efficiency, "frequency_ghz": frequency})  # fmt: skip
        result = link_budget(target)
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(result.to_dict()))
        return
    s = result.scenario
    t = Table(title=f"{s.name} forward link to {where.name}, {result.availability_percent} % "
                    "of an average year")  # fmt: skip
    t.add_column("item")
    t.add_column("value", justify="right")
    t.add_column("unit")
    for row in result.rows():
        t.add_row(*row)
    console = Console()
    console.print(t)
    console.print("ITU-R: " + ", ".join(REVISIONS.values()))


def _leo(name, site, dish, availability, start, hours, step_s, fmt) -> None:
    """LEO variant of ``link``: elevation statistics of the best server and availability."""
    import numpy as np

    from sahelsat.comms import leo
    from sahelsat.comms.itu import REVISIONS

    fleet = common.fleet(name, option="--leo")
    span = common.window(start, hours * 3600.0, "--hours", fleet=fleet)
    times = span.start64 + (np.arange(0.0, span.seconds, step_s) * 1e9).astype("timedelta64[ns]")
    console = Console(stderr=fmt is OutputFormat.json)
    with common.input_errors():
        with console.status(f"{len(fleet)} satellites x {len(times)} times"):
            r = leo.leo_link(fleet, site, times, diameter_m=dish, availability=availability)
    e = r.elevations
    if fmt is OutputFormat.json:
        out = {"site": site[0], "catalogue": name, "visible_percent": r.visible_percent,
               "availability_percent": r.availability_percent,
               "outage_minutes": r.outage_minutes, "throughput_target_mbps": r.throughput_mbps,
               "elevations": e.to_dict(orient="list"), "itu_r_revisions": REVISIONS}  # fmt: skip
        typer.echo(json.dumps(out))
        return
    t = Table(title=f"{r.scenario.name}: best {name} satellite seen from {site[0]}, "
                    f"{hours:g} h from {span.start64.astype('datetime64[s]')}Z")  # fmt: skip
    for col in ("elevation (deg)", "time %", "range km", "EIRP dBW", "Es/N0 dB",
                "Mbit/s", "outage %"):  # fmt: skip
        t.add_column(col, justify="right")
    groups = (e["elevation_deg"] // 10) * 10
    for g, part in e.groupby(groups):
        w = part["time_percent"] / part["time_percent"].sum()
        t.add_row(f"{g:.0f}-{g + 10:.0f}", f"{part['time_percent'].sum():.1f}",
                  f"{np.sum(w * part['range_km']):,.0f}", f"{np.sum(w * part['eirp_dbw']):.1f}",
                  f"{np.sum(w * part['esn0_db']):.2f}",
                  f"{np.sum(w * part['throughput_mbps']):.0f}",
                  f"{np.sum(w * part['outage_percent']):.4f}")  # fmt: skip
    console.print(t)
    console.print(
        f"satellite above {r.scenario.min_elevation_deg:g} deg: {r.visible_percent:.2f} % of "
        f"the time; availability for {r.throughput_mbps:g} Mbit/s: "
        f"{r.availability_percent:.3f} % ({r.outage_minutes:,.0f} min/yr)"
    )
    console.print("ITU-R: " + ", ".join(REVISIONS.values()))


def service_cmd(
    band: Band = typer.Option(Band.ku, "--band", help="Default scenario: Ku or Ka GEO broadband."),
    slots: str = typer.Option(
        None, "--slots", help="Designed GEO slots, deg E, comma-separated (default -5,0,5,10)."
    ),
    real_geo: bool = typer.Option(
        False, "--real-geo", help="Candidates: real GEO satellites between 30 W and 30 E."
    ),
    satellite: list[str] = typer.Option(
        None, "--satellite", help="With --real-geo: only these satellites (name substring)."
    ),
    towns: Path = typer.Option(
        None,
        "--towns",
        help="CSV of settlements: name, latitude_deg, longitude_deg, "
        "population[, altitude_m]. Default: the 286 shipped towns.",
    ),  # fmt: skip
    availability: float = typer.Option(None, "--availability", help="Target availability (%)."),
    throughput: float = typer.Option(None, "--throughput", help="Target throughput (Mbit/s)."),
    out: Path = typer.Option(Path("service-out"), "--out", help="Output folder."),
    footprint_dish: float = typer.Option(
        0.6, "--footprint-dish", help="DTH footprint: receiving dish (m)."
    ),
    footprint_modcod: str = typer.Option(
        "QPSK 3/4", "--footprint-modcod", help="DTH footprint: broadcast carrier MODCOD."
    ),
) -> None:
    """Service plan for every settlement: best satellite, smallest standard dish (0.6-2.4 m)
    meeting the availability and throughput, annual outage minutes, population served.

    Writes service.csv, service.geojson, summary.csv/.txt, maps (availability.png,
    dish.png, throughput.png) and a DTH footprint (footprint.png, footprint.csv) into --out.
    Example: sahelsat service --band ka --availability 99.7 --out ka-plan
    """
    from sahelsat import places
    from sahelsat.comms import service
    from sahelsat.comms.defaults import SCENARIOS

    s = SCENARIOS[band.value]
    console = Console()
    try:
        if real_geo:
            sats = service.geo_satellites(scenario=s, names=satellite or None)
            if not sats:
                _fail("no GEO satellite of the catalogue lies between 30 W and 30 E")
        else:
            lons = [float(x) for x in slots.split(",")] if slots else None
            sats = service.designed_satellites(*(() if lons is None else (lons,)), scenario=s)
        settlements = places.towns() if towns is None else towns
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("link budgets per satellite", total=len(sats))
            plan = service.plan_service(
                settlements, sats, s, availability, throughput,
                progress=lambda done, total: bar.update(task, completed=done),
            )  # fmt: skip
            best = plan.sites["satellite"].mode()
            sat = next((x for x in sats if len(best) and x.name == best[0]), sats[0])
            bar.add_task("DTH footprint", total=None)
            fp = service.dth_footprint(sat, s, footprint_dish, footprint_modcod)
    except ValueError as exc:
        _fail(str(exc))
    paths = service.write_outputs(plan, out)
    fp.to_csv(out / "footprint.csv", index=False)
    paths.append(out / "footprint.csv")
    paths.append(service.plot_footprint(
        fp, out / "footprint.png",
        f"DTH footprint of {sat.name}: {footprint_modcod}, {footprint_dish:g} m dish",
        plan.availability,
    ))  # fmt: skip
    console.print(service.summary_text(plan))
    t = Table(title="population served, thousands (best satellite, dish up to the size)")
    t.add_column("avail. %", justify="right", no_wrap=True)
    for c in plan.summary.columns:
        t.add_column(c.replace("dish <= ", "<= "), justify="right")
    for level, row in plan.summary.iterrows():
        t.add_row(f"{level:g}", *(f"{v / 1e3:,.0f}" for v in row))
    console.print(t)
    inside = fp["inside"] & (fp["availability_percent"] >= plan.availability)
    share = inside.sum() / max(fp["inside"].sum(), 1)
    console.print(
        f"DTH footprint: {100 * share:.0f} % of the region's grid points receive "
        f"{footprint_modcod} on {footprint_dish:g} m at {plan.availability} %"
    )
    console.print("wrote " + ", ".join(str(p) for p in paths))


LINK_HELP = (
    "Forward-link budget of one terminal: gateway -> GEO satellite -> dish.\n\n"
    "Prints every line (free-space loss, ITU-R gas, cloud, rain and scintillation "
    "attenuation exceeded for 100 - availability % of an average year, G/T with the rain "
    "sky-noise increase, C/N0, Es/N0, uplink, interference), the best DVB-S2/S2X MODCOD "
    "and the throughput, with the ITU-R revisions used. With --leo, the terminal follows "
    "the highest satellite of a LEO catalogue and the command prints elevation statistics "
    "and the annual availability.\n\n"
    "Example: sahelsat link --site Gao=16.27,-0.04 --band ka --dish 0.75"
)
SERVICE_HELP = (
    "Service plan for every settlement: best satellite, smallest standard dish (0.6-2.4 m) "
    "meeting the availability and throughput, annual outage minutes, population served.\n\n"
    "Writes service.csv, service.geojson, summary.csv and summary.txt, maps "
    "(availability.png, dish.png, throughput.png) and a DTH footprint (footprint.png, "
    "footprint.csv) into --out.\n\n"
    "Example: sahelsat service --band ka --availability 99.7 --out ka-plan"
)


def register(app: typer.Typer) -> None:
    """Add the ``link`` and ``service`` commands to ``app``."""
    app.command("link", help=LINK_HELP)(link)
    app.command("service", help=SERVICE_HELP)(service_cmd)
