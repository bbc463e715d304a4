"""Connectivity design command: ``sahelsat design [OPTIONS] --out DIR`` (and trades)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

err_console = Console(stderr=True)

#: Options that set one design parameter: option name -> dotted parameter path.
OPTION_PATHS = {
    "slot": "hts.slot_lon_deg", "layout": "hts.layout", "beams": "hts.n_beams",
    "colours": "hts.colours", "polarisations": "hts.polarisations",
    "eirp": "hts.beam_eirp_dbw", "antenna": "hts.antenna_diameter_m",
    "dish": "hts.terminal_diameter_m", "availability": "hts.availability_percent",
    "take_up": "demand.take_up", "contention": "demand.contention",
    "rate": "demand.subscriber_rate_mbps", "gateway_band": "gateways.band",
    "grid_resolution": "grid_resolution_deg", "leo_hours": "leo_hours",
}  # fmt: skip


def _pairs(text: str, what: str) -> dict[str, str]:
    out = {}
    for item in (s for s in text.split(";") if s.strip()):
        path, sep, value = item.partition("=")
        if not sep or not path.strip():
            raise typer.BadParameter(f"{what} {text!r}: use PATH=VALUE[;PATH=VALUE], e.g. "
                                     "hts.colours=7;hts.polarisations=1")  # fmt: skip
        out[path.strip()] = value.strip()
    return out


def build_parameters(options: dict, settings: list[str], countries: str | None,
                     diversity: bool, leo: bool, name: str | None):  # fmt: skip
    """The :class:`~sahelsat.comms.design.DesignParameters` of the command's options."""
    import dataclasses

    from sahelsat.comms import design

    p = design.DesignParameters()
    if name:
        p = dataclasses.replace(p, name=name)
    changes = {OPTION_PATHS[opt]: v for opt, v in options.items() if v is not None}
    for text in settings:
        changes.update(_pairs(text, "--set"))
    changes["gateways.site_diversity"] = diversity
    p = design.update(p, changes)
    if countries:
        p = dataclasses.replace(p, countries=tuple(c.strip() for c in countries.split(",")))
    if not leo:
        p = dataclasses.replace(p, leo=())
    return p


def register(app: typer.Typer) -> None:
    @app.command("design")
    def design_cmd(
        out: Path = typer.Option(Path("design"), "--out", help="Folder for the products."),
        name: str = typer.Option(None, "--name", help="Name of the design."),
        slot: float = typer.Option(None, "--slot", help="GEO slot longitude (deg E)."),
        layout: str = typer.Option(None, "--layout", help="Beam layout: hex or demand."),
        beams: int = typer.Option(None, "--beams", help="Beams of a demand layout."),
        colours: int = typer.Option(None, "--colours", help="Frequency/polarisation colours."),
        polarisations: int = typer.Option(None, "--polarisations", help="1 or 2."),
        eirp: float = typer.Option(None, "--eirp", help="Peak EIRP per beam (dBW)."),
        antenna: float = typer.Option(None, "--antenna", help="Satellite reflector (m)."),
        dish: float = typer.Option(None, "--dish", help="Terminal dish diameter (m)."),
        availability: float = typer.Option(
            None, "--availability", help="Target availability (% of the year)."
        ),
        take_up: float = typer.Option(None, "--take-up", help="Share of households (0-1)."),
        contention: float = typer.Option(None, "--contention", help="Contention ratio."),
        rate: float = typer.Option(
            None, "--rate", help="Rate sold per subscriber = target speed (Mbit/s)."
        ),
        gateway_band: str = typer.Option(None, "--gateway-band", help="Ka or Q/V."),
        diversity: bool = typer.Option(
            True, "--diversity/--no-diversity", help="Pair each gateway with a diversity site."
        ),
        countries: str = typer.Option(None, "--countries", help="e.g. MLI,NER (default all)."),
        grid_resolution: float = typer.Option(
            None, "--grid-resolution", help="Grid of the NetCDF maps (deg)."
        ),
        leo: bool = typer.Option(
            True, "--leo/--no-leo", help="Compare with OneWeb and Starlink (coverage engine)."
        ),
        leo_hours: float = typer.Option(None, "--leo-hours", help="LEO window (h)."),
        settings: list[str] = typer.Option(
            [],
            "--set",
            help="Any parameter: PATH=VALUE[;...], "
            "e.g. hts.edge_db=3 or demand.household_size=5.5.",
        ),
        trades: list[str] = typer.Option(
            [],
            "--trade",
            help="A variant for the trade table: PATH=VALUE[;...] (repeat for more designs).",
        ),
        fmt: str = typer.Option("table", "--format", help="Summary on stdout: table or json."),
    ) -> None:
        """Design a high-throughput GEO system for the region from parameters: demand per
        settlement, spot beams (ITU-R S.672-4), C/(N+I) and DVB-S2X ACM per location,
        capacity against demand per beam and region, gateways (P.618 site diversity), DTH
        reach, OneWeb/Starlink visibility. Writes GeoJSON, CSV, NetCDF and a summary in
        English and French to --out; --trade adds designs side by side (trade.csv)."""
        from sahelsat.comms import design
        from sahelsat.comms.defaults import ParameterError

        opts = {"slot": slot, "layout": layout, "beams": beams, "colours": colours,
                "polarisations": polarisations, "eirp": eirp, "antenna": antenna, "dish": dish,
                "availability": availability, "take_up": take_up, "contention": contention,
                "rate": rate, "gateway_band": gateway_band, "grid_resolution": grid_resolution,
                "leo_hours": leo_hours}  # fmt: skip
        if fmt not in ("table", "json"):
            raise typer.BadParameter(f"--format {fmt!r}: table or json")
        try:
            params = build_parameters(opts, settings, countries, diversity, leo, name)
            variants = [{k: v for k, v in _pairs(t, "--trade").items()} for t in trades]
            with err_console.status("design") as status:

                def progress(stage: str) -> None:
                    status.update(f"design: {stage}")

                if variants:
                    table, designs = design.trade(params, variants, progress=progress)
                    result = designs[0]
                else:
                    table, result = None, design.run_design(params, progress=progress)
            paths = design.write_products(result, out, table)
        except (ParameterError, ValueError) as exc:
            err_console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from None
        if fmt == "json":
            typer.echo(json.dumps(design._jsonable(result.summary), indent=1))
        else:
            typer.echo(design.summary_text(result, "en"), nl=False)
            if table is not None:
                typer.echo(table.to_string(index=False))
        err_console.print(f"wrote {len(paths)} files to {out}")
