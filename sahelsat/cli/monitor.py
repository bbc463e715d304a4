"""``sahelsat flood`` and ``sahelsat vegetation``: disaster maps from satellite images."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

console = Console(stderr=True)


def _progress():
    return Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
    )


def register(app: typer.Typer) -> None:
    """Add the ``flood`` and ``vegetation`` commands to ``app``."""

    @app.command()
    def flood(
        image: list[Path] = typer.Option(
            None,
            "--image",
            help="Sentinel-1 GRD GeoTIFF: bands VV, VH (dB or linear). Repeat the option to "
            "mosaic several scenes (CRS and pixel size of the first, union extent).",
        ),
        zone: Path = typer.Option(
            None,
            "--zone",
            help="A flood extent as a GeoJSON polygon (a partner's map, an exercise extent) "
            "instead of an image: only the people affected are computed.",
        ),
        out: Path = typer.Option(..., "--out", help="Folder for the products (created)."),
        optical: Path = typer.Option(
            None, "--optical", help="Sentinel-2/Landsat GeoTIFF to fuse (MNDWI, cloud-masked)."
        ),
        baseline: list[Path] = typer.Option(
            None,
            "--baseline",
            help="Normal water: a uint8 mask (1 water) or a 0-1 water frequency GeoTIFF, or "
            "several dry-season masks (repeat the option: water in >= 20 % of them is "
            "normal); with it, flood.tif holds only new water.",
        ),
        area: str = typer.Option(
            None, "--area", help="AES, MLI, NER, BFA, a country name or a GeoJSON file."
        ),
        dem: Path = typer.Option(
            None, "--dem", help="Elevation GeoTIFF (m): water on slopes > 5 degrees is removed."
        ),
        method: str = typer.Option(
            "multiscale",
            help="SAR method: multiscale, hysteresis, split-window, otsu or fixed.",
        ),
        buffer_m: float = typer.Option(
            1000.0,
            "--buffer-m",
            help="Smallest footprint radius (m) of a settlement: flood water this close "
            "reaches it (larger towns spread over a disc holding their people at 1,500/km2).",
        ),
        alerts: Path = typer.Option(
            None,
            "--alerts",
            help='Alert levels JSON, lowest first: [{"name": "watch", "flooded_km2": 1, '
            '"population": 1000}, ...]. Default: watch 1 km2 / 1,000 people, warning 10 / '
            "10,000, emergency 100 / 100,000.",
        ),
    ) -> None:
        """Map flood water from a radar (and optionally optical) image, or take a flood
        extent (--zone), and count the people affected per region.

        With --image: OUT/water.tif on the image grid (1 water, 0 dry, 255 nodata),
        flood.tif with --baseline, flood.geojson, quicklook.png. Both: impact_regions.csv
        (country, region, settlements, people, then flooded km2 and alert level per
        first-level region touched), impact_settlements.csv/.geojson, impact_map.png and
        products.json (what each file holds). People: the population base of official
        census figures spread over OpenStreetMap settlements (see the data README).
        """
        from sahelsat.monitor.io import ImageError
        from sahelsat.monitor.pipeline import run_flood, run_zone

        if (not image) == (zone is None):
            console.print("[red]error:[/red] give either --image (one or more) or --zone")
            raise typer.Exit(2)
        if zone is not None and (optical or baseline or area or dem):
            console.print(
                "[red]error:[/red] --zone takes no --optical, --baseline, --area or --dem "
                "(they describe an image)"
            )
            raise typer.Exit(2)
        with _progress() as bar:
            task = bar.add_task("starting", total=None)
            step = lambda text: bar.update(task, description=text)  # noqa: E731
            try:
                if zone is not None:
                    written = run_zone(zone, out, buffer_m, alerts, progress=step)
                else:
                    written = run_flood(
                        list(image),
                        out,
                        optical_path=optical,
                        baseline=list(baseline) if baseline else None,
                        area=area,
                        dem=dem,
                        method=method,
                        buffer_m=buffer_m,
                        alerts=alerts,
                        progress=step,
                    )
            except (ImageError, ValueError, KeyError) as err:
                bar.stop()
                console.print(f"[red]error:[/red] {err}", soft_wrap=True)
                raise typer.Exit(2) from err
        for name, path in written.items():
            console.print(f"{name:12s} {path}")

    @app.command()
    def vegetation(
        image: Path = typer.Option(..., "--image", help="Current optical image (red, NIR)."),
        baseline: list[Path] = typer.Option(
            ..., "--baseline", help="Same-season images of past years (3 or more)."
        ),
        out: Path = typer.Option(..., "--out", help="Folder for the products (created)."),
        index: str = typer.Option("ndvi", help="ndvi or evi."),
        area: str = typer.Option(None, "--area", help="AES, MLI, NER, BFA or a GeoJSON file."),
    ) -> None:
        """Vegetation index and its anomaly (z-score, percent of normal) against past years."""
        from sahelsat.monitor.io import ImageError
        from sahelsat.monitor.pipeline import run_vegetation

        if index not in ("ndvi", "evi"):
            console.print(f"[red]error:[/red] --index {index!r}: expected ndvi or evi")
            raise typer.Exit(2)
        with _progress() as bar:
            task = bar.add_task("starting", total=None)
            try:
                written = run_vegetation(
                    image,
                    list(baseline),
                    out,
                    index=index,
                    area=area,
                    progress=lambda step: bar.update(task, description=step),
                )
            except (ImageError, ValueError, KeyError) as err:
                bar.stop()
                console.print(f"[red]error:[/red] {err}", soft_wrap=True)
                raise typer.Exit(2) from err
        for name, path in written.items():
            console.print(f"{name:12s} {path}")
