"""Orbit commands: demo, catalogues, elements, propagate, passes."""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import typer
from rich.progress import Progress
from rich.table import Table

from sahelsat import access, places, timescale
from sahelsat.cli import common
from sahelsat.cli.common import START_HELP, console, err_console, fail
from sahelsat.elements import ElementSetError
from sahelsat.fleet import Fleet, earth_observation_fleet, load_elements
from sahelsat.inputs import FLEET_HELP, Input, MinElevation, Window, parse, parse_duration


def fleet_from(spec: str, select: str | None = None, allow_empty: bool = False) -> Fleet:
    """The satellites a fleet spec names (see :func:`sahelsat.cli.common.fleet`)."""
    return common.fleet(spec, select, allow_empty=allow_empty)


class _MinElevation(Input):
    value: MinElevation


def _show_warnings(caught) -> None:
    for w in caught:
        err_console.print(f"[yellow]warning:[/yellow] {w.message}")


def passes_table(table: pd.DataFrame, title: str) -> Table:
    """A rich table of passes, times to the second."""
    out = Table(title=title + " (times UTC)", header_style="bold")
    for col in ("satellite", "site", "date", "rise", "culmination", "set", "max el", "rise az",
                "set az", "duration"):  # fmt: skip
        out.add_column(col, justify="right" if col not in ("satellite", "site") else "left")
    for row in table.itertuples():
        rise = str(row.rise)[11:19] + (" *" if row.in_progress_at_start else "")
        setv = str(row.set)[11:19] + (" *" if row.in_progress_at_stop else "")
        out.add_row(
            row.satellite, row.site, str(row.rise)[:10], rise, str(row.culmination)[11:19], setv,
            f"{row.max_elevation:5.1f}°", f"{row.rise_azimuth:5.1f}°", f"{row.set_azimuth:5.1f}°",
            f"{row.duration_s / 60:5.1f} min",
        )  # fmt: skip
    return out


def run_passes(fleet: Fleet, sites: pd.DataFrame, window: Window, min_el: float):
    """Passes of ``fleet`` over ``sites`` in ``window``, 50 satellites at a time with a
    progress bar, sorted by rise (:func:`sahelsat.access.passes_blocks`)."""
    t0, t1 = window.start64, window.stop64
    with Progress(console=err_console, transient=True) as progress:
        task = progress.add_task("passes", total=len(fleet))
        parts = []
        chunk = 50
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            blocks = access.passes_blocks(fleet, sites, t0, t1, min_el, block_sats=chunk)
            for done, part in enumerate(blocks):
                parts.append(part)
                progress.advance(task, min(chunk, len(fleet) - done * chunk))
    _show_warnings(caught)
    found = [p for p in parts if len(p)]
    if not found:
        return pd.DataFrame(columns=access.PASS_COLUMNS)
    table = pd.concat(found, ignore_index=True)
    return table.sort_values(["rise", "satellite", "site"], kind="stable").reset_index(drop=True)


def write_passes(fleet: Fleet, sites: pd.DataFrame, window: Window, min_el: float, path: Path):
    """Stream the passes of ``fleet`` over ``sites`` to Parquet at ``path`` with a
    progress bar (:func:`sahelsat.access.write_passes_parquet`); returns the row count."""
    with Progress(console=err_console, transient=True) as progress:
        task = progress.add_task("passes", total=len(fleet))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            rows = access.write_passes_parquet(
                path, fleet, sites, window.start64, window.stop64, min_el,
                progress=lambda n: progress.advance(task, n),
            )  # fmt: skip
    _show_warnings(caught)
    return rows


