"""``sahelsat brief``: a bilingual flood situation brief from a zone or an imaging request."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from sahelsat.cli.common import err_console, fail, input_errors


def register(app: typer.Typer) -> None:
    """Add the ``brief`` command to ``app``."""

    @app.command("brief")
    def brief(
        zone: str = typer.Option(
            None,
            "--zone",
            help="The flood area: a GeoJSON file (Polygon/MultiPolygon, a Feature or a "
            "FeatureCollection), or 'exercise' (the shipped exercise extents on the Niger).",
        ),
        request: str = typer.Option(
            None, "--request", help="Or the id of an imaging request of the scenario."
        ),
        scenario: str = typer.Option(
            "sahel",
            help="Scenario whose satellites are ours (planned) and whose stations "
            "receive: a TOML file or a built-in name.",
        ),
        start: str = typer.Option(
            None,
            help="Start, UTC ISO-8601 (default: now when the element sets are fresh, "
            "else the day after their epoch).",
        ),
        days: float = typer.Option(3.0, min=0.05, max=14.0, help="How far ahead to look (days)."),
        out: Path = typer.Option(Path("brief"), "--out", help="Folder for the brief (created)."),
        lang: str = typer.Option("en,fr", help="Languages, comma-separated: en, fr."),
        pdf: bool = typer.Option(True, help="Also write PDFs when Chromium is installed."),
    ) -> None:
        """A flood situation brief (HTML, and PDF with Chromium), in French and English:
        the area and regions concerned, the next images across Sentinel-1, Sentinel-2,
        Landsat (forecast) and our satellites (planned) with coverage and data-in-hand
        times, our downlinks, the people affected per region and what is not known."""
        from sahelsat.scenario.config import ScenarioError, load_scenario

        t0 = time.perf_counter()
        if (zone is None) == (request is None):
            fail("give either --zone or --request")
        languages = [g.strip() for g in lang.split(",") if g.strip()]
        bad = [g for g in languages if g not in ("en", "fr")]
        if bad or not languages:
            fail(f"--lang: use en, fr (not {', '.join(bad) or 'nothing'})")
        try:
            sc = load_scenario(scenario)
        except ScenarioError as exc:
            fail(exc)
        from sahelsat.inputs import utc_time
        from sahelsat.scenario.brief import build_brief, write_brief

        with input_errors("--start"):
            begin = utc_time(start, "--start") if start else None
        with input_errors("--zone" if zone else "--request"):
            b = build_brief(zone=zone, request=request, scenario=sc, start=begin, days=days)
        for note in b.notes:
            err_console.print(f"[yellow]note:[/yellow] {note}")
        paths = write_brief(b, out, languages, pdf)
        for p in paths:
            print(p)
        err_console.print(
            f"brief ready in {time.perf_counter() - t0:.1f} s (content {b.seconds:.1f} s)"
        )
