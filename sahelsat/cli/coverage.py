"""Coverage command: ``sahelsat coverage CATALOGUE_OR_DESIGN --area AES ... --out DIR``."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import typer
from rich.console import Console
from rich.progress import Progress

from sahelsat import timescale
from sahelsat.cli.orbit import DEMO_START, fleet_from, parse_duration

err_console = Console(stderr=True)

_WALKER = re.compile(
    r"walker(?:-(delta|star))?:(\d+)/(\d+)/(\d+),([\d.]+),([\d.]+)", flags=re.IGNORECASE
)


def fleet_or_design(spec: str):
    """A catalogue name, element file, or a design ``walker[-star]:T/P/F,ALT_KM,INC_DEG``,
    ``sso:ALT_KM,LTAN_H[,N]`` or ``geo:LON[,LON...]``."""
    from sahelsat import designs

    text = spec.strip()
    m = _WALKER.fullmatch(text)
    try:
        if m:
            pattern, t, p, f, alt, inc = m.groups()
            return designs.walker(int(t), int(p), int(f), float(alt), float(inc),
                                  pattern=(pattern or "delta").lower())  # fmt: skip
        if text.lower().startswith("sso:"):
            parts = [float(x) for x in text[4:].split(",")]
            if len(parts) not in (2, 3):
                raise typer.BadParameter(f"{spec!r}: use sso:ALT_KM,LTAN_H[,N]")
            return designs.sun_synchronous(
                parts[0], parts[1], int(parts[2]) if len(parts) > 2 else 1
            )
        if text.lower().startswith("geo:"):
            return designs.geostationary([float(x) for x in text[4:].split(",")])
    except (ValueError, designs.DesignError) as exc:
        raise typer.BadParameter(f"{spec!r}: {exc}") from None
    if text.lower().startswith(("walker", "sso", "geo:")):
        raise typer.BadParameter(
            f"{spec!r}: use walker:T/P/F,ALT_KM,INC_DEG (e.g. walker:24/3/1,550,53)"
        )
    return fleet_from(text)


def register(app: typer.Typer) -> None:
    @app.command("coverage")
    def coverage_cmd(
        source: str = typer.Argument(
            ...,
            help="Catalogue (starlink, oneweb, resource, eo, geo, ...), TLE/OMM file, or "
            "design: walker:24/3/1,550,53 | walker-star:T/P/F,ALT,INC | sso:ALT,LTAN[,N] | geo:LON",
        ),  # fmt: skip
        area: str = typer.Option(
            "AES",
            help="AES, MLI, NER, BFA, a GeoJSON file, population[:ISO3] (populated cells of "
            "the population base, weighted by people) or towns[:ISO3].",
        ),
        resolution: float = typer.Option(0.1, help="Grid spacing, degrees."),
        start: str = typer.Option(DEMO_START, help="Start, UTC ISO-8601."),
        duration: str = typer.Option("1d", help="Length: 1d, 12h, 90m, ..."),
        step: str = typer.Option("30s", help="Time step."),
        min_elevation: float = typer.Option(25.0, help="Minimum elevation, degrees."),
        metrics: str = typer.Option(
            None,
            help="Comma-separated figures to map and export (default: all; maps of "
            "percent_covered and max_gap_s).",
        ),  # fmt: skip
        satellite: str = typer.Option(None, help="Only satellites whose name matches."),
        half_angle: float = typer.Option(None, help="Imaging: sensor cone half-angle, deg."),
        swath: float = typer.Option(None, help="Imaging: swath width, km."),
        max_off_nadir: float = typer.Option(0.0, help="Imaging: steering beyond the cone, deg."),
        min_off_nadir: float = typer.Option(0.0, help="Imaging (SAR): near-edge off-nadir, deg."),
        look: str = typer.Option("both", help="Imaging (SAR): both, left or right."),
        min_sun_elevation: float = typer.Option(None, help="Optical: Sun elevation >= deg."),
        window: str = typer.Option(None, help="Also figures per window, e.g. 1d."),
        scheduler: str = typer.Option(None, help="Dask scheduler address, tcp://HOST:8786."),
        out: Path = typer.Option(Path("coverage_out"), help="Output folder."),
    ) -> None:
        """Coverage and revisit of an area: NetCDF, GeoTIFF, GeoJSON, CSV, PNG maps, summary.

        Example: sahelsat coverage starlink --area AES --resolution 0.1 --duration 1d
        """
        from sahelsat.coverage_analysis import AreaError, Sensor, coverage
        from sahelsat.coverage_analysis.outputs import summary, write_products

        fleet = fleet_or_design(source)
        if satellite:
            fleet = fleet.select(satellite)
        if not len(fleet):
            err_console.print("[red]error:[/red] no satellite selected")
            raise typer.Exit(2)
        try:
            t0 = timescale.as_utc(start, "start")[0]
            t1 = t0 + np.timedelta64(int(round(parse_duration(duration) * 1e9)), "ns")
            sensor = None
            if any(v is not None for v in (half_angle, swath, min_sun_elevation)) or (
                min_off_nadir or look != "both"
            ):
                sensor = Sensor(half_angle, swath, max_off_nadir, min_off_nadir, look,
                                min_sun_elevation)  # fmt: skip
            names = [m.strip() for m in metrics.split(",") if m.strip()] if metrics else None
            with (
                Progress(console=err_console, transient=True) as progress,
                warnings.catch_warnings(record=True) as caught,
            ):
                warnings.simplefilter("always")
                task = progress.add_task(
                    f"coverage of {area} by {len(fleet)} satellites", total=1.0
                )
                ds = coverage(
                    fleet, area, resolution, t0, t1, parse_duration(step), min_elevation,
                    sensor=sensor, window_s=parse_duration(window) if window else None,
                    scheduler=scheduler,
                    progress=lambda f, _m: progress.update(task, completed=f),
                )  # fmt: skip
            for w in caught:
                err_console.print(f"[yellow]warning:[/yellow] {w.message}")
            written = write_products(ds, out, names)
        except (AreaError, ValueError, timescale.TimeError) as exc:
            err_console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from None
        typer.echo(summary(ds), nl=False)
        for path in written:
            err_console.print(f"wrote {path}")