def _emit(table: pd.DataFrame, fmt: str, title: str, out: Path | None) -> None:
    if fmt == "table":
        console.print(passes_table(table, title))
        console.print("* already up at the start / still up at the end of the window")
        return
    text = (
        table.to_csv(index=False)
        if fmt == "csv"
        else table.to_json(orient="records", date_format="iso", date_unit="s", indent=1)
    )
    if out:
        out.write_text(text)
    else:
        sys.stdout.write(text + ("\n" if not text.endswith("\n") else ""))


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        hours: float = typer.Option(24.0, help="Length of the window, hours."),
        min_elevation: float = typer.Option(10.0, help="Minimum elevation, degrees."),
    ) -> None:
        """The next day's passes of the shipped Earth-observation satellites (Sentinel-1/2,
        Landsat 8/9) over the national ground stations of Bamako, Niamey and Ouagadougou."""
        fleet = earth_observation_fleet()
        sites = places.ground_stations()
        start = common.start_or_default(None, fleet)
        console.print(
            f"[bold]sahelsat demo[/bold]: {len(fleet)} Earth-observation satellites x "
            f"{len(sites)} ground stations, {hours:g} h from {start}, "
            f"elevation >= {min_elevation:g}°"
        )
        span = common.window(start, hours * 3600.0, "--hours")
        table = run_passes(fleet, sites, span, min_elevation)
        console.print(passes_table(table, "Passes over the national ground stations"))
        per_site = table.groupby("site").agg(
            passes=("satellite", "size"), contact_min=("duration_s", lambda s: s.sum() / 60)
        )
        summary = Table(title="Contact per station", header_style="bold")
        for col in ("station", "passes", "contact time"):
            summary.add_column(col)
        for name, row in per_site.iterrows():
            summary.add_row(str(name), str(int(row.passes)), f"{row.contact_min:.0f} min")
        console.print(summary)

    @app.command("catalogues")
    def list_catalogues() -> None:
        """The element-set catalogues in use: for each, its source (a download, a file or
        the shipped snapshot of 2026-05-30), when it was fetched, its size and epochs."""
        from sahelsat.refresh.status import catalogue_status

        out = Table(title="Catalogues", header_style="bold")
        for col in ("name", "satellites", "source", "fetched (UTC)", "epochs (UTC)"):
            out.add_column(col, overflow="fold")
        for c in catalogue_status():
            epochs = f"{c.epoch_min[:16]} .. {c.epoch_max[:16]}"
            out.add_row(c.name, str(c.satellites), c.source, c.fetched_at[:16] or "-", epochs)
        console.print(out)

    @app.command()
    def elements(
        source: str = typer.Argument(..., help="Catalogue name or TLE/OMM file to check."),
        strict: bool = typer.Option(False, help="Stop at the first bad record."),
    ) -> None:
        """Read and validate element sets; list the satellites and any skipped records."""
        try:
            fleet = (
                load_elements(Path(source), strict=True)
                if strict
                else fleet_from(source, allow_empty=True)
            )
        except ElementSetError as exc:
            fail(str(exc))
        console.print(fleet.table().to_string(max_rows=40))
        console.print(f"{len(fleet)} satellites, {len(fleet.skipped)} records skipped")

    @app.command()
    def propagate(
        source: str = typer.Argument(..., help="Catalogue name or TLE/OMM file."),
        start: str = typer.Option(None, help=START_HELP),
        duration: str = typer.Option("90m", help="Length: 24h, 90m, 1d12h, ..."),
        step: str = typer.Option("60s", help="Time step."),
        frame: str = typer.Option("geodetic", help="teme, itrf or geodetic."),
        fmt: str = typer.Option("csv", "--format", help="csv, json or czml (for Cesium)."),
        satellite: str = typer.Option(None, help="Only satellites whose name matches."),
        out: Path = typer.Option(None, help="Write to this file instead of standard output."),
    ) -> None:
        """Positions of satellites over time, as CSV, JSON or CZML (Cesium)."""
        fleet = fleet_from(source, satellite)
        span = common.window(start, duration, fleet=fleet)
        with common.input_errors():
            step_s = parse_duration(step, "--step")
        times = timescale.time_range(span.start64, span.stop64, step_s)
        if frame not in ("teme", "itrf", "geodetic"):
            raise typer.BadParameter(f"frame {frame!r}: use teme, itrf or geodetic")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if fmt == "czml":
                text = json.dumps(czml(fleet, times), indent=1)
            else:
                table = states_table(fleet, times, frame)
                text = (
                    table.to_csv(index=False)
                    if fmt == "csv"
                    else table.to_json(orient="records", date_format="iso", date_unit="ms")
                )
        _show_warnings(caught)
        if out:
            out.write_text(text)
            err_console.print(f"wrote {out}")
        else:
            sys.stdout.write(text)

    @app.command()
    def passes(
        source: str = typer.Argument(..., help="The satellites: " + FLEET_HELP + "."),
        site: list[str] = typer.Option(
            None, help="NAME=LAT,LON[,ALT_M], repeatable; default: the three ground stations."
        ),
        start: str = typer.Option(None, help=START_HELP),
        duration: str = typer.Option("24h", help="Length: 24h, 90m, 2d, ..."),
        min_elevation: float = typer.Option(10.0, help="Minimum elevation, degrees."),
        satellite: str = typer.Option(None, help="Only satellites whose name matches."),
        fmt: str = typer.Option("table", "--format", help="table, csv or json."),
        out: Path = typer.Option(None, help="Write CSV/JSON to this file."),
        towns: bool = typer.Option(
            False, "--towns", help="The 286 shipped GeoNames towns as sites (with any --site)."
        ),
        parquet: Path = typer.Option(
            None,
            help="Stream every pass to this Parquet file, block by block (for large fleets "
            "and many sites: the result never sits in memory); prints the row count.",
        ),
    ) -> None:
        """Passes (rise, culmination, set, max elevation, azimuths) over ground sites.

        Example: sahelsat passes resource --satellite SENTINEL-2 --site Mopti=14.49,-4.2;
        a fleet-week: sahelsat passes starlink --towns --duration 7d --parquet week.parquet
        """
        if fmt not in ("table", "csv", "json"):
            raise typer.BadParameter(f"format {fmt!r}: use table, csv or json")
        sites = common.sites(site)
        if towns:
            town_sites = places.towns()[["name", "latitude_deg", "longitude_deg"]]
            sites = town_sites if not site else pd.concat([sites, town_sites], ignore_index=True)
            with common.input_errors("--towns"):
                sites = places.sites_table(sites)
        with common.input_errors("--min-elevation"):
            min_elevation = parse(_MinElevation, {"value": min_elevation}).value
        fleet = fleet_from(source, satellite)
        span = common.window(start, duration, fleet=fleet)
        if parquet is not None:
            rows = write_passes(fleet, sites, span, min_elevation, parquet)
            err_console.print(f"wrote {rows} passes to {parquet}")
            return
        table = run_passes(fleet, sites, span, min_elevation)
        _emit(table, fmt, f"Passes from {span.start64.astype('datetime64[s]')}Z", out)


