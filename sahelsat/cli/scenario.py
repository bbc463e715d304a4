"""Scenario commands: run a scenario end to end into a report; check a scenario file."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from sahelsat.cli.common import fail
from sahelsat.scenario.config import BUILTIN, ScenarioError, load_scenario

console = Console()
err_console = Console(stderr=True)


def _load(source: str):
    """The scenario, or its problems (file, line, key) on the terminal and exit code 2.
    ``run`` and ``check-scenario`` share it: the file is checked as far as a run resolves
    it before its heavy work (:func:`sahelsat.scenario.config.check_runnable`)."""
    try:
        return load_scenario(source, runnable=True)
    except ScenarioError as exc:
        fail(exc)


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run(
        scenario: str = typer.Argument(
            "sahel",
            help=f"A scenario TOML file, or a built-in one: {', '.join(BUILTIN)} (the "
            "designed system, or the satellites flying today).",
        ),
        out: Path = typer.Option(Path("output"), help="Folder for the results and report."),
        lang: str = typer.Option("en,fr", help="Report languages, comma-separated: en, fr."),
        pdf: bool = typer.Option(True, help="Also write PDFs when Chromium is installed."),
    ) -> None:
        """Run a scenario end to end: passes over the ground stations, coverage and revisit,
        connectivity per settlement, imaging opportunities and the acquisition + downlink
        plan; then write the mission report (self-contained HTML, English and French)."""
        sc = _load(scenario)  # before the capabilities load: a bad file fails at once
        from sahelsat.scenario import report
        from sahelsat.scenario import run as runner

        languages = [x.strip() for x in lang.split(",") if x.strip()]
        bad = [x for x in languages if x not in report.LANGUAGES]
        if bad:
            raise typer.BadParameter(
                f"unknown language {bad[0]!r}; use en or fr", param_hint="--lang"
            )
        console.print(
            f"[bold]{sc.scenario.name}[/bold]: {sc.scenario.start:%Y-%m-%d %H:%M} UTC, "
            f"{sc.scenario.duration_hours:g} h -> {out}/"
        )
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("starting", total=len(runner.STEPS))

            def progress(name, done, total):
                bar.update(task, completed=done, description=name)

            res = runner.run_scenario(sc, out, progress)
        paths = report.write_report(res, languages, pdf=pdf)
        table = Table(title="Summary", header_style="bold", show_header=False)
        for key, value in report.key_figures(res).items():
            table.add_row(report.TEXT["en"][key], "–" if value is None else str(value))
        console.print(table)
        for name, message in res.errors.items():
            err_console.print(f"[red]step {name} failed:[/red] {message}", highlight=False)
        for path in paths:
            console.print(f"report: {path}")
        if res.errors:
            raise typer.Exit(1)

    @app.command("check-scenario")
    def check_scenario(scenario: str = typer.Argument(..., help="A scenario TOML file.")) -> None:
        """Validate a scenario file without running it (errors name the line and key)."""
        sc = _load(scenario)
        console.print(
            f"{scenario}: valid ({len(sc.satellites)} satellite groups, "
            f"{len(sc.requests)} requests)"
        )
