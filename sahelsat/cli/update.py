"""Update commands: ``sahelsat update elements`` and ``sahelsat update eop``."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

console = Console()
err_console = Console(stderr=True)

update_app = typer.Typer(
    help="Bring element sets and Earth orientation up to date (from the sources, a mirror "
    "on a closed network, or files brought by hand). Data goes into $SAHELSAT_DATA_DIR "
    "(default ~/.local/share/sahelsat); the shipped snapshot stays the fallback.",
    no_args_is_help=True,
)

_COLOURS = {"updated": "green", "unchanged": "green", "skipped": "cyan", "refused": "yellow",
            "failed": "red", "not asked": "red"}  # fmt: skip


@update_app.command("elements")
def elements(
    fleets: list[str] = typer.Argument(
        None,
        help="Fleets: shipped catalogues (resource, starlink, oneweb, geo, weather), fleets "
        "defined earlier, or any CelesTrak group (e.g. stations). Default: every shipped "
        "catalogue and every fleet defined earlier.",
    ),
    catnr: list[str] = typer.Option(
        [], "--catnr", help="Add one object by catalogue number (repeatable; up to 9 digits)."
    ),
    intdes: list[str] = typer.Option(
        [], "--intdes", help="Add the objects of one launch, e.g. 2024-235 (repeatable)."
    ),
    into: str = typer.Option(
        None, "--into", help="Fleet that --catnr/--intdes objects join (default: objects)."
    ),
    source: str = typer.Option(
        "auto",
        "--source",
        help="celestrak, spacetrack, or auto (Space-Track when SAHELSAT_SPACETRACK_IDENTITY "
        "and SAHELSAT_SPACETRACK_PASSWORD are set, else CelesTrak).",
    ),
    url: str = typer.Option(
        None,
        "--url",
        help="Base URL of CelesTrak or of a mirror serving its paths (default "
        "$SAHELSAT_CELESTRAK_URL, else https://celestrak.org); with Space-Track, its base "
        "URL (default $SAHELSAT_SPACETRACK_URL).",
    ),
    fmt: str = typer.Option("json", "--format", help="OMM format asked: json, csv or xml."),
    from_path: Path = typer.Option(
        None,
        "--from",
        help="Import a file or a folder of files instead (OMM JSON/CSV/XML or TLE); a file "
        "becomes the fleet named by the one FLEET given, else by its name (resource.json).",
    ),
    force: bool = typer.Option(
        False, "--force", help="Ask even within the source's update interval or back-off."
    ),
    replace: bool = typer.Option(
        False,
        "--replace",
        help="Accept a copy with far fewer or only older element sets than the one in use.",
    ),
    timeout: float = typer.Option(120.0, "--timeout", min=1.0, help="Seconds per request."),
) -> None:
    """Fetch current element sets (CCSDS OMM) and keep each fleet's history.

    A download replaces the copy in use only when every record passes the strict reader
    and it is not suspicious; otherwise the copy in use stays and the reason is shown.
    Each source is asked at most once per its update interval (CelesTrak: 2 h) and the
    run stops at the first error, as the sources' usage rules ask.

    Examples: sahelsat update elements resource;
    sahelsat update elements --catnr 25544 --into stations;
    sahelsat update elements --from /media/usb/elements
    """
    from sahelsat.refresh.catalogues import import_elements, update_elements

    fleets = list(fleets or [])
    with Progress(console=err_console, transient=True) as bar:
        task = bar.add_task("element sets", total=1.0)

        def progress(fraction: float, message: str) -> None:
            bar.update(task, completed=fraction, description=message)

        try:
            if from_path is not None:
                one = len(fleets) == 1 and from_path.is_file()
                report = import_elements(
                    from_path, into=fleets[0] if one else into, only=[] if one else fleets,
                    replace=replace, progress=progress,
                )  # fmt: skip
            else:
                report = update_elements(
                    fleets, catnr=catnr, intdes=intdes, into=into, source=source, url=url,
                    fmt=fmt, force=force, replace=replace, timeout_s=timeout,
                    progress=progress,
                )  # fmt: skip
        except (ValueError, FileNotFoundError) as exc:
            err_console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from None
    table = Table(title="Element sets", header_style="bold")
    for col in ("fleet", "result", "details"):
        table.add_column(col, overflow="fold")
    for r in report.results:
        colour = _COLOURS.get(r.status, "white")
        table.add_row(r.name, f"[{colour}]{r.status}[/{colour}]", r.message)
    console.print(table)
    for r in report.results:
        for error in r.errors[10:]:
            err_console.print(f"  {r.name}: {error}")
    if report.stopped:
        err_console.print(f"[red]stopped:[/red] {report.stopped}")
    if not report.ok:
        raise typer.Exit(1)


@update_app.command("eop")
def eop(
    url: str = typer.Option(
        None,
        "--url",
        help="URL of finals2000A.all (default $SAHELSAT_EOP_URL, else the IERS Rapid "
        "Service/Prediction Centre's).",
    ),
    from_path: Path = typer.Option(
        None, "--from", help="Import a finals2000A.all (or finals.daily) file instead."
    ),
    force: bool = typer.Option(False, "--force", help="Ask even if asked less than a day ago."),
    replace: bool = typer.Option(
        False, "--replace", help="Accept a table whose observed values end earlier."
    ),
    timeout: float = typer.Option(120.0, "--timeout", min=1.0, help="Seconds for the request."),
) -> None:
    """Fetch the IERS Earth-orientation table and make it the one frames use.

    finals2000A.all (UT1-UTC and polar motion, observed then predicted): every line is
    checked, the table is replaced atomically, and the shipped one stays the fallback.
    """
    from sahelsat.refresh.eop import update_eop

    with err_console.status("Earth orientation"):
        report = update_eop(url, from_path, force, replace, timeout)
    colour = _COLOURS.get(report.status, "white")
    console.print(f"Earth orientation: [{colour}]{report.status}[/{colour}]: {report.message}")
    if not report.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(update_app, name="update")
