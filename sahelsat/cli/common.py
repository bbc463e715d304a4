"""What every command shares: the one place an :class:`~sahelsat.inputs.InputError` becomes
a message on the terminal (file, line and key where known), and options parsed into the
typed inputs (fleets, windows, durations, sites)."""

from __future__ import annotations

import sys
from contextlib import contextmanager

import typer
from rich.console import Console

from sahelsat.inputs import InputError, Site, Window, parse_duration, utc_time

#: Standard output: wide enough for tables when it is a file or a pipe (rich assumes 80).
console = Console(width=None if sys.stdout.isatty() else 132)
err_console = Console(stderr=True)

DEMO_START = "2026-05-31T00:00:00Z"  # the day after the shipped element sets' epoch

START_HELP = (
    "Start, UTC ISO-8601 (default: now when the element sets are fresh, else the day after "
    "their epoch)."
)


def fail(message, code: int = 2):
    """Print ``error: message`` (each problem of an InputError on its own line) and exit."""
    text = message.describe() if isinstance(message, InputError) else str(message)
    for line in text.splitlines() or [""]:
        err_console.print(f"[red]error:[/red] {line}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def input_errors(source: str | None = None):
    """Turn an InputError (or another ValueError) raised inside into :func:`fail`;
    ``source`` names where the value came from (an option) when the error does not."""
    try:
        yield
    except InputError as exc:
        fail(exc if exc.source or not source else InputError(exc.problems, source))
    except ValueError as exc:
        fail(f"{source}: {exc}" if source else exc)


def fleet(
    spec: str, select: str | None = None, option: str | None = None, allow_empty=False,
    epoch=None,
):  # fmt: skip
    """The satellites named on the command line (one resolution for every command:
    :func:`sahelsat.fleets.resolve_fleet`; designs generated at ``epoch``); skipped
    element-set records are listed."""
    from sahelsat.fleets import resolve_fleet
    from sahelsat.inputs import FleetSpec

    with input_errors(option):
        parsed = FleetSpec.parse(spec, files=True, select=select)
        sats = resolve_fleet(parsed, allow_empty=allow_empty, epoch=epoch)
    for s in sats.skipped:
        err_console.print(f"[yellow]skipped[/yellow] {s}")
    return sats


def start_or_default(start: str | None, fleet):
    """``start`` as given, else the default that follows the fleet's element-set age
    (:func:`sahelsat.refresh.status.default_start`; the note saying why goes to stderr)."""
    if start is not None:
        return start
    from sahelsat.refresh.status import default_start

    chosen = default_start(fleet)
    if chosen.note:
        err_console.print(f"[yellow]note:[/yellow] {chosen.note}")
    return str(chosen.start.astype("datetime64[s]")) + "Z"


def window(
    start: str | None, duration: str | float, option: str = "--duration", fleet=None
) -> Window:
    """A :class:`~sahelsat.inputs.Window` from a ``--start`` and a duration (``24h``,
    ``2d``, ``90m``, or seconds as a number). Without a start, the window starts where
    :func:`start_or_default` says for ``fleet``."""
    if start is None:
        start = start_or_default(None, fleet if fleet is not None else [])
    with input_errors():
        if isinstance(duration, str):
            seconds = parse_duration(duration, option)
        else:
            seconds = float(duration)
            if not seconds > 0:
                raise InputError.at(option, f"must be > 0, not {duration:g}")
        begin = utc_time(start, "--start")
        return Window.lasting(begin, seconds)


def sites(texts: list[str] | None):
    """Sites from ``NAME=LAT,LON[,ALT_M]`` options (default: the national ground stations)."""
    from sahelsat import places

    if not texts:
        return places.ground_stations()
    parsed = []
    for text in texts:
        with input_errors(f"--site {text!r}"):
            parsed.append(Site.parse(text))
    with input_errors("--site"):
        return places.sites_table([s.row() for s in parsed])
