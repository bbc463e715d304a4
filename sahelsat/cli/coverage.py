"""Coverage command: ``sahelsat coverage CATALOGUE_OR_DESIGN --area AES ... --out DIR``."""

from __future__ import annotations

import warnings
from pathlib import Path

import typer
from rich.progress import Progress

from sahelsat.cli import common
from sahelsat.cli.common import START_HELP, err_console
from sahelsat.inputs import FLEET_HELP, InputError, parse_duration, utc_time


def fleet_or_design(spec: str, select: str | None = None, epoch=None):
    """A catalogue name, element file, or a design ``walker[-star]:T/P/F,ALT_KM,INC_DEG``,
    ``sso:ALT_KM,LTAN_H[,N]`` or ``geo:LON[,LON...]`` (any fleet spec: one resolution for
    every command, :func:`sahelsat.cli.common.fleet`); designs are generated at ``epoch``
    (the analysis start), so that they never go stale."""
    return common.fleet(spec, select, epoch=epoch)


def register(app: typer.Typer) -> None:
    @app.command("coverage")
    def coverage_cmd(
        source: str = typer.Argument(..., help="The satellites: " + FLEET_HELP + "."),
        area: str = typer.Option(
            "AES",
            help="AES, MLI, NER, BFA, a GeoJSON file, population[:ISO3] (populated cells of "
            "the population base, weighted by people) or towns[:ISO3].",
        ),
        resolution: float = typer.Option(0.1, help="Grid spacing, degrees."),
        start: str = typer.Option(None, help=START_HELP),
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

        epoch = None
        if start is not None:
            with common.input_errors():
                epoch = utc_time(start, "--start")
        fleet = fleet_or_design(source, satellite, epoch)
        span = common.window(start, duration, fleet=fleet)
        with common.input_errors():
            step_s = parse_duration(step, "--step")
            window_s = parse_duration(window, "--window") if window else None
        try:
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
                    fleet, area, resolution, span.start64, span.stop64, step_s, min_elevation,
                    sensor=sensor, window_s=window_s, scheduler=scheduler,
                    progress=lambda f, _m: progress.update(task, completed=f),
                )  # fmt: skip
            for w in caught:
                err_console.print(f"[yellow]warning:[/yellow] {w.message}")
            written = write_products(ds, out, names)
        except (AreaError, InputError, ValueError) as exc:
            common.fail(exc)
        typer.echo(summary(ds), nl=False)
        for path in written:
            err_console.print(f"wrote {path}")