def states_table(fleet: Fleet, times: np.ndarray, frame: str) -> pd.DataFrame:
    """Long table of states: one row per satellite and time."""
    n, m = len(fleet), len(times)
    base = {"satellite": np.repeat(fleet.names, m), "time": np.tile(times, n)}
    if frame == "geodetic":
        lat, lon, alt = fleet.geodetic(times)
        cols = {"latitude_deg": lat, "longitude_deg": lon, "altitude_km": alt}
    else:
        st = fleet.propagate(times, frame=frame)
        cols = {f"{a}_km": st.position[..., k] for k, a in enumerate("xyz")}
        cols |= {f"v{a}_km_s": st.velocity[..., k] for k, a in enumerate("xyz")}
        cols["sgp4_error"] = st.error
    return pd.DataFrame(base | {k: v.ravel() for k, v in cols.items()})


def czml(fleet: Fleet, times: np.ndarray) -> list[dict]:
    """A CZML document (Cesium) with each satellite's Earth-fixed path, metres."""
    st = fleet.propagate(times, frame="itrf")
    t0 = str(times[0])[:19] + "Z"
    t1 = str(times[-1])[:19] + "Z"
    offsets = (times - times[0]).astype("timedelta64[ns]").astype(np.int64) / 1e9
    doc: list[dict] = [
        {
            "id": "document",
            "name": "sahelsat",
            "version": "1.0",
            "clock": {"interval": f"{t0}/{t1}", "currentTime": t0, "multiplier": 60},
        }  # fmt: skip
    ]
    for i, name in enumerate(fleet.names):
        ok = st.error[i] == 0
        samples = np.column_stack([offsets[ok], st.position[i, ok] * 1000.0]).ravel()
        doc.append(
            {
                "id": f"{fleet.catalog_numbers[i]}",
                "name": str(name),
                "availability": f"{t0}/{t1}",
                "label": {"text": str(name), "font": "11pt sans-serif"},
                "point": {"pixelSize": 6},
                "path": {"width": 1, "leadTime": 0, "trailTime": 3600},
                "position": {
                    "epoch": t0,
                    "referenceFrame": "FIXED",
                    "interpolationAlgorithm": "LAGRANGE",
                    "interpolationDegree": 5,
                    "cartesian": [round(float(x), 3) for x in samples],
                },
            }
        )
    return doc
